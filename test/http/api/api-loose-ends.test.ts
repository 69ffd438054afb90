import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../src/http/app.js";
import { type ApiScope, createApiKey } from "../../../src/modules/api-keys/api-keys.js";
import { issueInvoice } from "../../../src/modules/invoices/invoice-repository.js";
import { openTicket } from "../../../src/modules/tickets/open-ticket.js";
import { apiCaller, apiKey } from "../../support/api-calls.js";
import { DIALECTS } from "../../support/stores.js";
import { createTwoCustomers, type TwoCustomers } from "../../support/two-customers.js";

describe.each(DIALECTS)("JSON API: reference, webhook endpoints, adjustments, rate limit (%s)", (dialect) => {
  let w: TwoCustomers;
  const keys: Record<string, string> = {};
  let twoLines: number;
  let adjustTicket: number;

  const key = (name: string, scopes: ApiScope[], customerId: string | null = null) =>
    apiKey(w, name, scopes, customerId);
  const call = apiCaller(
    () => w,
    () => keys.admin,
  );

  beforeAll(async () => {
    w = await createTwoCustomers(dialect);
    keys.admin = await key("admin", ["read", "billing", "webhooks"]);
    keys.read = await key("read only", ["read", "services", "domains"]);
    keys.alice = await key("alice's panel", ["read", "billing"], "alice");
    twoLines = Number(
      await w.f.deps.db.transaction().execute((tx) =>
        issueInvoice(tx, {
          customerId: "bob",
          issueKey: "test:bob:two-lines",
          serviceId: "b-host",
          purpose: "manual",
          periodStartAt: null,
          currency: "USD",
          issuedAt: w.f.clock.now(),
          dueAt: w.f.clock.now(),
          lines: [
            {
              serviceId: "b-host",
              description: "Setup",
              amount: 3000,
              periodStartAt: null,
              periodEndAt: null,
            },
            {
              serviceId: "b-host",
              description: "Migration",
              amount: 2000,
              periodStartAt: null,
              periodEndAt: null,
            },
          ],
        }),
      ),
    );
    adjustTicket = (
      await openTicket(
        w.f.deps,
        {
          customerId: "bob",
          openedBy: "bob",
          ticket: {
            kind: "invoice-adjustment",
            subject: "Remove the migration",
            body: "Not done.",
            invoiceId: twoLines,
          },
        },
        w.f.clock.now(),
      )
    ).ticket;
  });
  afterAll(() => w.f.dispose());

  describe("GET /docs", () => {
    it("renders every operation of the OpenAPI document, without a key, in the reader's language", async () => {
      const page = await w.f.app.inject({ method: "GET", url: "/api/v1/docs" });
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toContain("text/html");
      expect(page.body).not.toMatch(/<script|https?:\/\/cdn/i);
      const document = (await w.f.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
      for (const methods of Object.values(document.paths) as Record<string, { operationId: string }>[]) {
        for (const operation of Object.values(methods))
          expect(page.body).toContain(`id="${operation.operationId}"`);
      }
      expect(page.body).toContain("Tenure API reference");
      const french = await w.f.app.inject({
        method: "GET",
        url: "/api/v1/docs",
        headers: { "accept-language": "fr-CA,fr;q=0.9" },
      });
      expect(french.body).toContain("Référence de l");
      expect(french.body).toContain("Sommaire");
      expect(french.body).toContain('lang="fr-CA"');
      expect((await w.f.app.inject({ method: "GET", url: "/api/v1/docs?lang=en" })).body).toContain(
        'lang="en"',
      );
    });
  });

  describe("/webhook-endpoints", () => {
    it("creates an endpoint (secret shown once), lists it without the secret, and deletes it", async () => {
      const created = await call("POST", "/webhook-endpoints", {
        body: {
          url: "https://hooks.example/tenure",
          event_types: ["invoice.paid"],
          description: "Accounting",
        },
      });
      expect(created.statusCode).toBe(201);
      const endpoint = created.json();
      expect(endpoint).toMatchObject({
        object: "webhook_endpoint",
        url: "https://hooks.example/tenure",
        event_types: ["invoice.paid"],
        disabled_at: null,
      });
      expect(endpoint.secret).toMatch(/^whsec_/);
      const listed = await call("GET", "/webhook-endpoints");
      expect(listed.statusCode).toBe(200);
      expect(listed.json().data.map((e: { id: string }) => e.id)).toContain(endpoint.id);
      expect(listed.body).not.toContain(endpoint.secret);
      const audit = await w.f.deps.db.selectFrom("audit_log").select(["action", "staff_email"]).execute();
      expect(audit).toContainEqual({ action: "webhook.endpoint-added", staff_email: "api-key:admin" });

      const deleted = await call("DELETE", `/webhook-endpoints/${endpoint.id}`);
      expect(deleted.statusCode).toBe(200);
      expect(deleted.json()).toEqual({ object: "webhook_endpoint", id: endpoint.id, deleted: true });
      expect(
        (await call("GET", "/webhook-endpoints")).json().data.map((e: { id: string }) => e.id),
      ).not.toContain(endpoint.id);
      const again = await call("DELETE", `/webhook-endpoints/${endpoint.id}`);
      expect(again.statusCode).toBe(404);
      expect(again.json().code).toBe("not_found");
    });

    it("refuses a bad URL or event type (400 naming the field), no key (401), another scope (403)", async () => {
      const bad = await call("POST", "/webhook-endpoints", {
        body: { url: "ftp://x", event_types: ["nope"] },
      });
      expect(bad.statusCode).toBe(400);
      expect(
        bad
          .json()
          .errors.map((e: { field: string }) => e.field)
          .sort(),
      ).toEqual(["event_types.0", "url"]);
      expect((await call("GET", "/webhook-endpoints", { key: null })).statusCode).toBe(401);
      const other = await call("GET", "/webhook-endpoints", { key: keys.read });
      expect(other.statusCode).toBe(403);
      expect(other.json().code).toBe("insufficient_scope");
      expect((await call("DELETE", "/webhook-endpoints/we_x", { key: keys.alice })).statusCode).toBe(403);
    });

    it("gives the webhooks scope to host-wide keys only", async () => {
      await expect(
        createApiKey(
          w.f.deps.db,
          { name: "panel", scopes: ["webhooks"], customerId: "alice", createdBy: "test" },
          w.f.clock.now(),
        ),
      ).rejects.toThrow(/webhooks/);
    });

    it("replays a create under the same Idempotency-Key, and refuses the key with another body (409)", async () => {
      const body = { url: "https://hooks.example/once" };
      const first = await call("POST", "/webhook-endpoints", { body, idempotencyKey: "hook-once" });
      const replay = await call("POST", "/webhook-endpoints", { body, idempotencyKey: "hook-once" });
      expect(replay.statusCode).toBe(201);
      expect(replay.headers["idempotent-replayed"]).toBe("true");
      expect(replay.json().id).toBe(first.json().id);
      const listed = (await call("GET", "/webhook-endpoints")).json().data;
      expect(listed.filter((e: { url: string }) => e.url === body.url)).toHaveLength(1);
      const conflict = await call("POST", "/webhook-endpoints", {
        body: { url: "https://hooks.example/other" },
        idempotencyKey: "hook-once",
      });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json().code).toBe("idempotency_conflict");
    });
  });

  describe("POST /invoices/{id}/adjustments", () => {
    it("removes a line: the total drops, a credit note is left, the answer names the invoice and the amounts", async () => {
      const lines = await w.f.deps.db
        .selectFrom("invoice_lines")
        .select(["id", "description"])
        .where("invoice_id", "=", twoLines)
        .execute();
      const migration = lines.find((l) => l.description === "Migration");
      const response = await call("POST", `/invoices/${twoLines}/adjustments`, {
        body: {
          action: "remove-line",
          line: Number(migration?.id),
          ticket: adjustTicket,
          reason: "Not done",
        },
      });
      expect(response.statusCode, response.body).toBe(200);
      const adjusted = response.json();
      expect(adjusted).toMatchObject({
        object: "invoice_adjustment",
        invoice: twoLines,
        result: "line-removed",
      });
      expect(adjusted.previous_total.amount - adjusted.total.amount).toBe(adjusted.credited.amount);
      expect(adjusted.credited.amount).toBeGreaterThanOrEqual(2000);
      const notes = await w.f.deps.db
        .selectFrom("credit_notes")
        .select(["kind", "created_by"])
        .where("invoice_id", "=", twoLines)
        .execute();
      expect(notes).toEqual([{ kind: "adjustment", created_by: expect.stringContaining("api-key") }]);
    });

    it("voids an open invoice, then refuses to adjust it again (409 conflict)", async () => {
      const voided = await call("POST", `/invoices/${twoLines}/adjustments`, {
        body: { action: "void", ticket: adjustTicket, reason: "Cancelled order" },
      });
      expect(voided.statusCode).toBe(200);
      expect(voided.json()).toMatchObject({ result: "voided", previous_total: null, credited: null });
      const again = await call("POST", `/invoices/${twoLines}/adjustments`, {
        body: { action: "void", ticket: adjustTicket, reason: "Cancelled order" },
      });
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: "conflict", reason: "void" });
    });

    it("refuses a bad body (400), no key (401), a key without billing (403), another customer's invoice (404)", async () => {
      const path = `/invoices/${w.bob.invoices[0]}/adjustments`;
      const bad = await call("POST", path, {
        body: { action: "rewrite", ticket: adjustTicket, reason: "x" },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe("validation_failed");
      const body = { action: "void", ticket: adjustTicket, reason: "Wrong invoice" };
      expect((await call("POST", path, { key: null, body })).statusCode).toBe(401);
      expect((await call("POST", path, { key: keys.read, body })).statusCode).toBe(403);
      const hidden = await call("POST", path, { key: keys.alice, body });
      expect(hidden.statusCode).toBe(404);
      const aliceTicket = await call("POST", path, {
        body: { action: "void", ticket: w.alice.tickets[0], reason: "Wrong ticket" },
      });
      expect(aliceTicket.statusCode).toBe(404);
    });

    it("refuses an Idempotency-Key used with another adjustment (409 idempotency_conflict)", async () => {
      const path = `/invoices/${w.bob.invoices[0]}/adjustments`;
      const first = await call("POST", path, {
        body: { action: "void", ticket: adjustTicket, reason: "Duplicate order" },
        idempotencyKey: "adjust-bob-1",
      });
      expect(first.statusCode).toBeLessThan(500);
      const other = await call("POST", path, {
        body: { action: "void", ticket: adjustTicket, reason: "Another reason" },
        idempotencyKey: "adjust-bob-1",
      });
      expect(other.statusCode).toBe(409);
      expect(other.json().code).toBe("idempotency_conflict");
    });
  });

  it("filters every list through one helper: the key's customer, each parameter given, the date range", async () => {
    const byEmail = (await call("GET", "/customers?email=ALICE@example.test")).json();
    expect(byEmail.data.map((c: { id: string }) => c.id)).toEqual(["alice"]);
    const aliceOnly = (await call("GET", "/customers?limit=100", { key: keys.alice })).json();
    expect(aliceOnly.data.map((c: { id: string }) => c.id)).toEqual(["alice"]);
    const none = (await call("GET", `/payments?invoice=${w.missing.invoice}`)).json();
    expect(none.data).toEqual([]);
    const events = (await call("GET", "/events?type=domain.expired&limit=100")).json();
    expect(events.data.length).toBeGreaterThan(0);
    expect(events.data.every((e: { type: string }) => e.type === "domain.expired")).toBe(true);
    const later = (await call("GET", "/tickets?created_gte=2030-01-01T00:00:00Z")).json();
    expect(later.data).toEqual([]);
    const bobTickets = (await call("GET", "/tickets?customer=bob&limit=100", { key: keys.alice })).json();
    expect(bobTickets.data).toEqual([]);
  });

  it("takes its per-key rate limit from the policy (api.rateLimitPerMinute)", async () => {
    const app = await buildApp({
      deps: { ...w.f.deps, policies: { ...w.f.deps.policies, api: { rateLimitPerMinute: 2 } } },
      clock: w.f.clock,
      mailer: null,
      sessionSecret: "a test secret that is at least thirty-two characters",
      baseUrl: "https://clients.example",
    });
    try {
      const limited = await key("limited by policy", ["read"]);
      expect((await call("GET", "/customers", { key: limited, app })).statusCode).toBe(200);
      expect((await call("GET", "/customers", { key: limited, app })).statusCode).toBe(200);
      const refused = await call("GET", "/customers", { key: limited, app });
      expect(refused.statusCode).toBe(429);
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      await app.close();
    }
  });
});
