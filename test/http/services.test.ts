/**
 * The services pages (seed 000): dashboard with the categories Hosting, SSL, Apps, Domains; manage
 * a service (gear menu, timeline); Plan details with the cancellation request (immediate or at the
 * end of the contract, stopping the renewal of a linked domain); withdraw; ownership, CSRF, French.
 */
import { afterEach, describe, expect, it } from "vitest";
import { fromDbBool } from "../../src/db/columns.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import { at, eventTypes, snapshot } from "../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

/** Hosting h1 of c1 started 2021-06-01 (yearly, $192.00): its term ends 2022-06-01. */
const H1_START = "2021-06-01T00:00:00Z";
/** example.com registered 2021-06-10: expires 2022-06-10, charged 2022-05-26 (15 days before). */
const D1_REGISTERED = "2021-06-10T00:00:00Z";
/** After the renewal invoice of h1 was issued (14 days before the term end), before its charge. */
const INVOICED = "2022-05-20T12:00:00Z";

async function signIn(f: HttpFixture, id = "c1"): Promise<HttpClient> {
  const client = f.client();
  const response = await client.login(`${id}@example.test`);
  expect(response.statusCode).toBe(303);
  // Signing in starts a new session: take the CSRF token of one of its pages, as a browser would.
  await client.get("/");
  return client;
}

/** Page text with the HTML escapes of apostrophes and ampersands undone. */
function text(body: string): string {
  return body.replaceAll("&#39;", "'").replaceAll("&amp;", "&");
}

async function linkDomain(f: HttpFixture, domainId: string, siteId: string | null) {
  await f.deps.db
    .updateTable("domains")
    .set({ site_service_id: siteId })
    .where("service_id", "=", domainId)
    .execute();
}

async function cancellationRows(f: HttpFixture) {
  return f.deps.db.selectFrom("cancellation_requests").selectAll().orderBy("id").execute();
}

async function serviceStatus(f: HttpFixture, id: string) {
  const row = await f.deps.db
    .selectFrom("services")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function autoRenewOf(f: HttpFixture, id: string) {
  const row = await f.deps.db
    .selectFrom("domains")
    .select("auto_renew")
    .where("service_id", "=", id)
    .executeTakeFirstOrThrow();
  return fromDbBool(row.auto_renew);
}

/** c1 with hosting h1 and example.com registered with it; c2 with their own hosting and domain. */
async function seed000(f: HttpFixture, card = "ok") {
  await f.addLogin("c1", card);
  await f.addLogin("c2");
  await f.addHosting("h1", "c1", H1_START);
  await f.addDomain("d1", "c1", "example.com", D1_REGISTERED);
  await linkDomain(f, "d1", "h1");
  await f.addHosting("h2", "c2", H1_START);
  await f.addDomain("d2", "c2", "not-mine.com", D1_REGISTERED);
}

describe.each(DIALECTS)("GET / dashboard (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  it("200: each category lists the customer's services with state, next due date, price and Manage", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await seed000(f);
    await importSubscription(f.deps, {
      id: "s1",
      customerId: "c1",
      kind: "ssl",
      label: "SSL example.com",
      plan: "yearly",
      price: 6900,
      currency: "USD",
      startedAt: at("2021-09-15T00:00:00Z"),
    });
    await importSubscription(f.deps, {
      id: "a1",
      customerId: "c1",
      kind: "app",
      label: "Anti-spam",
      plan: "monthly",
      price: 500,
      currency: "USD",
      startedAt: at("2022-03-05T00:00:00Z"),
    });
    const response = await (await signIn(f)).get("/");
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain("<h1>Dashboard</h1>");
    for (const [id, title] of [
      ["hosting", "Hosting"],
      ["ssl", "SSL"],
      ["app", "Apps"],
      ["domains", "Domains"],
    ]) {
      expect(body).toContain(`<h2 id="${id}-title">${title}</h2>`);
      expect(body).toContain(`href="#${id}"`);
    }
    const section = (id: string) => body.split(`<section id="${id}"`)[1]?.split("</section>")[0] ?? "";
    expect(section("hosting")).toContain("Hosting h1");
    expect(section("hosting")).toContain("June 1, 2022");
    expect(section("hosting")).toContain("$192.00 / year");
    expect(section("hosting")).toContain('href="/services/h1"');
    expect(section("hosting")).toContain(">Manage</a>");
    expect(section("hosting")).toContain('<span class="badge badge-active">Active</span>');
    expect(section("ssl")).toContain("SSL example.com");
    expect(section("ssl")).toContain("September 15, 2022");
    expect(section("ssl")).toContain("$69.00 / year");
    expect(section("ssl")).toContain('href="/services/s1"');
    expect(section("app")).toContain("Anti-spam");
    expect(section("app")).toContain("April 5, 2022");
    expect(section("app")).toContain("$5.00 / month");
    expect(section("app")).toContain('href="/services/a1"');
    // Domains: the next payment date is the expiry (June 10) less the 15-day charge lead.
    expect(section("domains")).toContain("example.com");
    expect(section("domains")).toContain("May 26, 2022");
    expect(section("domains")).toContain("$20.00 / year");
    expect(section("domains")).toContain('href="/domains/d1"');
    expect(body).toMatch(/<td data-label="Next due date">/);
    // Nothing of another customer.
    expect(body).not.toContain("not-mine.com");
    expect(body).not.toContain("Hosting h2");
    expect(body).not.toContain("/services/h2");
    expect(body).not.toContain("Needs your attention");
  });

  it("200: a category with nothing shows an empty-state sentence", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
    await f.addHosting("h1", "c1", H1_START);
    const body = (await (await signIn(f)).get("/")).body;
    expect(body).toContain("Hosting h1");
    expect(body).toContain("You have no SSL certificate.");
    expect(body).toContain("You have no app.");
    expect(body).toContain("You have no domain name.");
    expect(body).not.toContain("You have no hosting plan.");
  });

  it("200: a past-due invoice and a suspended service are shown first, with links", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1", "declined");
    await f.addHosting("h1", "c1", H1_START);
    // Invoiced 2022-05-18, charge declined 2022-06-01, suspended 5 days later.
    await runEngine(f.deps, at("2022-05-18T12:00:00Z"));
    await runEngine(f.deps, at("2022-06-01T12:00:00Z"));
    await runEngine(f.deps, at("2022-06-06T12:00:00Z"));
    f.clock.set(at("2022-06-06T13:00:00Z"));
    expect(await serviceStatus(f, "h1")).toBe("suspended");
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "h1")
      .executeTakeFirstOrThrow();
    const body = (await (await signIn(f)).get("/")).body;
    const attention = body.split('<section class="card attention"')[1]?.split("</section>")[0] ?? "";
    expect(attention).toContain("Needs your attention");
    expect(attention).toContain(`Invoice #${invoice.id} of $192.00 is past due since June 1, 2022.`);
    expect(attention).toContain(`href="/invoices/${invoice.id}"`);
    expect(attention).toContain("Hosting h1 is suspended.");
    expect(attention).toContain('href="/services/h1"');
  });

  it("303: an anonymous visitor is sent to the sign-in page", async () => {
    f = await createHttpFixture(dialect);
    const response = await f.client().get("/");
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/login?next=%2F");
  });
});

describe.each(DIALECTS)("GET /services/:id manage (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  it("200: details, the gear menu with Plan details, and the timeline in words", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await seed000(f);
    const response = await (await signIn(f)).get("/services/h1");
    expect(response.statusCode).toBe(200);
    const body = response.body;
    expect(body).toContain("<h1>Hosting h1</h1>");
    expect(body).toMatch(
      /<details class="gear">\s*<summary aria-label="Service settings"[^>]*><span aria-hidden="true">⚙<\/span><\/summary>\s*<ul>\s*<li><a href="\/services\/h1\/plan"\s*>Plan details<\/a>/,
    );
    expect(body).toContain("$192.00 / year");
    expect(body).toContain("<dt>Next due date</dt><dd><time");
    expect(body).toContain("June 1, 2022");
    // The domain registered with it.
    expect(body).toContain('<a href="/domains/d1">example.com</a>');
    // Planned: the renewal invoice 14 days before, the charge on the card, the renewal.
    expect(body).toContain("Renewal invoice of $192.00 issued");
    expect(body).toContain("Renewal payment of $192.00 with the card Visa •••• 4242");
    expect(body).toContain("Renews, until June 1, 2023");
    expect(body).toContain("May 18, 2022");
    // Past: the activation.
    expect(body).toContain("Service activated (Yearly)");
    expect(body).not.toContain("not-mine.com");
  });

  it("200: failed payments, notices and the suspension are told in words", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1", "declined");
    await f.addHosting("h1", "c1", H1_START);
    await runEngine(f.deps, at("2022-05-18T12:00:00Z"));
    await runEngine(f.deps, at("2022-06-01T12:00:00Z"));
    await runEngine(f.deps, at("2022-06-04T12:00:00Z"));
    await runEngine(f.deps, at("2022-06-06T12:00:00Z"));
    f.clock.set(at("2022-06-06T13:00:00Z"));
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "h1")
      .executeTakeFirstOrThrow();
    const body = (await (await signIn(f)).get("/services/h1")).body;
    expect(body).toContain(`Invoice #${invoice.id} of $192.00 issued`);
    expect(body).toContain("Payment of $192.00 declined (attempt 1)");
    expect(body).toContain("Payment of $192.00 declined (attempt 2)");
    expect(body).toContain("Failed payment notice sent by e-mail");
    expect(body).toContain("Service suspended: invoice unpaid");
    expect(body).toContain("Terminated if the invoice is still unpaid");
    expect(body).toContain("July 1, 2022");
    expect(body).not.toContain("payment.failed");
  });

  it("404: another customer's service, a domain id, an unknown id", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    for (const url of ["/services/h2", "/services/d1", "/services/nope"]) {
      const response = await client.get(url);
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain("This page does not exist, or it is not yours.");
      expect(response.body).not.toContain("Hosting h2");
    }
  });

  it("200: in French for a fr-CA customer", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c3", "ok", "fr-CA");
    await f.addHosting("h3", "c3", H1_START);
    const client = await signIn(f, "c3");
    const dashboard = text((await client.get("/")).body);
    expect(dashboard).toContain("<h1>Tableau de bord</h1>");
    expect(dashboard).toContain('<h2 id="hosting-title">Hébergement</h2>');
    expect(dashboard).toContain(">Gérer</a>");
    expect(dashboard).toContain("1er juin 2022");
    const manage = text((await client.get("/services/h3")).body);
    expect(manage).toContain("Détails du plan");
    expect(manage).toContain('aria-label="Paramètres du service"');
    expect(manage).toContain("Chronologie");
    expect(manage).toContain("Service activé (Annuel)");
  });
});

describe.each(DIALECTS)("GET /services/:id/plan (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  it("200: plan, price, term and the cancellation form with a checkbox per linked domain", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await seed000(f);
    const response = await (await signIn(f)).get("/services/h1/plan");
    expect(response.statusCode).toBe(200);
    const body = text(response.body);
    expect(body).toContain("<h1>Plan details · Hosting h1</h1>");
    expect(body).toContain("<dt>Billing cycle</dt><dd>Yearly</dd>");
    expect(body).toContain("$192.00 / year");
    expect(body).toContain("Renews automatically on June 1, 2022.");
    expect(body).toContain('<h2 id="cancel-title">Request cancellation</h2>');
    expect(body).toContain('action="/services/h1/cancel"');
    expect(body).toMatch(/<textarea id="reason" name="reason"[^>]*required/);
    expect(body).toContain('<label for="reason">Reason for cancelling');
    expect(body).toContain('name="when" value="immediate"');
    expect(body).toContain('Immediate <span class="hint">(carried out within 24 hours)</span>');
    expect(body).toContain('name="when" value="end-of-term"');
    expect(body).toContain(
      'At the end of the contract <span class="hint">(the service stays active until June 1, 2022',
    );
    expect(body).toContain('name="stopDomainRenewal" value="d1"');
    expect(body).toContain("Also stop the renewal of example.com");
    expect(body).not.toContain("not-mine.com");
  });

  it("200: no domain checkbox when no domain is registered with the service", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    await linkDomain(f, "d1", null);
    const body = (await (await signIn(f)).get("/services/h1/plan")).body;
    expect(body).toContain('action="/services/h1/cancel"');
    expect(body).not.toContain("stopDomainRenewal");
  });

  it("404: another customer's service and a domain id", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    expect((await client.get("/services/h2/plan")).statusCode).toBe(404);
    expect((await client.get("/services/d1/plan")).statusCode).toBe(404);
  });

  it("200: in French: Détails du plan and Demande d'annulation", async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c3", "ok", "fr-CA");
    await f.addHosting("h3", "c3", H1_START);
    const body = text((await (await signIn(f, "c3")).get("/services/h3/plan")).body);
    expect(body).toContain("<h1>Détails du plan · Hosting h3</h1>");
    expect(body).toContain('<h2 id="cancel-title">Demande d\'annulation</h2>');
    expect(body).toContain('Immédiate <span class="hint">(prise en compte dans les 24 heures)</span>');
    expect(body).toContain("À la fin du contrat");
    expect(body).toContain("Demander l'annulation");
  });
});

describe.each(DIALECTS)("POST /services/:id/cancel (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  it("seed 000, end of term with the linked domain: dashboard → manage → plan → request → pending → withdraw", async () => {
    f = await createHttpFixture(dialect, { now: INVOICED });
    await seed000(f);
    await runEngine(f.deps, at(INVOICED));
    const renewal = await f.deps.db
      .selectFrom("invoices")
      .select(["id", "status"])
      .where("service_id", "=", "h1")
      .executeTakeFirstOrThrow();
    expect(renewal.status).toBe("open");
    const client = await signIn(f);

    // Dashboard → Hosting → Manage → gear → Plan details.
    expect((await client.get("/")).body).toContain('href="/services/h1"');
    expect((await client.get("/services/h1")).body).toContain('href="/services/h1/plan"');
    expect((await client.get("/services/h1/plan")).body).toContain('name="stopDomainRenewal" value="d1"');

    // Sent, the form first shows what will happen, and records nothing.
    const form = { reason: "Moving to another host", when: "end-of-term", stopDomainRenewal: "d1" };
    const before = await snapshot(f.deps);
    const review = await client.post("/services/h1/cancel", form);
    expect(review.statusCode).toBe(200);
    const reviewed = text(review.body);
    expect(reviewed).toContain(
      "Hosting h1 stays active until June 1, 2022, then stops: it is not renewed and no renewal invoice will be issued. You can withdraw the request until then.",
    );
    expect(reviewed).toContain(
      "Nothing is refunded: the service runs until the end of the period already paid for.",
    );
    expect(reviewed).toContain("The renewal of example.com stops: it will expire on June 10, 2022.");
    expect(reviewed).toContain('name="confirm" value="1"');
    expect(reviewed).toContain('name="stopDomainRenewal" value="d1"');
    expect(await snapshot(f.deps)).toEqual(before);

    const response = await client.post("/services/h1/cancel", { ...form, confirm: "1" });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/services/h1/plan");

    const page = text((await client.get("/services/h1/plan")).body);
    // The confirmation says what will happen and when.
    expect(page).toContain("Your cancellation request is recorded");
    expect(page).toContain(
      "Hosting h1 stays active until June 1, 2022, then is cancelled: it will not be renewed and no renewal invoice will be issued.",
    );
    expect(page).toContain(`Invoice #${renewal.id} was voided.`);
    expect(page).toContain("The renewal of example.com is stopped: it will expire on June 10, 2022.");
    expect(page).toContain("Refunds are requested after the cancellation, by a refund request");
    expect(page).toContain('href="/requests/new?kind=refund&service=h1"');
    // The pending cancellation, with its date and a Withdraw button; no request form.
    expect(page).toContain('<h2 id="cancel-title">Cancellation pending</h2>');
    expect(page).toContain(
      "You asked for a cancellation at the end of the contract: the service stays active until June 1, 2022 and will not be renewed.",
    );
    expect(page).toContain("Moving to another host");
    expect(page).toContain('action="/services/h1/cancellation/withdraw"');
    expect(page).not.toContain('action="/services/h1/cancel"');

    // In the database: the request, the domain's auto-renew off, the renewal invoice void.
    const rows = await cancellationRows(f);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      service_id: "h1",
      mode: "end-of-term",
      status: "pending",
      reason: "Moving to another host",
      requested_by: "customer:c1",
      effective_at: at("2022-06-01T00:00:00Z"),
    });
    expect(JSON.parse(rows[0]?.stop_domain_ids ?? "[]")).toEqual(["d1"]);
    expect(await autoRenewOf(f, "d1")).toBe(false);
    const voided = await f.deps.db
      .selectFrom("invoices")
      .select("status")
      .where("id", "=", renewal.id)
      .executeTakeFirstOrThrow();
    expect(voided.status).toBe("void");

    // The confirmation is shown once; the pending state stays, on the dashboard too.
    const again = text((await client.get("/services/h1/plan")).body);
    expect(again).not.toContain("Your cancellation request is recorded");
    expect(again).toContain("Cancellation pending");
    const dashboard = text((await client.get("/")).body);
    expect(dashboard).toContain("A cancellation of Hosting h1 is pending: it takes effect on June 1, 2022.");
    expect(dashboard).toContain("Ends on June 1, 2022");

    // Withdraw.
    const withdrawn = await client.post("/services/h1/cancellation/withdraw", {});
    expect(withdrawn.statusCode).toBe(303);
    expect(withdrawn.headers.location).toBe("/services/h1/plan");
    const after = text((await client.get("/services/h1/plan")).body);
    expect(after).toContain(
      "The cancellation was withdrawn: Hosting h1 stays active and renews on June 1, 2022. The automatic renewal of example.com is back on.",
    );
    // The domain's renewal, stopped by the request, renews again.
    const domain = await f.deps.db.selectFrom("domains").select("auto_renew").executeTakeFirstOrThrow();
    expect(domain.auto_renew).toBe(1);
    expect(after).not.toContain("Cancellation pending");
    expect(after).toContain('action="/services/h1/cancel"');
    expect((await cancellationRows(f))[0]?.status).toBe("withdrawn");
    expect(await eventTypes(f.deps, "h1")).toContain("service.cancellation_withdrawn");
    expect(await serviceStatus(f, "h1")).toBe("active");
  });

  it("200: immediate first says it stops in 4 hours, what is not refunded, and that it can be withdrawn until then", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await seed000(f);
    const client = await signIn(f);
    const before = await snapshot(f.deps);
    const response = await client.post("/services/h1/cancel", { reason: "Too expensive", when: "immediate" });
    expect(response.statusCode).toBe(200);
    const page = text(response.body);
    expect(page).toContain("Cancel Hosting h1?");
    expect(page).toContain(
      "Hosting h1 stops on March 20, 2022 at 4:00 PM, 4 hours after this request: it is not renewed and no renewal invoice will be issued. Until then you can withdraw the request from the plan page.",
    );
    expect(page).toContain(
      "The time already paid for, up to June 1, 2022, is not refunded automatically: after the cancellation you can file a refund request.",
    );
    expect(page).toContain("example.com keeps renewing, billed on its own");
    expect(page).toContain("Confirm the cancellation");
    expect(await snapshot(f.deps)).toEqual(before);
    expect(await cancellationRows(f)).toHaveLength(0);
  });

  it("303: immediate, confirmed: pending for 4 hours and withdrawable; carried out by the engine at its end", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await seed000(f);
    const client = await signIn(f);
    const response = await client.post("/services/h1/cancel", {
      reason: "Too expensive",
      when: "immediate",
      confirm: "1",
    });
    expect(response.statusCode).toBe(303);
    await runEngine(f.deps, f.clock.now());
    expect(await serviceStatus(f, "h1")).toBe("active");
    const rows = await cancellationRows(f);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      mode: "immediate",
      status: "pending",
      effective_at: at("2022-03-20T16:00:00Z"),
    });
    const pending = text((await client.get("/services/h1/plan")).body);
    expect(pending).toContain("Hosting h1 will be cancelled by March 20, 2022 at 4:00 PM");
    expect(pending).toContain(
      "You asked for an immediate cancellation: it is carried out by March 20, 2022 at 4:00 PM.",
    );
    expect(pending).toContain('action="/services/h1/cancellation/withdraw"');

    // At the end of the delay the engine carries it out; nothing is left to withdraw.
    f.clock.set(at("2022-03-20T16:00:00Z"));
    await runEngine(f.deps, f.clock.now());
    expect(await serviceStatus(f, "h1")).toBe("cancelled");
    expect((await cancellationRows(f))[0]).toMatchObject({ status: "done" });
    // The linked domain was not checked: it still renews.
    expect(await autoRenewOf(f, "d1")).toBe(true);
    const page = text((await client.get("/services/h1/plan")).body);
    expect(page).toContain("This service was cancelled on March 20, 2022.");
    expect(page).toContain('href="/requests/new?kind=refund&service=h1"');
    expect(page).not.toContain('action="/services/h1/cancel"');
    expect(page).not.toContain("cancellation/withdraw");
    expect(await eventTypes(f.deps, "h1")).toEqual([
      "service.activated",
      "service.cancellation_requested",
      "notice.sent",
      "service.cancelled",
    ]);
  });

  it("303: immediate, withdrawn 2 hours later: the service stays active", async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    await seed000(f);
    const client = await signIn(f);
    await client.post("/services/h1/cancel", { reason: "Too expensive", when: "immediate", confirm: "1" });
    f.clock.set(at("2022-03-20T14:00:00Z"));
    await runEngine(f.deps, f.clock.now());
    const withdrawn = await client.post("/services/h1/cancellation/withdraw", {});
    expect(withdrawn.statusCode).toBe(303);
    f.clock.set(at("2022-03-21T00:00:00Z"));
    await runEngine(f.deps, f.clock.now());
    expect(await serviceStatus(f, "h1")).toBe("active");
    expect((await cancellationRows(f))[0]).toMatchObject({ status: "withdrawn" });
  });

  it("303: an invoice that cannot be voided asks for an invoice-adjustment request, with its link", async () => {
    f = await createHttpFixture(dialect, { now: INVOICED });
    await seed000(f);
    await runEngine(f.deps, at(INVOICED));
    const renewal = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "h1")
      .executeTakeFirstOrThrow();
    // Partly paid: it cannot be voided automatically.
    await f.deps.db.updateTable("invoices").set({ amount_paid: 1000 }).where("id", "=", renewal.id).execute();
    const client = await signIn(f);
    const response = await client.post("/services/h1/cancel", {
      reason: "Closing the shop",
      when: "end-of-term",
      confirm: "1",
    });
    expect(response.statusCode).toBe(303);
    const page = text((await client.get("/services/h1/plan")).body);
    expect(page).toContain(
      `Invoice #${renewal.id} could not be voided automatically: file an invoice-adjustment request`,
    );
    expect(page).toContain(`href="/requests/new?kind=invoice-adjustment&invoice=${renewal.id}"`);
    expect(page).not.toContain("was voided");
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select("status")
      .where("id", "=", renewal.id)
      .executeTakeFirstOrThrow();
    expect(invoice.status).toBe("open");
  });

  it("400: a blank reason shows the form again with the message, keeps the choice, writes nothing", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    const response = await client.post("/services/h1/cancel", {
      reason: "   ",
      when: "end-of-term",
      stopDomainRenewal: "d1",
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(
      '<p class="field-error" id="reason-error">Give a short reason (3 characters or more).</p>',
    );
    expect(response.body).toMatch(/<textarea id="reason" name="reason"[^>]*aria-invalid="true"/);
    expect(response.body).toMatch(/value="end-of-term" required checked/);
    expect(response.body).toMatch(/value="d1" checked/);
    expect(await cancellationRows(f)).toEqual([]);
    expect(await autoRenewOf(f, "d1")).toBe(true);
    expect(await eventTypes(f.deps, "h1")).toEqual(["service.activated"]);
  });

  it("400: no choice between immediate and end of term", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    const response = await client.post("/services/h1/cancel", { reason: "No longer needed" });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(
      '<p class="field-error" id="when-error">Choose an immediate cancellation or one at the end of the contract.</p>',
    );
    expect(response.body).toContain(">No longer needed</textarea>");
    expect(await cancellationRows(f)).toEqual([]);
  });

  it("303: a second request while one is pending is refused with a message", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    await client.post("/services/h1/cancel", { reason: "Moving away", when: "end-of-term", confirm: "1" });
    // Refused already at the review, and when confirmed.
    for (const confirm of [{}, { confirm: "1" }] as Record<string, string>[]) {
      const again = await client.post("/services/h1/cancel", {
        reason: "Moving away",
        when: "immediate",
        ...confirm,
      });
      expect(again.statusCode).toBe(303);
    }
    expect((await client.get("/services/h1/plan")).body).toContain(
      "A cancellation is already pending for this service.",
    );
    expect(await cancellationRows(f)).toHaveLength(1);
  });

  it("303: a domain not registered with the service is refused; nothing is written", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    await f.addDomain("d3", "c1", "elsewhere.com", D1_REGISTERED);
    const client = await signIn(f);
    const response = await client.post("/services/h1/cancel", {
      reason: "Moving away",
      when: "end-of-term",
      stopDomainRenewal: "d3",
    });
    expect(response.statusCode).toBe(303);
    expect((await client.get("/services/h1/plan")).body).toContain(
      "A domain you selected is not registered with this service.",
    );
    expect(await cancellationRows(f)).toEqual([]);
    expect(await autoRenewOf(f, "d3")).toBe(true);
  });

  it("404: another customer's service, or a domain id; nothing is written", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    const form = { reason: "Not mine", when: "immediate" };
    expect((await client.post("/services/h2/cancel", form)).statusCode).toBe(404);
    expect((await client.post("/services/h2/cancel", { ...form, confirm: "1" })).statusCode).toBe(404);
    expect((await client.post("/services/d2/cancel", form)).statusCode).toBe(404);
    expect((await client.post("/services/h2/cancel", { reason: "" })).statusCode).toBe(404);
    expect(await cancellationRows(f)).toEqual([]);
    expect(await serviceStatus(f, "h2")).toBe("active");
  });

  it("403: without the CSRF token nothing is written", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    const response = await client.post(
      "/services/h1/cancel",
      { reason: "Moving away", when: "immediate", stopDomainRenewal: "d1", confirm: "1" },
      { csrf: false },
    );
    expect(response.statusCode).toBe(403);
    expect(await cancellationRows(f)).toEqual([]);
    expect(await serviceStatus(f, "h1")).toBe("active");
    expect(await autoRenewOf(f, "d1")).toBe(true);
  });

  it("303: without a session, nothing can be cancelled", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const anonymous = f.client();
    await anonymous.get("/login");
    const response = await anonymous.post("/services/h1/cancel", { reason: "By e-mail", when: "immediate" });
    expect(response.statusCode).toBe(303);
    // Sent to sign in, then back to the page the form was on (none known here: the dashboard).
    expect(response.headers.location).toBe("/login?next=%2F");
    const fromForm = await anonymous.post(
      "/services/h1/cancel",
      { reason: "By e-mail", when: "immediate" },
      { headers: { host: "clients.example", referer: "http://clients.example/services/h1/cancel" } },
    );
    expect(fromForm.headers.location).toBe("/login?next=%2Fservices%2Fh1%2Fcancel");
    expect(await cancellationRows(f)).toEqual([]);
  });
});

describe.each(DIALECTS)("POST /services/:id/cancellation/withdraw (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  it("303: nothing pending is refused with a message", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    const response = await client.post("/services/h1/cancellation/withdraw", {});
    expect(response.statusCode).toBe(303);
    expect((await client.get("/services/h1/plan")).body).toContain(
      "There is no pending cancellation to withdraw.",
    );
    expect(await eventTypes(f.deps, "h1")).toEqual(["service.activated"]);
  });

  it("404: another customer's pending cancellation cannot be withdrawn", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const other = await signIn(f, "c2");
    await other.post("/services/h2/cancel", { reason: "Leaving", when: "end-of-term", confirm: "1" });
    const client = await signIn(f);
    expect((await client.post("/services/h2/cancellation/withdraw", {})).statusCode).toBe(404);
    expect((await cancellationRows(f))[0]?.status).toBe("pending");
  });

  it("403: without the CSRF token the cancellation stays pending", async () => {
    f = await createHttpFixture(dialect);
    await seed000(f);
    const client = await signIn(f);
    await client.post("/services/h1/cancel", { reason: "Leaving", when: "end-of-term", confirm: "1" });
    const response = await client.post("/services/h1/cancellation/withdraw", {}, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await cancellationRows(f))[0]?.status).toBe("pending");
    expect(await eventTypes(f.deps, "h1")).not.toContain("service.cancellation_withdrawn");
  });
});
