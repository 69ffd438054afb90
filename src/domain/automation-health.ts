/**
 * The automation's health line (back office, issue 9), in the style of WHMCS's automation status:
 * green when the engine runs on time and nothing fails, late when work is behind schedule but will
 * catch up by itself (a missed tick, a service being retried with its back-off), failing when a
 * person is needed (the worker has stopped, a service keeps failing, money in flight unresolved).
 * Decided purely from the facts; the thresholds are policy (`automation`, docs/policies.md).
 */
import type { AutomationPolicy } from "./policies.js";
import type { Instant } from "./time.js";

export type HealthState = "green" | "late" | "failing";

export interface AutomationHealthFacts {
  now: Instant;
  /** How often the worker runs the engine (TENURE_WORKER_INTERVAL_SECONDS). */
  workerIntervalMs: number;
  /** The logical instant of the last engine run that completed (with or without failures). */
  lastCompletedRunAt: Instant | null;
  /** Services whose last step failed, by how many times in a row (services.failure_count > 0). */
  failureCounts: readonly number[];
  /** Charges and refunds the gateway has not settled past the alarm delay (run-engine.ts alarms). */
  unresolvedCharges: number;
  unresolvedRefunds: number;
}

export type HealthReason =
  | { kind: "never-ran" }
  | { kind: "stalled"; since: Instant; minutes: number }
  | { kind: "behind"; since: Instant; minutes: number }
  | { kind: "retrying"; services: number }
  | { kind: "failing-services"; services: number; threshold: number }
  | { kind: "unresolved-charges"; charges: number }
  | { kind: "unresolved-refunds"; refunds: number };

export interface AutomationHealth {
  state: HealthState;
  /** Why it is not green, worst first; empty when green. */
  reasons: HealthReason[];
  /** The last completed run: shown on the line either way. */
  lastCompletedRunAt: Instant | null;
  /** Past this instant without a completed run the automation is late. */
  lateAt: Instant | null;
}

const MINUTE = 60_000;

export function automationHealth(facts: AutomationHealthFacts, policy: AutomationPolicy): AutomationHealth {
  const failing: HealthReason[] = [];
  const late: HealthReason[] = [];
  const last = facts.lastCompletedRunAt;
  const lateAt = last === null ? null : last + policy.lateAfterIntervals * facts.workerIntervalMs;
  if (last === null) failing.push({ kind: "never-ran" });
  else {
    const minutes = Math.floor(Math.max(0, facts.now - last) / MINUTE);
    if (facts.now - last > policy.stalledAfterMinutes * MINUTE)
      failing.push({ kind: "stalled", since: last, minutes });
    else if (lateAt !== null && facts.now > lateAt) late.push({ kind: "behind", since: last, minutes });
  }
  const persistent = facts.failureCounts.filter((n) => n >= policy.failingAfterFailures).length;
  const retrying = facts.failureCounts.filter((n) => n > 0 && n < policy.failingAfterFailures).length;
  if (persistent > 0)
    failing.push({ kind: "failing-services", services: persistent, threshold: policy.failingAfterFailures });
  if (facts.unresolvedCharges > 0)
    failing.push({ kind: "unresolved-charges", charges: facts.unresolvedCharges });
  if (facts.unresolvedRefunds > 0)
    failing.push({ kind: "unresolved-refunds", refunds: facts.unresolvedRefunds });
  if (retrying > 0) late.push({ kind: "retrying", services: retrying });
  const state: HealthState = failing.length > 0 ? "failing" : late.length > 0 ? "late" : "green";
  return { state, reasons: [...failing, ...late], lastCompletedRunAt: last, lateAt };
}
