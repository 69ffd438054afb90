/** The automation's health line: green, late or failing, from the last run, the interval and the failures. */
import { describe, expect, it } from "vitest";
import { type AutomationHealthFacts, automationHealth } from "../../src/domain/automation-health.js";
import { DEFAULT_AUTOMATION, defaultPolicies } from "../../src/domain/policies.js";

const MINUTE = 60_000;
const NOW = Date.UTC(2025, 0, 1, 12, 0);

function facts(extra: Partial<AutomationHealthFacts> = {}): AutomationHealthFacts {
  return {
    now: NOW,
    workerIntervalMs: MINUTE,
    lastCompletedRunAt: NOW - MINUTE,
    failureCounts: [],
    unresolvedCharges: 0,
    unresolvedRefunds: 0,
    ...extra,
  };
}

const policy = DEFAULT_AUTOMATION;

describe("automation health", () => {
  it("is green when the last run is within the late threshold and nothing fails", () => {
    const health = automationHealth(facts(), policy);
    expect(health).toEqual({
      state: "green",
      reasons: [],
      lastCompletedRunAt: NOW - MINUTE,
      lateAt: NOW - MINUTE + 3 * MINUTE,
    });
    // Exactly at the threshold is still on time.
    expect(automationHealth(facts({ lastCompletedRunAt: NOW - 3 * MINUTE }), policy).state).toBe("green");
  });

  it("is late past lateAfterIntervals worker intervals, in proportion to the interval", () => {
    const late = automationHealth(facts({ lastCompletedRunAt: NOW - 3 * MINUTE - 1 }), policy);
    expect(late.state).toBe("late");
    expect(late.reasons).toEqual([{ kind: "behind", since: NOW - 3 * MINUTE - 1, minutes: 3 }]);
    // A worker every 10 minutes is not late after 5.
    const slow = facts({ workerIntervalMs: 10 * MINUTE, lastCompletedRunAt: NOW - 5 * MINUTE });
    expect(automationHealth(slow, policy).state).toBe("green");
  });

  it("is failing when no run completed for stalledAfterMinutes, or none ever did", () => {
    const stalled = automationHealth(facts({ lastCompletedRunAt: NOW - 61 * MINUTE }), policy);
    expect(stalled.state).toBe("failing");
    expect(stalled.reasons).toEqual([{ kind: "stalled", since: NOW - 61 * MINUTE, minutes: 61 }]);
    expect(automationHealth(facts({ lastCompletedRunAt: NOW - 60 * MINUTE }), policy).state).toBe("late");
    const never = automationHealth(facts({ lastCompletedRunAt: null }), policy);
    expect(never).toMatchObject({ state: "failing", reasons: [{ kind: "never-ran" }], lateAt: null });
  });

  it("services being retried make it late; one that failed failingAfterFailures times in a row, failing", () => {
    const retrying = automationHealth(facts({ failureCounts: [1, 2] }), policy);
    expect(retrying.state).toBe("late");
    expect(retrying.reasons).toEqual([{ kind: "retrying", services: 2 }]);
    const failing = automationHealth(facts({ failureCounts: [1, 3, 7] }), policy);
    expect(failing.state).toBe("failing");
    expect(failing.reasons).toEqual([
      { kind: "failing-services", services: 2, threshold: 3 },
      { kind: "retrying", services: 1 },
    ]);
    expect(
      automationHealth(facts({ failureCounts: [1] }), { ...policy, failingAfterFailures: 1 }).state,
    ).toBe("failing");
  });

  it("money the gateway has not settled past the alarm delay needs a person: failing", () => {
    const health = automationHealth(facts({ unresolvedCharges: 2, unresolvedRefunds: 1 }), policy);
    expect(health.state).toBe("failing");
    expect(health.reasons).toEqual([
      { kind: "unresolved-charges", charges: 2 },
      { kind: "unresolved-refunds", refunds: 1 },
    ]);
  });

  it("lists every reason, the ones needing a person first", () => {
    const health = automationHealth(
      facts({ lastCompletedRunAt: NOW - 10 * MINUTE, failureCounts: [5, 1], unresolvedCharges: 1 }),
      policy,
    );
    expect(health.state).toBe("failing");
    expect(health.reasons.map((r) => r.kind)).toEqual([
      "failing-services",
      "unresolved-charges",
      "behind",
      "retrying",
    ]);
  });

  it("its thresholds are policy: built in, and overridable from the config file", () => {
    expect(defaultPolicies().automation).toEqual({
      lateAfterIntervals: 3,
      stalledAfterMinutes: 60,
      failingAfterFailures: 3,
    });
  });
});
