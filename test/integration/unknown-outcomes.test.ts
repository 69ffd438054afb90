/**
 * A charge whose outcome is unknown (the gateway took the money, then the call timed out) stays
 * pending, is resolved at the next run by asking the gateway about the same key, and is never
 * charged again; one the gateway still cannot confirm after the alarm delay is reported.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import type { ChargeOutcome, ChargeRequest } from "../../src/providers/payments/payment-gateway.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { at, createFixture, eventTypes, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

/**
 * Charges, then loses the answer, for the first `lostAnswers` calls, and is unreachable from then
 * on (the network is down) until the test says otherwise.
 */
class TimingOutGateway extends TestGateway {
  lostAnswers = 1;
  isUnreachable = false;

  override async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    if (this.isUnreachable) throw new Error("gateway unreachable");
    const outcome = await super.charge(request);
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      this.isUnreachable = true;
      throw new Error("gateway timeout after 30 s");
    }
    return outcome;
  }

  override async lookup(key: string): Promise<ChargeOutcome | null> {
    if (this.isUnreachable) throw new Error("gateway unreachable");
    return super.lookup(key);
  }
}

describe.each(DIALECTS)("charges with an unknown outcome (%s)", (dialect) => {
  let f: Fixture;
  let gateway: TimingOutGateway;
  beforeEach(async () => {
    f = await createFixture(dialect);
    gateway = new TimingOutGateway();
    f.deps.gateway = gateway;
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "timeout.example", "2021-04-15T14:00:00Z");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("a charge made just before a timeout is recognised by its key at the next run, never repeated", async () => {
    const first = await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    // The batched charge timed out; asked again at once, one by one, the gateway cannot answer.
    expect(first.retriedGroups).toEqual([
      expect.objectContaining({ step: "charge", error: expect.stringContaining("timeout") }),
    ]);
    expect(first.failures).toEqual([
      expect.objectContaining({ service: "d1", error: expect.stringContaining("unreachable") }),
    ]);
    const pending = await f.deps.db.selectFrom("payments").select(["status", "idempotency_key"]).execute();
    expect(pending).toEqual([expect.objectContaining({ status: "pending" })]);
    expect(gateway.successfulCharges()).toHaveLength(1);

    // The failed service is retried after its back-off, well within the hour.
    gateway.isUnreachable = false;
    const next = await runEngine(f.deps, at("2022-03-31T14:05:00Z"));
    expect(next.failures).toEqual([]);
    expect(gateway.successfulCharges()).toHaveLength(1);
    const settled = await f.deps.db.selectFrom("payments").select("status").execute();
    expect(settled).toEqual([{ status: "succeeded" }]);
    expect(await eventTypes(f.deps, "d1")).toContain("domain.renewed");
    expect(next.alarms.unresolvedCharges).toEqual([]);
  });

  it("a charge still unconfirmed after 12 hours is reported as an alarm, and not before", async () => {
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    expect(gateway.isUnreachable).toBe(true);
    const early = await runEngine(f.deps, at("2022-04-01T01:59:00Z"));
    expect(early.alarms.unresolvedCharges).toEqual([]);
    const late = await runEngine(f.deps, at("2022-04-01T02:00:00Z"));
    expect(late.alarms.unresolvedCharges).toEqual([
      expect.objectContaining({ customer: "c1", since: at("2022-03-31T14:00:00Z") }),
    ]);
    // The domain does not expire while its money is in flight, and nothing else was charged.
    expect(await eventTypes(f.deps, "d1")).not.toContain("domain.expired");
    expect(gateway.successfulCharges()).toHaveLength(1);
  });
});
