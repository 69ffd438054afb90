/**
 * Billing pages: invoice list and detail, paying with the card on file (once, even when the form is
 * sent twice), the PDF, the payment method; each outcome by status, with the database checked.
 */

import { inflateSync } from "node:zlib";
import type { LightMyRequestResponse } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import type { FaultPoints } from "../../src/modules/deps.js";
import type { PaymentGateway } from "../../src/providers/payments/payment-gateway.js";
import { at } from "../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

/** Seed 004's dates on a yearly hosting plan: the renewal invoice is issued 14 days before. */
const STARTED = "2021-04-15T14:00:00Z";
const INVOICE_RUN = "2022-04-01T14:00:00Z";
const CHARGE_RUN = "2022-04-15T14:00:00Z";
const NBSP = "\u00a0";

/** The text lines a PDF draws (pdfkit's compressed content streams, Windows-1252 hex strings). */
function pdfText(pdf: Buffer): string[] {
  const raw = pdf.toString("latin1");
  // Windows-1252 differs from Latin-1 in 0x80-0x9f; these are the ones an invoice uses.
  const cp1252: Record<number, string> = { 128: "€", 133: "…", 145: "‘", 146: "’", 147: "“", 148: "”" };
  Object.assign(cp1252, { 149: "•", 150: "–", 151: "—" });
  const decode = (bytes: Buffer) => [...bytes].map((b) => cp1252[b] ?? String.fromCharCode(b)).join("");
  const lines: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const stream = pdf.subarray(start, raw.indexOf("endstream", start));
    // Only the compressed page contents carry text (zlib streams start with 0x78).
    if (stream[0] !== 0x78) continue;
    const content = inflateSync(stream).toString("latin1");
    for (const array of content.matchAll(/\[([^\]]*)\] TJ/g)) {
      const hex = [...(array[1] ?? "").matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join("");
      lines.push(decode(Buffer.from(hex, "hex")));
    }
  }
  return lines;
}

async function signedIn(f: HttpFixture, id: string): Promise<HttpClient> {
  const client = f.client();
  const response = await client.login(`${id}@example.test`);
  expect(response.statusCode).toBe(303);
  return client;
}

/** A customer with a yearly hosting plan whose renewal invoice the engine has just issued. */
async function withRenewalInvoice(
  f: HttpFixture,
  customer: string,
  card: string,
  options: { locale?: "fr-CA" | "en"; service?: string; charged?: boolean } = {},
): Promise<number> {
  const service = options.service ?? `h-${customer}`;
  await f.addLogin(customer, card, options.locale ?? "en");
  await f.addHosting(service, customer, STARTED);
  await runEngine(f.deps, at(INVOICE_RUN));
  if (options.charged) await runEngine(f.deps, at(CHARGE_RUN));
  f.clock.set(at(options.charged ? "2022-04-16T09:00:00Z" : "2022-04-02T09:00:00Z"));
  const invoice = await f.deps.db
    .selectFrom("invoices")
    .select("id")
    .where("service_id", "=", service)
    .executeTakeFirstOrThrow();
  return invoice.id;
}

async function invoiceRow(f: HttpFixture, id: number) {
  return f.deps.db
    .selectFrom("invoices")
    .select(["status", "amount_paid", "paid_at"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function paymentsOf(f: HttpFixture, invoiceId: number) {
  return f.deps.db
    .selectFrom("payments")
    .select(["attempt", "status", "failure_code", "idempotency_key"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("attempt")
    .execute();
}

async function eventCount(f: HttpFixture, type: string, service: string): Promise<number> {
  const rows = await f.deps.db
    .selectFrom("events")
    .select("id")
    .where("type", "=", type)
    .where("service_id", "=", service)
    .execute();
  return rows.length;
}

async function termEndsAt(f: HttpFixture, service: string): Promise<number> {
  const row = await f.deps.db
    .selectFrom("subscriptions")
    .select("term_ends_at")
    .where("service_id", "=", service)
    .executeTakeFirstOrThrow();
  return Number(row.term_ends_at);
}

/** Charge keys name the invoice by its issue key (stable across restores), not its number. */
async function issueKeyOf(f: HttpFixture, invoiceId: number): Promise<string> {
  const row = await f.deps.db
    .selectFrom("invoices")
    .select("issue_key")
    .where("id", "=", invoiceId)
    .executeTakeFirstOrThrow();
  return row.issue_key ?? "";
}

describe.each(DIALECTS)("GET /invoices (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("200: lists the renewal invoice the engine issued, with its dates, amounts, status and a Pay action", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok");
    const client = await signedIn(f, "c1");
    const page = await client.get("/invoices");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h1>Invoices</h1>");
    expect(page.body).toContain(`href="/invoices/${id}"`);
    expect(page.body).toContain(`>#${id}</a>`);
    expect(page.body).toContain("April 1, 2022");
    expect(page.body).toContain("April 15, 2022");
    expect(page.body).toContain("Hosting h-c1 — yearly");
    expect(page.body).toContain("$192.00");
    expect(page.body).toContain("$0.00");
    expect(page.body).toContain('<span class="badge badge-open">Open</span>');
    expect(page.body).toContain(`href="/invoices/${id}#pay"`);
    expect(page.body).toMatch(/<td data-label="Total"[^>]*>\$192\.00<\/td>/);
    expect(page.body).toContain('aria-current="page"');
  });

  it("200: newest first, another customer's invoices are not listed, and an empty list says so", async () => {
    const mine = await withRenewalInvoice(f, "c1", "ok");
    const theirs = await withRenewalInvoice(f, "c2", "ok");
    const client = await signedIn(f, "c1");
    const page = await client.get("/invoices");
    expect(page.body).toContain(`href="/invoices/${mine}"`);
    expect(page.body).not.toContain(`href="/invoices/${theirs}"`);
    await f.addLogin("c3");
    const empty = await (await signedIn(f, "c3")).get("/invoices");
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain("You have no invoices yet.");
  });

  it("200: lists newest first", async () => {
    await f.addLogin("c1");
    await f.addHosting("h-a", "c1", STARTED);
    await f.addHosting("h-b", "c1", "2021-05-15T14:00:00Z");
    await runEngine(f.deps, at(INVOICE_RUN));
    await runEngine(f.deps, at("2022-05-01T14:00:00Z"));
    f.clock.set(at("2022-05-02T09:00:00Z"));
    const page = await (await signedIn(f, "c1")).get("/invoices");
    expect(page.body).toContain("May 1, 2022");
    const first = page.body.indexOf("Hosting h-b");
    const second = page.body.indexOf("Hosting h-a");
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
  });

  it("200: in French for a fr-CA customer, amounts and dates the Quebec way", async () => {
    await withRenewalInvoice(f, "c1", "ok", { locale: "fr-CA" });
    const page = await (await signedIn(f, "c1")).get("/invoices");
    expect(page.body).toContain('<html lang="fr-CA">');
    expect(page.body).toContain("<h1>Factures</h1>");
    expect(page.body).toContain(`192,00${NBSP}$${NBSP}US`);
    expect(page.body).toContain("1er avril 2022");
    expect(page.body).toContain('<span class="badge badge-open">Ouverte</span>');
    expect(page.body).toContain(">Payer</a>");
  });
});

describe.each(DIALECTS)("GET /invoices/:id (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("200: lines with their period, totals, the pay form with the card, the PDF and adjustment links", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok");
    const page = await (await signedIn(f, "c1")).get(`/invoices/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1>Invoice #${id}</h1>`);
    expect(page.body).toContain("Hosting h-c1 — yearly");
    expect(page.body).toContain("April 15, 2022 – April 15, 2023");
    expect(page.body).toContain("Balance due");
    expect(page.body).toMatch(/<dt>Balance due<\/dt><dd[^>]*><strong>\$192\.00<\/strong>/);
    expect(page.body).toContain(`<form method="post" action="/invoices/${id}/pay"`);
    expect(page.body).toContain("Pay now with Visa •••• 4242");
    expect(page.body).toContain(`href="/invoices/${id}/pdf"`);
    expect(page.body).toContain(`href="/requests/new?kind=invoice-adjustment&amp;invoice=${id}"`);
    expect(page.body).toContain("No charge has been attempted yet.");
  });

  it("200: a declined charge by the engine shows as one failed attempt, in words", async () => {
    const id = await withRenewalInvoice(f, "c1", "declined", { charged: true });
    const page = await (await signedIn(f, "c1")).get(`/invoices/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Charge attempts");
    expect(page.body.match(/Attempt \d/g)).toEqual(["Attempt 1"]);
    expect(page.body).toMatch(/<td data-label="Result"><span class="badge badge-expired">Declined<\/span>/);
    expect(page.body).toMatch(/<td data-label="Date"><time[^>]*>April 15, 2022<\/time>/);
    expect(page.body).toContain("Past due");
    expect(page.body).toContain("Pay now with Visa •••• 0002");
  });

  it("200: other failures in words: insufficient funds, expired card", async () => {
    const poor = await withRenewalInvoice(f, "c1", "insufficient-funds", { charged: true });
    expect((await (await signedIn(f, "c1")).get(`/invoices/${poor}`)).body).toContain(">Insufficient funds<");
    const expired = await withRenewalInvoice(f, "c2", "expired", { charged: true });
    expect((await (await signedIn(f, "c2")).get(`/invoices/${expired}`)).body).toContain(">Expired card<");
  });

  it("200: without a card on file, no pay button but a link to add a card first", async () => {
    const id = await withRenewalInvoice(f, "c1", "none", { charged: true });
    const page = await (await signedIn(f, "c1")).get(`/invoices/${id}`);
    expect(page.body).toContain('<a class="button" href="/payment-method">Add a card first</a>');
    expect(page.body).not.toContain(`action="/invoices/${id}/pay"`);
    expect(page.body).toContain(">No card on file<");
  });

  it("200: in French, with « Payer maintenant avec »", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok", { locale: "fr-CA" });
    const page = await (await signedIn(f, "c1")).get(`/invoices/${id}`);
    expect(page.body).toContain(`<h1>Facture nº${NBSP}${id}</h1>`);
    expect(page.body).toContain("Payer maintenant avec Visa •••• 4242");
    expect(page.body).toContain("du 15 avril 2022 au 15 avril 2023");
    expect(page.body).toContain("Télécharger le PDF");
    expect(page.body).toContain("Demander un ajustement");
  });

  it("404: another customer's invoice, an unknown number and a malformed one", async () => {
    const theirs = await withRenewalInvoice(f, "c2", "ok");
    await f.addLogin("c1");
    const client = await signedIn(f, "c1");
    for (const path of [`/invoices/${theirs}`, "/invoices/99999", "/invoices/abc", "/invoices/-1"]) {
      const page = await client.get(path);
      expect(page.statusCode, path).toBe(404);
      expect(page.body).not.toContain("Hosting h-c2");
    }
  });
});

describe.each(DIALECTS)("POST /invoices/:id/pay (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("303: a working card pays the invoice, records payment.succeeded and renews the service", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok");
    const client = await signedIn(f, "c1");
    await client.get(`/invoices/${id}`);
    const response = await client.post(`/invoices/${id}/pay`, {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/invoices/${id}`);
    const invoice = await invoiceRow(f, id);
    expect(invoice.status).toBe("paid");
    expect(invoice.amount_paid).toBe(19200);
    expect(invoice.paid_at).toBe(at("2022-04-02T09:00:00Z"));
    expect(await eventCount(f, "payment.succeeded", "h-c1")).toBe(1);
    expect(await eventCount(f, "service.renewed", "h-c1")).toBe(1);
    expect(await termEndsAt(f, "h-c1")).toBe(at("2023-04-15T14:00:00Z"));
    expect(f.gateway.successfulCharges().map((c) => c.amount)).toEqual([19200]);
    const page = await client.get(`/invoices/${id}`);
    expect(page.body).toContain('<div class="flash flash-success" role="status">Paid — thank you.</div>');
    expect(page.body).toContain('<span class="badge badge-paid">Paid</span>');
    expect(page.body).not.toContain(`action="/invoices/${id}/pay"`);
  });

  it("303: a declined card says why, links to the payment method, and leaves the invoice open", async () => {
    const id = await withRenewalInvoice(f, "c1", "declined");
    const client = await signedIn(f, "c1");
    await client.get(`/invoices/${id}`);
    const response = await client.post(`/invoices/${id}/pay`, {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/invoices/${id}`);
    expect((await invoiceRow(f, id)).status).toBe("open");
    expect(await paymentsOf(f, id)).toMatchObject([
      { attempt: 1, status: "failed", failure_code: "declined" },
    ]);
    expect(await eventCount(f, "payment.failed", "h-c1")).toBe(1);
    expect(f.gateway.successfulCharges()).toEqual([]);
    const page = await client.get(`/invoices/${id}`);
    expect(page.body).toContain(
      '<div class="flash flash-error" role="alert">The payment did not go through: declined. Nothing was charged. <a href="/payment-method">Update your payment method</a></div>',
    );
    // The flash is shown once.
    expect((await client.get(`/invoices/${id}`)).body).not.toContain("flash-error");
  });

  it("303: the bank takes the money but its answers are lost: no error page, the invoice says it awaits the bank", async () => {
    // lost-answer-2: the charge's answer and the first look-up's are lost.
    const id = await withRenewalInvoice(f, "c1", "lost-answer-2");
    const client = await signedIn(f, "c1");
    await client.get(`/invoices/${id}`);
    const response = await client.post(`/invoices/${id}/pay`, {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/invoices/${id}`);
    expect(await paymentsOf(f, id)).toMatchObject([{ attempt: 1, status: "pending" }]);
    expect(f.gateway.successfulCharges()).toHaveLength(1);
    const page = await client.get(`/invoices/${id}`);
    expect(page.body).toContain("Your bank has not confirmed this payment yet.");
    // The next run asks the bank again under the same key: paid, never charged twice.
    await runEngine(f.deps, at("2022-04-02T10:00:00Z"));
    expect((await invoiceRow(f, id)).status).toBe("paid");
    expect(f.gateway.allCharges()).toHaveLength(1);
  });

  it("303: an invoice that is no longer open is not charged again", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok", { charged: true });
    expect((await invoiceRow(f, id)).status).toBe("paid");
    const client = await signedIn(f, "c1");
    await client.get(`/invoices/${id}`);
    const response = await client.post(`/invoices/${id}/pay`, {});
    expect(response.statusCode).toBe(303);
    // Paid by the engine's charge: the page says so, with the amount, instead of "nothing was charged".
    const page = (await client.get(`/invoices/${id}`)).body;
    expect(page).toContain(`Invoice #${id} is paid: `);
    expect(page).toContain("was charged once (by the first click). Nothing more was charged.");
    expect(page).not.toContain("no longer open");
    expect(f.gateway.allCharges()).toHaveLength(1);
    expect(await paymentsOf(f, id)).toHaveLength(1);
  });

  describe("a double submit never charges twice (card fails-1-then-ok, declined once by the engine)", () => {
    it("two clicks in a row: the first pays, the second charges nothing", async () => {
      const id = await withRenewalInvoice(f, "c1", "fails-1-then-ok", { charged: true });
      expect(await paymentsOf(f, id)).toMatchObject([{ attempt: 1, status: "failed" }]);
      const client = await signedIn(f, "c1");
      await client.get(`/invoices/${id}`);
      const first = await client.post(`/invoices/${id}/pay`, {});
      const second = await client.post(`/invoices/${id}/pay`, {});
      expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
      // Had the second click been a new attempt, this card would have been charged again.
      expect(f.gateway.successfulCharges()).toHaveLength(1);
      expect(await paymentsOf(f, id)).toMatchObject([
        { attempt: 1, status: "failed" },
        { attempt: 2, status: "succeeded" },
      ]);
      expect((await invoiceRow(f, id)).status).toBe("paid");
      expect(await eventCount(f, "payment.succeeded", "h-c1")).toBe(1);
    });

    it("three concurrent clicks in French: one charge, and no click says that nothing was charged", async () => {
      const id = await withRenewalInvoice(f, "c1", "ok", { locale: "fr-CA" });
      const tabs = await Promise.all([1, 2, 3].map(() => signedIn(f, "c1")));
      await Promise.all(tabs.map((tab) => tab.get(`/invoices/${id}`)));
      const responses = await Promise.all(tabs.map((tab) => tab.post(`/invoices/${id}/pay`, {})));
      expect(responses.map((r) => r.statusCode)).toEqual([303, 303, 303]);
      expect(f.gateway.successfulCharges()).toHaveLength(1);
      expect((await invoiceRow(f, id)).status).toBe("paid");
      const flashes = await Promise.all(
        tabs.map(
          async (tab) =>
            /<div class="flash[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(
              (await tab.get(`/invoices/${id}`)).body,
            )?.[1] ?? "",
        ),
      );
      for (const flash of flashes.map((text) => text.replaceAll("&#39;", "'"))) {
        expect(flash).not.toContain("aucun montant n'a été prélevé");
        expect(flash).toMatch(
          /Payé — merci\.|La facture nº\s\d+ est payée\s: 192,00\s\$(\sUS)? a été prélevé une seule fois/,
        );
      }
    });

    it("the first submit dies after the bank took the money: the second settles that charge, not a new one", async () => {
      const id = await withRenewalInvoice(f, "c1", "fails-1-then-ok", { charged: true });
      const client = await signedIn(f, "c1");
      await client.get(`/invoices/${id}`);
      // The gateway answers, then the process dies before recording it (the customer clicks again).
      let crashed = false;
      const crashOnce: FaultPoints = {
        reach(point) {
          if (point === "charge:gateway-answered" && !crashed) {
            crashed = true;
            throw new Error("connection lost after the gateway answered");
          }
        },
      };
      f.deps.faults = crashOnce;
      const first = await client.post(`/invoices/${id}/pay`, {});
      expect(first.statusCode).toBe(500);
      expect(first.body).not.toContain("connection lost");
      expect(await paymentsOf(f, id)).toMatchObject([
        { attempt: 1, status: "failed" },
        { attempt: 2, status: "pending" },
      ]);
      expect(f.gateway.successfulCharges()).toHaveLength(1);

      const second = await client.post(`/invoices/${id}/pay`, {});
      expect(second.statusCode).toBe(303);
      expect(f.gateway.successfulCharges()).toHaveLength(1);
      expect(f.gateway.successfulCharges()[0]?.idempotencyKey).toBe(`charge:${await issueKeyOf(f, id)}:2`);
      expect(await paymentsOf(f, id)).toMatchObject([
        { attempt: 1, status: "failed" },
        { attempt: 2, status: "succeeded" },
      ]);
      expect((await invoiceRow(f, id)).status).toBe("paid");
      expect(await termEndsAt(f, "h-c1")).toBe(at("2023-04-15T14:00:00Z"));
      expect((await client.get(`/invoices/${id}`)).body).toContain("Paid — thank you.");
    });

    it("a second click while the first waits for the bank resolves that same charge", async () => {
      const id = await withRenewalInvoice(f, "c1", "fails-1-then-ok", { charged: true });
      const client = await signedIn(f, "c1");
      await client.get(`/invoices/${id}`);
      const bank = f.gateway;
      const slowBank: PaymentGateway = {
        charge: async (request) => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          return bank.charge(request);
        },
        lookup: (key) => bank.lookup(key),
        saveCard: (customer, card) => bank.saveCard(customer, card),
        refund: (request) => bank.refund(request),
        lookupRefund: (key) => bank.lookupRefund(key),
      };
      f.deps.gateway = slowBank;
      // The second submit is sent as soon as the first has committed its pending charge.
      const clicks: Promise<LightMyRequestResponse>[] = [];
      f.deps.faults = {
        reach(point) {
          if (point === "charge:pending-committed" && clicks.length === 0)
            clicks.push(client.post(`/invoices/${id}/pay`, {}));
        },
      };
      const first = await client.post(`/invoices/${id}/pay`, {});
      expect(clicks).toHaveLength(1);
      const second = await clicks[0]!;
      expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
      expect(bank.successfulCharges()).toHaveLength(1);
      const key = await issueKeyOf(f, id);
      expect(bank.allCharges().map((c) => c.idempotencyKey)).toEqual([`charge:${key}:1`, `charge:${key}:2`]);
      expect(await paymentsOf(f, id)).toMatchObject([
        { attempt: 1, status: "failed" },
        { attempt: 2, status: "succeeded" },
      ]);
      expect((await invoiceRow(f, id)).amount_paid).toBe(19200);
      expect(await eventCount(f, "payment.succeeded", "h-c1")).toBe(1);
      expect(await eventCount(f, "service.renewed", "h-c1")).toBe(1);
    });
  });

  it("404: another customer's invoice is not charged", async () => {
    const theirs = await withRenewalInvoice(f, "c2", "ok");
    await f.addLogin("c1");
    const client = await signedIn(f, "c1");
    await client.get("/invoices");
    const response = await client.post(`/invoices/${theirs}/pay`, {});
    expect(response.statusCode).toBe(404);
    expect((await client.post("/invoices/nope/pay", {})).statusCode).toBe(404);
    expect(f.gateway.allCharges()).toEqual([]);
    expect(await paymentsOf(f, theirs)).toEqual([]);
    expect((await invoiceRow(f, theirs)).status).toBe("open");
  });

  it("403: without the CSRF token nothing is charged", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok");
    const client = await signedIn(f, "c1");
    await client.get(`/invoices/${id}`);
    const response = await client.post(`/invoices/${id}/pay`, {}, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(f.gateway.allCharges()).toEqual([]);
    expect((await invoiceRow(f, id)).status).toBe("open");
  });
});

describe.each(DIALECTS)("GET /invoices/:id/pdf (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("200: a PDF attachment named after the invoice, with the invoice's facts", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok");
    const response = await (await signedIn(f, "c1")).get(`/invoices/${id}/pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("application/pdf");
    expect(response.headers["content-disposition"]).toBe(`attachment; filename="invoice-${id}.pdf"`);
    expect(response.rawPayload.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(response.rawPayload.subarray(-6).toString("latin1")).toContain("%%EOF");
    const text = pdfText(response.rawPayload);
    for (const line of [
      `Invoice #${id}`,
      "April 1, 2022",
      "April 15, 2022",
      "c1",
      "c1@example.test",
      "Hosting h-c1 — yearly",
      "April 15, 2022 – April 15, 2023",
      "Balance due",
      "$192.00",
      "$0.00",
      "Open",
    ])
      expect(text, line).toContain(line);
  });

  it("200: in French for a fr-CA customer (the document's language)", async () => {
    const id = await withRenewalInvoice(f, "c1", "ok", { locale: "fr-CA" });
    const response = await (await signedIn(f, "c1")).get(`/invoices/${id}/pdf`);
    expect(response.statusCode).toBe(200);
    expect(response.rawPayload.toString("latin1")).toContain("/Lang (fr-CA)");
    const text = pdfText(response.rawPayload);
    for (const line of [
      `Facture nº${NBSP}${id}`,
      "1er avril 2022",
      "du 15 avril 2022 au 15 avril 2023",
      "Solde à payer",
      `192,00${NBSP}$${NBSP}US`,
      "Ouverte",
    ])
      expect(text, line).toContain(line);
  });

  it("404: another customer's invoice", async () => {
    const theirs = await withRenewalInvoice(f, "c2", "ok");
    await f.addLogin("c1");
    const response = await (await signedIn(f, "c1")).get(`/invoices/${theirs}/pdf`);
    expect(response.statusCode).toBe(404);
    expect(response.headers["content-type"]).toContain("text/html");
  });
});

describe.each(DIALECTS)("GET /payment-method (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("200: the card on file and the test cards, explained as test mode", async () => {
    await f.addLogin("c1", "ok");
    const page = await (await signedIn(f, "c1")).get("/payment-method");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<strong>Visa •••• 4242</strong>");
    expect(page.body).toContain("Test mode.");
    expect(page.body).toContain('<label for="card">Card</label>');
    expect(page.body).toContain(
      '<option value="ok" selected>Visa ending 4242 (test: always approved)</option>',
    );
    for (const card of ["declined", "insufficient-funds", "expired", "fails-1-then-ok"])
      expect(page.body).toContain(`<option value="${card}">`);
  });

  it("200: no card on file says so", async () => {
    await f.addLogin("c1", "none");
    const page = await (await signedIn(f, "c1")).get("/payment-method");
    expect(page.body).toContain("No card on file.");
    expect(page.body).toContain("Add a card");
  });

  it("200: in French", async () => {
    await f.addLogin("c1", "ok", "fr-CA");
    const page = await (await signedIn(f, "c1")).get("/payment-method");
    expect(page.body).toContain("<h1>Mode de paiement</h1>");
    expect(page.body).toContain("Carte au dossier");
    expect(page.body).toContain(`Visa se terminant par 4242 (test${NBSP}: toujours approuvée)`);
  });
});

describe.each(DIALECTS)("POST /payment-method (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function cardToken(id: string) {
    const row = await f.deps.db
      .selectFrom("customers")
      .select(["card_token", "card_label"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return row;
  }

  it("303: replaces the card through the gateway; the new label is shown", async () => {
    await f.addLogin("c1", "ok");
    const before = await cardToken("c1");
    const client = await signedIn(f, "c1");
    await client.get("/payment-method");
    const response = await client.post("/payment-method", { card: "declined" });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/payment-method");
    const after = await cardToken("c1");
    expect(after.card_token).not.toBe(before.card_token);
    expect(after.card_token).toMatch(/^test_declined_c1_\d+$/);
    expect(after.card_label).toBe("Visa •••• 0002");
    const page = await client.get("/payment-method");
    expect(page.body).toContain("Your card was saved: Visa •••• 0002.");
    expect(page.body).toContain("<strong>Visa •••• 0002</strong>");
    expect(page.body).not.toContain("past-due invoice");
  });

  it("303: with open invoices past due, the page says so with a link to pay each, which then works", async () => {
    const id = await withRenewalInvoice(f, "c1", "declined", { charged: true });
    const client = await signedIn(f, "c1");
    await client.get("/payment-method");
    await client.post("/payment-method", { card: "ok" });
    const page = await client.get("/payment-method");
    expect(page.body).toContain("You have 1 past-due invoice. Pay it with the card on file:");
    expect(page.body).toContain(`<a href="/invoices/${id}#pay">Pay invoice #${id} ($192.00)</a>`);
    await client.get(`/invoices/${id}`);
    expect((await client.post(`/invoices/${id}/pay`, {})).statusCode).toBe(303);
    expect((await invoiceRow(f, id)).status).toBe("paid");
    expect(await termEndsAt(f, "h-c1")).toBe(at("2023-04-15T14:00:00Z"));
  });

  it("400: a value that is not a card shows the form again with the message, and keeps the card", async () => {
    await f.addLogin("c1", "ok");
    const before = await cardToken("c1");
    const client = await signedIn(f, "c1");
    await client.get("/payment-method");
    for (const card of ["4242424242424242", "", "fails-x-then-ok"]) {
      const response = await client.post("/payment-method", { card });
      expect(response.statusCode, card).toBe(400);
      expect(response.body).toContain(
        '<p class="field-error" id="card-error" role="alert">Choose one of the cards in the list.</p>',
      );
    }
    expect((await client.post("/payment-method", {})).statusCode).toBe(400);
    expect(await cardToken("c1")).toEqual(before);
  });

  it("403: without the CSRF token the card is not replaced", async () => {
    await f.addLogin("c1", "ok");
    const before = await cardToken("c1");
    const client = await signedIn(f, "c1");
    await client.get("/payment-method");
    const response = await client.post("/payment-method", { card: "declined" }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(await cardToken("c1")).toEqual(before);
  });
});
