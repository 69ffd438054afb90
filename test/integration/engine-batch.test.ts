/**
 * The engine applies a busy day's steps to whole batches at once (process-batch.ts). These tests
 * hold it to what the one-service path guarantees: the same events per service in the same order,
 * one charge per invoice, and one failing service never stopping the others.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import type { ChargeRequest, PaymentGateway } from "../../src/providers/payments/payment-gateway.js";
import { at, createFixture, eventTypes, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const TERM_END = at("2025-02-01T00:00:00Z");
const INVOICE_DAY = addDays(TERM_END, -14);

describe.each(DIALECTS)("engine batches (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  /** `customers` customers with `each` monthly services; every fourth customer's card is declined. */
  async function book(customers: number, each: number) {
    for (let c = 0; c < customers; c += 1) {
      await f.addCustomer(`c${c}`, c % 4 === 3 ? "declined" : "ok", c % 2 === 0 ? "fr-CA" : "en");
      for (let s = 0; s < each; s += 1)
        await f.addHosting(`h${c}-${s}`, `c${c}`, "2025-01-01T00:00:00Z", "monthly");
    }
    await runEngine(f.deps, at("2025-01-01T00:00:00Z"));
  }

  async function count(table: "invoices" | "payments" | "notices", where: Record<string, string> = {}) {
    let query = f.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n"));
    for (const [column, value] of Object.entries(where))
      query = query.where(column as never, "=", value as never);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  it("over several batches, every service is invoiced, charged once and receipted, in the single-service order", async () => {
    await book(8, 10);
    const invoicing = await runEngine(f.deps, INVOICE_DAY, { batchSize: 30 });
    expect(invoicing.failures).toEqual([]);
    expect(invoicing.stepsApplied).toBe(80);
    const charging = await runEngine(f.deps, TERM_END, { batchSize: 30 });
    expect(charging.failures).toEqual([]);
    expect(charging.retriedGroups).toEqual([]);

    expect(await count("invoices", { status: "paid" })).toBe(60);
    expect(await count("invoices", { status: "open" })).toBe(20);
    expect(await count("notices", { template: "payment-receipt" })).toBe(60);
    expect(await count("notices", { template: "payment-failed" })).toBe(20);
    const keys = f.gateway.successfulCharges().map((c) => c.idempotencyKey);
    expect(keys).toHaveLength(60);
    expect(new Set(keys).size).toBe(60);
    expect(await eventTypes(f.deps, "h0-3")).toEqual([
      "service.activated",
      "invoice.issued",
      "notice.sent",
      "payment.succeeded",
      "invoice.paid",
      "notice.sent",
      "service.renewed",
    ]);
    expect(await eventTypes(f.deps, "h3-0")).toEqual([
      "service.activated",
      "invoice.issued",
      "notice.sent",
      "payment.failed",
      "notice.sent",
    ]);
    // Renewed services are due again for the next term; the declined ones for their retry.
    const due = await f.deps.db.selectFrom("services").select(["id", "next_due_at", "lease_owner"]).execute();
    for (const service of due) {
      expect(service.lease_owner).toBeNull();
      expect(service.next_due_at).toBeGreaterThan(TERM_END);
    }
    // A French customer's notices are in French, though written in the same batch as English ones.
    const french = await f.deps.db
      .selectFrom("notices")
      .select(["locale", "subject"])
      .where("customer_id", "=", "c0")
      .where("template", "=", "payment-receipt")
      .executeTakeFirstOrThrow();
    expect(french.locale).toBe("fr-CA");
  });

  it("catches up several steps of many services in one run: invoice and charge at once", async () => {
    await book(3, 5); // c0, c1, c2: good cards
    const report = await runEngine(f.deps, TERM_END);
    expect(report.failures).toEqual([]);
    expect(report.stepsApplied).toBe(30);
    expect(await count("payments")).toBe(15);
    expect(await count("invoices", { status: "paid" })).toBe(15);
    expect(await runEngine(f.deps, TERM_END)).toEqual(expect.objectContaining({ stepsApplied: 0 }));
  });

  it("when the gateway fails for one customer, the batch is retried one by one: the others are charged", async () => {
    await book(4, 3);
    const real = f.gateway;
    const flaky: PaymentGateway = {
      charge: (request: ChargeRequest) =>
        request.token.includes("_c1_") ? Promise.reject(new Error("gateway timeout")) : real.charge(request),
      lookup: (key) => real.lookup(key),
      saveCard: (customer, card) => real.saveCard(customer, card),
      refund: (request) => real.refund(request),
      lookupRefund: (key) => real.lookupRefund(key),
    };
    f.deps.gateway = flaky;
    await runEngine(f.deps, INVOICE_DAY);
    const report = await runEngine(f.deps, TERM_END);
    expect(report.retriedGroups).toEqual([
      expect.objectContaining({ step: "charge", error: "gateway timeout" }),
    ]);
    expect(report.failures.map((failure) => failure.service).sort()).toEqual(["h1-0", "h1-1", "h1-2"]);
    expect(await count("invoices", { status: "paid" })).toBe(6); // c0 and c2; c3's card is declined
    expect(await count("payments", { status: "pending" })).toBe(3);
    expect(new Set(real.successfulCharges().map((c) => c.idempotencyKey)).size).toBe(6);

    // The gateway is back: the pending charges are asked about under their keys, then made once.
    f.deps.gateway = real;
    const later = await runEngine(f.deps, addDays(TERM_END, 1));
    expect(later.failures).toEqual([]);
    expect(await count("payments", { status: "pending" })).toBe(0);
    expect(await count("invoices", { status: "paid" })).toBe(9);
    expect(real.successfulCharges()).toHaveLength(9);
  });
});
