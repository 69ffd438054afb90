/**
 * What a cancellation reports about the open invoices it voids (`voidOpenInvoices`,
 * `settledVoidOutcome`): which were voided, which wait for a charge in flight, which charges were
 * given back, which need staff. This is what the customer's confirmation says; StrykerJS found its
 * lists unchecked (docs/testing.md, mutation testing). Each list is asserted whole.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import { issueInvoice } from "../../src/modules/invoices/invoice-repository.js";
import { findOpenInvoiceOf, payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import { storedNoticeText } from "../../src/modules/notifications/stored-notices.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const PAID_AT = at("2022-04-05T10:00:00Z");
const CANCELLED_AT = at("2022-04-05T10:01:00Z");

describe.each(DIALECTS)("what a cancellation says it voided (%s)", (dialect) => {
  let f: Fixture;
  let renewal: number;

  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await f.addHosting("h2", "c1", "2021-06-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z")); // h1's renewal invoice, 14 days before
    renewal = (await findOpenInvoiceOf(f.deps, "h1")) ?? 0;
    expect(renewal).toBeGreaterThan(0);
  });
  afterEach(async () => {
    await f.dispose();
  });

  function cancel(serviceId = "h1") {
    return requestCancellation(
      f.deps,
      { serviceId, requestedBy: "c1", request: { when: "immediate", reason: "moving to another host" } },
      CANCELLED_AT,
    );
  }

  /** A manual invoice with one line per service given (null: a line for no service). */
  async function manualInvoice(key: string, lines: (string | null)[]): Promise<number> {
    const id = await f.deps.db.transaction().execute((tx) =>
      issueInvoice(tx, {
        customerId: "c1",
        issueKey: key,
        serviceId: lines[0] ?? null,
        purpose: "manual",
        periodStartAt: null,
        currency: "USD",
        issuedAt: at("2022-04-02T10:00:00Z"),
        dueAt: at("2022-04-16T10:00:00Z"),
        lines: lines.map((serviceId, i) => ({
          serviceId,
          description: `item ${i}`,
          amount: 1000 + i,
          periodStartAt: null,
          periodEndAt: null,
        })),
      }),
    );
    if (id === null) throw new Error("not issued");
    return id;
  }

  async function invoice(id: number) {
    return f.deps.db
      .selectFrom("invoices")
      .select(["status", "voided_at", "void_requested_at", "void_reason", "amount_paid"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  }

  it("no charge in flight: the renewal invoice is voided at once, and only it is reported", async () => {
    const result = await cancel();
    expect(result).toEqual({
      ok: true,
      // Carried out 4 hours later (billing.immediateCancellationAfterHours), voided at once.
      effectiveAt: CANCELLED_AT + 4 * HOUR,
      domains: {},
      voided: [renewal],
      deferred: [],
      refunded: [],
      needsAdjustment: [],
    });
    expect(await invoice(renewal)).toEqual(
      expect.objectContaining({
        status: "void",
        voided_at: CANCELLED_AT,
        void_reason: "cancellation-requested",
      }),
    );
  });

  it("every invoice of the service: voided in order, or left open for staff with the reason and a notice", async () => {
    const onlyH1 = await manualInvoice("m-h1", ["h1", "h1"]);
    const withH2 = await manualInvoice("m-h1-h2", ["h1", "h2"]);
    const withNothing = await manualInvoice("m-h1-none", ["h1", null]);
    const partlyPaid = await manualInvoice("m-partly", ["h1"]);
    const ofH2 = await manualInvoice("m-h2", ["h2"]);
    await f.deps.db.updateTable("invoices").set({ amount_paid: 100 }).where("id", "=", partlyPaid).execute();

    const result = await cancel();
    expect(result).toEqual(
      expect.objectContaining({
        voided: [renewal, onlyH1],
        deferred: [],
        refunded: [],
        needsAdjustment: [
          { invoice: withH2, reason: "other-items" },
          { invoice: withNothing, reason: "other-items" },
          { invoice: partlyPaid, reason: "partly-paid" },
        ],
      }),
    );
    for (const id of [withH2, withNothing, partlyPaid, ofH2]) {
      expect((await invoice(id)).status).toBe("open");
      expect((await invoice(id)).void_requested_at).toBeNull();
    }
    expect((await invoice(onlyH1)).status).toBe("void");
    const notices = (
      await f.deps.db
        .selectFrom("notices")
        .selectAll()
        .where("template", "=", "invoice-adjustment-needed")
        .orderBy("id")
        .execute()
    ).map((row) => ({ ...row, text_body: storedNoticeText(row).text }));
    expect(notices.map((n) => [n.customer_id, n.service_id])).toEqual([
      ["c1", "h1"],
      ["c1", "h1"],
      ["c1", "h1"],
    ]);
    // Each names its own invoice.
    for (const [i, id] of [withH2, withNothing, partlyPaid].entries()) {
      expect(notices[i]?.text_body).toContain(String(id));
    }
  });

  it("a charge in flight whose answer comes back at once: reported voided and refunded, not deferred", async () => {
    await setCard(f.deps, "c1", "lost-answer-2"); // the charge's answer, then one look-up's, are lost
    const paid = await payInvoice(f.deps, { invoiceId: renewal }, PAID_AT);
    expect(paid).toEqual({ ok: true, outcome: null, isAwaitingBank: true });
    const result = await cancel();
    expect(result).toEqual(
      expect.objectContaining({
        ok: true,
        voided: [renewal],
        deferred: [],
        refunded: [{ invoice: renewal, amount: { amount: 19200, currency: "USD" } }],
        needsAdjustment: [],
      }),
    );
    expect((await invoice(renewal)).status).toBe("void");
  });

  it("a charge in flight the bank still does not answer: reported deferred, nothing voided or refunded yet", async () => {
    await setCard(f.deps, "c1", "lost-answer-3");
    await payInvoice(f.deps, { invoiceId: renewal }, PAID_AT);
    const result = await cancel();
    expect(result).toEqual(
      expect.objectContaining({ voided: [], deferred: [renewal], refunded: [], needsAdjustment: [] }),
    );
    expect(await invoice(renewal)).toEqual(
      expect.objectContaining({
        status: "open",
        void_requested_at: CANCELLED_AT,
        void_reason: "cancellation-requested",
      }),
    );
    // The engine settles it later: the void it waited for is carried out, the charge given back.
    await runEngine(f.deps, at("2022-04-05T11:00:00Z"));
    expect((await invoice(renewal)).status).toBe("void");
    expect(f.gateway.refunds().map((r) => r.amount)).toEqual([19200]);
  });

  it("a charge that landed but whose refund is still pending is not reported as refunded", async () => {
    await setCard(f.deps, "c1", "lost-answer-2");
    await payInvoice(f.deps, { invoiceId: renewal }, PAID_AT);
    f.gateway.refund = async () => {
      throw new Error("connection reset");
    };
    const result = await cancel();
    expect(result).toEqual(expect.objectContaining({ voided: [renewal], deferred: [], refunded: [] }));
    const refunds = await f.deps.db.selectFrom("refunds").select(["invoice_id", "status"]).execute();
    expect(refunds).toEqual([{ invoice_id: renewal, status: "pending" }]);
  });

  it("another service's cancellation reports none of h1's invoices, deferred or not", async () => {
    await setCard(f.deps, "c1", "lost-answer-3");
    await payInvoice(f.deps, { invoiceId: renewal }, PAID_AT);
    expect(await cancel("h2")).toEqual(
      expect.objectContaining({ voided: [], deferred: [], refunded: [], needsAdjustment: [] }),
    );
    expect((await invoice(renewal)).void_requested_at).toBeNull();
  });
});
