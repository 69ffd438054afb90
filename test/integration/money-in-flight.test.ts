/**
 * Money in flight is settled before any void, and a void never races a charge (issue 8, item 1).
 * Each story pays with a gateway that is slow or loses its answer, then cancels or turns auto-renew
 * off while the charge is in flight. Whatever the order, an invoice is never both voided and paid,
 * a charge taken for an invoice that is being voided is refunded (visibly), and nothing renews
 * after the customer asked it to stop.
 */
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import { setAutoRenew } from "../../src/modules/domains/set-auto-renew.js";
import { findOpenInvoiceOf, payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import type { ChargeOutcome, ChargeRequest } from "../../src/providers/payments/payment-gateway.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { at, createFixture, eventTypes, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

/** A gateway whose next charge can be held in flight (a slow network). */
class UnluckyGateway extends TestGateway {
  /** While set, the next charge waits here before reaching the gateway (a slow network). */
  hold: Promise<void> | null = null;
  /** Resolves once a held charge has started waiting. */
  held: Promise<void> = Promise.resolve();
  private markHeld: () => void = () => {};

  holdNextCharge(): () => void {
    let release: () => void = () => {};
    this.hold = new Promise((resolve) => {
      release = resolve;
    });
    this.held = new Promise((resolve) => {
      this.markHeld = resolve;
    });
    return release;
  }

  override async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const hold = this.hold;
    this.hold = null; // only the next call is held; others (a retry under the same key) go through
    if (hold) {
      this.markHeld();
      await hold;
    }
    return super.charge(request);
  }
}

async function invoiceRow(f: Fixture, id: number) {
  return f.deps.db
    .selectFrom("invoices")
    .select(["status", "paid_at", "voided_at", "amount_paid"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

describe.each(DIALECTS)("money in flight (%s)", (dialect) => {
  let f: Fixture;
  let gateway: UnluckyGateway;
  beforeEach(async () => {
    f = await createFixture(dialect);
    gateway = new UnluckyGateway();
    f.deps.gateway = gateway;
    await f.addCustomer("c1", "ok");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("pay, lose the answer, cancel at once: the charge is refunded, the invoice voided, nothing renewed", async () => {
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z")); // the renewal invoice, 14 days before
    const invoiceId = await findOpenInvoiceOf(f.deps, "h1");
    expect(invoiceId).not.toBeNull();
    // The first two answers about this card's charges are lost: the charge's, then a look-up's.
    await setCard(f.deps, "c1", "lost-answer-2");
    const paid = await payInvoice(f.deps, { invoiceId: invoiceId ?? 0 }, at("2022-04-05T10:00:00Z"));
    // The bank took the money but its answer was lost: the customer is told it awaits the bank.
    expect(paid).toEqual({ ok: true, outcome: null, isAwaitingBank: true });
    const cancelled = await requestCancellation(
      f.deps,
      {
        serviceId: "h1",
        requestedBy: "c1",
        request: { when: "immediate", reason: "moving to another host" },
      },
      at("2022-04-05T10:01:00Z"),
    );
    expect(cancelled.ok).toBe(true);
    await runEngine(f.deps, at("2022-04-06T10:00:00Z"));

    const invoice = await invoiceRow(f, invoiceId ?? 0);
    expect(invoice).toEqual(expect.objectContaining({ status: "void", paid_at: null, amount_paid: 0 }));
    expect(gateway.successfulCharges()).toHaveLength(1);
    expect(gateway.refunds()).toEqual([expect.objectContaining({ amount: 19200, currency: "USD" })]);
    const types = await eventTypes(f.deps, "h1");
    expect(types).not.toContain("invoice.paid");
    expect(types).not.toContain("service.renewed");
    // The money in flight is settled first (it went through), then the void it waited for is
    // carried out and the charge given back, then the service is cancelled.
    const money = types.filter((t) => t !== "notice.sent" && t !== "service.activated");
    expect(money).toEqual([
      "invoice.issued",
      "service.cancellation_requested",
      "payment.succeeded",
      "invoice.voided",
      "payment.refunded",
      "service.cancelled",
    ]);
    const status = await f.deps.db
      .selectFrom("services")
      .select("status")
      .where("id", "=", "h1")
      .executeTakeFirst();
    expect(status?.status).toBe("cancelled");
  });

  it("a refund the gateway refuses is an alarm in every run report, not silence", async () => {
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    const invoiceId = (await findOpenInvoiceOf(f.deps, "h1")) ?? 0;
    await setCard(f.deps, "c1", "lost-answer-2");
    gateway.refund = async () => ({ status: "failed", code: "error", message: "refunds are disabled" });
    await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    await requestCancellation(
      f.deps,
      {
        serviceId: "h1",
        requestedBy: "c1",
        request: { when: "immediate", reason: "moving to another host" },
      },
      at("2022-04-05T10:01:00Z"),
    );
    const report = await runEngine(f.deps, at("2022-04-05T11:00:00Z"));
    expect(report.alarms.unresolvedRefunds).toEqual([
      expect.objectContaining({ invoice: invoiceId, customer: "c1", status: "failed" }),
    ]);
    expect((await invoiceRow(f, invoiceId)).status).toBe("void");
    expect(await eventTypes(f.deps, "h1")).not.toContain("payment.refunded");
  });

  it("a slow engine charge in flight while auto-renew is turned off: never voided and paid, the late charge refunded", async () => {
    await f.addDomain("d1", "c1", "slow.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-03-16T14:00:00Z")); // renewal notice
    const release = gateway.holdNextCharge();
    const run = runEngine(f.deps, at("2022-03-31T14:00:00Z")); // the charge, held in flight
    await gateway.held;
    // The customer switches auto-renew off while the engine's charge is on the wire. It is past
    // the auto-renew deadline, so seed 004 says the charge still happens: the switch waits for it.
    const off = await setAutoRenew(f.deps, { serviceId: "d1", on: false }, at("2022-03-31T14:00:30Z"));
    expect(off.ok).toBe(true);
    release();
    await run;
    await runEngine(f.deps, at("2022-04-16T14:00:00Z"));

    for (const row of await f.deps.db.selectFrom("invoices").select("id").execute()) {
      const invoice = await invoiceRow(f, row.id);
      expect(invoice.status === "void" && invoice.paid_at !== null).toBe(false);
      expect(invoice.status === "paid" && invoice.voided_at !== null).toBe(false);
    }
    const charged = gateway.successfulCharges().reduce((sum, c) => sum + c.amount, 0);
    const refunded = gateway.refunds().reduce((sum, r) => sum + r.amount, 0);
    const paid = await f.deps.db
      .selectFrom("invoices")
      .select((eb) => eb.fn.sum<number>("amount_paid").as("n"))
      .where("status", "=", "paid")
      .executeTakeFirstOrThrow();
    // Every cent taken is either on a paid invoice or refunded: none is kept for a voided one.
    expect(charged - refunded).toBe(Number(paid.n ?? 0));
  });

  it("turning auto-renew off while the customer's own payment is held in flight refunds it if it lands", async () => {
    await f.addDomain("d1", "c1", "held.example", "2021-04-15T14:00:00Z", { autoRenew: true });
    // A failed first charge leaves an open renewal invoice the customer can pay by hand.
    await f.deps.db.updateTable("customers").set({ card_token: null }).execute();
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    await setCard(f.deps, "c1", "ok"); // the customer puts a new card on file
    const invoiceId = (await findOpenInvoiceOf(f.deps, "d1")) ?? 0;
    expect(invoiceId).toBeGreaterThan(0);

    const release = gateway.holdNextCharge();
    const paying = payInvoice(f.deps, { invoiceId }, at("2022-04-02T10:00:00Z"));
    await gateway.held;
    const off = await setAutoRenew(f.deps, { serviceId: "d1", on: false }, at("2022-04-02T10:00:05Z"));
    expect(off.ok).toBe(true);
    release();
    await paying.catch(() => undefined);
    await runEngine(f.deps, at("2022-04-03T10:00:00Z"));

    const invoice = await invoiceRow(f, invoiceId);
    expect(invoice).toEqual(expect.objectContaining({ status: "void", paid_at: null, amount_paid: 0 }));
    expect(gateway.successfulCharges()).toHaveLength(1);
    expect(gateway.refunds()).toEqual([expect.objectContaining({ amount: 2000 })]);
    const types = await eventTypes(f.deps, "d1");
    expect(types).not.toContain("domain.renewed");
    expect(types).toContain("payment.refunded");
  });

  it("the database refuses an invoice both voided and paid, a void while a charge is pending, a charge of a voided invoice", async () => {
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    const invoiceId = (await findOpenInvoiceOf(f.deps, "h1")) ?? 0;
    const db = f.deps.db;
    const pending = {
      invoice_id: invoiceId,
      customer_id: "c1",
      attempt: 9,
      idempotency_key: "charge:test:9",
      amount: 19200,
      currency: "USD",
      status: "pending",
      gateway_ref: null,
      failure_code: null,
      created_at: at("2022-04-02"),
      resolved_at: null,
    };
    await db.insertInto("payments").values(pending).execute();
    await expect(
      db
        .updateTable("invoices")
        .set({ status: "void", voided_at: at("2022-04-02") })
        .where("id", "=", invoiceId)
        .execute(),
    ).rejects.toThrow(/charge is in flight/);
    await db.deleteFrom("payments").execute();
    await expect(
      db
        .updateTable("invoices")
        .set({ status: "paid", paid_at: at("2022-04-02"), voided_at: at("2022-04-02") })
        .where("id", "=", invoiceId)
        .execute(),
    ).rejects.toThrow(/both.void.and.paid/);
    await db
      .updateTable("invoices")
      .set({ status: "void", voided_at: at("2022-04-02") })
      .where("id", "=", invoiceId)
      .execute();
    await expect(
      db
        .updateTable("invoices")
        .set({ status: "paid", paid_at: at("2022-04-03") })
        .where("id", "=", invoiceId)
        .execute(),
    ).rejects.toThrow(/both.void.and.paid/);
    await expect(
      db
        .insertInto("payments")
        .values({ ...pending, idempotency_key: "charge:test:10" })
        .execute(),
    ).rejects.toThrow(/not open/);
    // The refusals are the database's own: raw SQL meets them too.
    await expect(
      sql`update invoices set amount_paid = 100 where id = ${invoiceId}`.execute(db),
    ).rejects.toThrow(/both.void.and.paid/);
  });
});
