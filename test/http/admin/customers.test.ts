/**
 * Back office, customers: search by each key, a customer's page, and acting for a customer — each
 * action refused to the wrong role, asking for a reason, confirming first when it cancels or
 * charges, and leaving its audit line and the staff member's mark on its event.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../../src/engine/run-engine.js";
import { listAudit } from "../../../src/modules/staff/audit-log.js";
import { at } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

const ANA = "/admin/customers/ana";

async function eventsOf(f: HttpFixture, type: string, service?: string) {
  let query = f.deps.db.selectFrom("events").select(["details", "service_id"]).where("type", "=", type);
  if (service) query = query.where("service_id", "=", service);
  return (await query.orderBy("id").execute()).map((e) => JSON.parse(e.details) as Record<string, unknown>);
}

describe.each(DIALECTS)("back office: customers (%s)", (dialect) => {
  let f: HttpFixture;
  let invoiceId: number;

  async function staff(role: "admin" | "billing" | "support"): Promise<HttpClient> {
    const member = await f.addStaffMember(role);
    const client = f.client();
    expect((await client.staffLogin(member.email)).headers.location).toBe("/admin");
    return client;
  }

  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("ana");
    await f.addLogin("bob");
    await f.deps.db.updateTable("customers").set({ name: "Ana Tremblay" }).where("id", "=", "ana").execute();
    await f.deps.db.updateTable("customers").set({ name: "Bob Gagnon" }).where("id", "=", "bob").execute();
    await f.addHosting("site-ana", "ana", "2021-04-15T14:00:00Z");
    await f.addDomain("dom-ana", "ana", "ana-bakery.com", "2021-06-20");
    await f.addDomain("dom-old", "ana", "ana-old.com", "2021-03-01", { autoRenew: false });
    await f.addDomain("dom-bob", "bob", "bob-plumbing.com", "2021-06-20");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    f.clock.set(at("2022-04-02T09:00:00Z"));
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "site-ana")
      .executeTakeFirstOrThrow();
    invoiceId = invoice.id;
  });
  afterEach(async () => {
    await f.dispose();
  });

  describe("search", () => {
    it("a visitor is sent to sign in; every role may search", async () => {
      expect((await f.client().get("/admin/customers?q=ana")).statusCode).toBe(303);
      for (const role of ["admin", "billing", "support"] as const) {
        const page = await (await staff(role)).get("/admin/customers");
        expect(page.statusCode).toBe(200);
        expect(page.body).toContain("Ana Tremblay");
        expect(page.body).toContain("Bob Gagnon");
      }
    });

    it("finds by name, e-mail, domain name and invoice number, and says which key matched", async () => {
      const client = await staff("support");
      const names = async (q: string) => {
        const page = await client.get(`/admin/customers?q=${encodeURIComponent(q)}`);
        expect(page.statusCode).toBe(200);
        return {
          body: page.body,
          found: ["Ana Tremblay", "Bob Gagnon"].filter((name) => page.body.includes(`>${name}</a>`)),
        };
      };
      expect((await names("tremblay")).found).toEqual(["Ana Tremblay"]);
      expect((await names("bob@example")).found).toEqual(["Bob Gagnon"]);
      const byDomain = await names("ANA-BAKERY");
      expect(byDomain.found).toEqual(["Ana Tremblay"]);
      expect(byDomain.body).toContain("domain: ana-bakery.com");
      const byInvoice = await names(`#${invoiceId}`);
      expect(byInvoice.found).toEqual(["Ana Tremblay"]);
      expect(byInvoice.body).toContain(`invoice: #${invoiceId}`);
      expect((await names(String(invoiceId + 1000))).found).toEqual([]);
      // LIKE wildcards are searched for as text.
      expect((await names("%")).found).toEqual([]);
      expect((await names("zzz")).body).toContain("No customer matches");
    });

    it("pages through the results, and refuses a bad page or a query too long (400)", async () => {
      for (let i = 0; i < 26; i += 1) await f.addCustomer(`extra-${String(i).padStart(2, "0")}`, "ok");
      const client = await staff("support");
      const first = await client.get("/admin/customers?q=extra");
      expect(first.body).toContain("extra-00");
      expect(first.body).not.toContain("extra-25");
      expect(first.body).toContain("Next page");
      const second = await client.get("/admin/customers?q=extra&page=2");
      expect(second.body).toContain("extra-25");
      expect(second.body).not.toContain(">extra-00<");
      expect((await client.get("/admin/customers?page=0")).statusCode).toBe(400);
      expect((await client.get(`/admin/customers?q=${"x".repeat(201)}`)).statusCode).toBe(400);
    });
  });

  describe("a customer's page", () => {
    it("shows profile, services, domains, invoices, payments, notices, requests, timeline and audit", async () => {
      const client = await staff("support");
      const page = await client.get(ANA);
      expect(page.statusCode).toBe(200);
      const body = page.body;
      expect(body).toContain("ana@example.test");
      expect(body).toContain("Hosting site-ana");
      expect(body).toContain('href="/admin/domains/dom-ana"');
      expect(body).toContain("ana-bakery.com");
      expect(body).toContain(`#${invoiceId}`);
      expect(body).toContain("Invoice notice");
      expect(body).toContain("queued");
      expect(body).toContain("invoice.issued");
      expect(body).toContain("Staff actions");
      // Support moves no money: no cancellation or payment link links for them.
      expect(body).not.toContain("/payment-link");
      expect(body).not.toContain('/cancel"');
      expect(body).toContain("/auto-renew?on=off");
      // Billing sees the money actions.
      const billing = await (await staff("billing")).get(ANA);
      expect(billing.body).toContain(`/admin/customers/ana/invoices/${invoiceId}/payment-link`);
      expect(billing.body).toContain("/admin/customers/ana/services/site-ana/cancel");
    });

    it("an unknown customer is a 404; a visitor goes to sign in", async () => {
      expect((await (await staff("support")).get("/admin/customers/nobody")).statusCode).toBe(404);
      expect((await f.client().get(ANA)).statusCode).toBe(303);
    });
  });

  describe("request and withdraw a cancellation", () => {
    const CANCEL = `${ANA}/services/site-ana/cancel`;

    it("billing: form, confirmation, then the request — attributed, audited, its invoice voided", async () => {
      const client = await staff("billing");
      expect((await client.get(CANCEL)).statusCode).toBe(200);
      const missing = await client.post(CANCEL, { when: "end-of-term", reason: "" });
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain("Give a reason");
      expect((await client.post(CANCEL, { when: "someday", reason: "Customer called" })).statusCode).toBe(
        400,
      );
      const confirm = await client.post(CANCEL, { when: "end-of-term", reason: "Customer called us" });
      expect(confirm.statusCode).toBe(200);
      expect(confirm.body).toContain(`Open invoice #${invoiceId}`);
      expect(confirm.body).toContain('name="confirm" value="yes"');
      expect(await f.deps.db.selectFrom("cancellation_requests").selectAll().execute()).toEqual([]);

      const done = await client.post(CANCEL, {
        when: "end-of-term",
        reason: "Customer called us",
        confirm: "yes",
      });
      expect(done.statusCode).toBe(303);
      expect(done.headers.location).toBe(ANA);
      const flash = await client.get(ANA);
      expect(flash.body).toContain("Cancellation of Hosting site-ana requested");
      expect(flash.body).toContain(`Voided: #${invoiceId} ($192.00)`);
      const request = await f.deps.db
        .selectFrom("cancellation_requests")
        .selectAll()
        .executeTakeFirstOrThrow();
      expect(request.requested_by).toBe("staff:billing@staff.test");
      expect(request.reason).toBe("Customer called us");
      const [event] = await eventsOf(f, "service.cancellation_requested", "site-ana");
      expect(event?.by).toBe("staff:billing@staff.test");
      const invoice = await f.deps.db
        .selectFrom("invoices")
        .select("status")
        .where("id", "=", invoiceId)
        .executeTakeFirstOrThrow();
      expect(invoice.status).toBe("void");
      const [line] = await listAudit(f.deps.db, { customerId: "ana" });
      expect(line).toMatchObject({
        action: "service.cancellation_requested",
        objectType: "service",
        objectId: "site-ana",
        staffEmail: "billing@staff.test",
        reason: "Customer called us",
        before: { cancellation: "none" },
        after: { cancellation: "pending", when: "end-of-term" },
      });
      expect(flash.body).toContain("service.cancellation_requested");

      // A second request is refused, without a second audit line.
      await client.post(CANCEL, { when: "immediate", reason: "Again", confirm: "yes" });
      expect((await client.get(ANA)).body).toContain("already pending");
      expect(await listAudit(f.deps.db, { customerId: "ana" })).toHaveLength(1);

      // Withdrawn: attributed and audited too.
      const WITHDRAW = `${ANA}/services/site-ana/withdraw`;
      expect((await client.get(WITHDRAW)).body).toContain("Customer called us");
      expect((await client.post(WITHDRAW, { reason: "" })).statusCode).toBe(400);
      const withdrawn = await client.post(WITHDRAW, { reason: "Changed their mind" });
      expect(withdrawn.statusCode).toBe(303);
      expect((await client.get(ANA)).body).toContain("was withdrawn");
      const [w] = await eventsOf(f, "service.cancellation_withdrawn", "site-ana");
      expect(w?.by).toBe("staff:billing@staff.test");
      const lines = await listAudit(f.deps.db, { customerId: "ana" });
      expect(lines[0]).toMatchObject({
        action: "service.cancellation_withdrawn",
        reason: "Changed their mind",
      });
      expect((await client.post(WITHDRAW, { reason: "Once more" })).headers.location).toBe(ANA);
      expect((await client.get(ANA)).body).toContain("No cancellation is pending");
    });

    it("support is refused (403); CSRF is required; another customer's service is a 404", async () => {
      const support = await staff("support");
      expect((await support.get(CANCEL)).statusCode).toBe(403);
      expect(
        (await support.post(CANCEL, { when: "immediate", reason: "x y z", confirm: "yes" })).statusCode,
      ).toBe(403);
      const billing = await staff("billing");
      await billing.get(CANCEL);
      const noToken = await billing.post(
        CANCEL,
        { when: "immediate", reason: "x y z", confirm: "yes" },
        { csrf: false },
      );
      expect(noToken.statusCode).toBe(403);
      expect((await billing.get("/admin/customers/bob/services/site-ana/cancel")).statusCode).toBe(404);
      expect((await billing.post(`${ANA}/services/nothing/withdraw`, { reason: "x y z" })).statusCode).toBe(
        404,
      );
      expect(await f.deps.db.selectFrom("cancellation_requests").selectAll().execute()).toEqual([]);
      expect((await f.client().post(CANCEL, { when: "immediate", reason: "x y z" })).statusCode).toBe(303);
    });
  });

  describe("auto-renew of a domain (care: admin, support)", () => {
    const SWITCH = `${ANA}/domains/dom-ana/auto-renew`;

    it("support turns it off with a reason: attributed and audited with before and after", async () => {
      const client = await staff("support");
      const page = await client.get(`${SWITCH}?on=off`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("expires on 2022-06-20");
      expect((await client.post(SWITCH, { on: "off", reason: "" })).statusCode).toBe(400);
      expect((await client.post(SWITCH, { on: "maybe", reason: "Asked by phone" })).statusCode).toBe(400);
      const done = await client.post(SWITCH, { on: "off", reason: "Asked by phone" });
      expect(done.statusCode).toBe(303);
      expect((await client.get(ANA)).body).toContain("Auto-renew of ana-bakery.com is now off");
      const domain = await f.deps.db
        .selectFrom("domains")
        .select("auto_renew")
        .where("service_id", "=", "dom-ana")
        .executeTakeFirstOrThrow();
      expect(Number(domain.auto_renew)).toBe(0);
      const events = await eventsOf(f, "domain.auto_renew_changed", "dom-ana");
      expect(events.at(-1)).toMatchObject({ on: false, by: "staff:support@staff.test" });
      const [line] = await listAudit(f.deps.db, { objectId: "dom-ana" });
      expect(line).toMatchObject({
        action: "domain.auto_renew_changed",
        reason: "Asked by phone",
        before: { autoRenew: true },
        after: { autoRenew: false },
      });
      // The same again changes nothing and writes no second line.
      await client.post(SWITCH, { on: "off", reason: "Asked by phone" });
      expect((await client.get(ANA)).body).toContain("already off");
      expect(await listAudit(f.deps.db, { objectId: "dom-ana" })).toHaveLength(1);
    });

    it("billing is refused (403), CSRF is required, another customer's domain is a 404", async () => {
      expect(
        (await (await staff("billing")).post(SWITCH, { on: "off", reason: "Asked by phone" })).statusCode,
      ).toBe(403);
      const support = await staff("support");
      await support.get(`${SWITCH}?on=off`);
      expect((await support.post(SWITCH, { on: "off", reason: "Asked" }, { csrf: false })).statusCode).toBe(
        403,
      );
      expect((await support.get("/admin/customers/bob/domains/dom-ana/auto-renew?on=off")).statusCode).toBe(
        404,
      );
      expect(
        (await support.post(`${ANA}/domains/nothing/auto-renew`, { on: "off", reason: "Asked" })).statusCode,
      ).toBe(404);
    });
  });

  describe("reactivate a domain (charges the card: money)", () => {
    const REACTIVATE = `${ANA}/domains/dom-old/reactivate`;

    it("shows the price first, then charges once, audited with the invoice", async () => {
      const support = await staff("support");
      expect((await support.get(REACTIVATE)).statusCode).toBe(403);
      const client = await staff("billing");
      const page = await client.get(REACTIVATE);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("Charge $20.00 and reactivate");
      expect((await client.post(REACTIVATE, { reason: "", confirm: "yes" })).statusCode).toBe(400);
      // Without the confirmation page's own field, only the page again: nothing charged.
      expect((await client.post(REACTIVATE, { reason: "Customer paid by phone" })).statusCode).toBe(200);
      expect(
        await f.deps.db.selectFrom("payments").selectAll().where("customer_id", "=", "ana").execute(),
      ).toHaveLength(0);
      const done = await client.post(REACTIVATE, { reason: "Customer asked to keep it", confirm: "yes" });
      expect(done.statusCode).toBe(303);
      expect((await client.get(ANA)).body).toContain("ana-old.com is reactivated");
      await client.post(REACTIVATE, { reason: "Customer asked to keep it", confirm: "yes" });
      const payments = await f.deps.db
        .selectFrom("payments")
        .innerJoin("invoices", "invoices.id", "payments.invoice_id")
        .select(["payments.status", "invoices.id", "invoices.purpose"])
        .where("invoices.service_id", "=", "dom-old")
        .execute();
      expect(payments).toEqual([expect.objectContaining({ status: "succeeded", purpose: "reactivation" })]);
      const [line] = await listAudit(f.deps.db, { objectId: "dom-old" });
      expect(line).toMatchObject({
        action: "domain.reactivation_charged",
        reason: "Customer asked to keep it",
        after: { invoice: payments[0]?.id },
      });
    });

    it("a domain that cannot be reactivated says so; unknown is 404", async () => {
      const client = await staff("billing");
      const page = await client.get(`${ANA}/domains/dom-ana/reactivate`);
      expect(page.body).toContain("cannot be reactivated now");
      expect((await client.get(`${ANA}/domains/dom-bob/reactivate`)).statusCode).toBe(404);
    });
  });

  describe("send a payment link (money)", () => {
    const LINK = () => `${ANA}/invoices/${invoiceId}/payment-link`;

    it("e-mails the invoice's link once per page, attributed and audited", async () => {
      const client = await staff("billing");
      const page = await client.get(LINK());
      expect(page.statusCode).toBe(200);
      const key = /name="key" value="(\d+)"/.exec(page.body)?.[1] ?? "";
      expect(key).not.toBe("");
      expect((await client.post(LINK(), { reason: "", key })).statusCode).toBe(400);
      const sent = await client.post(LINK(), { reason: "Customer lost the e-mail", key });
      expect(sent.statusCode).toBe(303);
      expect((await client.get(ANA)).body).toContain(
        `Payment link for invoice #${invoiceId} ($192.00) sent to ana@example.test`,
      );
      // Sent twice from the same page: one e-mail.
      await client.post(LINK(), { reason: "Customer lost the e-mail", key });
      const mails = f.mailer.sent.filter((mail) => mail.subject.startsWith("Pay invoice"));
      expect(mails).toHaveLength(1);
      expect(mails[0]?.to).toBe("ana@example.test");
      expect(mails[0]?.text).toContain(`https://clients.example/invoices/${invoiceId}`);
      const notices = await f.deps.db
        .selectFrom("notices")
        .select(["status"])
        .where("template", "=", "payment-link")
        .execute();
      expect(notices).toEqual([{ status: "sent" }]);
      const sentEvents = (await eventsOf(f, "notice.sent")).filter((e) => e.template === "payment-link");
      expect(sentEvents).toEqual([expect.objectContaining({ by: "staff:billing@staff.test" })]);
      const lines = await listAudit(f.deps.db, { objectType: "invoice", objectId: String(invoiceId) });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        action: "invoice.payment_link_sent",
        reason: "Customer lost the e-mail",
      });
    });

    it("support is refused; CSRF required; another customer's or an unknown invoice is a 404", async () => {
      expect((await (await staff("support")).get(LINK())).statusCode).toBe(403);
      const client = await staff("billing");
      await client.get(LINK());
      expect((await client.post(LINK(), { reason: "Lost it", key: "1" }, { csrf: false })).statusCode).toBe(
        403,
      );
      expect((await client.get(`/admin/customers/bob/invoices/${invoiceId}/payment-link`)).statusCode).toBe(
        404,
      );
      expect(
        (await client.post(`${ANA}/invoices/99999/payment-link`, { reason: "Lost it", key: "1" })).statusCode,
      ).toBe(404);
      expect((await client.get(`${ANA}/invoices/abc/payment-link`)).statusCode).toBe(404);
      expect(f.mailer.sent.filter((mail) => mail.subject.startsWith("Pay invoice"))).toHaveLength(0);
    });
  });
});
