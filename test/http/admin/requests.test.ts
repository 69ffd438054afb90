/**
 * Back office, requests: the list and its filters, one request, and every action on it by
 * outcome — assign, reply (by e-mail and in the client area), close, reopen; a refund through the
 * gateway (confirmed first, once on a double post, never past what was paid, pending when the
 * gateway does not answer and settled by "check now"), with its credit note shown to the customer;
 * an invoice adjustment (a paid invoice refused; the client's page and PDF adjusted); a domain
 * deletion (the typed name required; the registrar deletes, invoices are voided, the engine never
 * touches it again). Each refused to the wrong role, without the CSRF token, and for unknown ids.
 */
import { inflateSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../../src/engine/run-engine.js";
import { issueInvoice } from "../../../src/modules/invoices/invoice-repository.js";
import { payInvoice } from "../../../src/modules/invoices/pay-invoice.js";
import { listAudit } from "../../../src/modules/staff/audit-log.js";
import { openTicket } from "../../../src/modules/tickets/open-ticket.js";
import { at } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

const PRICE = 19200; // the fixture's yearly hosting, USD

/** The text lines a PDF draws (as in test/http/billing.test.ts). */
function pdfText(pdf: Buffer): string[] {
  const raw = pdf.toString("latin1");
  const lines: string[] = [];
  for (const match of raw.matchAll(/stream\r?\n/g)) {
    const start = (match.index ?? 0) + match[0].length;
    const stream = pdf.subarray(start, raw.indexOf("endstream", start));
    if (stream[0] !== 0x78) continue;
    const content = inflateSync(stream).toString("latin1");
    for (const array of content.matchAll(/\[([^\]]*)\] TJ/g)) {
      const hex = [...(array[1] ?? "").matchAll(/<([0-9a-f]*)>/g)].map((h) => h[1]).join("");
      lines.push(Buffer.from(hex, "hex").toString("latin1"));
    }
  }
  return lines;
}

async function eventsOf(f: HttpFixture, type: string) {
  const rows = await f.deps.db
    .selectFrom("events")
    .select(["details", "service_id"])
    .where("type", "=", type)
    .orderBy("id")
    .execute();
  return rows.map(
    (e): Record<string, unknown> => ({
      service: e.service_id,
      ...(JSON.parse(e.details) as Record<string, unknown>),
    }),
  );
}

describe.each(DIALECTS)("back office: requests (%s)", (dialect) => {
  let f: HttpFixture;
  /** ana's hosting renewal, paid by card: what her refund request is about. */
  let paidInvoice: number;
  let paymentId: number;
  /** An open two-line invoice of ana's, quoted by her adjustment request. */
  let openInvoice: number;
  /** An open invoice for the domain she asks to delete. */
  let domainInvoice: number;
  let refundTicket: number;
  let adjustTicket: number;
  let paidAdjustTicket: number;
  let deletionTicket: number;
  let questionTicket: number;
  let bobTicket: number;

  const clients = new Map<string, HttpClient>();
  async function staff(role: "admin" | "billing" | "support", locale?: "fr-CA" | "en"): Promise<HttpClient> {
    const key = `${role}:${locale ?? "en"}`;
    const known = clients.get(key);
    if (known) return known;
    const member = await f.addStaffMember(role, {
      email: `${role}${locale === "fr-CA" ? ".fr" : ""}@staff.test`,
      ...(locale ? { locale } : {}),
    });
    const client = f.client();
    expect((await client.staffLogin(member.email)).headers.location).toBe("/admin");
    clients.set(key, client);
    return client;
  }

  async function customer(id: string): Promise<HttpClient> {
    const client = f.client();
    expect((await client.login(`${id}@example.test`)).statusCode).toBe(303);
    return client;
  }

  async function ticket(
    customerId: string,
    kind: string,
    extra: { serviceId?: string; invoiceId?: number } = {},
  ) {
    const { ticket: id } = await openTicket(
      f.deps,
      {
        customerId,
        openedBy: customerId,
        ticket: {
          kind: kind as "refund",
          subject: `About ${kind}`,
          body: `Please help with this ${kind}.`,
          serviceId: extra.serviceId ?? null,
          invoiceId: extra.invoiceId ?? null,
          confirmedIrreversible: kind === "domain-deletion",
        },
      },
      f.clock.now(),
    );
    return id;
  }

  beforeEach(async () => {
    clients.clear();
    f = await createHttpFixture(dialect);
    await f.addLogin("ana");
    await f.addLogin("bob");
    await f.deps.db.updateTable("customers").set({ name: "Ana Tremblay" }).where("id", "=", "ana").execute();
    await f.addHosting("site-ana", "ana", "2021-04-15T14:00:00Z");
    await f.addDomain("dom-ana", "ana", "ana-bakery.com", "2021-06-20");
    await f.addHosting("site-bob", "bob", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    f.clock.set(at("2022-04-02T09:00:00Z"));
    const renewal = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "site-ana")
      .executeTakeFirstOrThrow();
    paidInvoice = renewal.id;
    expect((await payInvoice(f.deps, { invoiceId: paidInvoice }, f.clock.now())).ok).toBe(true);
    paymentId = (
      await f.deps.db
        .selectFrom("payments")
        .select("id")
        .where("invoice_id", "=", paidInvoice)
        .where("status", "=", "succeeded")
        .executeTakeFirstOrThrow()
    ).id;
    const issued = await f.deps.db.transaction().execute(async (tx) => ({
      open: await issueInvoice(tx, {
        customerId: "ana",
        issueKey: "manual:ana:1",
        serviceId: null,
        purpose: "manual",
        periodStartAt: null,
        currency: "USD",
        issuedAt: f.clock.now(),
        dueAt: f.clock.now() + 14 * 86_400_000,
        lines: [
          {
            serviceId: null,
            description: "Website migration",
            amount: 15000,
            periodStartAt: null,
            periodEndAt: null,
          },
          {
            serviceId: null,
            description: "Extra mailbox setup",
            amount: 2500,
            periodStartAt: null,
            periodEndAt: null,
          },
        ],
      }),
      domain: await issueInvoice(tx, {
        customerId: "ana",
        issueKey: "manual:ana:2",
        serviceId: "dom-ana",
        purpose: "manual",
        periodStartAt: null,
        currency: "USD",
        issuedAt: f.clock.now(),
        dueAt: f.clock.now() + 14 * 86_400_000,
        lines: [
          {
            serviceId: "dom-ana",
            description: "Privacy add-on",
            amount: 900,
            periodStartAt: null,
            periodEndAt: null,
          },
        ],
      }),
    }));
    openInvoice = issued.open ?? 0;
    domainInvoice = issued.domain ?? 0;
    refundTicket = await ticket("ana", "refund", { serviceId: "site-ana" });
    adjustTicket = await ticket("ana", "invoice-adjustment", { invoiceId: openInvoice });
    paidAdjustTicket = await ticket("ana", "invoice-adjustment", { invoiceId: paidInvoice });
    deletionTicket = await ticket("ana", "domain-deletion", { serviceId: "dom-ana" });
    questionTicket = await ticket("ana", "question");
    bobTicket = await ticket("bob", "question");
  });
  afterEach(async () => {
    await f.dispose();
  });

  describe("GET /admin/requests", () => {
    it("303 to sign in for a visitor; 200 for every role with customer, kind, subject, status, assignee and age", async () => {
      const visitor = await f.client().get("/admin/requests");
      expect(visitor.statusCode).toBe(303);
      expect(visitor.headers.location).toBe(`/admin/login?next=${encodeURIComponent("/admin/requests")}`);
      f.clock.set(at("2022-04-05T11:00:00Z"));
      for (const role of ["admin", "billing", "support"] as const) {
        const page = await (await staff(role)).get("/admin/requests");
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain("Ana Tremblay");
        expect(page.body).toContain(`href="/admin/requests/${bobTicket}"`);
        expect(page.body).toContain("Domain deletion");
        expect(page.body).toContain("3 d 2 h"); // opened 2022-04-02 09:00
        expect(page.body).toContain('class="responsive requests-table"');
      }
    });

    it("filters by status, kind and assignee; a filter that is not one is a 400 with the form", async () => {
      const support = await staff("support");
      await support.get(`/admin/requests/${questionTicket}`);
      await support.post(`/admin/requests/${questionTicket}/assign`, { staff: "me" });
      await support.post(`/admin/requests/${bobTicket}/close`, {});
      const ids = (body: string) =>
        [...body.matchAll(/href="\/admin\/requests\/(\d+)">#/g)].map((m) => Number(m[1]));
      // A first visit lists the open ones.
      expect(ids((await support.get("/admin/requests")).body)).not.toContain(bobTicket);
      expect(ids((await support.get("/admin/requests?status=closed")).body)).toEqual([bobTicket]);
      expect(ids((await support.get("/admin/requests?status=")).body)).toContain(bobTicket);
      expect(ids((await support.get("/admin/requests?kind=refund")).body)).toEqual([refundTicket]);
      expect(ids((await support.get("/admin/requests?assigned=me")).body)).toEqual([questionTicket]);
      expect(ids((await support.get("/admin/requests?assigned=none&kind=question")).body)).toEqual([]);
      for (const bad of ["status=pending", "kind=nonsense", "assigned=nobody-known"]) {
        const page = await support.get(`/admin/requests?${bad}`);
        expect(page.statusCode, bad).toBe(400);
        expect(page.body).toContain("This filter is not valid");
        expect(page.body).toContain('name="status"');
      }
    });
  });

  describe("GET /admin/requests/:id", () => {
    it("200: the request, its customer, the linked service and invoice, the messages; actions by role", async () => {
      const billing = await staff("billing");
      const page = await billing.get(`/admin/requests/${paidAdjustTicket}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("Please help with this invoice-adjustment.");
      expect(page.body).toContain("Ana Tremblay (customer)");
      expect(page.body).toContain(`#${paidInvoice} — $192.00 (paid $192.00) — Paid`);
      expect(page.body).toContain(`action="/admin/requests/${paidAdjustTicket}/refund"`);
      expect(page.body).toContain("a paid invoice is never edited");
      // Billing replies but does not assign or close (support's work).
      expect(page.body).toContain(`action="/admin/requests/${paidAdjustTicket}/reply"`);
      expect(page.body).not.toContain(`/assign"`);
      const support = await staff("support");
      const theirs = await support.get(`/admin/requests/${refundTicket}`);
      expect(theirs.body).toContain(`/admin/requests/${refundTicket}/assign`);
      expect(theirs.body).not.toContain(`action="/admin/requests/${refundTicket}/refund"`);
      const deletion = await support.get(`/admin/requests/${deletionTicket}`);
      expect(deletion.body).toContain(`href="/admin/requests/${deletionTicket}/delete-domain"`);
    });

    it("404 for an unknown or malformed id; 303 to sign in for a visitor", async () => {
      const admin = await staff("admin");
      expect((await admin.get("/admin/requests/999999")).statusCode).toBe(404);
      expect((await admin.get("/admin/requests/abc")).statusCode).toBe(404);
      expect((await f.client().get(`/admin/requests/${refundTicket}`)).statusCode).toBe(303);
    });
  });

  describe("assign, reply, close, reopen", () => {
    it("assign: to me or to another member, audited; unchanged is said; an unknown member is a 400", async () => {
      const support = await staff("support");
      await staff("billing");
      const billingId = (
        await f.deps.db
          .selectFrom("staff")
          .select("id")
          .where("email", "=", "billing@staff.test")
          .executeTakeFirstOrThrow()
      ).id;
      await support.get(`/admin/requests/${refundTicket}`);
      const mine = await support.post(`/admin/requests/${refundTicket}/assign`, { staff: "me" });
      expect(mine.statusCode).toBe(303);
      expect((await support.get(mine.headers.location as string)).body).toContain(
        "Request assigned to support staff.",
      );
      const again = await support.post(`/admin/requests/${refundTicket}/assign`, { staff: "me" });
      expect((await support.get(again.headers.location as string)).body).toContain("Nothing changed");
      await support.post(`/admin/requests/${refundTicket}/assign`, { staff: billingId });
      const row = await f.deps.db
        .selectFrom("tickets")
        .select(["assigned_staff_id", "updated_at"])
        .where("id", "=", refundTicket)
        .executeTakeFirstOrThrow();
      expect(row.assigned_staff_id).toBe(billingId);
      expect(Number(row.updated_at)).toBe(f.clock.now());
      const bad = await support.post(`/admin/requests/${refundTicket}/assign`, { staff: "someone-else" });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain("Choose an active staff member.");
      const audit = await listAudit(f.deps.db, { objectType: "ticket", objectId: String(refundTicket) });
      expect(audit.map((l) => l.action)).toEqual(["ticket.assigned", "ticket.assigned"]);
      expect(audit[0]?.after).toEqual({ assignedTo: billingId });
      expect(audit[0]?.staffEmail).toBe("support@staff.test");
    });

    it("assign: 403 for billing, 403 without the CSRF token, 404 for an unknown request", async () => {
      const billing = await staff("billing");
      await billing.get("/admin/requests");
      const refused = await billing.post(`/admin/requests/${refundTicket}/assign`, { staff: "me" });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain("This page needs the role");
      const support = await staff("support");
      const noToken = await support.post(
        `/admin/requests/${refundTicket}/assign`,
        { staff: "me" },
        { csrf: false },
      );
      expect(noToken.statusCode).toBe(403);
      expect((await support.post("/admin/requests/999999/assign", { staff: "me" })).statusCode).toBe(404);
      const row = await f.deps.db
        .selectFrom("tickets")
        .select("assigned_staff_id")
        .where("id", "=", refundTicket)
        .executeTakeFirstOrThrow();
      expect(row.assigned_staff_id).toBeNull();
    });

    it("reply: e-mailed to the customer and shown in her client area as from our team; a short one is a 400", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${questionTicket}`);
      const short = await billing.post(`/admin/requests/${questionTicket}/reply`, { body: "ok" });
      expect(short.statusCode).toBe(400);
      expect(short.body).toContain("Enter a reply of 3 to 10,000 characters.");
      const sent = await billing.post(`/admin/requests/${questionTicket}/reply`, {
        body: "Hello Ana, your site is back online.",
      });
      expect(sent.statusCode).toBe(303);
      const replies = await f.deps.db
        .selectFrom("ticket_replies")
        .select(["author", "staff_id", "body"])
        .where("ticket_id", "=", questionTicket)
        .execute();
      expect(replies).toHaveLength(1);
      expect(replies[0]?.author).toBe("staff");
      expect(replies[0]?.staff_id).not.toBeNull();
      const mail = f.mailer.sent.filter((m) => m.subject.startsWith("Reply to your request"));
      expect(mail).toHaveLength(1);
      expect(mail[0]?.subject).toBe(`Reply to your request #${questionTicket}: About question`);
      expect(mail[0]?.text).toContain("Hello Ana, your site is back online.");
      expect(mail[0]?.text).toContain(`https://clients.example/requests/${questionTicket}`);
      const page = await (await customer("ana")).get(`/requests/${questionTicket}`);
      expect(page.body).toContain("Our team");
      expect(page.body).toContain("Hello Ana, your site is back online.");
      const staffPage = await billing.get(`/admin/requests/${questionTicket}`);
      expect(staffPage.body).toContain("billing staff (staff)");
      expect((await listAudit(f.deps.db, { objectId: String(questionTicket) })).map((l) => l.action)).toEqual(
        ["ticket.replied"],
      );
    });

    it("reply: 409 on a closed request, 403 without the CSRF token, 404 for an unknown request", async () => {
      const support = await staff("support");
      await support.get(`/admin/requests/${questionTicket}`);
      expect(
        (await support.post(`/admin/requests/${questionTicket}/reply`, { body: "A reply." }, { csrf: false }))
          .statusCode,
      ).toBe(403);
      await support.post(`/admin/requests/${questionTicket}/close`, {});
      const closed = await support.post(`/admin/requests/${questionTicket}/reply`, { body: "Too late now." });
      expect(closed.statusCode).toBe(409);
      expect(closed.body).toContain("reopen it to reply");
      expect((await support.post("/admin/requests/999999/reply", { body: "Hello there" })).statusCode).toBe(
        404,
      );
      expect(f.mailer.sent.filter((m) => m.subject.startsWith("Reply"))).toHaveLength(0);
    });

    it("close then reopen: ticket.closed recorded, the customer can reply again; billing 403", async () => {
      const billing = await staff("billing");
      await billing.get("/admin/requests");
      expect((await billing.post(`/admin/requests/${questionTicket}/close`, {})).statusCode).toBe(403);
      const support = await staff("support");
      await support.get(`/admin/requests/${questionTicket}`);
      const closed = await support.post(`/admin/requests/${questionTicket}/close`, {});
      expect(closed.statusCode).toBe(303);
      expect((await support.get(closed.headers.location as string)).body).toContain(
        `Request #${questionTicket} closed.`,
      );
      const twice = await support.post(`/admin/requests/${questionTicket}/close`, {});
      expect((await support.get(twice.headers.location as string)).body).toContain("was already closed");
      expect((await eventsOf(f, "ticket.closed")).map((e) => e.ticket)).toEqual([questionTicket]);
      const ana = await customer("ana");
      expect((await ana.get(`/requests/${questionTicket}`)).body).toContain("This request was closed");
      const reopened = await support.post(`/admin/requests/${questionTicket}/reopen`, {});
      expect(reopened.statusCode).toBe(303);
      await ana.get(`/requests/${questionTicket}`);
      expect(
        (await ana.post(`/requests/${questionTicket}/replies`, { body: "Thanks, one more thing." }))
          .statusCode,
      ).toBe(303);
      expect((await support.post("/admin/requests/999999/reopen", {})).statusCode).toBe(404);
      expect((await listAudit(f.deps.db, { objectId: String(questionTicket) })).map((l) => l.action)).toEqual(
        ["ticket.reopened", "ticket.closed"],
      );
    });
  });

  describe("POST /admin/requests/:id/refund", () => {
    const confirmFields = (body: string) =>
      Object.fromEntries(
        [...body.matchAll(/<input type="hidden" name="([a-z]+)" value="([^"]*)">/g)]
          .filter((m) => m[1] !== "_csrf")
          .map((m) => [m[1] ?? "", (m[2] ?? "").replace(/&#39;/g, "'").replace(/&amp;/g, "&")]),
      );

    it("confirms first, then refunds once through the gateway, with a credit note the customer sees", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${refundTicket}`);
      const review = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "50.00",
        reason: "Unused months",
      });
      expect(review.statusCode).toBe(200);
      expect(review.body).toContain(
        `$50.00 will be refunded now to the card that paid invoice #${paidInvoice}`,
      );
      expect(review.body).toContain("at most $142.00 more can be refunded");
      expect(f.gateway.refunds()).toHaveLength(0);
      const fields = confirmFields(review.body);
      expect(fields).toMatchObject({ payment: String(paymentId), amount: "50.00", seq: "1", confirm: "yes" });
      const done = await billing.post(`/admin/requests/${refundTicket}/refund`, fields);
      expect(done.statusCode).toBe(303);
      const flash = await billing.get(done.headers.location as string);
      expect(flash.body).toContain(`Refunded $50.00 on invoice #${paidInvoice}.`);
      // The same confirmation posted again (a double click, a retry): still one refund.
      const again = await billing.post(`/admin/requests/${refundTicket}/refund`, fields);
      expect(again.statusCode).toBe(303);
      expect(f.gateway.refunds().map((r) => r.amount)).toEqual([5000]);
      const notes = await f.deps.db.selectFrom("credit_notes").selectAll().execute();
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatchObject({
        invoice_id: paidInvoice,
        customer_id: "ana",
        kind: "refund",
        reason: "Unused months",
        created_by: "staff:billing@staff.test",
      });
      expect(Number(notes[0]?.amount)).toBe(5000);
      const events = await eventsOf(f, "payment.refunded");
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        invoice: paidInvoice,
        by: "staff:billing@staff.test",
        reason: "Unused months",
      });
      const audit = await listAudit(f.deps.db, { objectId: String(refundTicket) });
      expect(audit.map((l) => l.action)).toEqual(["payment.refund-requested"]);
      expect(audit[0]?.after).toMatchObject({ payment: paymentId, invoice: paidInvoice, amount: 5000 });
      // The customer sees the credit note on her invoice, and gets the refund notice.
      const invoicePage = await (await customer("ana")).get(`/invoices/${paidInvoice}`);
      expect(invoicePage.body).toContain("Credit notes");
      expect(invoicePage.body).toContain("Refund to your card");
      expect(invoicePage.body).toContain("Unused months");
      expect(f.mailer.sent.some((m) => m.subject.startsWith("Refund of $50.00"))).toBe(true);
      // The request's page lists it.
      const page = await billing.get(`/admin/requests/${refundTicket}`);
      expect(page.body).toContain("Refunded</span>");
      expect(page.body).toContain("$142.00");
    });

    it("400 over the limit, with the maximum; the limit counts what was already refunded", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${refundTicket}`);
      const over = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "192.01",
        reason: "Too much",
      });
      expect(over.statusCode).toBe(400);
      expect(over.body).toContain("at most $192.00 can be refunded on it");
      const first = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "150",
        reason: "Most of it",
      });
      await billing.post(`/admin/requests/${refundTicket}/refund`, confirmFields(first.body));
      const second = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "42,01",
        reason: "The rest and more",
      });
      expect(second.statusCode).toBe(400);
      expect(second.body).toContain("at most $42.00 can be refunded on it");
      // A confirmation for more than is left (made before another refund) is refused too.
      const stale = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "50",
        reason: "Stale page",
        seq: "1",
        confirm: "yes",
      });
      expect(stale.statusCode).toBe(409);
      expect(stale.body).toContain("Another refund was made on this payment since this confirmation");
      const tooMuch = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "50",
        reason: "Past the limit",
        seq: "2",
        confirm: "yes",
      });
      expect(tooMuch.statusCode).toBe(400);
      expect(tooMuch.body).toContain("at most $42.00 can be refunded on it");
      expect(f.gateway.refunds().map((r) => r.amount)).toEqual([15000]);
      const sum = f.gateway.refunds().reduce((s, r) => s + r.amount, 0);
      expect(sum).toBeLessThanOrEqual(PRICE);
    });

    it("400 for a bad amount or reason, 404 for another customer's payment, 403 for support and without the token", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${refundTicket}`);
      for (const amount of ["", "abc", "-5", "0", "1.234"]) {
        const bad = await billing.post(`/admin/requests/${refundTicket}/refund`, {
          payment: String(paymentId),
          amount,
          reason: "Whatever it is",
        });
        expect(bad.statusCode, amount).toBe(400);
      }
      const noReason = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "5",
        reason: "",
      });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.body).toContain("Enter a reason of 3 to 500 characters.");
      await payInvoice(
        f.deps,
        {
          invoiceId: (
            await f.deps.db
              .selectFrom("invoices")
              .select("id")
              .where("service_id", "=", "site-bob")
              .executeTakeFirstOrThrow()
          ).id,
        },
        f.clock.now(),
      );
      const bobPayment = await f.deps.db
        .selectFrom("payments")
        .select("id")
        .where("customer_id", "=", "bob")
        .executeTakeFirstOrThrow();
      const theirs = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(bobPayment.id),
        amount: "5",
        reason: "Not hers",
      });
      expect(theirs.statusCode).toBe(404);
      expect(
        (
          await billing.post(`/admin/requests/${questionTicket}/refund`, {
            payment: String(paymentId),
            amount: "5",
            reason: "A question is not a refund",
          })
        ).statusCode,
      ).toBe(400);
      const support = await staff("support");
      await support.get("/admin/requests");
      const refused = await support.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "5",
        reason: "Support moves no money",
      });
      expect(refused.statusCode).toBe(403);
      const noToken = await billing.post(
        `/admin/requests/${refundTicket}/refund`,
        { payment: String(paymentId), amount: "5", reason: "No token", seq: "1", confirm: "yes" },
        { csrf: false },
      );
      expect(noToken.statusCode).toBe(403);
      expect(
        (await billing.post("/admin/requests/999999/refund", { payment: "1", amount: "1", reason: "xyz" }))
          .statusCode,
      ).toBe(404);
      expect(f.gateway.refunds()).toHaveLength(0);
    });

    it("the gateway times out: the refund stays pending, no credit note; check now settles it once", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${refundTicket}`);
      const gateway = f.gateway;
      const refund = gateway.refund.bind(gateway);
      // The gateway makes the refund but its answer is lost; the next look-up times out too; the
      // one after answers with the refund it made. It is never asked to refund a second time.
      let refundCalls = 0;
      gateway.refund = async (request) => {
        refundCalls += 1;
        await refund(request);
        throw new Error("gateway timeout");
      };
      const lookup = gateway.lookupRefund.bind(gateway);
      let lookups = 0;
      gateway.lookupRefund = async (key) => {
        lookups += 1;
        if (lookups === 2) throw new Error("gateway timeout");
        return lookup(key);
      };
      const review = await billing.post(`/admin/requests/${refundTicket}/refund`, {
        payment: String(paymentId),
        amount: "20",
        reason: "Slow bank",
      });
      const done = await billing.post(`/admin/requests/${refundTicket}/refund`, confirmFields(review.body));
      expect(done.statusCode).toBe(303);
      expect((await billing.get(done.headers.location as string)).body).toContain("is pending");
      const rows = await f.deps.db.selectFrom("refunds").select(["id", "status"]).execute();
      expect(rows.map((r) => r.status)).toEqual(["pending"]);
      expect(await f.deps.db.selectFrom("credit_notes").selectAll().execute()).toEqual([]);
      // The service is due for the engine, which would settle it under the same key.
      const service = await f.deps.db
        .selectFrom("services")
        .select("next_due_at")
        .where("id", "=", "site-ana")
        .executeTakeFirstOrThrow();
      expect(Number(service.next_due_at)).toBeLessThanOrEqual(f.clock.now());
      const page = await billing.get(`/admin/requests/${refundTicket}`);
      const check = `/admin/requests/${refundTicket}/refunds/${rows[0]?.id}/check`;
      expect(page.body).toContain(`action="${check}"`);
      const stillLost = await billing.post(check, {});
      expect((await billing.get(stillLost.headers.location as string)).body).toContain("is pending");
      const settled = await billing.post(check, {});
      expect((await billing.get(settled.headers.location as string)).body).toContain("Refunded $20.00");
      expect(gateway.refunds().map((r) => r.amount)).toEqual([2000]);
      expect(refundCalls).toBe(1);
      expect(await f.deps.db.selectFrom("credit_notes").select("kind").execute()).toEqual([
        { kind: "refund" },
      ]);
      // The engine passing by later changes nothing.
      await runEngine(f.deps, f.clock.now() + 60_000);
      expect(gateway.refunds()).toHaveLength(1);
      expect((await f.deps.db.selectFrom("credit_notes").selectAll().execute()).length).toBe(1);
      expect(
        (await billing.post(`/admin/requests/${refundTicket}/refunds/999999/check`, {})).statusCode,
      ).toBe(404);
    });
  });

  describe("POST /admin/requests/:id/adjust", () => {
    it("a paid invoice is never edited: 400 with the reason, nothing changed", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${paidAdjustTicket}`);
      const lines = await f.deps.db
        .selectFrom("invoice_lines")
        .select("id")
        .where("invoice_id", "=", paidInvoice)
        .execute();
      const forms: Record<string, string>[] = [
        { action: "void", reason: "Please void it" },
        { action: "remove-line", line: String(lines[0]?.id), reason: "Remove it" },
        {
          action: "change-line",
          line: String(lines[0]?.id),
          description: "Cheaper",
          amount: "1",
          reason: "Lower it",
        },
      ];
      for (const form of forms) {
        const refused = await billing.post(`/admin/requests/${paidAdjustTicket}/adjust`, {
          ...form,
          confirm: "yes",
        });
        expect(refused.statusCode, form.action).toBe(400);
        expect(refused.body).toContain("a paid invoice is never edited");
      }
      const invoice = await f.deps.db
        .selectFrom("invoices")
        .select(["status", "total"])
        .where("id", "=", paidInvoice)
        .executeTakeFirstOrThrow();
      expect(invoice.status).toBe("paid");
      expect(Number(invoice.total)).toBe(PRICE);
    });

    it("remove a line: confirmation, then the total recomputed, a credit note, the customer's page and PDF adjusted", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${adjustTicket}`);
      const lines = await f.deps.db
        .selectFrom("invoice_lines")
        .select(["id", "description"])
        .where("invoice_id", "=", openInvoice)
        .orderBy("id")
        .execute();
      const extra = String(lines[1]?.id);
      const review = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "remove-line",
        line: extra,
        reason: "Mailbox never set up",
      });
      expect(review.statusCode).toBe(200);
      expect(review.body).toContain(
        `The line “Extra mailbox setup” ($25.00) will be removed from invoice #${openInvoice}; its total becomes $150.00.`,
      );
      expect(
        (
          await f.deps.db
            .selectFrom("invoice_lines")
            .where("invoice_id", "=", openInvoice)
            .selectAll()
            .execute()
        ).length,
      ).toBe(2);
      const done = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "remove-line",
        line: extra,
        reason: "Mailbox never set up",
        confirm: "yes",
      });
      expect(done.statusCode).toBe(303);
      expect((await billing.get(done.headers.location as string)).body).toContain(
        `Line removed from invoice #${openInvoice}: total $175.00 → $150.00.`,
      );
      const invoice = await f.deps.db
        .selectFrom("invoices")
        .select(["status", "total"])
        .where("id", "=", openInvoice)
        .executeTakeFirstOrThrow();
      expect(invoice.status).toBe("open");
      expect(Number(invoice.total)).toBe(15000);
      const notes = await f.deps.db.selectFrom("credit_notes").selectAll().execute();
      expect(notes.map((n) => [n.kind, Number(n.amount), n.reason])).toEqual([
        ["adjustment", 2500, "Mailbox never set up"],
      ]);
      const audit = await listAudit(f.deps.db, { objectType: "invoice", objectId: String(openInvoice) });
      expect(audit[0]).toMatchObject({ action: "invoice.line-removed", reason: "Mailbox never set up" });
      expect(audit[0]?.after).toMatchObject({ total: 15000, ticket: adjustTicket });
      const ana = await customer("ana");
      const page = await ana.get(`/invoices/${openInvoice}`);
      expect(page.body).not.toContain("Extra mailbox setup");
      expect(page.body).toContain("$150.00");
      expect(page.body).toContain("Adjustment");
      const pdf = await ana.get(`/invoices/${openInvoice}/pdf`);
      const text = pdfText(pdf.rawPayload);
      expect(text).toContain("Website migration");
      expect(text).not.toContain("Extra mailbox setup");
      expect(text.join(" ")).toContain("$150.00");
      // The request's page shows the action in its trail.
      expect((await billing.get(`/admin/requests/${adjustTicket}`)).body).toContain("invoice.line-removed");
    });

    it("change a line; void the invoice; removing the last line is refused; support 403; 403 without the token", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${adjustTicket}`);
      const lines = await f.deps.db
        .selectFrom("invoice_lines")
        .select("id")
        .where("invoice_id", "=", openInvoice)
        .orderBy("id")
        .execute();
      const first = String(lines[0]?.id);
      const badAmount = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "change-line",
        line: first,
        description: "Website migration (discounted)",
        amount: "lots",
        reason: "Discount agreed",
      });
      expect(badAmount.statusCode).toBe(400);
      const noReason = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "void",
        reason: "",
      });
      expect(noReason.statusCode).toBe(400);
      const changed = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "change-line",
        line: first,
        description: "Website migration (discounted)",
        amount: "120,00",
        reason: "Discount agreed",
        confirm: "yes",
      });
      expect(changed.statusCode).toBe(303);
      const invoice = await f.deps.db
        .selectFrom("invoices")
        .select("total")
        .where("id", "=", openInvoice)
        .executeTakeFirstOrThrow();
      expect(Number(invoice.total)).toBe(14500);
      const support = await staff("support");
      await support.get("/admin/requests");
      expect(
        (await support.post(`/admin/requests/${adjustTicket}/adjust`, { action: "void", reason: "No money" }))
          .statusCode,
      ).toBe(403);
      expect(
        (
          await billing.post(
            `/admin/requests/${adjustTicket}/adjust`,
            { action: "void", reason: "No token", confirm: "yes" },
            { csrf: false },
          )
        ).statusCode,
      ).toBe(403);
      const review = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "void",
        reason: "Duplicate invoice",
      });
      expect(review.statusCode).toBe(200);
      expect(review.body).toContain(`Invoice #${openInvoice} ($145.00) will be voided now`);
      const voided = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "void",
        reason: "Duplicate invoice",
        confirm: "yes",
      });
      expect((await billing.get(voided.headers.location as string)).body).toContain(
        `Invoice #${openInvoice} ($145.00) voided.`,
      );
      expect((await eventsOf(f, "invoice.voided")).map((e) => e.invoice)).toEqual([openInvoice]);
      const after = await billing.post(`/admin/requests/${adjustTicket}/adjust`, {
        action: "void",
        reason: "Again",
        confirm: "yes",
      });
      expect(after.statusCode).toBe(400);
      expect(after.body).toContain("is void");
      expect(
        (await billing.post("/admin/requests/999999/adjust", { action: "void", reason: "Nope" })).statusCode,
      ).toBe(404);
    });

    it("nothing may be left to pay by a line change: void instead (400)", async () => {
      const billing = await staff("billing");
      await billing.get(`/admin/requests/${deletionTicket}`);
      const single = await ticket("ana", "invoice-adjustment", { invoiceId: domainInvoice });
      const line = await f.deps.db
        .selectFrom("invoice_lines")
        .select("id")
        .where("invoice_id", "=", domainInvoice)
        .executeTakeFirstOrThrow();
      const refused = await billing.post(`/admin/requests/${single}/adjust`, {
        action: "remove-line",
        line: String(line.id),
        reason: "Drop it",
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain("void the whole invoice instead");
    });
  });

  describe("domain deletion", () => {
    it("two steps: a warning in both languages, then only the typed name deletes it", async () => {
      const support = await staff("support", "fr-CA");
      const page = await support.get(`/admin/requests/${deletionTicket}/delete-domain`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("Deleting ana-bakery.com is irreversible.");
      expect(page.body).toContain("La suppression de ana-bakery.com est irréversible.");
      expect(page.body).toContain("Pour confirmer, tapez le nom de domaine (ana-bakery.com)");
      const without = await support.post(`/admin/requests/${deletionTicket}/delete-domain`, {
        confirm: "yes",
        name: "",
      });
      expect(without.statusCode).toBe(400);
      expect(without.body).toContain("Tapez exactement le nom de domaine (ana-bakery.com)");
      const wrong = await support.post(`/admin/requests/${deletionTicket}/delete-domain`, {
        confirm: "yes",
        name: "ana-bakery.net",
        reply: "Deleted.",
      });
      expect(wrong.statusCode).toBe(400);
      expect(f.registrar.deletions).toEqual([]);
      expect(await f.registrar.info("ana-bakery.com")).not.toBeNull();
      const done = await support.post(`/admin/requests/${deletionTicket}/delete-domain`, {
        confirm: "yes",
        name: "ANA-BAKERY.COM ",
        reply: "Your domain was deleted as you asked.",
      });
      expect(done.statusCode).toBe(303);
      expect((await support.get(done.headers.location as string)).body).toContain(
        `Le domaine ana-bakery.com a été supprimé auprès du registre\u202f; factures annulées\u00a0: nº\u00a0${domainInvoice}.`,
      );
      expect(f.registrar.deletions).toEqual(["ana-bakery.com"]);
      expect(await f.registrar.info("ana-bakery.com")).toBeNull();
      const service = await f.deps.db
        .selectFrom("services")
        .select(["status", "next_due_at"])
        .where("id", "=", "dom-ana")
        .executeTakeFirstOrThrow();
      expect(service).toEqual({ status: "deleted", next_due_at: null });
      const invoice = await f.deps.db
        .selectFrom("invoices")
        .select("status")
        .where("id", "=", domainInvoice)
        .executeTakeFirstOrThrow();
      expect(invoice.status).toBe("void");
      expect(await eventsOf(f, "domain.deleted")).toEqual([
        { service: "dom-ana", name: "ana-bakery.com", by: "staff:support.fr@staff.test" },
      ]);
      const t = await f.deps.db
        .selectFrom("tickets")
        .select("status")
        .where("id", "=", deletionTicket)
        .executeTakeFirstOrThrow();
      expect(t.status).toBe("closed");
      expect(f.mailer.sent.map((m) => m.subject)).toContain(
        `Reply to your request #${deletionTicket}: About domain-deletion`,
      );
      const audit = await listAudit(f.deps.db, { objectType: "domain", objectId: "dom-ana" });
      expect(audit.map((l) => l.action)).toEqual(["domain.deleted"]);
      // Posted again: nothing more happens at the registry.
      const again = await support.post(`/admin/requests/${deletionTicket}/delete-domain`, {
        confirm: "yes",
        name: "ana-bakery.com",
        reply: "Again",
      });
      expect(again.statusCode).toBe(409);
      expect(f.registrar.deletions).toEqual(["ana-bakery.com"]);
      // The engine never renews it nor sends a notice about it again, even past its expiry.
      const before = await f.deps.db
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("service_id", "=", "dom-ana")
        .executeTakeFirstOrThrow();
      for (const when of [
        "2022-05-21T00:00:00Z",
        "2022-06-20T00:00:00Z",
        "2022-08-20T00:00:00Z",
        "2023-06-20T00:00:00Z",
      ]) {
        await runEngine(f.deps, at(when));
      }
      const after = await f.deps.db
        .selectFrom("events")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("service_id", "=", "dom-ana")
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      expect(
        await f.deps.db
          .selectFrom("invoices")
          .select("id")
          .where("service_id", "=", "dom-ana")
          .where("status", "=", "open")
          .execute(),
      ).toEqual([]);
      expect(f.registrar.renewals.filter((r) => r.name === "ana-bakery.com")).toEqual([]);
      expect((await (await customer("ana")).get("/domains/dom-ana")).body).toContain("Deleted");
    });

    it("403 for billing, 403 without the token, 400 for a request of another kind, 404 for an unknown one", async () => {
      const billing = await staff("billing");
      expect((await billing.get(`/admin/requests/${deletionTicket}/delete-domain`)).statusCode).toBe(403);
      await billing.get("/admin/requests");
      expect(
        (
          await billing.post(`/admin/requests/${deletionTicket}/delete-domain`, {
            confirm: "yes",
            name: "ana-bakery.com",
          })
        ).statusCode,
      ).toBe(403);
      const support = await staff("support");
      await support.get(`/admin/requests/${deletionTicket}/delete-domain`);
      expect(
        (
          await support.post(
            `/admin/requests/${deletionTicket}/delete-domain`,
            { confirm: "yes", name: "ana-bakery.com", reply: "Deleted." },
            { csrf: false },
          )
        ).statusCode,
      ).toBe(403);
      expect((await support.get(`/admin/requests/${questionTicket}/delete-domain`)).statusCode).toBe(400);
      expect((await support.get("/admin/requests/999999/delete-domain")).statusCode).toBe(404);
      expect(f.registrar.deletions).toEqual([]);
    });
  });
});
