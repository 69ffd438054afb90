/**
 * Requests (tickets), seed 000: refund after a cancellation, invoice adjustment quoting the invoice,
 * irreversible domain deletion with an explicit confirmation, general question; replies and closing.
 * Each route by outcome (200, 303, 400, 403, 404 for another customer's ids), with the database.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { issueInvoice } from "../../src/modules/invoices/invoice-repository.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import { openTicket } from "../../src/modules/tickets/open-ticket.js";
import { at } from "../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../support/http.js";
import { DIALECTS, type TestDialect } from "../support/stores.js";

interface World {
  f: HttpFixture;
  /** c1's invoice and c2's invoice. */
  invoice1: number;
  invoice2: number;
}

async function addInvoice(f: HttpFixture, customerId: string, serviceId: string, amount: number) {
  const id = await f.deps.db.transaction().execute((tx) =>
    issueInvoice(tx, {
      customerId,
      issueKey: `test:${customerId}:${serviceId}`,
      serviceId,
      purpose: "manual",
      periodStartAt: null,
      currency: "USD",
      issuedAt: f.clock.now(),
      dueAt: f.clock.now(),
      lines: [{ serviceId, description: "Hosting", amount, periodStartAt: null, periodEndAt: null }],
    }),
  );
  if (id === null) throw new Error("invoice not issued");
  return id;
}

/** c1: hosting h1, domain d1 (example.com), invoice #1; c2: hosting h2, domain d2 (other.example), invoice #2. */
async function setUp(dialect: TestDialect, locale: "en" | "fr-CA" = "en"): Promise<World> {
  const f = await createHttpFixture(dialect);
  await f.addLogin("c1", "ok", locale);
  await f.addLogin("c2");
  await f.addHosting("h1", "c1", "2022-01-10T00:00:00Z");
  await f.addHosting("h2", "c2", "2022-01-10T00:00:00Z");
  await f.addDomain("d1", "c1", "example.com", "2021-04-15T00:00:00Z");
  await f.addDomain("d2", "c2", "other.example", "2021-04-15T00:00:00Z");
  const invoice1 = await addInvoice(f, "c1", "h1", 19200);
  const invoice2 = await addInvoice(f, "c2", "h2", 4800);
  return { f, invoice1, invoice2 };
}

async function cancel(f: HttpFixture, serviceId: string, customerId: string) {
  const result = await requestCancellation(
    f.deps,
    {
      serviceId,
      customerId,
      requestedBy: customerId,
      request: { when: "end-of-term", reason: "Moving away" },
    },
    f.clock.now(),
  );
  expect(result.ok).toBe(true);
}

async function signedIn(f: HttpFixture, customer = "c1"): Promise<HttpClient> {
  const client = f.client();
  expect((await client.login(`${customer}@example.test`)).statusCode).toBe(303);
  return client;
}

async function tickets(f: HttpFixture) {
  return f.deps.db
    .selectFrom("tickets")
    .select([
      "id",
      "customer_id",
      "kind",
      "subject",
      "body",
      "status",
      "invoice_id",
      "service_id",
      "closed_at",
    ])
    .orderBy("id")
    .execute();
}

async function events(f: HttpFixture, type: string) {
  const rows = await f.deps.db
    .selectFrom("events")
    .select(["customer_id", "service_id", "details"])
    .where("type", "=", type)
    .orderBy("id")
    .execute();
  return rows.map((r) => ({
    customer: r.customer_id,
    service: r.service_id,
    details: JSON.parse(r.details),
  }));
}

async function replies(f: HttpFixture, ticketId: number) {
  return f.deps.db
    .selectFrom("ticket_replies")
    .select(["author", "body"])
    .where("ticket_id", "=", ticketId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
}

async function question(f: HttpFixture, customerId: string, subject = "Where is my backup?") {
  const { ticket } = await openTicket(
    f.deps,
    { customerId, openedBy: customerId, ticket: { kind: "question", subject, body: "Please tell me." } },
    f.clock.now(),
  );
  return ticket;
}

const firstOf = (text: string, needles: string[]) => needles.map((n) => text.indexOf(n));

describe.each(DIALECTS)("GET /requests (%s)", (dialect) => {
  let w: World;
  beforeEach(async () => {
    w = await setUp(dialect);
  });
  afterEach(async () => {
    await w.f.dispose();
  });

  it("200: the customer's requests, newest first, with kind in words, status badge, date and links", async () => {
    const f = w.f;
    const older = await question(f, "c1", "Older question");
    f.clock.set(at("2022-03-22T09:00:00Z"));
    const { ticket: newer } = await openTicket(
      f.deps,
      {
        customerId: "c1",
        openedBy: "c1",
        ticket: {
          kind: "invoice-adjustment",
          subject: "Newer adjustment",
          body: "Remove site2",
          invoiceId: w.invoice1,
        },
      },
      f.clock.now(),
    );
    await question(f, "c2", "Someone else's question");
    const page = await (await signedIn(f)).get("/requests");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h1>Requests</h1>");
    expect(page.body).toContain('<a class="button" href="/requests/new">New request</a>');
    const [newerAt, olderAt] = firstOf(page.body, ["Newer adjustment", "Older question"]);
    expect(newerAt).toBeGreaterThan(0);
    expect(olderAt).toBeGreaterThan(newerAt!);
    expect(page.body).toContain(`<a href="/requests/${newer}">#${newer}</a>`);
    expect(page.body).toContain(`<a href="/requests/${older}">Older question</a>`);
    expect(page.body).toContain("Invoice adjustment");
    expect(page.body).toContain('<span class="badge badge-open">Open</span>');
    expect(page.body).toContain("March 22, 2022");
    expect(page.body).toContain('data-label="Last update"');
    expect(page.body).not.toContain("Someone else&#39;s question");
  });

  it("200: the last update follows the latest reply", async () => {
    const f = w.f;
    const ticket = await question(f, "c1");
    await f.deps.db
      .insertInto("ticket_replies")
      .values({
        ticket_id: ticket,
        author: "support",
        body: "Here it is.",
        created_at: at("2022-04-02T10:00:00Z"),
      })
      .execute();
    const page = await (await signedIn(f)).get("/requests");
    expect(page.body).toContain("April 2, 2022");
  });

  it("200: with no request, says so and offers a new one", async () => {
    const page = await (await signedIn(w.f)).get("/requests");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("You have no requests yet.");
    expect(page.body).toContain('href="/requests/new"');
  });

  it("303: an anonymous visitor is sent to sign in", async () => {
    const response = await w.f.client().get("/requests");
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/login?next=%2Frequests");
  });
});

describe.each(DIALECTS)("GET /requests/new (%s)", (dialect) => {
  let w: World;
  beforeEach(async () => {
    w = await setUp(dialect);
  });
  afterEach(async () => {
    await w.f.dispose();
  });

  it("200: without a kind, a select of kinds and a link to each kind", async () => {
    const page = await (await signedIn(w.f)).get("/requests/new");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="get" action="/requests/new"');
    expect(page.body).toContain('<option value="domain-deletion">Domain deletion</option>');
    for (const kind of ["refund", "invoice-adjustment", "domain-deletion", "question"])
      expect(page.body).toContain(`href="/requests/new?kind=${kind}"`);
    expect(page.body).not.toContain('action="/requests"');
  });

  it("200: invoice-adjustment&invoice=N pre-selects the invoice and pre-fills the subject", async () => {
    const page = await (await signedIn(w.f)).get(
      `/requests/new?kind=invoice-adjustment&invoice=${w.invoice1}`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      `<option value="${w.invoice1}" selected>#${w.invoice1} — $192.00 — Open</option>`,
    );
    expect(page.body).toContain(`value="Invoice adjustment: #${w.invoice1}"`);
    expect(page.body).toContain('href="/requests/new?kind=invoice-adjustment" aria-current="page"');
    expect(page.body).toContain("adjusts it by hand");
  });

  it("200: a query naming another customer's invoice never shows that invoice", async () => {
    const page = await (await signedIn(w.f)).get(
      `/requests/new?kind=invoice-adjustment&invoice=${w.invoice2}`,
    );
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(`value="${w.invoice2}"`);
    expect(page.body).not.toContain(`#${w.invoice2}`);
    expect(page.body).not.toContain("$48.00");
    expect(page.body).not.toContain(" selected>");
    expect(page.body).toContain(`<option value="${w.invoice1}">#${w.invoice1} — $192.00 — Open</option>`);
  });

  it("200: refund&service=ID pre-selects a service whose cancellation was requested", async () => {
    await cancel(w.f, "h1", "c1");
    const page = await (await signedIn(w.f)).get("/requests/new?kind=refund&service=h1");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(
      '<option value="h1" selected>Hosting h1 (Hosting) — cancellation requested</option>',
    );
    expect(page.body).toContain('value="Refund: Hosting h1"');
    expect(page.body).toContain("If the refund is eligible");
  });

  it("200: a refund form for a customer with no cancellation explains that refunds come after cancelling", async () => {
    const page = await (await signedIn(w.f)).get("/requests/new?kind=refund&service=h1");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("A refund is requested after cancelling the service.");
    expect(page.body).toContain('<a class="button secondary" href="/">Go to the dashboard</a>');
    expect(page.body).not.toContain('action="/requests"');
    expect(page.body).not.toContain('value="h1"');
  });

  it("200: domain-deletion&service=ID pre-selects the domain, warns that it is irreversible and asks for confirmation", async () => {
    const page = await (await signedIn(w.f)).get("/requests/new?kind=domain-deletion&service=d1");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<section class="warning card"');
    expect(page.body).toContain("Deleting a domain name is irreversible and has important consequences");
    expect(page.body).toContain("turn auto-renew off instead");
    expect(page.body).toContain('<a href="/domains">');
    expect(page.body).toContain('<option value="d1" selected>example.com</option>');
    expect(page.body).toMatch(
      /<input type="checkbox" id="confirmedIrreversible" name="confirmedIrreversible" value="yes" required>/,
    );
    expect(page.body).toContain("I understand that this deletion is irreversible");
    expect(page.body).toContain('value="Domain deletion: example.com"');
  });

  it("200: another customer's domain in the query is ignored, never shown", async () => {
    const page = await (await signedIn(w.f)).get("/requests/new?kind=domain-deletion&service=d2");
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain("other.example");
    expect(page.body).not.toContain('value="d2"');
    expect(page.body).toContain('<option value="d1">example.com</option>');
  });

  it("200: a question has a subject and a message only", async () => {
    const page = await (await signedIn(w.f)).get("/requests/new?kind=question");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="subject"');
    expect(page.body).toContain('name="message"');
    expect(page.body).not.toContain("<select");
  });

  it("200: in French for a fr-CA customer", async () => {
    await w.f.dispose();
    w = await setUp(dialect, "fr-CA");
    const client = await signedIn(w.f);
    const list = await client.get("/requests");
    expect(list.body).toContain("<h1>Demandes</h1>");
    expect(list.body).toContain("Nouvelle demande");
    const page = await client.get("/requests/new?kind=domain-deletion&service=d1");
    expect(page.body).toContain("<h1>Nouvelle demande</h1>");
    expect(page.body).toContain("La suppression d'un domaine est irréversible".replace("'", "&#39;"));
    expect(page.body).toContain("Je comprends que cette suppression est irréversible");
    expect(page.body).toContain("désactivez plutôt le renouvellement automatique");
    expect(page.body).toContain('value="Suppression de domaine\u00a0: example.com"');
  });
});

describe.each(DIALECTS)("POST /requests (%s)", (dialect) => {
  let w: World;
  let client: HttpClient;
  beforeEach(async () => {
    w = await setUp(dialect);
    client = await signedIn(w.f);
  });
  afterEach(async () => {
    await w.f.dispose();
  });

  it("303: a question is opened, with a flash naming its number", async () => {
    await client.get("/requests/new?kind=question");
    const response = await client.post("/requests", {
      kind: "question",
      subject: "Backups",
      message: "How often are backups taken?",
    });
    const [row] = await tickets(w.f);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/requests/${row!.id}`);
    expect(row).toMatchObject({
      customer_id: "c1",
      kind: "question",
      subject: "Backups",
      body: "How often are backups taken?",
      status: "open",
      invoice_id: null,
      service_id: null,
    });
    const page = await client.get(`/requests/${row!.id}`);
    expect(page.body).toContain(`Request #${row!.id} sent.`);
  });

  it("303: an invoice adjustment from its pre-filled form quotes the invoice", async () => {
    const form = await client.get(`/requests/new?kind=invoice-adjustment&invoice=${w.invoice1}`);
    expect(form.body).toContain(`<option value="${w.invoice1}" selected>`);
    const response = await client.post("/requests", {
      kind: "invoice-adjustment",
      invoice: String(w.invoice1),
      subject: `Invoice adjustment: #${w.invoice1}`,
      message: "Please remove the second site from this invoice.",
    });
    expect(response.statusCode).toBe(303);
    const rows = await tickets(w.f);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: "invoice-adjustment", invoice_id: w.invoice1, service_id: null });
    expect(rows[0]!.subject).toBe(`Invoice adjustment: #${w.invoice1}`);
  });

  it("303: a refund request names the cancelled service", async () => {
    await cancel(w.f, "h1", "c1");
    const form = await client.get("/requests/new?kind=refund&service=h1");
    expect(form.body).toContain('<option value="h1" selected>');
    const response = await client.post("/requests", {
      kind: "refund",
      service: "h1",
      subject: "Refund: Hosting h1",
      message: "I cancelled today, please refund the unused months.",
    });
    expect(response.statusCode).toBe(303);
    expect(await tickets(w.f)).toMatchObject([{ kind: "refund", service_id: "h1", invoice_id: null }]);
  });

  it("303: a confirmed domain deletion is opened and records ticket.opened", async () => {
    const form = await client.get("/requests/new?kind=domain-deletion&service=d1");
    expect(form.body).toContain('<option value="d1" selected>');
    const response = await client.post("/requests", {
      kind: "domain-deletion",
      service: "d1",
      subject: "Domain deletion: example.com",
      message: "Please delete this name now.",
      confirmedIrreversible: "yes",
    });
    expect(response.statusCode).toBe(303);
    const rows = await tickets(w.f);
    expect(rows).toMatchObject([{ kind: "domain-deletion", service_id: "d1", status: "open" }]);
    expect(await events(w.f, "ticket.opened")).toEqual([
      { customer: "c1", service: "d1", details: { ticket: rows[0]!.id, kind: "domain-deletion" } },
    ]);
    const page = await client.get(response.headers.location as string);
    expect(page.body).toContain("Nothing is deleted yet.");
    expect(page.body).toContain('<dt>Domain</dt><dd><a href="/domains/d1">example.com</a></dd>');
    // The domain itself is untouched: staff confirm deletions.
    const domain = await w.f.deps.db
      .selectFrom("services")
      .select("status")
      .where("id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(domain.status).toBe("active");
  });

  it("400: a domain deletion without the confirmation checkbox is shown again, and nothing is written", async () => {
    await client.get("/requests/new?kind=domain-deletion&service=d1");
    const response = await client.post("/requests", {
      kind: "domain-deletion",
      service: "d1",
      subject: "Domain deletion: example.com",
      message: "Please delete this name now.",
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(
      '<p class="field-error" id="confirmedIrreversible-error">Tick the box to confirm that you understand this deletion is irreversible.</p>',
    );
    expect(response.body).toContain('<option value="d1" selected>example.com</option>');
    expect(response.body).toContain("Please delete this name now.");
    expect(await tickets(w.f)).toEqual([]);
    expect(await events(w.f, "ticket.opened")).toEqual([]);
  });

  it("400: an invoice adjustment without an invoice", async () => {
    await client.get("/requests/new?kind=invoice-adjustment");
    const response = await client.post("/requests", {
      kind: "invoice-adjustment",
      invoice: "",
      subject: "Adjust my invoice",
      message: "The amount is wrong.",
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain(
      '<p class="field-error" id="invoice-error">Choose the invoice to adjust.</p>',
    );
    expect(response.body).toContain('value="Adjust my invoice"');
    expect(await tickets(w.f)).toEqual([]);
  });

  it("400: a subject too short and an empty message, each with its message", async () => {
    await client.get("/requests/new?kind=question");
    const response = await client.post("/requests", { kind: "question", subject: "Hi", message: " " });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Enter a subject of 3 to 200 characters.");
    expect(response.body).toContain("Enter a message of 3 to 10,000 characters.");
    expect(await tickets(w.f)).toEqual([]);
  });

  it("400: an unknown kind shows the choice of kinds again", async () => {
    await client.get("/requests/new");
    const response = await client.post("/requests", {
      kind: "bribe",
      subject: "Hello",
      message: "Hello there",
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Choose the kind of request.");
    expect(await tickets(w.f)).toEqual([]);
  });

  it("400: a refund for the customer's own service that was never cancelled", async () => {
    await cancel(w.f, "h1", "c1");
    await w.f.addHosting("h3", "c1", "2022-02-01T00:00:00Z");
    await client.get("/requests/new?kind=refund");
    const response = await client.post("/requests", {
      kind: "refund",
      service: "h3",
      subject: "Refund",
      message: "Refund this one too.",
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Choose the cancelled service to be refunded.");
    expect(await tickets(w.f)).toEqual([]);
  });

  it("404: another customer's invoice in the form, and nothing is written", async () => {
    await client.get("/requests/new?kind=invoice-adjustment");
    const response = await client.post("/requests", {
      kind: "invoice-adjustment",
      invoice: String(w.invoice2),
      subject: `Invoice adjustment: #${w.invoice2}`,
      message: "Adjust it please.",
    });
    expect(response.statusCode).toBe(404);
    expect(await tickets(w.f)).toEqual([]);
    expect(await events(w.f, "ticket.opened")).toEqual([]);
  });

  it("404: another customer's domain (or cancelled service) in the form, and nothing is written", async () => {
    await cancel(w.f, "h2", "c2");
    await client.get("/requests/new?kind=domain-deletion");
    const deletion = await client.post("/requests", {
      kind: "domain-deletion",
      service: "d2",
      subject: "Domain deletion: other.example",
      message: "Delete it.",
      confirmedIrreversible: "yes",
    });
    expect(deletion.statusCode).toBe(404);
    const refund = await client.post("/requests", {
      kind: "refund",
      service: "h2",
      subject: "Refund",
      message: "Refund it.",
    });
    expect(refund.statusCode).toBe(404);
    expect(await tickets(w.f)).toEqual([]);
    expect(await events(w.f, "ticket.opened")).toEqual([]);
  });

  it("403: a form without its CSRF token is refused and writes nothing", async () => {
    await client.get("/requests/new?kind=question");
    const response = await client.post(
      "/requests",
      { kind: "question", subject: "Backups", message: "How often?" },
      { csrf: false },
    );
    expect(response.statusCode).toBe(403);
    expect(await tickets(w.f)).toEqual([]);
  });
});

describe.each(DIALECTS)("GET /requests/:id (%s)", (dialect) => {
  let w: World;
  beforeEach(async () => {
    w = await setUp(dialect);
  });
  afterEach(async () => {
    await w.f.dispose();
  });

  it("200: the request with its linked invoice, the message and the replies in order", async () => {
    const f = w.f;
    const { ticket } = await openTicket(
      f.deps,
      {
        customerId: "c1",
        openedBy: "c1",
        ticket: {
          kind: "invoice-adjustment",
          subject: `Invoice adjustment: #${w.invoice1}`,
          body: "First message",
          invoiceId: w.invoice1,
        },
      },
      f.clock.now(),
    );
    await f.deps.db
      .insertInto("ticket_replies")
      .values([
        {
          ticket_id: ticket,
          author: "billing",
          body: "Second: we are on it",
          created_at: at("2022-03-21T10:00:00Z"),
        },
        {
          ticket_id: ticket,
          author: "customer",
          body: "Third: thanks",
          created_at: at("2022-03-22T10:00:00Z"),
        },
      ])
      .execute();
    const page = await (await signedIn(f)).get(`/requests/${ticket}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`<h1>Request #${ticket}</h1>`);
    expect(page.body).toContain("<dd>Invoice adjustment</dd>");
    expect(page.body).toContain(`<a href="/invoices/${w.invoice1}">#${w.invoice1} — $192.00</a>`);
    const positions = firstOf(page.body, [
      "First message",
      "Billing team",
      "Second: we are on it",
      "Third: thanks",
    ]);
    expect(positions[0]).toBeGreaterThan(0);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(page.body).toContain("<strong>You</strong>");
    expect(page.body).toContain(`action="/requests/${ticket}/replies"`);
    expect(page.body).toContain(`action="/requests/${ticket}/close"`);
  });

  it("200: a request about a service links to it", async () => {
    await cancel(w.f, "h1", "c1");
    const { ticket } = await openTicket(
      w.f.deps,
      {
        customerId: "c1",
        openedBy: "c1",
        ticket: { kind: "refund", subject: "Refund", body: "Please", serviceId: "h1" },
      },
      w.f.clock.now(),
    );
    const page = await (await signedIn(w.f)).get(`/requests/${ticket}`);
    expect(page.body).toContain('<a href="/services/h1">Hosting h1</a>');
  });

  it("404: another customer's request, and a path that is not a number", async () => {
    const theirs = await question(w.f, "c2", "Private matter");
    const client = await signedIn(w.f);
    const response = await client.get(`/requests/${theirs}`);
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain("Private matter");
    expect((await client.get("/requests/abc")).statusCode).toBe(404);
    expect((await client.get("/requests/999999")).statusCode).toBe(404);
  });
});

describe.each(DIALECTS)("POST /requests/:id/replies (%s)", (dialect) => {
  let w: World;
  let client: HttpClient;
  beforeEach(async () => {
    w = await setUp(dialect);
    client = await signedIn(w.f);
  });
  afterEach(async () => {
    await w.f.dispose();
  });

  it("303: the reply is added after the staff's, and the page shows them in order", async () => {
    const ticket = await question(w.f, "c1");
    await w.f.deps.db
      .insertInto("ticket_replies")
      .values({
        ticket_id: ticket,
        author: "support",
        body: "Which site?",
        created_at: at("2022-03-20T13:00:00Z"),
      })
      .execute();
    w.f.clock.set(at("2022-03-21T08:00:00Z"));
    await client.get(`/requests/${ticket}`);
    const response = await client.post(`/requests/${ticket}/replies`, { body: "The blog, please." });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/requests/${ticket}`);
    expect(await replies(w.f, ticket)).toEqual([
      { author: "support", body: "Which site?" },
      { author: "customer", body: "The blog, please." },
    ]);
    const page = await client.get(`/requests/${ticket}`);
    expect(page.body).toContain("Your reply was sent.");
    const positions = firstOf(page.body, ["Please tell me.", "Which site?", "The blog, please."]);
    expect(positions[0]).toBeGreaterThan(0);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("400: an empty reply is shown again with its message, and nothing is written", async () => {
    const ticket = await question(w.f, "c1");
    await client.get(`/requests/${ticket}`);
    const response = await client.post(`/requests/${ticket}/replies`, { body: "  " });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("Enter a reply of 3 to 10,000 characters.");
    expect(await replies(w.f, ticket)).toEqual([]);
  });

  it("409: a reply to a closed request is refused with a message", async () => {
    const ticket = await question(w.f, "c1");
    await client.get(`/requests/${ticket}`);
    await client.post(`/requests/${ticket}/close`, {});
    const response = await client.post(`/requests/${ticket}/replies`, { body: "One more thing" });
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain("This request is closed, so it no longer takes replies.");
    expect(await replies(w.f, ticket)).toEqual([]);
  });

  it("404: a reply to another customer's request writes nothing", async () => {
    const theirs = await question(w.f, "c2");
    await client.get("/requests");
    const response = await client.post(`/requests/${theirs}/replies`, { body: "Hello there" });
    expect(response.statusCode).toBe(404);
    expect(await replies(w.f, theirs)).toEqual([]);
  });

  it("403: a reply without its CSRF token writes nothing", async () => {
    const ticket = await question(w.f, "c1");
    await client.get(`/requests/${ticket}`);
    const response = await client.post(
      `/requests/${ticket}/replies`,
      { body: "Hello there" },
      { csrf: false },
    );
    expect(response.statusCode).toBe(403);
    expect(await replies(w.f, ticket)).toEqual([]);
  });
});

describe.each(DIALECTS)("POST /requests/:id/close (%s)", (dialect) => {
  let w: World;
  let client: HttpClient;
  beforeEach(async () => {
    w = await setUp(dialect);
    client = await signedIn(w.f);
  });
  afterEach(async () => {
    await w.f.dispose();
  });

  it("303: the request is closed, ticket.closed is recorded, and the reply form is gone", async () => {
    const ticket = await question(w.f, "c1");
    w.f.clock.set(at("2022-03-25T15:00:00Z"));
    await client.get(`/requests/${ticket}`);
    const response = await client.post(`/requests/${ticket}/close`, {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/requests/${ticket}`);
    expect(await tickets(w.f)).toMatchObject([
      { id: ticket, status: "closed", closed_at: at("2022-03-25T15:00:00Z") },
    ]);
    expect(await events(w.f, "ticket.closed")).toEqual([
      { customer: "c1", service: null, details: { ticket } },
    ]);
    const page = await client.get(`/requests/${ticket}`);
    expect(page.body).toContain(`Request #${ticket} closed.`);
    expect(page.body).toContain('<span class="badge badge-closed">Closed</span>');
    expect(page.body).toContain("This request was closed on March 25, 2022.");
    expect(page.body).not.toContain(`action="/requests/${ticket}/replies"`);
    // Closing twice changes nothing more.
    await client.post(`/requests/${ticket}/close`, {});
    expect(await events(w.f, "ticket.closed")).toHaveLength(1);
  });

  it("404: closing another customer's request leaves it open", async () => {
    const theirs = await question(w.f, "c2");
    await client.get("/requests");
    const response = await client.post(`/requests/${theirs}/close`, {});
    expect(response.statusCode).toBe(404);
    expect(await tickets(w.f)).toMatchObject([{ id: theirs, status: "open", closed_at: null }]);
    expect(await events(w.f, "ticket.closed")).toEqual([]);
  });

  it("403: closing without the CSRF token leaves it open", async () => {
    const ticket = await question(w.f, "c1");
    await client.get(`/requests/${ticket}`);
    const response = await client.post(`/requests/${ticket}/close`, {}, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(await tickets(w.f)).toMatchObject([{ id: ticket, status: "open" }]);
  });
});
