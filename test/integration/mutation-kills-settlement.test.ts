/**
 * The second round of payment survivors (docs/testing.md, mutation testing, triage): what is owed
 * on a partly paid invoice, which invoices a batch may charge, what only a renewal brings, the
 * refund of an unapplied charge (its key, who asked, sent at once), a pending refund retried by the
 * engine, the credit note of a refund, and errors that are not the gateway's.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { issueInvoice, voidInvoice } from "../../src/modules/invoices/invoice-repository.js";
import { findOpenInvoiceOf } from "../../src/modules/invoices/pay-invoice.js";
import { storedNoticeText } from "../../src/modules/notifications/stored-notices.js";
import {
  chargeInvoiceNow,
  completeCharges,
  insertPendingPayment,
  insertPendingPayments,
  resolvePendingPayments,
  settlePayments,
} from "../../src/modules/payments/charge-invoice.js";
import { completeRefunds, insertPendingRefunds } from "../../src/modules/payments/refund-payment.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { InjectedCrash } from "../support/faults.js";
import { DIALECTS } from "../support/stores.js";

const PRICE = 19200;
const NOW = at("2022-04-05T10:00:00Z");
const DECLINED = { status: "failed", code: "declined", message: "Declined." } as const;

describe.each(DIALECTS)("settlement (%s)", (dialect) => {
  let f: Fixture;
  let renewal: number;

  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    renewal = (await findOpenInvoiceOf(f.deps, "h1")) ?? 0;
    expect(renewal).toBeGreaterThan(0);
  });
  afterEach(async () => {
    await f.dispose();
  });

  const pending = async (invoiceId = renewal, attempt = 1) => {
    const id = await f.deps.db
      .transaction()
      .execute((tx) => insertPendingPayment(f.deps, tx, invoiceId, attempt, NOW));
    if (id === null) throw new Error("not chargeable");
    return id;
  };
  const payment = (id: number) =>
    f.deps.db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const eventsOf = async (type: string) =>
    (
      await f.deps.db.selectFrom("events").select("details").where("type", "=", type).orderBy("id").execute()
    ).map((e) => JSON.parse(e.details));
  const termEndsAt = async () =>
    (
      await f.deps.db
        .selectFrom("subscriptions")
        .select("term_ends_at")
        .where("service_id", "=", "h1")
        .executeTakeFirstOrThrow()
    ).term_ends_at;
  const invoiceFor = (purpose: "manual" | "reactivation", key: string, periodStartAt: number | null) =>
    f.deps.db.transaction().execute(async (tx) => {
      const id = await issueInvoice(tx, {
        customerId: "c1",
        issueKey: key,
        serviceId: "h1",
        purpose,
        periodStartAt,
        currency: "USD",
        issuedAt: NOW,
        dueAt: NOW,
        lines: [
          { serviceId: "h1", description: purpose, amount: 900, periodStartAt: null, periodEndAt: null },
        ],
      });
      return id ?? 0;
    });

  it("a partly paid invoice is charged what is left", async () => {
    await f.deps.db.updateTable("invoices").set({ amount_paid: 200 }).where("id", "=", renewal).execute();
    const id = await pending();
    expect((await payment(id)).amount).toBe(PRICE - 200);
  });

  it("a batch charges only open invoices with no void waiting; null for the others, in order", async () => {
    const paid = await invoiceFor("manual", "m-paid", null);
    const voiding = await invoiceFor("manual", "m-voiding", null);
    await settlePayments(
      f.deps,
      [{ paymentId: await pending(paid), outcome: { status: "succeeded", reference: "r" } }],
      NOW,
    );
    await pending(voiding);
    await f.deps.db.transaction().execute((tx) => voidInvoice(tx, voiding, NOW, "test"));
    const ids = await f.deps.db.transaction().execute((tx) =>
      insertPendingPayments(
        f.deps,
        tx,
        [
          { invoiceId: paid, attempt: 2 },
          { invoiceId: voiding, attempt: 2 },
          { invoiceId: renewal, attempt: 1 },
        ],
        at("2022-04-05T11:00:00Z"),
      ),
    );
    expect(ids).toEqual([null, null, expect.any(Number)]);
    expect((await payment(ids[2] ?? 0)).invoice_id).toBe(renewal);
  });

  it("only a renewal renews the term; a paid manual or reactivation invoice does not", async () => {
    const before = await termEndsAt();
    const manual = await invoiceFor("manual", "m-1", null);
    await settlePayments(
      f.deps,
      [{ paymentId: await pending(manual), outcome: { status: "succeeded", reference: "a" } }],
      NOW,
    );
    expect(await eventsOf("invoice.paid")).toEqual([expect.objectContaining({ invoice: manual })]);
    expect(await termEndsAt()).toBe(before);
  });

  it("a failed reactivation charge schedules no automatic retry", async () => {
    const reactivation = await invoiceFor("reactivation", "re-1", at("2022-04-15T14:00:00Z"));
    await settlePayments(f.deps, [{ paymentId: await pending(reactivation), outcome: DECLINED }], NOW);
    const [failed] = await eventsOf("payment.failed");
    expect(failed).toEqual(expect.objectContaining({ invoice: reactivation, reason: "declined" }));
    expect(failed).not.toHaveProperty("nextAttemptAt");
  });

  it("a second failed answer for a failed payment records nothing more", async () => {
    const id = await pending();
    await settlePayments(f.deps, [{ paymentId: id, outcome: DECLINED }], NOW);
    await settlePayments(f.deps, [{ paymentId: id, outcome: DECLINED }], at("2022-04-05T11:00:00Z"));
    expect(await eventsOf("payment.failed")).toHaveLength(1);
    expect((await payment(id)).resolved_at).toBe(NOW);
  });

  describe("an attempt pending for an invoice paid meanwhile", () => {
    let late: number;
    beforeEach(async () => {
      late = await pending(renewal, 1);
      const other = await pending(renewal, 2);
      await settlePayments(
        f.deps,
        [{ paymentId: other, outcome: { status: "succeeded", reference: "x" } }],
        NOW,
      );
    });

    it("is never sent to the gateway: it is cancelled", async () => {
      let charges = 0;
      f.gateway.charge = async () => {
        charges += 1;
        throw new Error("must not charge");
      };
      expect(await completeCharges(f.deps, [late], at("2022-04-05T11:00:00Z"))).toEqual([null]);
      expect(charges).toBe(0);
      expect((await payment(late)).status).toBe("cancelled");
    });

    it("that then fails asks nobody to fix a card", async () => {
      await settlePayments(f.deps, [{ paymentId: late, outcome: DECLINED }], at("2022-04-05T11:00:00Z"));
      expect((await payment(late)).status).toBe("failed");
      const notices = await f.deps.db
        .selectFrom("notices")
        .select("id")
        .where("template", "=", "payment-failed")
        .execute();
      expect(notices).toEqual([]);
    });
  });

  it("a charge that lands on a voided invoice is refunded at once, by the engine, under a key of its own", async () => {
    const id = await pending();
    const row = await payment(id);
    await f.deps.db.transaction().execute((tx) => voidInvoice(tx, renewal, NOW, "test"));
    // The gateway took the money under the payment's key; its answer arrives now.
    const outcome = await f.gateway.charge({
      idempotencyKey: row.idempotency_key,
      token:
        (await f.deps.db.selectFrom("customers").select("card_token").executeTakeFirstOrThrow()).card_token ??
        "",
      amount: row.amount,
      currency: "USD",
      description: `Invoice ${renewal}`,
    });
    expect(outcome.status).toBe("succeeded");
    await settlePayments(f.deps, [{ paymentId: id, outcome }], NOW);
    const refunds = await f.deps.db
      .selectFrom("refunds")
      .select(["idempotency_key", "requested_by", "status", "amount", "reason"])
      .execute();
    expect(refunds).toEqual([
      {
        idempotency_key: `refund:${row.idempotency_key}:unapplied`,
        requested_by: "engine",
        status: "succeeded",
        amount: PRICE,
        reason: "invoice-voided",
      },
    ]);
    expect(f.gateway.refunds().map((r) => r.idempotencyKey)).toEqual([
      `refund:${row.idempotency_key}:unapplied`,
    ]);
    expect(await eventsOf("payment.refunded")).toEqual([
      expect.not.objectContaining({ by: expect.anything() }),
    ]);
  });

  it("a refund left pending by a gateway error is settled by the next resolve-payment", async () => {
    await chargeInvoiceNow(f.deps, renewal, NOW);
    const { id } = await f.deps.db.selectFrom("payments").select("id").executeTakeFirstOrThrow();
    await f.deps.db
      .transaction()
      .execute((tx) =>
        insertPendingRefunds(
          tx,
          [{ paymentId: id, amount: 100, reason: "goodwill", requestedBy: "engine", key: "r-1" }],
          NOW,
        ),
      );
    await resolvePendingPayments(f.deps, "h1", at("2022-04-05T11:00:00Z"));
    expect(await f.deps.db.selectFrom("refunds").select("status").execute()).toEqual([
      { status: "succeeded" },
    ]);
  });

  it("a refund made records one credit note, with its notice naming the service", async () => {
    await chargeInvoiceNow(f.deps, renewal, NOW);
    const { id } = await f.deps.db.selectFrom("payments").select("id").executeTakeFirstOrThrow();
    const [refundId] = await f.deps.db
      .transaction()
      .execute((tx) =>
        insertPendingRefunds(
          tx,
          [{ paymentId: id, amount: 300, reason: "goodwill", requestedBy: "staff:a@b", key: "r-cn" }],
          NOW,
        ),
      );
    await completeRefunds(f.deps, [refundId ?? 0], NOW);
    await completeRefunds(f.deps, [refundId ?? 0], at("2022-04-05T11:00:00Z"));
    const notes = await f.deps.db
      .selectFrom("credit_notes")
      .select([
        "invoice_id",
        "customer_id",
        "refund_id",
        "kind",
        "amount",
        "currency",
        "reason",
        "created_by",
      ])
      .execute();
    expect(notes).toEqual([
      {
        invoice_id: renewal,
        customer_id: "c1",
        refund_id: refundId,
        kind: "refund",
        amount: 300,
        currency: "USD",
        reason: "goodwill",
        created_by: "staff:a@b",
      },
    ]);
    const notice = storedNoticeText(
      await f.deps.db
        .selectFrom("notices")
        .selectAll()
        .where("template", "=", "payment-refunded")
        .executeTakeFirstOrThrow(),
    );
    expect(`${notice.subject}\n${notice.text}`).toContain("Hosting h1");
  });

  it("a receipt names the service paid for", async () => {
    await chargeInvoiceNow(f.deps, renewal, NOW);
    const notice = storedNoticeText(
      await f.deps.db
        .selectFrom("notices")
        .selectAll()
        .where("template", "=", "payment-receipt")
        .executeTakeFirstOrThrow(),
    );
    expect(`${notice.subject}\n${notice.text}`).toContain("Hosting h1");
  });

  it("an error that is not the gateway's is thrown by a click, and the charge stays pending", async () => {
    f.deps.faults = {
      reach(point) {
        if (point === "tx:settle-payment") throw new InjectedCrash(point);
      },
    };
    await expect(chargeInvoiceNow(f.deps, renewal, NOW)).rejects.toBeInstanceOf(InjectedCrash);
    f.deps.faults = undefined;
    expect((await f.deps.db.selectFrom("payments").select("status").execute()).map((p) => p.status)).toEqual([
      "pending",
    ]);
  });
});
