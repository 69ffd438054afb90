/** The one source of "now". The process reads it once per run or request and passes it down. */
import type { Instant } from "./time.js";

export interface Clock {
  now(): Instant;
}

/** A clock that only moves when told to: the simulator's and the tests' clock. */
export class ManualClock implements Clock {
  constructor(private current: Instant) {}

  now(): Instant {
    return this.current;
  }

  set(at: Instant): void {
    this.current = at;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
