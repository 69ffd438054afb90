/**
 * Domains > Domains (seed 000) and the auto-renew rules of seed 004 through the client area: the
 * list with its Status column and prices, one domain's page, auto-renew off (confirmed first,
 * voiding the open renewal invoice or asking for an adjustment), reactivation, transfer code.
 */
import { afterEach, describe, expect, it } from "vitest";
import { fromDbBool } from "../../src/db/columns.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import { importDomain } from "../../src/modules/domains/import-domain.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import { at, eventTypes, snapshot } from "../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

/** Registered 2021-04-15 at squarespace-domains (seed 004): charge 03-31, expiry 2022-04-15. */
const SEED_004 = "2021-04-15T14:00:00Z";

async function signIn(f: HttpFixture, id = "c1"): Promise<HttpClient> {
  const client = f.client();
  const response = await client.login(`${id}@example.test`);
  expect(response.statusCode).toBe(303);
  // Signing in starts a new session: take the CSRF token of a page of it, as a browser would.
  await client.get("/domains");
  return client;
}

async function domainRow(f: HttpFixture, id: string) {
  return f.deps.db.selectFrom("domains").selectAll().where("service_id", "=", id).executeTakeFirstOrThrow();
}

async function renewalInvoice(f: HttpFixture, serviceId: string) {
  return f.deps.db
    .selectFrom("invoices")
    .selectAll()
    .where("service_id", "=", serviceId)
    .where("purpose", "=", "renewal")
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
}

/** The table row of one domain on the list page. */
function rowOf(body: string, name: string): string {
  const rows = body.split("<tr>").filter((row) => row.includes(`>${name}</a>`));
  expect(rows).toHaveLength(1);
  return rows[0] ?? "";
}

/** A legacy free domain (registered before 2015-03-05) on a yearly site: no switch (seed 004). */
async function addLegacyFreeDomain(f: HttpFixture, customer: string) {
  await f.addHosting("site1", customer, "2014-01-10T00:00:00Z", "yearly");
  await importDomain(f.deps, {
    id: "legacy",
    customerId: customer,
    name: "legacy-site.com",
    registrar: "squarespace-domains",
    registeredAt: at("2014-06-01T00:00:00Z"),
    years: 8,
    autoRenew: true,
    emailVerified: true,
    siteServiceId: "site1",
    offer: "legacy-free",
    recordedPrice: { amount: 0, currency: "USD" },
  });
}

describe.each(DIALECTS)("GET /domains (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  it("200: every domain with its renewal date, price, switch and status sentence", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await f.addLogin("c1", "declined");
    await f.addLogin("c2");
    await f.addDomain("past", "c1", "past-due.com", SEED_004);
    await f.addDomain("active", "c1", "active.com", "2021-09-01T00:00:00Z");
    await f.addDomain("letgo", "c1", "letgo.com", "2021-06-01T00:00:00Z", { autoRenew: false });
    await f.addDomain("other", "c2", "not-mine.com", SEED_004);
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    f.clock.set(at("2022-04-01T12:00:00Z"));

    const response = await (await signIn(f)).get("/domains");
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).not.toContain("not-mine.com");

    const past = rowOf(body, "past-due.com");
    expect(past).toContain("Past due — next attempt on April 5, 2022");
    expect(past).toContain("April 15, 2022");
    expect(past).toContain("$20.00");
    expect(past).toContain('aria-pressed="true"');
    expect(past).toContain('href="/domains/past"');

    const active = rowOf(body, "active.com");
    expect(active).toContain("Next payment on August 17, 2022");
    expect(active).toContain("September 1, 2022");
    expect(active).toContain("$20.00");

    const letgo = rowOf(body, "letgo.com");
    expect(letgo).toContain("Will expire on June 1, 2022");
    expect(letgo).toContain('aria-pressed="false"');
    expect(letgo).toContain('name="on" value="1"');
    expect(body).toMatch(/<td data-label="Status">/);
  });

  it("200: a domain expired after three declined charges shows Reactivate with its price", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1", "declined");
    await f.addDomain("past", "c1", "past-due.com", SEED_004);
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    await runEngine(f.deps, at("2022-04-05T14:00:00Z"));
    await runEngine(f.deps, at("2022-04-10T14:00:00Z"));
    await runEngine(f.deps, at("2022-04-15T14:00:00Z"));
    f.clock.set(at("2022-04-16T12:00:00Z"));

    const row = rowOf((await (await signIn(f)).get("/domains")).body, "past-due.com");
    expect(row).toContain("Expired — reactivate until June 14, 2022");
    expect(row).toContain('action="/domains/past/reactivate"');
    expect(row).toContain("Reactivate for $20.00");
    expect(row).not.toContain("aria-pressed");
  });

  it("200: a legacy free domain has no switch, renews free while its site stays yearly", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
    await addLegacyFreeDomain(f, "c1");
    const row = rowOf((await (await signIn(f)).get("/domains")).body, "legacy-site.com");
    expect(row).toContain("Renews free while your site stays on a yearly plan");
    expect(row).toContain("Free (legacy offer)");
    expect(row).toContain("Renews free on June 1, 2022");
    expect(row).not.toContain("aria-pressed");
  });

  it("200: in French for a fr-CA customer", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c3", "ok", "fr-CA");
    await f.addDomain("d3", "c3", "exemple.ca", SEED_004);
    const response = await (await signIn(f, "c3")).get("/domains");
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("<h1>Domaines</h1>");
    expect(response.body).toContain("Renouvellement automatique");
    expect(response.body).toContain("Prochain paiement le 31 mars 2022");
    expect(response.body).toContain("20,00");
    expect(response.body).toContain("Activé");
    expect(response.body).toContain("Gérer");
  });

  it("200: a domain suspended for an unverified contact e-mail says so, then when it renews", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
    const { expiresAt } = await importDomain(f.deps, {
      id: "unverified",
      customerId: "c1",
      name: "unverified.com",
      registrar: "squarespace-domains",
      registeredAt: at(SEED_004),
      years: 1,
      autoRenew: true,
      emailVerified: false,
      siteServiceId: null,
      offer: null,
      recordedPrice: { amount: 2000, currency: "USD" },
    });
    f.registrar.register("unverified.com", expiresAt);
    await runEngine(f.deps, at("2021-04-30T14:00:00Z"));
    f.clock.set(at("2021-05-01T12:00:00Z"));
    const row = rowOf((await (await signIn(f)).get("/domains")).body, "unverified.com");
    expect(row).toContain("Suspended: verify the contact e-mail");
    expect(row).toContain("Next payment on March 31, 2022");
  });

  it("200: an unverified new domain shows its verification deadline before it is suspended (list and page)", async () => {
    f = await createHttpFixture(dialect, { now: "2021-04-20T12:00:00Z" });
    await f.addLogin("c1");
    const { expiresAt } = await importDomain(f.deps, {
      id: "unverified",
      customerId: "c1",
      name: "unverified.com",
      registrar: "squarespace-domains",
      registeredAt: at(SEED_004),
      years: 1,
      autoRenew: true,
      emailVerified: false,
      siteServiceId: null,
      offer: null,
      recordedPrice: { amount: 2000, currency: "USD" },
    });
    f.registrar.register("unverified.com", expiresAt);
    await runEngine(f.deps, at("2021-04-20T12:00:00Z"));
    const client = await signIn(f);
    // Seed 004: registered April 15, suspended on April 30 unless the owner verifies by e-mail.
    const deadline = "Verify the contact e-mail by April 30, 2021, or the domain is suspended";
    expect(rowOf((await client.get("/domains")).body, "unverified.com")).toContain(deadline);
    expect((await client.get("/domains/unverified")).body).toContain(deadline);
    // Verified, the deadline is gone.
    await f.deps.db
      .updateTable("domains")
      .set({ email_verified: 1 })
      .where("service_id", "=", "unverified")
      .execute();
    expect((await client.get("/domains")).body).not.toContain("Verify the contact e-mail by");
  });

  it("200: a legacy free domain charges nothing on its timeline, and says it lapses when its site is cancelled first", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-01T12:00:00Z" });
    await f.addLogin("c1");
    await addLegacyFreeDomain(f, "c1");
    const client = await signIn(f);
    const before = (await client.get("/domains/legacy")).body;
    expect(before).toContain("Renews free on June 1, 2022");
    expect(before).not.toMatch(/payment of \$0\.00/i);
    expect(before).not.toContain("with the card");

    await requestCancellation(
      f.deps,
      {
        serviceId: "site1",
        requestedBy: "customer:c1",
        request: { when: "immediate", reason: "Closing the site" },
      },
      f.clock.now(),
    );
    const row = rowOf((await client.get("/domains")).body, "legacy-site.com");
    expect(row).toContain("Free renewal ends with your site on March 1, 2022: will expire on June 1, 2022");
    expect(row).not.toContain("Renews free on");
    const page = (await client.get("/domains/legacy")).body;
    expect(page).toContain("Free renewal ends with your site on March 1, 2022");
    // The timeline no longer announces a renewal: the domain expires, then is released.
    expect(page).not.toContain("Renews, until");
    expect(page).toContain("Expires");
  });

  it("303: an anonymous visitor is sent to sign in", async () => {
    f = await createHttpFixture(dialect);
    const response = await f.client().get("/domains");
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/login?next=%2Fdomains");
  });
});

describe.each(DIALECTS)("GET /domains/:id (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  it("200: the facts, the switch, transfer and deletion, and the timeline", async () => {
    f = await createHttpFixture(dialect, { now: "2021-05-01T12:00:00Z" });
    await f.addLogin("c1");
    await f.addDomain("d1", "c1", "example.com", SEED_004);
    const response = await (await signIn(f)).get("/domains/d1");
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain("<h1>example.com</h1>");
    expect(body).toContain("squarespace-domains");
    expect(body).toContain("<dt>Registered on</dt><dd>April 15, 2021</dd>");
    expect(body).toContain("<dt>Expires on</dt><dd>April 15, 2022</dd>");
    expect(body).toContain("Locked until June 15, 2021");
    expect(body).toContain("Next payment on March 31, 2022");
    expect(body).toContain('aria-pressed="true"');
    expect(body).toContain('name="back" value="/domains/d1"');
    expect(body).toContain('action="/domains/d1/transfer-code"');
    expect(body).toContain('href="/requests/new?kind=domain-deletion&amp;service=d1"');
    expect(body).toContain('id="timeline-title"');
  });

  it("404: another customer's domain, and an unknown id", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
    await f.addLogin("c2");
    await f.addDomain("d2", "c2", "not-mine.com", SEED_004);
    const client = await signIn(f);
    const response = await client.get("/domains/d2");
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain("not-mine.com");
    expect((await client.get("/domains/nope")).statusCode).toBe(404);
  });
});

describe.each(DIALECTS)("POST /domains/:id/auto-renew (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  async function setUp(now: string, card = "ok") {
    f = await createHttpFixture(dialect, { now });
    await f.addLogin("c1", card);
    await f.addLogin("c2");
    await f.addDomain("d1", "c1", "example.com", SEED_004);
    await f.addDomain("d2", "c2", "not-mine.com", SEED_004);
  }

  it("200: turning off first shows the consequence and changes nothing", async () => {
    await setUp("2022-03-01T12:00:00Z");
    const client = await signIn(f);
    await client.get("/domains");
    const before = await snapshot(f.deps);
    const response = await client.post("/domains/d1/auto-renew", { on: "0", back: "/domains" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("Turn off auto-renew for example.com?");
    expect(response.body).toContain("Your domain will not be renewed and will expire on April 15, 2022.");
    expect(response.body).toContain("you can still reactivate it until June 14, 2022");
    expect(response.body).toContain('name="confirm" value="1"');
    expect(response.body).toContain('name="back" value="/domains"');
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(true);
    expect(await snapshot(f.deps)).toEqual(before);
  });

  it("303: confirmed, auto-renew is off, recorded, and the list says when it expires", async () => {
    await setUp("2022-03-01T12:00:00Z");
    const client = await signIn(f);
    await client.get("/domains");
    const response = await client.post("/domains/d1/auto-renew", { on: "0", confirm: "1", back: "/domains" });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/domains");
    const row = await domainRow(f, "d1");
    expect(fromDbBool(row.auto_renew)).toBe(false);
    expect(row.auto_renew_changed_at).toBe(at("2022-03-01T12:00:00Z"));
    expect(await eventTypes(f.deps, "d1")).toContain("domain.auto_renew_changed");
    const page = await client.get("/domains");
    expect(page.body).toContain("Auto-renew is off for example.com: it will expire on April 15, 2022.");
    expect(rowOf(page.body, "example.com")).toContain("Will expire on April 15, 2022");
    // Shown once.
    expect((await client.get("/domains")).body).not.toContain("Auto-renew is off for example.com");
  });

  it("303: after a declined charge, turning off voids the open renewal invoice and names it", async () => {
    await setUp("2022-03-20T12:00:00Z", "declined");
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    f.clock.set(at("2022-04-01T12:00:00Z"));
    const invoice = await renewalInvoice(f, "d1");
    expect(invoice.status).toBe("open");

    const client = await signIn(f);
    const confirm = await client.post("/domains/d1/auto-renew", { on: "0", back: "/domains/d1" });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`The open renewal invoice #${invoice.id} will be voided.`);

    const response = await client.post("/domains/d1/auto-renew", {
      on: "0",
      confirm: "1",
      back: "/domains/d1",
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/domains/d1");
    expect((await renewalInvoice(f, "d1")).status).toBe("void");
    const page = await client.get("/domains/d1");
    expect(page.body).toContain(`Invoice #${invoice.id} was voided.`);
  });

  it("303: an invoice with other items is not voided; the flash links to a pre-filled adjustment request", async () => {
    await setUp("2022-03-20T12:00:00Z", "declined");
    await f.addDomain("d3", "c1", "second.com", "2021-09-01T00:00:00Z");
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    f.clock.set(at("2022-04-01T12:00:00Z"));
    const invoice = await renewalInvoice(f, "d1");
    await f.deps.db
      .insertInto("invoice_lines")
      .values({
        invoice_id: invoice.id,
        service_id: "d3",
        description: "second.com — privacy",
        amount: 500,
        period_start_at: null,
        period_end_at: null,
      })
      .execute();

    const client = await signIn(f);
    const confirm = await client.post("/domains/d1/auto-renew", { on: "0", back: "/domains" });
    expect(confirm.body).toContain(`Invoice #${invoice.id} cannot be voided automatically`);
    const response = await client.post("/domains/d1/auto-renew", { on: "0", confirm: "1", back: "/domains" });
    expect(response.statusCode).toBe(303);
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(false);
    expect((await renewalInvoice(f, "d1")).status).toBe("open");
    const page = await client.get("/domains");
    expect(page.body).toContain(
      `Invoice #${invoice.id} could not be voided automatically (other items): file an invoice-adjustment request.`,
    );
    expect(page.body).toContain(`href="/requests/new?kind=invoice-adjustment&amp;invoice=${invoice.id}"`);
  });

  it("303: switched off less than a day before the charge, the flash says the charge will still be made", async () => {
    await setUp("2022-03-30T20:00:00Z");
    const client = await signIn(f);
    const confirm = await client.post("/domains/d1/auto-renew", { on: "0", back: "/domains" });
    expect(confirm.body).toContain("The charge on March 31, 2022 will still be made");
    const response = await client.post("/domains/d1/auto-renew", { on: "0", confirm: "1", back: "/domains" });
    expect(response.statusCode).toBe(303);
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(false);
    const page = await client.get("/domains");
    expect(page.body).toContain(
      "Auto-renew is off, but the charge on March 31, 2022 will still be made (auto-renew must be off at least one day before).",
    );
    expect(rowOf(page.body, "example.com")).toContain("Next payment on March 31, 2022");
  });

  it("200 and 303: in French for a fr-CA customer, the confirmation and the notice too", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-01T12:00:00Z" });
    await f.addLogin("c3", "ok", "fr-CA");
    await f.addDomain("d3", "c3", "exemple.ca", SEED_004);
    const client = await signIn(f, "c3");
    const confirm = await client.post("/domains/d3/auto-renew", { on: "0", back: "/domains" });
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain("Désactiver le renouvellement automatique de exemple.ca\u202f?");
    expect(confirm.body).toContain("Votre domaine ne sera pas renouvelé et expirera le 15 avril 2022.");
    await client.post("/domains/d3/auto-renew", { on: "0", confirm: "1", back: "/domains" });
    expect((await client.get("/domains")).body).toContain(
      "Le renouvellement automatique est désactivé pour exemple.ca\u00a0: il expirera le 15 avril 2022.",
    );
  });

  it("303: turning on needs no confirmation", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-01T12:00:00Z" });
    await f.addLogin("c1");
    await f.addDomain("d1", "c1", "example.com", SEED_004, { autoRenew: false });
    const client = await signIn(f);
    const response = await client.post("/domains/d1/auto-renew", { on: "1", back: "/domains" });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/domains");
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(true);
    expect((await client.get("/domains")).body).toContain("Auto-renew is on for example.com.");
  });

  /** Past due (issue 12, item 1): the charge of 03-31 declined, then auto-renew turned off (voided). */
  async function pastDueTurnedOff(locale: "en" | "fr-CA" = "en") {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await f.addLogin("c1", "declined", locale);
    await f.addDomain("d1", "c1", "example.com", SEED_004);
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    f.clock.set(at("2022-04-01T12:00:00Z"));
    const client = await signIn(f);
    await client.post("/domains/d1/auto-renew", { on: "0", confirm: "1", back: "/domains" });
    expect((await renewalInvoice(f, "d1")).status).toBe("void");
    await setCard(f.deps, "c1", "ok");
    return client;
  }

  it("200: turning a past-due domain back on first says it charges at once, and charges nothing", async () => {
    const client = await pastDueTurnedOff();
    const charges = f.gateway.allCharges().length;
    const before = await snapshot(f.deps);
    const response = await client.post("/domains/d1/auto-renew", { on: "1", back: "/domains" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("Turn auto-renew on for example.com?");
    expect(response.body).toContain(
      "Its renewal payment date has passed: turning auto-renew on charges $20.00 to Visa •••• 4242 now",
    );
    expect(response.body).toContain("Once paid, the domain is renewed until April 15, 2023.");
    expect(response.body).toContain("Turn on and pay $20.00");
    expect(response.body).toContain('name="on" value="1"><input type="hidden" name="confirm" value="1">');
    expect(f.gateway.allCharges()).toHaveLength(charges);
    expect(await snapshot(f.deps)).toEqual(before);
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(false);
  });

  it("303: confirmed, it is charged once and the notice names the invoice and the amount", async () => {
    const client = await pastDueTurnedOff();
    const response = await client.post("/domains/d1/auto-renew", { on: "1", confirm: "1", back: "/domains" });
    expect(response.statusCode).toBe(303);
    const invoice = await renewalInvoice(f, "d1");
    expect(invoice.status).toBe("paid");
    const page = (await client.get("/domains")).body;
    expect(page).toContain(
      `Auto-renew is on for example.com: invoice #${invoice.id} of $20.00 was paid, and the domain is renewed.`,
    );
    expect((await domainRow(f, "d1")).expires_at).toBe(at("2023-04-15T14:00:00Z"));
  });

  it("303: confirmed with a declined card, the notice names the invoice, the amount and why", async () => {
    const client = await pastDueTurnedOff();
    await setCard(f.deps, "c1", "declined");
    await client.post("/domains/d1/auto-renew", { on: "1", confirm: "1", back: "/domains" });
    const invoice = await renewalInvoice(f, "d1");
    expect(invoice.status).toBe("open");
    const page = (await client.get("/domains")).body;
    expect(page).toContain(
      `Auto-renew is on for example.com, but the payment of $20.00 for invoice #${invoice.id} was refused: the card was declined.`,
    );
    expect(page).toContain(`<a href="/invoices/${invoice.id}">Pay invoice #${invoice.id}</a>`);
  });

  it("200: in French, the confirmation of a charge says the amount", async () => {
    const client = await pastDueTurnedOff("fr-CA");
    const response = await client.post("/domains/d1/auto-renew", { on: "1", back: "/domains" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/<h1>Activer le renouvellement automatique de example.com\s?\?<\/h1>/u);
    expect(response.body).toContain("prélève 20,00");
    expect(response.body).toContain("Activer et payer 20,00");
  });

  it("303: a legacy free domain is refused with a clear message", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-01T12:00:00Z" });
    await f.addLogin("c1");
    await addLegacyFreeDomain(f, "c1");
    const client = await signIn(f);
    const response = await client.post("/domains/legacy/auto-renew", { on: "0", back: "/domains" });
    expect(response.statusCode).toBe(303);
    expect(fromDbBool((await domainRow(f, "legacy")).auto_renew)).toBe(true);
    expect((await client.get("/domains")).body).toContain(
      "This domain renews free while your site stays on a yearly plan: it has no auto-renew switch.",
    );
  });

  it("303: an expired domain is refused with a clear message", async () => {
    await setUp("2022-03-01T12:00:00Z");
    await f.deps.db.updateTable("services").set({ status: "expired" }).where("id", "=", "d1").execute();
    const client = await signIn(f);
    const response = await client.post("/domains/d1/auto-renew", { on: "1", back: "/domains/d1" });
    expect(response.statusCode).toBe(303);
    expect((await client.get("/domains/d1")).body).toContain(
      "Auto-renew can only be changed on an active domain.",
    );
  });

  it("303: the way back is this domain's page unless it is the list", async () => {
    await setUp("2022-03-01T12:00:00Z");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/auto-renew", { on: "1", back: "//evil.example/" });
    expect(response.headers.location).toBe("/domains/d1");
  });

  it("400: a bad switch value shows the domain page with the message", async () => {
    await setUp("2022-03-01T12:00:00Z");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/auto-renew", { on: "maybe" });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Choose whether auto-renew should be on or off.");
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(true);
  });

  it("404: another customer's domain, with or without confirmation", async () => {
    await setUp("2022-03-01T12:00:00Z");
    const client = await signIn(f);
    expect((await client.post("/domains/d2/auto-renew", { on: "0" })).statusCode).toBe(404);
    expect((await client.post("/domains/d2/auto-renew", { on: "0", confirm: "1" })).statusCode).toBe(404);
    expect((await client.post("/domains/d2/auto-renew", { on: "1" })).statusCode).toBe(404);
    expect(fromDbBool((await domainRow(f, "d2")).auto_renew)).toBe(true);
  });

  it("403: without the CSRF token nothing changes", async () => {
    await setUp("2022-03-01T12:00:00Z");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/auto-renew", { on: "0", confirm: "1" }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(true);
  });
});

describe.each(DIALECTS)("POST /domains/:id/reactivate (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  /** Auto-renew off: the domain expires on 2022-04-15 and is in grace until 06-14. */
  async function setUp(card: string) {
    f = await createHttpFixture(dialect, { now: "2022-03-01T12:00:00Z" });
    await f.addLogin("c1", card);
    await f.addLogin("c2");
    await f.addDomain("d1", "c1", "example.com", SEED_004, { autoRenew: false });
    await f.addDomain("d2", "c2", "not-mine.com", SEED_004, { autoRenew: false });
    await runEngine(f.deps, at("2022-04-15T14:00:00Z"));
    f.clock.set(at("2022-04-20T12:00:00Z"));
  }

  it("200: Reactivate first says the amount, the card and the new expiry, and charges nothing", async () => {
    await setUp("ok");
    const client = await signIn(f);
    expect((await client.get("/domains/d1")).body).toContain("Reactivate for $20.00");
    const before = await snapshot(f.deps);
    const response = await client.post("/domains/d1/reactivate", { back: "/domains" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("Reactivate example.com?");
    expect(response.body).toContain("$20.00 will be charged to Visa •••• 4242 now");
    expect(response.body).toContain("The domain is renewed until April 15, 2023");
    expect(response.body).toContain("Auto-renew stays off");
    expect(response.body).toContain("Reactivate and pay $20.00");
    expect(f.gateway.allCharges()).toHaveLength(0);
    expect(await snapshot(f.deps)).toEqual(before);
  });

  it("303: reactivated, keeping the original cycle (next expiry 2023-04-15); the notice names the invoice and offers auto-renew", async () => {
    await setUp("ok");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/reactivate", { back: "/domains", confirm: "1" });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/domains");
    expect((await domainRow(f, "d1")).expires_at).toBe(at("2023-04-15T14:00:00Z"));
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .selectAll()
      .where("service_id", "=", "d1")
      .where("purpose", "=", "reactivation")
      .executeTakeFirstOrThrow();
    expect(invoice.status).toBe("paid");
    const page = await client.get("/domains");
    expect(page.body).toContain(
      `Reactivated until April 15, 2023: invoice #${invoice.id} of $20.00 was paid.`,
    );
    expect(page.body).toContain(
      "Auto-renew is still off: the domain will expire again on April 15, 2023 unless you turn it on.",
    );
    const offer = page.body.slice(page.body.indexOf("Auto-renew is still off"));
    expect(offer).toMatch(/action="\/domains\/d1\/auto-renew"[\s\S]*name="on" value="1"/);
    // The offer works: a year ahead of its payment date, turning it on charges nothing.
    const on = await client.post("/domains/d1/auto-renew", { on: "1", back: "/domains" });
    expect(on.statusCode).toBe(303);
    expect(fromDbBool((await domainRow(f, "d1")).auto_renew)).toBe(true);
    expect(f.gateway.allCharges()).toHaveLength(1);
  });

  it("303: a declined card says why and links to the payment method", async () => {
    await setUp("declined");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/reactivate", { confirm: "1" });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/domains/d1");
    expect((await domainRow(f, "d1")).expires_at).toBe(at("2022-04-15T14:00:00Z"));
    const page = await client.get("/domains/d1");
    expect(page.body).toMatch(
      /The payment of \$20\.00 for invoice #\d+ was refused: the card was declined\./,
    );
    expect(page.body).toContain('<a href="/payment-method">');
  });

  it("303: a domain that is not in grace cannot be reactivated", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-01T12:00:00Z" });
    await f.addLogin("c1");
    await f.addDomain("d1", "c1", "example.com", SEED_004);
    const client = await signIn(f);
    for (const confirm of [{}, { confirm: "1" }] as Record<string, string>[]) {
      const response = await client.post("/domains/d1/reactivate", { back: "/domains", ...confirm });
      expect(response.statusCode).toBe(303);
    }
    expect((await client.get("/domains")).body).toContain(
      "This domain can no longer be reactivated: it is not in its grace period.",
    );
  });

  it("404: another customer's domain", async () => {
    await setUp("ok");
    const client = await signIn(f);
    expect((await client.post("/domains/d2/reactivate", {})).statusCode).toBe(404);
    expect((await client.post("/domains/d2/reactivate", { confirm: "1" })).statusCode).toBe(404);
    expect((await domainRow(f, "d2")).expires_at).toBe(at("2022-04-15T14:00:00Z"));
  });

  it("403: without the CSRF token nothing is charged", async () => {
    await setUp("ok");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/reactivate", { confirm: "1" }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await domainRow(f, "d1")).expires_at).toBe(at("2022-04-15T14:00:00Z"));
    expect(f.gateway.allCharges()).toHaveLength(0);
  });
});

describe.each(DIALECTS)("POST /domains/:id/transfer-code (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  async function setUp(now: string) {
    f = await createHttpFixture(dialect, { now });
    await f.addLogin("c1");
    await f.addLogin("c2");
    await f.addDomain("d1", "c1", "example.com", SEED_004);
    await f.addDomain("d2", "c2", "not-mine.com", SEED_004);
  }

  it("303: during the 60-day lock, the page says until when", async () => {
    await setUp("2021-05-01T12:00:00Z");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/transfer-code", {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/domains/d1");
    expect((await client.get("/domains/d1")).body).toContain("Transfers are locked until June 15, 2021.");
    expect(await eventTypes(f.deps, "d1")).toContain("domain.transfer_denied");
  });

  it("303: after the lock, the transfer code is shown on the domain page", async () => {
    await setUp("2021-06-16T12:00:00Z");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/transfer-code", {});
    expect(response.statusCode).toBe(303);
    const page = await client.get("/domains/d1");
    expect(page.body).toContain("Transfer code for example.com:");
    expect(page.body).toContain("AUTH-EXAMPLEC-11");
    expect(await eventTypes(f.deps, "d1")).toContain("domain.transfer_requested");
  });

  it("404: another customer's domain", async () => {
    await setUp("2021-06-16T12:00:00Z");
    const client = await signIn(f);
    expect((await client.post("/domains/d2/transfer-code", {})).statusCode).toBe(404);
    expect(await eventTypes(f.deps, "d2")).not.toContain("domain.transfer_requested");
  });

  it("403: without the CSRF token no code is issued", async () => {
    await setUp("2021-06-16T12:00:00Z");
    const client = await signIn(f);
    const response = await client.post("/domains/d1/transfer-code", {}, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(await eventTypes(f.deps, "d1")).not.toContain("domain.transfer_requested");
  });
});
