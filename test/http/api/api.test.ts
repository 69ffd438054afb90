import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../src/http/app.js";
import { type ApiScope, revokeApiKey } from "../../../src/modules/api-keys/api-keys.js";
import { apiCaller, apiKey } from "../../support/api-calls.js";
import { DIALECTS } from "../../support/stores.js";
import { createTwoCustomers, type TwoCustomers } from "../../support/two-customers.js";

describe.each(DIALECTS)("JSON API (%s)", (dialect) => {
  let w: TwoCustomers;
  const keys: Record<string, string> = {};

  const key = (name: string, scopes: ApiScope[], customerId: string | null = null) =>
    apiKey(w, name, scopes, customerId);
  const call = apiCaller(
    () => w,
    () => keys.all,
  );

  beforeAll(async () => {
    w = await createTwoCustomers(dialect);
    keys.all = await key("all", ["read", "billing", "domains", "services"]);
    keys.read = await key("read only", ["read"]);
    keys.alice = await key("alice's panel", ["read", "billing", "domains", "services"], "alice");
  });
  afterAll(() => w.f.dispose());

  it("lists in the Stripe style, newest first, with cursors both ways", async () => {
    const first = await call("GET", "/services?limit=2");
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.object).toBe("list");
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    const ids = page.data.map((s: { id: string }) => s.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    const next = (await call("GET", `/services?limit=100&starting_after=${ids[1]}`)).json();
    expect(next.has_more).toBe(false);
    expect(next.data.map((s: { id: string }) => s.id)).not.toContain(ids[1]);
    expect(next.data.every((s: { id: string }) => s.id < ids[1])).toBe(true);
    const back = (await call("GET", `/services?limit=1&ending_before=${next.data[0].id}`)).json();
    expect(back.data.map((s: { id: string }) => s.id)).toEqual([ids[1]]);
    expect(back.has_more).toBe(true);
  });

  it("filters by customer, status and dates", async () => {
    const bob = (await call("GET", "/services?customer=bob&limit=100")).json();
    expect(bob.data.map((s: { id: string }) => s.id).sort()).toEqual(["b-dom", "b-host"]);
    const open = (await call("GET", "/invoices?status=open&customer=alice")).json();
    expect(open.data.map((i: { id: number }) => i.id)).toContain(w.alice.invoices[0]);
    const future = (await call("GET", "/invoices?issued_gte=2030-01-01T00:00:00Z")).json();
    expect(future.data).toEqual([]);
    const expiring = (await call("GET", "/domains?expires_lt=2022-05-01T00:00:00Z")).json();
    expect(expiring.data.map((d: { name: string }) => d.name)).toEqual(["alice-grace.com"]);
  });

  it("retrieves every resource", async () => {
    expect((await call("GET", "/customers/alice")).json()).toMatchObject({
      object: "customer",
      email: "alice@example.test",
    });
    expect((await call("GET", "/services/a-host")).json()).toMatchObject({
      object: "service",
      customer: "alice",
    });
    expect((await call("GET", "/domains/a-dom")).json()).toMatchObject({
      object: "domain",
      name: "alice-secret.com",
    });
    const invoice = (await call("GET", `/invoices/${w.alice.invoices[0]}`)).json();
    expect(invoice).toMatchObject({ object: "invoice", total: 19200, status: "open" });
    expect(invoice.lines[0].description).toBe("Setup of a-host");
    const pdf = await call("GET", `/invoices/${w.alice.invoices[0]}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    expect((await call("GET", `/tickets/${w.alice.tickets[0]}`)).json()).toMatchObject({
      subject: "Alice private question",
    });
    const cancellations = (await call("GET", "/cancellation-requests?customer=alice")).json();
    expect(cancellations.data[0]).toMatchObject({ service: "a-leaving", status: "pending" });
    expect((await call("GET", `/cancellation-requests/${cancellations.data[0].id}`)).statusCode).toBe(200);
    const events = (await call("GET", "/events?service=a-leaving")).json();
    expect(events.data.map((e: { type: string }) => e.type)).toContain("service.cancellation_requested");
    expect((await call("GET", `/events/${events.data[0].id}`)).json().object).toBe("event");
    const runs = (await call("GET", "/engine-runs")).json();
    expect(runs.data.length).toBeGreaterThan(0);
    expect((await call("GET", `/engine-runs/${runs.data[0].id}`)).json().object).toBe("engine_run");
    const preview = (await call("GET", "/preview?days=90")).json();
    expect(preview.object).toBe("preview");
    expect(preview.totals.services).toBeGreaterThan(0);
    expect((await call("GET", "/preview?days=91")).statusCode).toBe(400);
  });

  it("refuses a missing or revoked key with 401 and no cookie", async () => {
    const none = await call("GET", "/customers", { key: null });
    expect(none.statusCode).toBe(401);
    expect(none.headers["content-type"]).toContain("application/problem+json");
    expect(none.json()).toMatchObject({ status: 401, code: "unauthenticated" });
    expect(none.headers["set-cookie"]).toBeUndefined();
    expect((await call("GET", "/customers", { key: "tnr_not-a-key" })).statusCode).toBe(401);
    const doomed = await key("doomed", ["read"]);
    expect((await call("GET", "/customers", { key: doomed })).statusCode).toBe(200);
    const row = await w.f.deps.db
      .selectFrom("api_keys")
      .select("id")
      .where("name", "=", "doomed")
      .executeTakeFirstOrThrow();
    await revokeApiKey(w.f.deps.db, row.id, w.f.clock.now());
    expect((await call("GET", "/customers", { key: doomed })).statusCode).toBe(401);
  });

  it("records the last use of a key", async () => {
    const row = await w.f.deps.db
      .selectFrom("api_keys")
      .select("last_used_at")
      .where("name", "=", "all")
      .executeTakeFirstOrThrow();
    expect(Number(row.last_used_at)).toBe(w.f.clock.now());
  });

  it("refuses a key without the scope with 403, changing nothing", async () => {
    const refused = await call("POST", `/invoices/${w.bob.invoices[0]}/pay`, { key: keys.read });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "insufficient_scope" });
    expect((await call("GET", `/invoices/${w.bob.invoices[0]}`)).json().status).toBe("open");
  });

  it("answers 404 for another customer's object with a key restricted to one customer", async () => {
    for (const path of [
      "/customers/bob",
      "/services/b-host",
      "/domains/b-dom",
      `/invoices/${w.bob.invoices[0]}`,
      `/tickets/${w.bob.tickets[0]}`,
    ]) {
      const response = await call("GET", path, { key: keys.alice });
      expect(response.statusCode, path).toBe(404);
      expect(response.json().code).toBe("not_found");
    }
    const list = (await call("GET", "/services?limit=100", { key: keys.alice })).json();
    expect(list.data.every((s: { customer: string }) => s.customer === "alice")).toBe(true);
    const pay = await call("POST", `/invoices/${w.bob.invoices[0]}/pay`, { key: keys.alice });
    expect(pay.statusCode).toBe(404);
    expect((await call("GET", `/invoices/${w.bob.invoices[0]}`)).json().status).toBe("open");
    expect((await call("GET", "/engine-runs", { key: keys.alice })).statusCode).toBe(403);
  });

  it("answers 400 with the fields for bad input, never a 500", async () => {
    const limit = await call("GET", "/services?limit=500");
    expect(limit.statusCode).toBe(400);
    expect(limit.json()).toMatchObject({ code: "validation_failed" });
    expect(limit.json().errors[0].field).toBe("limit");
    expect((await call("GET", "/invoices/abc")).statusCode).toBe(400);
    expect((await call("GET", "/invoices?starting_after=abc")).statusCode).toBe(400);
    expect((await call("GET", "/services?unknown=1")).statusCode).toBe(400);
    const body = await call("POST", "/services/a-host/cancellation", {
      body: { when: "someday", reason: "x" },
    });
    expect(body.statusCode).toBe(400);
    expect(
      body
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(["reason", "when"]);
    const broken = await w.f.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: { authorization: `Bearer ${keys.all}`, "content-type": "application/json" },
      payload: "{not json",
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe("validation_failed");
    const form = await w.f.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: { authorization: `Bearer ${keys.all}`, "content-type": "application/x-www-form-urlencoded" },
      payload: "a=b",
    });
    expect(form.statusCode).toBe(415);
    expect((await call("GET", "/no-such-route")).statusCode).toBe(404);
    expect((await call("GET", "/customers/no-such")).json().code).toBe("not_found");
  });

  it("opens a ticket, and replays it for the same Idempotency-Key", async () => {
    const body = {
      customer: "bob",
      kind: "question",
      subject: "From the helpdesk",
      body: "Imported from the helpdesk.",
    };
    const first = await call("POST", "/tickets", { body, idempotencyKey: "ticket-1" });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ object: "ticket", customer: "bob", subject: "From the helpdesk" });
    const again = await call("POST", "/tickets", { body, idempotencyKey: "ticket-1" });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers["idempotent-replayed"]).toBe("true");
    const tickets = await w.f.deps.db
      .selectFrom("tickets")
      .select("id")
      .where("subject", "=", "From the helpdesk")
      .execute();
    expect(tickets).toHaveLength(1);
    const other = await call("POST", "/tickets", {
      body: { ...body, subject: "Another one" },
      idempotencyKey: "ticket-1",
    });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe("idempotency_conflict");
  });

  it("two concurrent requests with one Idempotency-Key run once", async () => {
    const body = { customer: "bob", kind: "question", subject: "Concurrent", body: "Sent twice at once." };
    const [a, b] = await Promise.all([
      call("POST", "/tickets", { body, idempotencyKey: "race-1" }),
      call("POST", "/tickets", { body, idempotencyKey: "race-1" }),
    ]);
    const statuses = [a.statusCode, b.statusCode].sort();
    expect(statuses[0]).toBe(201);
    expect([201, 409]).toContain(statuses[1]);
    const tickets = await w.f.deps.db
      .selectFrom("tickets")
      .select("id")
      .where("subject", "=", "Concurrent")
      .execute();
    expect(tickets).toHaveLength(1);
  });

  it("pays an invoice", async () => {
    const paid = await call("POST", `/invoices/${w.bob.invoices[0]}/pay`, { idempotencyKey: "pay-bob" });
    expect(paid.statusCode).toBe(200);
    expect(paid.json()).toMatchObject({
      object: "invoice_payment",
      outcome: "succeeded",
      invoice: { status: "paid" },
    });
    const again = await call("POST", `/invoices/${w.bob.invoices[0]}/pay`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe("conflict");
    const payments = (await call("GET", `/payments?invoice=${w.bob.invoices[0]}`)).json();
    expect(payments.data).toHaveLength(1);
    expect((await call("GET", `/payments/${payments.data[0].id}`)).json()).toMatchObject({
      status: "succeeded",
      amount: 4800,
    });
  });

  it("refunds a payment from a refund ticket", async () => {
    const payment = (await call("GET", `/payments?invoice=${w.bob.invoices[0]}`)).json().data[0];
    const ticket = (
      await call("POST", "/tickets", {
        body: { customer: "bob", kind: "refund", subject: "Refund please", body: "I was charged twice." },
      })
    ).json();
    const refund = await call("POST", `/payments/${payment.id}/refunds`, {
      body: { ticket: ticket.id, amount: 1000, reason: "goodwill" },
      idempotencyKey: "refund-1",
    });
    expect(refund.statusCode).toBe(200);
    expect(refund.json()).toMatchObject({
      object: "refund",
      status: "succeeded",
      amount: { amount: 1000, currency: "USD" },
    });
    const replay = await call("POST", `/payments/${payment.id}/refunds`, {
      body: { ticket: ticket.id, amount: 1000, reason: "goodwill" },
      idempotencyKey: "refund-1",
    });
    expect(replay.json()).toEqual(refund.json());
    expect((await call("GET", `/payments/${payment.id}`)).json().amount_refunded).toBe(1000);
    const tooMuch = await call("POST", `/payments/${payment.id}/refunds`, {
      body: { ticket: ticket.id, amount: 999_999, reason: "too much" },
    });
    expect(tooMuch.statusCode).toBe(409);
    const audit = await w.f.deps.db
      .selectFrom("audit_log")
      .select(["staff_email", "action"])
      .where("action", "=", "payment.refund-requested")
      .execute();
    expect(audit).toEqual([{ staff_email: "api-key:all", action: "payment.refund-requested" }]);
  });

  it("requests and withdraws a cancellation", async () => {
    const requested = await call("POST", "/services/b-host/cancellation", {
      body: { when: "end-of-term", reason: "Moving away" },
    });
    expect(requested.statusCode).toBe(201);
    expect(requested.json()).toMatchObject({
      object: "cancellation_request",
      service: "b-host",
      status: "pending",
    });
    const twice = await call("POST", "/services/b-host/cancellation", {
      body: { when: "end-of-term", reason: "Again" },
    });
    expect(twice.statusCode).toBe(409);
    const withdrawn = await call("POST", "/services/b-host/cancellation/withdraw");
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().object).toBe("service");
    expect((await call("POST", "/services/b-host/cancellation/withdraw")).statusCode).toBe(409);
  });

  it("sets auto-renew, gives a transfer code and reactivates a domain in grace", async () => {
    const off = await call("POST", "/domains/b-dom/auto-renew", { body: { enabled: false } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ object: "domain", auto_renew: false });
    expect((await call("POST", "/domains/b-dom/auto-renew", { body: { enabled: "no" } })).statusCode).toBe(
      400,
    );
    const code = await call("POST", "/domains/b-dom/transfer-code");
    expect([200, 409]).toContain(code.statusCode);
    const reactivated = await call("POST", "/domains/a-grace/reactivate", { key: keys.alice });
    expect(reactivated.statusCode).toBe(200);
    expect(reactivated.json()).toMatchObject({ object: "domain_reactivation", charge: "succeeded" });
    expect((await call("POST", "/domains/a-grace/reactivate", { key: keys.alice })).statusCode).toBe(409);
  });

  it("limits each key's requests per minute: 429 with Retry-After", async () => {
    const app = await buildApp({
      deps: w.f.deps,
      clock: w.f.clock,
      mailer: null,
      sessionSecret: "a test secret that is at least thirty-two characters",
      baseUrl: "https://clients.example",
      apiRateLimitPerMinute: 3,
    });
    try {
      const limited = await key("limited", ["read"]);
      for (let i = 0; i < 3; i++)
        expect((await call("GET", "/customers", { key: limited, app })).statusCode).toBe(200);
      const refused = await call("GET", "/customers", { key: limited, app });
      expect(refused.statusCode).toBe(429);
      expect(refused.json().code).toBe("rate_limited");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      // Another key has its own budget; a minute later the first one may go again.
      expect((await call("GET", "/customers", { key: keys.read, app })).statusCode).toBe(200);
      w.f.clock.advance(60_000);
      expect((await call("GET", "/customers", { key: limited, app })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
