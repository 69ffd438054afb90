/**
 * Charging and settling, checked where StrykerJS found nobody looking (docs/testing.md, mutation
 * testing): which payments `completeCharges` asks the gateway about, and what `settlePayments`
 * decides for each outcome (paid or not, refunded and why, the next attempt, who is told).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatInstant } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import { issueInvoice, voidInvoice } from "../../src/modules/invoices/invoice-repository.js";
import { findOpenInvoiceOf, payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import {
  chargeInvoiceNow,
  completeCharges,
  insertPendingPayment,
  settlePayments,
} from "../../src/modules/payments/charge-invoice.js";
import { type ChargeRequest, GatewayUnavailableError } from "../../src/providers/payments/payment-gateway.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const PRICE = 19200; // the fixture's yearly hosting
const NOW = at("2022-04-05T10:00:00Z");

describe.each(DIALECTS)("charges and their settlement (%s)", (dialect) => {
  let f: Fixture;
  let invoiceId: number;
  let requests: ChargeRequest[];

  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z")); // h1's renewal invoice, 14 days before
    invoiceId = (await findOpenInvoiceOf(f.deps, "h1")) ?? 0;
    expect(invoiceId).toBeGreaterThan(0);
    requests = [];
    const charge = f.gateway.charge.bind(f.gateway);
    f.gateway.charge = async (request) => {
      requests.push(request);
      return charge(request);
    };
  });
  afterEach(async () => {
    await f.dispose();
  });

  /** Phase 1 only: a pending payment for the invoice, as its next attempt. */
  async function pending(id = invoiceId, attempt = 1): Promise<number> {
    const paymentId = await f.deps.db
      .transaction()
      .execute((tx) => insertPendingPayment(f.deps, tx, id, attempt, NOW));
    if (paymentId === null) throw new Error("not chargeable");
    return paymentId;
  }

  async function payment(id: number) {
    return f.deps.db
      .selectFrom("payments")
      .select([
        "status",
        "amount",
        "gateway_ref",
        "failure_code",
        "resolved_at",
        "attempt",
        "idempotency_key",
      ])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  }

  async function invoice(id = invoiceId) {
    return f.deps.db
      .selectFrom("invoices")
      .select(["status", "amount_paid", "paid_at", "voided_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  }

  async function events(type: string) {
    const rows = await f.deps.db
      .selectFrom("events")
      .select(["details"])
      .where("type", "=", type)
      .orderBy("id")
      .execute();
    return rows.map((row) => JSON.parse(row.details));
  }

  async function notices(template: string) {
    return f.deps.db
      .selectFrom("notices")
      .select(["notice_key", "service_id"])
      .where("template", "=", template)
      .orderBy("id")
      .execute();
  }

  async function termEndsAt() {
    const row = await f.deps.db
      .selectFrom("subscriptions")
      .select("term_ends_at")
      .where("service_id", "=", "h1")
      .executeTakeFirstOrThrow();
    return row.term_ends_at;
  }

  describe("completeCharges", () => {
    it("asks only about payments still pending; null for the others, in the order given", async () => {
      const first = await pending();
      const [outcome] = await completeCharges(f.deps, [first], NOW);
      expect(outcome).toEqual({ status: "succeeded", reference: expect.any(String) });
      expect(requests).toHaveLength(1);
      // Settled already, or no payment at all: nothing is asked, nothing changes.
      expect(await completeCharges(f.deps, [null, first, null], at("2022-04-06T10:00:00Z"))).toEqual([
        null,
        null,
        null,
      ]);
      expect(requests).toHaveLength(1);
      expect((await payment(first)).resolved_at).toBe(NOW);
    });

    it("sends the gateway the payment's key, card, amount and currency", async () => {
      const id = await pending();
      await completeCharges(f.deps, [id], NOW);
      const row = await payment(id);
      expect(requests).toEqual([
        {
          idempotencyKey: row.idempotency_key,
          token: expect.any(String),
          amount: PRICE,
          currency: "USD",
          description: `Invoice ${invoiceId}`,
        },
      ]);
      expect(requests[0]?.token).not.toBe("");
    });

    it("no card on file: the payment fails as no-card-on-file without calling the gateway", async () => {
      const id = await pending();
      await f.deps.db.updateTable("customers").set({ card_token: null }).execute();
      const [outcome] = await completeCharges(f.deps, [id], NOW);
      expect(outcome).toEqual({ status: "failed", code: "no-card-on-file", message: expect.any(String) });
      expect(requests).toEqual([]);
      expect(await payment(id)).toEqual(
        expect.objectContaining({ status: "failed", failure_code: "no-card-on-file" }),
      );
    });

    it("a payment whose invoice is being voided is never sent: it is cancelled, and the void carried out", async () => {
      const id = await pending();
      const result = await f.deps.db
        .transaction()
        .execute((tx) => voidInvoice(tx, invoiceId, NOW, "test-void"));
      expect(result).toBe("deferred");
      expect(await completeCharges(f.deps, [id], at("2022-04-05T10:05:00Z"))).toEqual([null]);
      expect(requests).toEqual([]);
      expect((await payment(id)).status).toBe("cancelled");
      expect(await invoice()).toEqual(
        expect.objectContaining({ status: "void", voided_at: at("2022-04-05T10:05:00Z") }),
      );
      expect(await events("payment.failed")).toEqual([]);
      expect(await events("payment.succeeded")).toEqual([]);
    });

    it("a gateway error: what was answered before it is recorded, the rest stays pending, the error is thrown", async () => {
      await f.addHosting("h2", "c1", "2021-04-15T14:00:00Z");
      await runEngine(f.deps, at("2022-04-01T15:00:00Z"));
      const second = (await findOpenInvoiceOf(f.deps, "h2")) ?? 0;
      const a = await pending();
      const b = await pending(second);
      const charge = f.gateway.charge;
      let calls = 0;
      f.gateway.charge = async (request) => {
        calls += 1;
        if (request.description === `Invoice ${second}`) throw new Error("connection reset");
        return charge(request);
      };
      await expect(completeCharges(f.deps, [a, b], NOW)).rejects.toBeInstanceOf(GatewayUnavailableError);
      expect((await payment(a)).status).toBe("succeeded");
      expect((await invoice()).status).toBe("paid");
      expect((await payment(b)).status).toBe("pending");
      expect(calls).toBe(2);
    });
  });

  describe("chargeInvoiceNow", () => {
    it("a paid invoice, or one being voided, is not charged and opens no attempt", async () => {
      await payInvoice(f.deps, { invoiceId }, NOW);
      expect((await invoice()).status).toBe("paid");
      expect(await chargeInvoiceNow(f.deps, invoiceId, at("2022-04-05T11:00:00Z"))).toBeNull();
      expect(requests).toHaveLength(1);

      await f.addHosting("h2", "c1", "2021-04-15T14:00:00Z");
      await runEngine(f.deps, at("2022-04-01T15:00:00Z"));
      const second = (await findOpenInvoiceOf(f.deps, "h2")) ?? 0;
      await pending(second);
      await f.deps.db.transaction().execute((tx) => voidInvoice(tx, second, NOW, "test-void"));
      const before = await f.deps.db.selectFrom("payments").select("id").execute();
      expect(await chargeInvoiceNow(f.deps, second, at("2022-04-05T11:00:00Z"))).toBeNull();
      expect(await f.deps.db.selectFrom("payments").select("id").execute()).toEqual(before);
    });

    it("an attempt still pending is resolved under its own key, not charged again under a new one", async () => {
      const id = await pending(invoiceId, 1);
      const outcome = await chargeInvoiceNow(f.deps, invoiceId, NOW);
      expect(outcome).toEqual(expect.objectContaining({ status: "succeeded" }));
      const rows = await f.deps.db.selectFrom("payments").select(["id", "attempt"]).execute();
      expect(rows).toEqual([{ id, attempt: 1 }]);
    });

    it("each click after a failure is the next attempt, numbered after every earlier one", async () => {
      await setCard(f.deps, "c1", "declined");
      await chargeInvoiceNow(f.deps, invoiceId, NOW);
      await chargeInvoiceNow(f.deps, invoiceId, at("2022-04-05T11:00:00Z"));
      await setCard(f.deps, "c1", "ok");
      const outcome = await chargeInvoiceNow(f.deps, invoiceId, at("2022-04-05T12:00:00Z"));
      expect(outcome).toEqual(expect.objectContaining({ status: "succeeded" }));
      const rows = await f.deps.db
        .selectFrom("payments")
        .select(["attempt", "status"])
        .orderBy("id")
        .execute();
      expect(rows).toEqual([
        { attempt: 1, status: "failed" },
        { attempt: 2, status: "failed" },
        { attempt: 3, status: "succeeded" },
      ]);
      expect(new Set(requests.map((r) => r.idempotencyKey)).size).toBe(3);
    });

    it("a gateway error leaves the payment pending and answers null; the next click resolves that one", async () => {
      const charge = f.gateway.charge;
      f.gateway.charge = async () => {
        throw new Error("connection reset");
      };
      expect(await chargeInvoiceNow(f.deps, invoiceId, NOW)).toBeNull();
      expect(
        (await f.deps.db.selectFrom("payments").select("status").execute()).map((p) => p.status),
      ).toEqual(["pending"]);
      // The next click resolves that attempt under its key: still one attempt.
      f.gateway.charge = charge;
      expect(await chargeInvoiceNow(f.deps, invoiceId, at("2022-04-05T11:00:00Z"))).toEqual(
        expect.objectContaining({ status: "succeeded" }),
      );
      expect(await f.deps.db.selectFrom("payments").select(["attempt", "status"]).execute()).toEqual([
        { attempt: 1, status: "succeeded" },
      ]);
    });
  });

  describe("settlePayments", () => {
    it("a success that pays the invoice: paid, receipt, renewal of the term", async () => {
      const before = await termEndsAt();
      const id = await pending();
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "succeeded", reference: "ch_1" } }],
        NOW,
      );
      expect(await payment(id)).toEqual(
        expect.objectContaining({
          status: "succeeded",
          gateway_ref: "ch_1",
          failure_code: null,
          resolved_at: NOW,
        }),
      );
      expect(await invoice()).toEqual(
        expect.objectContaining({ status: "paid", amount_paid: PRICE, paid_at: NOW }),
      );
      expect(await events("payment.succeeded")).toEqual([
        { invoice: invoiceId, amount: { amount: PRICE, currency: "USD" }, attempt: 1 },
      ]);
      expect(await events("invoice.paid")).toEqual([
        { invoice: invoiceId, amount: { amount: PRICE, currency: "USD" } },
      ]);
      expect(await notices("payment-receipt")).toEqual([
        { notice_key: expect.any(String), service_id: "h1" },
      ]);
      expect(await termEndsAt()).toBeGreaterThan(before);
    });

    it("a success for less than the invoice leaves it open: no receipt, no renewal", async () => {
      const before = await termEndsAt();
      const id = await pending();
      // The invoice grew after the charge was committed (the charge is for what was owed then).
      await f.deps.db
        .updateTable("invoices")
        .set({ total: PRICE + 500 })
        .where("id", "=", invoiceId)
        .execute();
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "succeeded", reference: "ch_1" } }],
        NOW,
      );
      expect(await invoice()).toEqual(
        expect.objectContaining({ status: "open", amount_paid: PRICE, paid_at: null }),
      );
      expect(await events("payment.succeeded")).toHaveLength(1);
      expect(await events("invoice.paid")).toEqual([]);
      expect(await notices("payment-receipt")).toEqual([]);
      expect(await termEndsAt()).toBe(before);
    });

    it("a failure of a renewal schedules the next attempt by the billing policy, and tells the customer", async () => {
      const id = await pending();
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "failed", code: "declined", message: "Declined." } }],
        at("2022-04-05T10:00:05Z"),
      );
      expect(await payment(id)).toEqual(
        expect.objectContaining({ status: "failed", failure_code: "declined", gateway_ref: null }),
      );
      // From when the attempt was made, every retryEveryDays (3).
      expect(await events("payment.failed")).toEqual([
        {
          invoice: invoiceId,
          amount: { amount: PRICE, currency: "USD" },
          attempt: 1,
          reason: "declined",
          nextAttemptAt: formatInstant(at("2022-04-08T10:00:00Z")),
        },
      ]);
      expect(await notices("payment-failed")).toEqual([
        { notice_key: expect.stringContaining("#attempt-1"), service_id: "h1" },
      ]);
      expect((await invoice()).status).toBe("open");
    });

    it("the last attempt's failure has no next attempt", async () => {
      const id = await pending(invoiceId, 3);
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "failed", code: "declined", message: "Declined." } }],
        NOW,
      );
      const [failed] = await events("payment.failed");
      expect(failed).toEqual(expect.objectContaining({ attempt: 3, reason: "declined" }));
      expect(failed).not.toHaveProperty("nextAttemptAt");
      expect(await notices("payment-failed")).toHaveLength(1);
    });

    it("a failure of a manual invoice schedules nothing", async () => {
      const manual = await f.deps.db.transaction().execute((tx) =>
        issueInvoice(tx, {
          customerId: "c1",
          issueKey: "manual-1",
          serviceId: "h1",
          purpose: "manual",
          periodStartAt: null,
          currency: "USD",
          issuedAt: NOW,
          dueAt: NOW,
          lines: [
            { serviceId: "h1", description: "setup", amount: 500, periodStartAt: null, periodEndAt: null },
          ],
        }),
      );
      const id = await pending(manual ?? 0);
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "failed", code: "declined", message: "Declined." } }],
        NOW,
      );
      const [failed] = await events("payment.failed");
      expect(failed).toEqual(
        expect.objectContaining({ invoice: manual, amount: { amount: 500, currency: "USD" } }),
      );
      expect(failed).not.toHaveProperty("nextAttemptAt");
    });

    it("a failure for an invoice being voided asks nobody to fix a card, schedules nothing, and voids it", async () => {
      const id = await pending();
      await f.deps.db.transaction().execute((tx) => voidInvoice(tx, invoiceId, NOW, "test-void"));
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "failed", code: "declined", message: "Declined." } }],
        at("2022-04-05T10:05:00Z"),
      );
      const [failed] = await events("payment.failed");
      expect(failed).toEqual(expect.objectContaining({ reason: "declined" }));
      expect(failed).not.toHaveProperty("nextAttemptAt");
      expect(await notices("payment-failed")).toEqual([]);
      expect(await invoice()).toEqual(
        expect.objectContaining({ status: "void", voided_at: at("2022-04-05T10:05:00Z") }),
      );
      expect(await events("invoice.voided")).toEqual([expect.objectContaining({ reason: "test-void" })]);
    });

    it("a success for an invoice being voided is unapplied and refunded as invoice-voided; the invoice is voided, not paid", async () => {
      const id = await pending();
      await f.deps.db.transaction().execute((tx) => voidInvoice(tx, invoiceId, NOW, "test-void"));
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "succeeded", reference: "ch_1" } }],
        NOW,
      );
      expect(await payment(id)).toEqual(
        expect.objectContaining({ status: "unapplied", gateway_ref: "ch_1" }),
      );
      expect(await invoice()).toEqual(
        expect.objectContaining({ status: "void", amount_paid: 0, paid_at: null }),
      );
      // (The gateway never saw "ch_1", so it refuses the refund: what was asked is what counts here.)
      const refunds = await f.deps.db
        .selectFrom("refunds")
        .select(["amount", "reason", "payment_id"])
        .execute();
      expect(refunds).toEqual([{ amount: PRICE, reason: "invoice-voided", payment_id: id }]);
      expect(await events("invoice.paid")).toEqual([]);
      expect(await notices("payment-receipt")).toEqual([]);
    });

    it("a late success after the invoice was paid another way is refunded as invoice-already-paid", async () => {
      await setCard(f.deps, "c1", "declined");
      await chargeInvoiceNow(f.deps, invoiceId, NOW);
      const [failed] = await f.deps.db.selectFrom("payments").select("id").execute();
      await setCard(f.deps, "c1", "ok");
      await chargeInvoiceNow(f.deps, invoiceId, at("2022-04-05T11:00:00Z"));
      expect((await invoice()).status).toBe("paid");
      // The bank now says the first, failed attempt went through after all.
      await settlePayments(
        f.deps,
        [{ paymentId: failed?.id ?? 0, outcome: { status: "succeeded", reference: "ch_late" } }],
        at("2022-04-05T12:00:00Z"),
      );
      expect(await payment(failed?.id ?? 0)).toEqual(
        expect.objectContaining({ status: "unapplied", gateway_ref: "ch_late" }),
      );
      expect(await invoice()).toEqual(expect.objectContaining({ status: "paid", amount_paid: PRICE }));
      const refunds = await f.deps.db.selectFrom("refunds").select(["amount", "reason"]).execute();
      expect(refunds).toEqual([{ amount: PRICE, reason: "invoice-already-paid" }]);
      expect(await events("invoice.paid")).toHaveLength(1);
    });

    it("a late success after a failure, the invoice still open, pays it", async () => {
      await setCard(f.deps, "c1", "declined");
      await chargeInvoiceNow(f.deps, invoiceId, NOW);
      const [failed] = await f.deps.db.selectFrom("payments").select("id").execute();
      await settlePayments(
        f.deps,
        [{ paymentId: failed?.id ?? 0, outcome: { status: "succeeded", reference: "ch_late" } }],
        at("2022-04-05T12:00:00Z"),
      );
      expect(await payment(failed?.id ?? 0)).toEqual(expect.objectContaining({ status: "succeeded" }));
      expect(await invoice()).toEqual(expect.objectContaining({ status: "paid", amount_paid: PRICE }));
      expect(await f.deps.db.selectFrom("refunds").select("id").execute()).toEqual([]);
    });

    it("a late failure, or a second answer, changes nothing already settled", async () => {
      const id = await pending();
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "succeeded", reference: "ch_1" } }],
        NOW,
      );
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "failed", code: "declined", message: "Declined." } }],
        at("2022-04-05T11:00:00Z"),
      );
      await settlePayments(
        f.deps,
        [{ paymentId: id, outcome: { status: "succeeded", reference: "ch_2" } }],
        at("2022-04-05T11:00:00Z"),
      );
      expect(await payment(id)).toEqual(
        expect.objectContaining({ status: "succeeded", gateway_ref: "ch_1", resolved_at: NOW }),
      );
      expect(await events("payment.failed")).toEqual([]);
      expect(await events("payment.succeeded")).toHaveLength(1);
      expect(await f.deps.db.selectFrom("refunds").select("id").execute()).toEqual([]);
    });
  });
});
