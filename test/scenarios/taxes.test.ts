/**
 * Taxes and document numbers (issue 12, docs/taxes.md), on both databases: a Quebec customer's
 * renewal with TPS and TVQ, an EU business customer's reverse charge, an EU consumer's VAT, a rate
 * change on its effective date, a refund's numbered credit note, and invoice numbers without a gap
 * across a crash while issuing.
 */
import { afterEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { setBillingAddress, setTaxExemption } from "../../src/modules/customers/billing-address.js";
import { getInvoiceDetail } from "../../src/modules/invoices/list-invoices.js";
import { payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import { creditNotesOf } from "../../src/modules/payments/credit-notes.js";
import { addStaff } from "../../src/modules/staff/staff-repository.js";
import { openTicket } from "../../src/modules/tickets/open-ticket.js";
import { refundablePayment, refundFromTicket } from "../../src/modules/tickets/ticket-refund.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { CountingFaults, CrashAt, InjectedCrash } from "../support/faults.js";
import { DIALECTS } from "../support/stores.js";
import { eventsOf, story } from "./story.js";

const QUEBEC = { country: "CA", province: "QC", postalCode: "G1R 1S2" };

function euScenario(billingAddress: Record<string, unknown>, until = "2026-01-10T00:00:00Z") {
  return {
    start: "2025-01-15T14:00:00Z",
    until,
    seller: { country: "FR", legalName: "Hébergeur SAS" },
    customers: [{ id: "c1", locale: "en", currency: "EUR", card: "ok", billingAddress }],
    services: [
      {
        id: "site1",
        customer: "c1",
        kind: "hosting",
        plan: "yearly",
        price: 10000,
        startedAt: "2025-01-15T14:00:00Z",
      },
    ],
  };
}

describe.each(DIALECTS)("taxes (%s)", (dialect) => {
  let f: Fixture | null = null;
  afterEach(async () => {
    await f?.dispose();
    f = null;
  });

  it("a Quebec customer's renewal invoice of a Quebec seller carries TPS 5 % and TVQ 9.975 %, charged with them", async () => {
    f = await createFixture(dialect); // the demo seller: a Quebec host
    await f.addCustomer("ana", "ok", "fr-CA");
    expect((await setBillingAddress(f.deps, "ana", QUEBEC, at("2021-01-01"))).ok).toBe(true);
    await f.addHosting("site-ana", "ana", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .selectAll()
      .where("service_id", "=", "site-ana")
      .executeTakeFirstOrThrow();
    const detail = await getInvoiceDetail(f.deps.db, "ana", invoice.id);
    expect(detail.number).toBe("INV-000001");
    expect(detail.subtotal.amount).toBe(19200);
    expect(detail.taxes.map((t) => [t.code, t.rate, t.jurisdiction, t.base.amount, t.amount.amount])).toEqual(
      [
        ["GST", 5000, "CA", 19200, 960],
        ["QST", 9975, "CA-QC", 19200, 1915],
      ],
    );
    expect(detail.total.amount).toBe(22075);
    expect(detail.lines[0]?.taxes.map((t) => t.amount.amount)).toEqual([960, 1915]);
    const [issued] = (
      await f.deps.db.selectFrom("events").select("details").where("type", "=", "invoice.issued").execute()
    ).map((e) => JSON.parse(e.details));
    expect(issued).toMatchObject({
      number: "INV-000001",
      subtotal: { amount: 19200 },
      taxes: [
        { name: "TPS", rate: 5000, amount: { amount: 960 } },
        { name: "TVQ", rate: 9975, amount: { amount: 1915 } },
      ],
      amount: { amount: 22075 },
    });
    await runEngine(f.deps, at("2022-04-15T14:00:00Z"));
    expect(f.gateway.successfulCharges().map((c) => c.amount)).toEqual([22075]);
    expect((await getInvoiceDetail(f.deps.db, "ana", invoice.id)).status).toBe("paid");
  });

  it("an Ontario customer pays HST 13 %; outside Canada and tax-exempt customers pay none; no address, none by default", async () => {
    f = await createFixture(dialect);
    for (const id of ["on", "us", "exempt", "none"]) {
      await f.addCustomer(id, "ok");
      await f.addHosting(`site-${id}`, id, "2021-04-15T14:00:00Z");
    }
    await setBillingAddress(f.deps, "on", { country: "CA", province: "ON", postalCode: "M5V 2T6" }, 0);
    await setBillingAddress(f.deps, "us", { country: "US", province: "NY", postalCode: "10001" }, 0);
    await setBillingAddress(f.deps, "exempt", QUEBEC, 0);
    expect(await setTaxExemption(f.deps, "exempt", { exempt: true, reason: "" }, 0)).toEqual({
      ok: false,
      reason: "reason-required",
    });
    await setTaxExemption(f.deps, "exempt", { exempt: true, reason: "Band council, certificate 123" }, 0);
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    const rows = await f.deps.db
      .selectFrom("invoices")
      .select(["customer_id", "subtotal", "total"])
      .execute();
    const totals = Object.fromEntries(
      rows.map((r) => [r.customer_id, [Number(r.subtotal), Number(r.total)]]),
    );
    expect(totals).toEqual({
      on: [19200, 21696],
      us: [19200, 19200],
      exempt: [19200, 19200],
      none: [19200, 19200],
    });
  });

  it("an EU business customer with a valid VAT number in another member state: reverse charge, no VAT", async () => {
    const { events } = await story(
      dialect,
      euScenario({
        country: "DE",
        postalCode: "10115",
        businessName: "Muster GmbH",
        vatNumber: "DE 123456789",
      }),
    );
    const [issued] = eventsOf(events, "invoice.issued", "site1");
    expect(issued).toMatchObject({ subtotal: { amount: 10000 }, taxes: [], taxNote: "reverse-charge" });
    expect(issued?.amount).toEqual({ amount: 10000, currency: "EUR" });
  });

  it("an EU consumer pays their own country's VAT; a business of the seller's own country pays the seller's", async () => {
    const consumer = await story(dialect, euScenario({ country: "DE", postalCode: "10115" }));
    expect(eventsOf(consumer.events, "invoice.issued", "site1")[0]).toMatchObject({
      taxes: [{ name: "VAT", rate: 19000, jurisdiction: "DE", amount: { amount: 1900 } }],
      amount: { amount: 11900 },
    });
    const domestic = await story(
      dialect,
      euScenario({
        country: "FR",
        postalCode: "75001",
        businessName: "Client SARL",
        vatNumber: "FR40303265045",
      }),
    );
    const issued = eventsOf(domestic.events, "invoice.issued", "site1")[0];
    expect(issued).toMatchObject({ taxes: [{ rate: 20000, jurisdiction: "FR" }], amount: { amount: 12000 } });
    expect(issued).not.toHaveProperty("taxNote");
  });

  it("a rate change applies from its effective instant: Nova Scotia HST 15 % until 2025-03-31, 14 % from 2025-04-01 (Halifax)", async () => {
    const { events } = await story(dialect, {
      start: "2024-04-01T00:00:00Z",
      until: "2025-04-05T00:00:00Z",
      seller: { country: "CA", province: "ON" },
      customers: [
        {
          id: "c1",
          locale: "en",
          currency: "CAD",
          card: "ok",
          billingAddress: { country: "CA", province: "NS", postalCode: "B3H 1A1" },
        },
      ],
      services: [
        // Renewal invoices 14 days before the term ends: 2025-04-01 02:00 UTC (still March 31 in
        // Halifax, 15 %) and 2025-04-01 03:00 UTC (midnight in Halifax, 14 %).
        {
          id: "before",
          customer: "c1",
          kind: "hosting",
          plan: "yearly",
          price: 10000,
          startedAt: "2024-04-15T02:00:00Z",
        },
        {
          id: "after",
          customer: "c1",
          kind: "hosting",
          plan: "yearly",
          price: 10000,
          startedAt: "2024-04-15T03:00:00Z",
        },
      ],
    });
    expect(eventsOf(events, "invoice.issued", "before")[0]).toMatchObject({
      at: "2025-04-01T02:00:00.000Z",
      taxes: [{ name: "HST", rate: 15000, jurisdiction: "CA-NS", amount: { amount: 1500 } }],
      amount: { amount: 11500 },
    });
    expect(eventsOf(events, "invoice.issued", "after")[0]).toMatchObject({
      at: "2025-04-01T03:00:00.000Z",
      taxes: [{ name: "HST", rate: 14000, amount: { amount: 1400 } }],
      amount: { amount: 11400 },
    });
  });

  it("a refund is a credit note of its own series, CN-000001, referencing the invoice, with the tax it gives back", async () => {
    f = await createFixture(dialect);
    await f.addCustomer("ana", "ok", "fr-CA");
    await setBillingAddress(f.deps, "ana", QUEBEC, 0);
    await f.addHosting("site-ana", "ana", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "site-ana")
      .executeTakeFirstOrThrow();
    const now = at("2022-04-02T09:00:00Z");
    expect((await payInvoice(f.deps, { invoiceId: invoice.id }, now)).ok).toBe(true);
    const payment = await f.deps.db
      .selectFrom("payments")
      .select("id")
      .where("invoice_id", "=", invoice.id)
      .executeTakeFirstOrThrow();
    const { ticket } = await openTicket(
      f.deps,
      {
        customerId: "ana",
        openedBy: "ana",
        ticket: { kind: "refund", subject: "Remboursement", body: "Mois inutilisés.", serviceId: "site-ana" },
      },
      now,
    );
    const { staff } = await addStaff(f.deps.db, { email: "billing@staff.test", role: "billing" }, now);
    const seq = (await refundablePayment(f.deps.db, "ana", payment.id))?.nextSeq ?? 0;
    // Half of what was charged (220.75 $): 110.38 $, of which TPS 4.80 $ and TVQ 9.58 $ (in proportion).
    await refundFromTicket(
      f.deps,
      { id: staff.id, email: staff.email, role: "billing", address: "203.0.113.7" },
      { ticketId: ticket, paymentId: payment.id, amount: 11038, reason: "Unused months", seq },
      now,
    );
    const notes = await creditNotesOf(f.deps.db, invoice.id, "ana");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({
      number: "CN-000001",
      invoiceId: invoice.id,
      kind: "refund",
      amount: { amount: 11038 },
      subtotal: { amount: 11038 - 480 - 958 },
    });
    expect(notes[0]?.taxes.map((t) => [t.code, t.amount])).toEqual([
      ["GST", 480],
      ["QST", 958],
    ]);
    // The paid invoice itself is not edited.
    expect((await getInvoiceDetail(f.deps.db, "ana", invoice.id)).total.amount).toBe(22075);
  });

  it("invoice numbers have no gap across a crash while issuing: the rolled-back transaction gives its numbers back", async () => {
    f = await createFixture(dialect);
    for (const id of ["a", "b", "c"]) {
      await f.addCustomer(id, "ok");
      await f.addHosting(`site-${id}`, id, "2021-04-15T14:00:00Z");
    }
    // site-c renews later, so that the numbers after the crash continue the same series.
    await f.addCustomer("d", "ok");
    await f.addHosting("site-d", "d", "2021-05-15T14:00:00Z");
    const counting = new CountingFaults();
    f.deps.faults = counting;
    const probe = await createFixture(dialect);
    try {
      for (const id of ["a", "b", "c"]) {
        await probe.addCustomer(id, "ok");
        await probe.addHosting(`site-${id}`, id, "2021-04-15T14:00:00Z");
      }
      probe.deps.faults = counting;
      await runEngine(probe.deps, at("2022-04-01T14:00:00Z"));
    } finally {
      await probe.dispose();
    }
    const n = counting.points.indexOf("invoice:numbered") + 1;
    expect(n).toBeGreaterThan(0);
    const crash = new CrashAt(n);
    f.deps.faults = crash;
    try {
      await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    } catch (error) {
      expect(error).toBeInstanceOf(InjectedCrash);
    }
    expect(crash.crashedAt).toBe("invoice:numbered");
    f.deps.faults = undefined;
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    await runEngine(f.deps, at("2022-05-01T14:00:00Z"));
    const rows = await f.deps.db.selectFrom("invoices").select(["id", "number"]).orderBy("id").execute();
    expect(rows.map((r) => r.number)).toEqual(["INV-000001", "INV-000002", "INV-000003", "INV-000004"]);
    const series = await f.deps.db
      .selectFrom("document_series")
      .select("next_number")
      .where("series", "=", "invoice")
      .executeTakeFirstOrThrow();
    expect(Number(series.next_number)).toBe(5);
  });
});
