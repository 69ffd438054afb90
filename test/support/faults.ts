/** Fault points for crash tests: count every point reached, or throw once at the n-th. */
import type { FaultPoints } from "../../src/modules/deps.js";

export class InjectedCrash extends Error {}

export class CountingFaults implements FaultPoints {
  readonly points: string[] = [];
  reach(point: string): void {
    this.points.push(point);
  }
}

export class CrashAt implements FaultPoints {
  private count = 0;
  crashedAt: string | null = null;
  constructor(private readonly n: number) {}
  reach(point: string): void {
    this.count += 1;
    if (this.count === this.n) {
      this.crashedAt = point;
      throw new InjectedCrash(`injected crash #${this.n} at ${point}`);
    }
  }
}
