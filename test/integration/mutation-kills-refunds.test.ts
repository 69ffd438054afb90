/**
 * Refunds, checked where StrykerJS found nobody looking (docs/testing.md, mutation testing): the
 * limit on what a payment can give back (`insertPendingRefunds`), and what settling a refund
 * records (`completeRefunds`): the row, the event, the notice, and what a gateway error leaves.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import { findOpenInvoiceOf, payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import {
  completeRefunds,
  insertPendingRefunds,
  type NewRefund,
} from "../../src/modules/payments/refund-payment.js";
import { GatewayUnavailableError, type RefundRequest } from "../../src/providers/payments/payment-gateway.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const PRICE = 19200; // the fixture's yearly hosting

describe.each(DIALECTS)("refunds (%s)", (dialect) => {
  let f: Fixture;
  let paymentId: number;
  let invoiceId: number;

  /** Pays h1's renewal invoice with the given card; the payment's id. */
  async function pay(card: string): Promise<number> {
    await setCard(f.deps, "c1", card);
    const paid = await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    expect(paid.ok).toBe(true);
    const row = await f.deps.db
      .selectFrom("payments")
      .select("id")
      .where("invoice_id", "=", invoiceId)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  function refund(amount: number, key: string, extra: Partial<NewRefund> = {}): NewRefund {
    return { paymentId, amount, reason: "goodwill", requestedBy: "engine", key, ...extra };
  }

  function insert(refunds: NewRefund[], when = "2022-04-06T10:00:00Z") {
    return f.deps.db.transaction().execute((tx) => insertPendingRefunds(tx, refunds, at(when)));
  }

  async function refundRows() {
    return f.deps.db
      .selectFrom("refunds")
      .select(["id", "payment_id", "invoice_id", "customer_id", "amount", "currency", "status"])
      .select(["reason", "requested_by", "gateway_ref", "failure_code", "created_at", "resolved_at"])
      .orderBy("id")
      .execute();
  }

  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z")); // the renewal invoice, 14 days before
    invoiceId = (await findOpenInvoiceOf(f.deps, "h1")) ?? 0;
    expect(invoiceId).toBeGreaterThan(0);
  });
  afterEach(async () => {
    await f.dispose();
  });

  describe("the limit: never more than the payment", () => {
    beforeEach(async () => {
      paymentId = await pay("ok");
    });

    it("the whole payment can be given back, as a pending row with the payment's invoice, customer and currency", async () => {
      const ids = await insert([refund(PRICE, "r-all")]);
      expect(ids).toHaveLength(1);
      expect(await refundRows()).toEqual([
        {
          id: ids[0],
          payment_id: paymentId,
          invoice_id: invoiceId,
          customer_id: "c1",
          amount: PRICE,
          currency: "USD",
          status: "pending",
          reason: "goodwill",
          requested_by: "engine",
          gateway_ref: null,
          failure_code: null,
          created_at: at("2022-04-06T10:00:00Z"),
          resolved_at: null,
        },
      ]);
    });

    it("one cent more than the payment is refused, and nothing is written", async () => {
      await expect(insert([refund(PRICE + 1, "r-too-much")])).rejects.toThrow(/exceeds/);
      expect(await refundRows()).toEqual([]);
    });

    it("a zero or negative refund is refused", async () => {
      await expect(insert([refund(0, "r-zero")])).rejects.toThrow(/exceeds/);
      await expect(insert([refund(-100, "r-negative")])).rejects.toThrow(/exceeds/);
      expect(await refundRows()).toEqual([]);
    });

    it("refunds already pending or made count against the payment; a failed one does not", async () => {
      const [first] = await insert([refund(PRICE - 200, "r-1")]);
      // 200 left: 201 is too much, pending or not.
      await expect(insert([refund(201, "r-2")])).rejects.toThrow(/exceeds/);
      await f.deps.db
        .updateTable("refunds")
        .set({ status: "succeeded" })
        .where("id", "=", first ?? 0)
        .execute();
      await expect(insert([refund(201, "r-2")])).rejects.toThrow(/exceeds/);
      const [second] = await insert([refund(200, "r-2")]);
      expect(second).toBeGreaterThan(first ?? 0);
      // Nothing is left now, even one cent.
      await expect(insert([refund(1, "r-3")])).rejects.toThrow(/exceeds/);
      // A refund the gateway refused gave nothing back: its amount can be asked again.
      await f.deps.db
        .updateTable("refunds")
        .set({ status: "failed" })
        .where("id", "=", first ?? 0)
        .execute();
      const [third] = await insert([refund(PRICE - 200, "r-3")]);
      expect(third).toBeGreaterThan(second ?? 0);
    });

    it("two refunds asked in one call are checked together", async () => {
      await expect(insert([refund(PRICE / 2, "r-a"), refund(PRICE / 2 + 1, "r-b")])).rejects.toThrow(
        /exceeds/,
      );
      expect(await refundRows()).toEqual([]);
      const ids = await insert([refund(PRICE / 2, "r-a"), refund(PRICE / 2, "r-b")]);
      expect(ids).toHaveLength(2);
      expect(ids[1]).toBeGreaterThan(ids[0] ?? 0);
    });

    it("a refund asked again under its key is the same refund, not a second one, and not checked again", async () => {
      const [id] = await insert([refund(PRICE, "r-same")]);
      // The payment is fully refunded: a new key would be refused, the same key finds the refund.
      expect(await insert([refund(PRICE, "r-same")])).toEqual([id]);
      expect(await insert([refund(PRICE, "r-same"), refund(PRICE, "r-same")])).toEqual([id, id]);
      expect(await refundRows()).toHaveLength(1);
    });
  });

  it("a payment that did not take the money cannot be refunded", async () => {
    paymentId = await pay("declined");
    const status = await f.deps.db
      .selectFrom("payments")
      .select("status")
      .where("id", "=", paymentId)
      .executeTakeFirstOrThrow();
    expect(status.status).toBe("failed");
    await expect(insert([refund(1, "r-failed")])).rejects.toThrow(/exceeds/);
  });

  describe("settling", () => {
    beforeEach(async () => {
      paymentId = await pay("ok");
    });

    async function events() {
      const rows = await f.deps.db
        .selectFrom("events")
        .select(["type", "customer_id", "service_id", "at", "details"])
        .where("type", "=", "payment.refunded")
        .orderBy("id")
        .execute();
      return rows.map((row) => ({ ...row, details: JSON.parse(row.details) }));
    }

    async function refundNotices() {
      return f.deps.db
        .selectFrom("notices")
        .select(["customer_id", "service_id", "notice_key"])
        .where("template", "=", "payment-refunded")
        .orderBy("id")
        .execute();
    }

    it("a refund the gateway makes is recorded with its reference, one event and one notice", async () => {
      const [id] = await insert([refund(5000, "r-settle", { reason: "invoice-voided" })]);
      const requests: RefundRequest[] = [];
      const refundAtGateway = f.gateway.refund.bind(f.gateway);
      f.gateway.refund = async (request) => {
        requests.push(request);
        return refundAtGateway(request);
      };
      await completeRefunds(f.deps, [id ?? 0], at("2022-04-06T11:00:00Z"));

      const chargeKey = await f.deps.db
        .selectFrom("payments")
        .select("idempotency_key")
        .where("id", "=", paymentId)
        .executeTakeFirstOrThrow();
      expect(requests).toEqual([
        {
          idempotencyKey: "r-settle",
          chargeKey: chargeKey.idempotency_key,
          amount: 5000,
          currency: "USD",
          reason: "invoice-voided",
        },
      ]);
      expect(f.gateway.refunds()).toEqual([
        expect.objectContaining({ idempotencyKey: "r-settle", amount: 5000, currency: "USD" }),
      ]);
      const [row] = await refundRows();
      expect(row).toEqual(
        expect.objectContaining({
          status: "succeeded",
          failure_code: null,
          resolved_at: at("2022-04-06T11:00:00Z"),
        }),
      );
      expect(row?.gateway_ref).toEqual(expect.any(String));
      expect(row?.gateway_ref).not.toBe("");
      expect(await events()).toEqual([
        {
          type: "payment.refunded",
          customer_id: "c1",
          service_id: "h1",
          at: at("2022-04-06T11:00:00Z"),
          details: {
            invoice: invoiceId,
            amount: { amount: 5000, currency: "USD" },
            payment: paymentId,
            refund: id,
            reason: "invoice-voided",
          },
        },
      ]);
      expect(await refundNotices()).toEqual([
        { customer_id: "c1", service_id: "h1", notice_key: expect.stringContaining("r-settle") },
      ]);

      // Settled refunds are not asked about again.
      await completeRefunds(f.deps, [id ?? 0], at("2022-04-07T11:00:00Z"));
      expect(requests).toHaveLength(1);
      expect(await events()).toHaveLength(1);
      expect(await refundNotices()).toHaveLength(1);
    });

    it("a refund asked by staff names them in its event", async () => {
      const [id] = await insert([refund(100, "r-staff", { requestedBy: "staff:alice" })]);
      await completeRefunds(f.deps, [id ?? 0], at("2022-04-06T11:00:00Z"));
      expect((await events())[0]?.details).toEqual(
        expect.objectContaining({ by: "staff:alice", refund: id }),
      );
    });

    it("a refund the gateway refuses is recorded failed with its code, with no event and no notice", async () => {
      const [id] = await insert([refund(100, "r-refused")]);
      f.gateway.refund = async () => ({ status: "failed", code: "error", message: "refunds are disabled" });
      await completeRefunds(f.deps, [id ?? 0], at("2022-04-06T11:00:00Z"));
      const [row] = await refundRows();
      expect(row).toEqual(
        expect.objectContaining({
          status: "failed",
          failure_code: "error",
          gateway_ref: null,
          resolved_at: at("2022-04-06T11:00:00Z"),
        }),
      );
      expect(await events()).toEqual([]);
      expect(await refundNotices()).toEqual([]);
    });

    it("a gateway error keeps what was answered before it, leaves the rest pending, and is thrown", async () => {
      const ids = await insert([refund(100, "r-first"), refund(200, "r-second"), refund(300, "r-third")]);
      const refundAtGateway = f.gateway.refund.bind(f.gateway);
      let calls = 0;
      f.gateway.refund = async (request) => {
        calls += 1;
        if (calls === 2) throw new Error("connection reset");
        return refundAtGateway(request);
      };
      await expect(completeRefunds(f.deps, ids, at("2022-04-06T11:00:00Z"))).rejects.toBeInstanceOf(
        GatewayUnavailableError,
      );
      // The third is not even asked once the gateway failed.
      expect(calls).toBe(2);
      expect((await refundRows()).map((r) => [r.amount, r.status])).toEqual([
        [100, "succeeded"],
        [200, "pending"],
        [300, "pending"],
      ]);
      expect((await events()).map((e) => e.details.amount.amount)).toEqual([100]);

      // Asked again, the gateway is up: the two left are settled, the first is not repeated.
      await completeRefunds(f.deps, ids, at("2022-04-06T12:00:00Z"));
      expect((await refundRows()).map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
      expect((await events()).map((e) => e.details.amount.amount)).toEqual([100, 200, 300]);
      expect(f.gateway.refunds().map((r) => r.amount)).toEqual([100, 200, 300]);
    });

    it("a refund the gateway already made (its answer lost) is looked up, not made twice", async () => {
      const [id] = await insert([refund(700, "r-lost")]);
      const chargeKey = await f.deps.db
        .selectFrom("payments")
        .select("idempotency_key")
        .where("id", "=", paymentId)
        .executeTakeFirstOrThrow();
      await f.gateway.refund({
        idempotencyKey: "r-lost",
        chargeKey: chargeKey.idempotency_key,
        amount: 700,
        currency: "USD",
        reason: "goodwill",
      });
      let calls = 0;
      f.gateway.refund = async () => {
        calls += 1;
        throw new Error("must not be called");
      };
      await completeRefunds(f.deps, [id ?? 0], at("2022-04-06T11:00:00Z"));
      expect(calls).toBe(0);
      expect((await refundRows())[0]?.status).toBe("succeeded");
      expect(await events()).toHaveLength(1);
    });
  });
});
