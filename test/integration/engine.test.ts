/** The engine on a real database: idempotent runs, catch-up after downtime, isolation of failures, leases. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import type { Registrar } from "../../src/providers/registrar/registrar.js";
import { at, createFixture, eventTypes, type Fixture, snapshot } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("engine runs (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("charge keys derive from the decision alone: the same story on a second database sends the same keys", async () => {
    // What makes a charge safe to send again after the pending row itself is lost (a restore,
    // a point-in-time recovery): the key is rebuilt from the invoice's issue key and the attempt.
    const story = async (fixture: Fixture) => {
      await fixture.addCustomer("c1", "fails-1-then-ok");
      await fixture.addDomain("d1", "c1", "keys.example", "2021-04-15T14:00:00Z");
      await fixture.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
      for (const instant of ["2022-03-31T14:00:00Z", "2022-04-05T14:00:00Z", "2022-04-15T14:00:00Z"])
        await runEngine(fixture.deps, at(instant));
      return fixture.gateway.allCharges().map((c) => c.idempotencyKey);
    };
    const second = await createFixture(dialect);
    try {
      const keys = await story(f);
      expect(keys).toEqual(await story(second));
      expect(keys).toContain("charge:renew:d1:2022-04-15T14:00:00.000Z:1:1");
      expect(keys).toContain("charge:renew:d1:2022-04-15T14:00:00.000Z:1:2");
      const stored = await f.deps.db.selectFrom("payments").select("idempotency_key").orderBy("id").execute();
      expect(stored.map((p) => p.idempotency_key).sort()).toEqual([...keys].sort());
    } finally {
      await second.dispose();
    }
  });

  it("running twice at the same instant changes nothing", async () => {
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "one.example", "2021-04-15T14:00:00Z");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    for (const instant of [
      "2021-04-15T14:00:00Z",
      "2022-03-16T14:00:00Z",
      "2022-03-31T14:00:00Z",
      "2022-04-15T14:00:00Z",
    ]) {
      await runEngine(f.deps, at(instant));
      const before = await snapshot(f.deps);
      const again = await runEngine(f.deps, at(instant));
      expect(again.stepsApplied).toBe(0);
      expect(await snapshot(f.deps)).toEqual(before);
    }
    expect(f.gateway.successfulCharges()).toHaveLength(2);
  });

  it("after downtime past the expiry, the missed charge is made before anything else and the domain renews", async () => {
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "late.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2021-04-15T14:00:00Z"));
    // The engine was down from 2021-04-15 to 2022-04-20: notice, charge and expiry were all missed.
    const report = await runEngine(f.deps, at("2022-04-20T09:00:00Z"));
    expect(report.failures).toEqual([]);
    const types = await eventTypes(f.deps, "d1");
    expect(types).toContain("domain.renewed");
    expect(types).not.toContain("domain.expired");
    // A renewal notice saying "in 15 days" would be false by now: it is not sent late.
    expect(types.filter((t) => t === "notice.sent")).toHaveLength(1);
    const domain = await f.deps.db.selectFrom("domains").select("expires_at").executeTakeFirstOrThrow();
    expect(new Date(domain.expires_at).toISOString()).toBe("2023-04-15T14:00:00.000Z");
  });

  it("after downtime with a declined card, the missed charge fails first, then the domain expires", async () => {
    await f.addCustomer("c1", "declined");
    await f.addDomain("d1", "c1", "late.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-03-01T00:00:00Z"));
    await runEngine(f.deps, at("2022-04-20T09:00:00Z"));
    const types = (await eventTypes(f.deps, "d1")).filter((t) => t !== "notice.sent");
    const failed = types.indexOf("payment.failed");
    const expired = types.indexOf("domain.expired");
    expect(failed).toBeGreaterThan(-1);
    expect(expired).toBeGreaterThan(failed);
    expect(types.filter((t) => t === "payment.failed")).toHaveLength(1);
  });

  it("a hosting plan whose renewal date passed during downtime is invoiced, charged and renewed in one run", async () => {
    await f.addCustomer("c1", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2021-04-15T14:00:00Z"));
    await runEngine(f.deps, at("2022-04-16T00:00:00Z"));
    expect(await eventTypes(f.deps, "h1")).toEqual([
      "service.activated",
      "invoice.issued",
      "notice.sent",
      "payment.succeeded",
      "invoice.paid",
      "notice.sent",
      "service.renewed",
    ]);
  });

  it("one failing service never stops the others; the failure is recorded on the run and retried later", async () => {
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "broken.example", "2021-04-15T14:00:00Z");
    await f.addDomain("d2", "c1", "fine.example", "2021-04-15T14:00:00Z");
    const failing: Registrar = {
      ...f.registrar,
      renew: async (name, expiry, years) => {
        if (name === "broken.example") throw new Error("registry timeout");
        return f.registrar.renew(name, expiry, years);
      },
      info: (n) => f.registrar.info(n),
      hold: (n) => f.registrar.hold(n),
      unhold: (n) => f.registrar.unhold(n),
      delete: (n) => f.registrar.delete(n),
      transferCode: (n) => f.registrar.transferCode(n),
    };
    f.useRegistrar(failing);
    const report = await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    expect(report.failures).toEqual([
      expect.objectContaining({
        service: "d1",
        step: "renew-at-registrar",
        error: expect.stringContaining("registry timeout"),
      }),
    ]);
    expect(await eventTypes(f.deps, "d2")).toContain("domain.renewed");
    const run = await f.deps.db
      .selectFrom("engine_runs")
      .selectAll()
      .where("id", "=", report.runId)
      .executeTakeFirstOrThrow();
    expect(run.status).toBe("failures");
    const failures = await f.deps.db.selectFrom("engine_failures").selectAll().execute();
    expect(failures).toHaveLength(1);
    // Paid but not renewed: the next run, once the registry answers, finishes the renewal; no second charge.
    f.useRegistrar(f.registrar);
    const retry = await runEngine(f.deps, at("2022-03-31T14:05:00Z"));
    expect(retry.failures).toEqual([]);
    expect(await eventTypes(f.deps, "d1")).toContain("domain.renewed");
    expect(f.gateway.successfulCharges()).toHaveLength(2);
  });

  it("a registry whose expiry disagrees with ours is not renewed blindly: the run reports the drift", async () => {
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "drift.example", "2021-04-15T14:00:00Z");
    // The registry thinks the domain expires a day earlier than we do.
    f.registrar.register("drift.example", at("2022-04-14T14:00:00Z"));
    const report = await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    expect(report.failures[0]).toEqual(
      expect.objectContaining({ service: "d1", error: expect.stringContaining("REGISTRAR_DRIFT") }),
    );
    expect(f.registrar.renewals).toEqual([]);
  });

  it("a service leased by another worker is left alone until its lease expires", async () => {
    await f.addCustomer("c1", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    const now = at("2021-04-15T14:00:00Z");
    await f.deps.db
      .updateTable("services")
      .set({ lease_owner: "other", lease_until: now + 60_000 })
      .execute();
    expect((await runEngine(f.deps, now)).servicesProcessed).toBe(0);
    const later = await runEngine(f.deps, now + 61_000);
    expect(later.servicesProcessed).toBe(1);
    const service = await f.deps.db.selectFrom("services").selectAll().executeTakeFirstOrThrow();
    expect(service.lease_owner).toBeNull();
  });
});

describe.each(DIALECTS)("paying the same invoice twice at once (%s)", (dialect) => {
  it("two simultaneous payments of one invoice charge the card once", async () => {
    const { payInvoice } = await import("../../src/modules/invoices/pay-invoice.js");
    const f = await createFixture(dialect);
    try {
      await f.addCustomer("c1", "fails-1-then-ok");
      await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
      // The engine's attempt fails: the invoice is open and the next charge of this card succeeds.
      await runEngine(f.deps, at("2022-04-15T14:00:00Z"));
      const invoice = await f.deps.db.selectFrom("invoices").select("id").executeTakeFirstOrThrow();
      const now = at("2022-04-16T09:00:00Z");
      const results = await Promise.allSettled([
        payInvoice(f.deps, { invoiceId: invoice.id, customerId: "c1" }, now),
        payInvoice(f.deps, { invoiceId: invoice.id, customerId: "c1" }, now),
        payInvoice(f.deps, { invoiceId: invoice.id, customerId: "c1" }, now),
      ]);
      expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
      expect(f.gateway.successfulCharges()).toHaveLength(1);
      const paid = await f.deps.db.selectFrom("invoices").select("status").executeTakeFirstOrThrow();
      expect(paid.status).toBe("paid");
    } finally {
      await f.dispose();
    }
  });
});
