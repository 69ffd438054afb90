/**
 * Invoices, checked where StrykerJS found nobody looking (docs/testing.md, mutation testing):
 * issuing under a used key, counting a period's invoices, since when money has been in flight,
 * voiding what cannot be voided, and who may pay an invoice.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error.js";
import { runEngine } from "../../src/engine/run-engine.js";
import {
  countPeriodInvoices,
  countPeriodInvoicesOf,
  invoiceIdentity,
  issueInvoices,
  type NewInvoice,
  pendingPaymentSinceOf,
  voidInvoice,
} from "../../src/modules/invoices/invoice-repository.js";
import { findOpenInvoiceOf, payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import { insertPendingPayment } from "../../src/modules/payments/charge-invoice.js";
import { insertPendingRefunds } from "../../src/modules/payments/refund-payment.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const NOW = at("2022-04-05T10:00:00Z");

describe.each(DIALECTS)("invoices (%s)", (dialect) => {
  let f: Fixture;
  let renewal: number;

  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addCustomer("c2", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z")); // h1's renewal invoice, 14 days before
    renewal = (await findOpenInvoiceOf(f.deps, "h1")) ?? 0;
    expect(renewal).toBeGreaterThan(0);
  });
  afterEach(async () => {
    await f.dispose();
  });

  function manual(key: string, serviceId: string | null, periodStartAt: number | null = null): NewInvoice {
    return {
      customerId: "c1",
      issueKey: key,
      serviceId,
      purpose: periodStartAt === null ? "manual" : "renewal",
      periodStartAt,
      currency: "USD",
      issuedAt: NOW,
      dueAt: NOW,
      lines: [{ serviceId, description: "item", amount: 700, periodStartAt: null, periodEndAt: null }],
    };
  }

  const issue = (invoices: NewInvoice[]) =>
    f.deps.db.transaction().execute((tx) => issueInvoices(tx, invoices));
  const count = async (table: "invoices" | "invoice_lines") => {
    const row = await f.deps.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const issuedEvents = async () =>
    (await f.deps.db.selectFrom("events").select("id").where("type", "=", "invoice.issued").execute()).length;

  it("an issue key used before issues nothing: no invoice, no lines, no event", async () => {
    const [first] = await issue([manual("m-1", "h1")]);
    expect(first).toEqual(expect.any(Number));
    const before = {
      invoices: await count("invoices"),
      lines: await count("invoice_lines"),
      events: await issuedEvents(),
    };
    expect(await issue([manual("m-1", "h1"), manual("m-2", "h1")])).toEqual([null, expect.any(Number)]);
    expect(await count("invoices")).toBe(before.invoices + 1);
    expect(await count("invoice_lines")).toBe(before.lines + 1);
    expect(await issuedEvents()).toBe(before.events + 1);
    // A key repeated inside one batch issues one invoice.
    expect(await issue([manual("m-3", null), manual("m-3", null)])).toEqual([expect.any(Number), null]);
    expect(await count("invoice_lines")).toBe(before.lines + 2);
  });

  it("an invoice without an issue key is named by its number", () => {
    expect(invoiceIdentity({ id: 12, issue_key: null })).toBe("invoice-12");
    expect(invoiceIdentity({ id: 12, issue_key: "renew:h1:x:1" })).toBe("renew:h1:x:1");
  });

  it("a period's invoices are counted per service and period", async () => {
    const period = at("2022-04-15T14:00:00Z");
    expect(await countPeriodInvoices(f.deps.db, "h1", ["renewal"], period)).toBe(1);
    await issue([manual("again", "h1", period), manual("other-period", "h1", at("2023-04-15T14:00:00Z"))]);
    expect(await countPeriodInvoices(f.deps.db, "h1", ["renewal"], period)).toBe(2);
    expect(await countPeriodInvoices(f.deps.db, "h1", ["manual"], period)).toBe(0);
    expect(await countPeriodInvoices(f.deps.db, "h2", ["renewal"], period)).toBe(0);
    const counts = await countPeriodInvoicesOf(
      f.deps.db,
      [{ serviceId: "h1", periodStartAt: period }],
      ["renewal"],
    );
    expect([...counts.entries()]).toEqual([["h1", 2]]);
  });

  it("money in flight is dated by the oldest pending charge or refund of the service", async () => {
    expect(await pendingPaymentSinceOf(f.deps.db, ["h1"])).toEqual(new Map());
    // A refund of an earlier, paid invoice, pending since 10:00.
    await setCardAndPay(f, renewal, at("2022-04-05T09:00:00Z"));
    const payment = await f.deps.db.selectFrom("payments").select("id").executeTakeFirstOrThrow();
    await f.deps.db
      .transaction()
      .execute((tx) =>
        insertPendingRefunds(
          tx,
          [{ paymentId: payment.id, amount: 100, reason: "goodwill", requestedBy: "engine", key: "r-1" }],
          at("2022-04-05T10:00:00Z"),
        ),
      );
    expect(await pendingPaymentSinceOf(f.deps.db, ["h1"])).toEqual(
      new Map([["h1", at("2022-04-05T10:00:00Z")]]),
    );
    // Then two charges of another invoice of h1, pending since 11:00 and 12:00: the refund is older.
    const [other] = await issue([manual("m-h1", "h1")]);
    await f.deps.db.transaction().execute(async (tx) => {
      await insertPendingPayment(f.deps, tx, other ?? 0, 1, at("2022-04-05T12:00:00Z"));
      await insertPendingPayment(f.deps, tx, other ?? 0, 2, at("2022-04-05T11:00:00Z"));
    });
    expect(await pendingPaymentSinceOf(f.deps.db, ["h1", "h2"])).toEqual(
      new Map([["h1", at("2022-04-05T10:00:00Z")]]),
    );
    // The refund settled: the oldest charge.
    await f.deps.db.updateTable("refunds").set({ status: "succeeded" }).execute();
    expect(await pendingPaymentSinceOf(f.deps.db, ["h1"])).toEqual(
      new Map([["h1", at("2022-04-05T11:00:00Z")]]),
    );
  });

  describe("voidInvoice", () => {
    const voidIt = (id: number, when: number, reason: string) =>
      f.deps.db.transaction().execute((tx) => voidInvoice(tx, id, when, reason));
    const voidedEvents = async () =>
      (
        await f.deps.db.selectFrom("events").select("details").where("type", "=", "invoice.voided").execute()
      ).map((e) => JSON.parse(e.details));

    it("a paid, a voided or a partly paid invoice is not voided (again)", async () => {
      await setCardAndPay(f, renewal, NOW);
      expect(await voidIt(renewal, NOW, "test")).toBe("not-open");
      const [voided, partly] = await issue([manual("m-v", "h1"), manual("m-p", "h1")]);
      expect(await voidIt(voided ?? 0, NOW, "first")).toBe("voided");
      expect(await voidIt(voided ?? 0, at("2022-04-06T10:00:00Z"), "second")).toBe("not-open");
      await f.deps.db
        .updateTable("invoices")
        .set({ amount_paid: 100 })
        .where("id", "=", partly ?? 0)
        .execute();
      expect(await voidIt(partly ?? 0, NOW, "test")).toBe("not-open");
      expect(await voidedEvents()).toEqual([expect.objectContaining({ invoice: voided, reason: "first" })]);
      const rows = await f.deps.db
        .selectFrom("invoices")
        .select(["id", "status", "voided_at", "void_requested_at"])
        .where("id", "in", [renewal, voided ?? 0, partly ?? 0])
        .orderBy("id")
        .execute();
      expect(rows).toEqual([
        { id: renewal, status: "paid", voided_at: null, void_requested_at: null },
        { id: voided, status: "void", voided_at: NOW, void_requested_at: NOW },
        { id: partly, status: "open", voided_at: null, void_requested_at: null },
      ]);
    });

    it("a void asked for twice keeps its first reason, in the row and in the event", async () => {
      const paymentId = await f.deps.db
        .transaction()
        .execute((tx) => insertPendingPayment(f.deps, tx, renewal, 1, NOW));
      expect(await voidIt(renewal, NOW, "cancellation-requested")).toBe("deferred");
      await f.deps.db
        .updateTable("payments")
        .set({ status: "failed" })
        .where("id", "=", paymentId ?? 0)
        .execute();
      expect(await voidIt(renewal, at("2022-04-06T10:00:00Z"), "service-cancelled")).toBe("voided");
      expect(await voidedEvents()).toEqual([
        expect.objectContaining({ invoice: renewal, reason: "cancellation-requested" }),
      ]);
      const row = await f.deps.db
        .selectFrom("invoices")
        .select(["void_reason", "void_requested_at", "voided_at"])
        .where("id", "=", renewal)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({
        void_reason: "cancellation-requested",
        void_requested_at: NOW,
        voided_at: at("2022-04-06T10:00:00Z"),
      });
    });
  });

  describe("payInvoice", () => {
    it("only its customer can pay an invoice; an unknown one is not found", async () => {
      const notFound = expect.objectContaining({ code: "NOT_FOUND" });
      await expect(payInvoice(f.deps, { invoiceId: renewal, customerId: "c2" }, NOW)).rejects.toEqual(
        notFound,
      );
      await expect(payInvoice(f.deps, { invoiceId: 999_999, customerId: "c1" }, NOW)).rejects.toBeInstanceOf(
        AppError,
      );
      await expect(payInvoice(f.deps, { invoiceId: 999_999 }, NOW)).rejects.toEqual(notFound);
      expect(await f.deps.db.selectFrom("payments").select("id").execute()).toEqual([]);
      expect(await payInvoice(f.deps, { invoiceId: renewal, customerId: "c1" }, NOW)).toEqual({
        ok: true,
        outcome: expect.objectContaining({ status: "succeeded" }),
        isAwaitingBank: false,
      });
    });

    it("a paid invoice is not charged again", async () => {
      await payInvoice(f.deps, { invoiceId: renewal }, NOW);
      expect(await payInvoice(f.deps, { invoiceId: renewal }, at("2022-04-05T11:00:00Z"))).toEqual({
        ok: false,
        reason: "not-open",
      });
      expect(f.gateway.successfulCharges()).toHaveLength(1);
    });

    it("a declined card is an outcome, not a wait for the bank", async () => {
      await f.deps.db.updateTable("customers").set({ card_token: null }).where("id", "=", "c1").execute();
      expect(await payInvoice(f.deps, { invoiceId: renewal }, NOW)).toEqual({
        ok: true,
        outcome: expect.objectContaining({ status: "failed", code: "no-card-on-file" }),
        isAwaitingBank: false,
      });
    });

    it("paying an invoice whose void waits for a charge in flight: no new charge, the void is carried out", async () => {
      await f.deps.db.transaction().execute((tx) => insertPendingPayment(f.deps, tx, renewal, 1, NOW));
      await f.deps.db.transaction().execute((tx) => voidInvoice(tx, renewal, NOW, "cancellation-requested"));
      expect(await payInvoice(f.deps, { invoiceId: renewal }, at("2022-04-05T10:01:00Z"))).toEqual({
        ok: true,
        outcome: null,
        isAwaitingBank: false,
      });
      expect(f.gateway.allCharges()).toEqual([]);
      const invoice = await f.deps.db
        .selectFrom("invoices")
        .select("status")
        .where("id", "=", renewal)
        .executeTakeFirstOrThrow();
      expect(invoice.status).toBe("void");
    });

    it("an invoice for no service can be paid", async () => {
      const [id] = await issue([manual("m-none", null)]);
      expect(await payInvoice(f.deps, { invoiceId: id ?? 0 }, NOW)).toEqual({
        ok: true,
        outcome: expect.objectContaining({ status: "succeeded" }),
        isAwaitingBank: false,
      });
    });

    it("a service with no open invoice has none to pay", async () => {
      await payInvoice(f.deps, { invoiceId: renewal }, NOW);
      expect(await findOpenInvoiceOf(f.deps, "h1")).toBeNull();
      expect(await findOpenInvoiceOf(f.deps, "nothing")).toBeNull();
    });
  });
});

/** Pays the invoice with the card on file ("ok"). */
async function setCardAndPay(f: Fixture, invoiceId: number, when: number) {
  const paid = await payInvoice(f.deps, { invoiceId }, when);
  expect(paid).toEqual(expect.objectContaining({ ok: true }));
}
