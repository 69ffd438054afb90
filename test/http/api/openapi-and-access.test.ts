/**
 * The API's contract, enumerated from the running app: the OpenAPI document validates as 3.1 and
 * names every /api/v1 route the app registers; the access matrix tries every route with a key of
 * each single scope (403 unless it is the route's scope) and with no key (401). The client area
 * and the back office still refuse a post without its CSRF token.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("fastify", async (importOriginal) =>
  (await import("../../support/route-recorder.js")).withRouteRecorder(await importOriginal()),
);

import { Validator } from "@seriousme/openapi-schema-validator";
import { API_SCOPES, type ApiScope, createApiKey } from "../../../src/modules/api-keys/api-keys.js";
import { issueInvoice } from "../../../src/modules/invoices/invoice-repository.js";
import { createWebhookEndpoint } from "../../../src/modules/webhooks/webhooks.js";
import { routesOf } from "../../support/route-recorder.js";
import { DIALECTS } from "../../support/stores.js";
import { createTwoCustomers, type TwoCustomers } from "../../support/two-customers.js";

interface Ids {
  payment: number;
  /** An open invoice of Bob's, for the adjustment line. */
  adjustable: number;
  endpoint: string;
  refundTicket: number;
  event: number;
  run: number;
  cancellation: number;
}

interface Line {
  scope: ApiScope | "public";
  path: (w: TwoCustomers, ids: Ids) => string;
  body?: (w: TwoCustomers, ids: Ids) => unknown;
}

const same = (p: string) => () => p;

/** One line per API route: the scope it needs and a request that would succeed. */
const MATRIX: Record<string, Line> = {
  "GET /api/v1/openapi.json": { scope: "public", path: same("/api/v1/openapi.json") },
  "GET /api/v1/docs": { scope: "public", path: same("/api/v1/docs") },
  "GET /api/v1/webhook-endpoints": { scope: "webhooks", path: same("/api/v1/webhook-endpoints") },
  "POST /api/v1/webhook-endpoints": {
    scope: "webhooks",
    path: same("/api/v1/webhook-endpoints"),
    body: () => ({ url: "https://hooks.example/matrix" }),
  },
  "DELETE /api/v1/webhook-endpoints/:id": {
    scope: "webhooks",
    path: (_w, ids) => `/api/v1/webhook-endpoints/${ids.endpoint}`,
  },
  "POST /api/v1/invoices/:id/adjustments": {
    scope: "billing",
    path: (_w, ids) => `/api/v1/invoices/${ids.adjustable}/adjustments`,
    body: (_w, ids) => ({ action: "void", ticket: ids.refundTicket, reason: "Access matrix" }),
  },
  "GET /api/v1/customers": { scope: "read", path: same("/api/v1/customers") },
  "GET /api/v1/customers/:id": { scope: "read", path: same("/api/v1/customers/alice") },
  "GET /api/v1/services": { scope: "read", path: same("/api/v1/services") },
  "GET /api/v1/services/:id": { scope: "read", path: same("/api/v1/services/a-host") },
  "GET /api/v1/domains": { scope: "read", path: same("/api/v1/domains") },
  "GET /api/v1/domains/:id": { scope: "read", path: same("/api/v1/domains/a-dom") },
  "GET /api/v1/invoices": { scope: "read", path: same("/api/v1/invoices") },
  "GET /api/v1/invoices/:id": { scope: "read", path: (w) => `/api/v1/invoices/${w.alice.invoices[0]}` },
  "GET /api/v1/invoices/:id/pdf": {
    scope: "read",
    path: (w) => `/api/v1/invoices/${w.alice.invoices[0]}/pdf`,
  },
  "GET /api/v1/payments": { scope: "read", path: same("/api/v1/payments") },
  "GET /api/v1/payments/:id": { scope: "read", path: (_w, ids) => `/api/v1/payments/${ids.payment}` },
  "GET /api/v1/cancellation-requests": { scope: "read", path: same("/api/v1/cancellation-requests") },
  "GET /api/v1/cancellation-requests/:id": {
    scope: "read",
    path: (_w, ids) => `/api/v1/cancellation-requests/${ids.cancellation}`,
  },
  "GET /api/v1/tickets": { scope: "read", path: same("/api/v1/tickets") },
  "GET /api/v1/tickets/:id": { scope: "read", path: (w) => `/api/v1/tickets/${w.alice.tickets[0]}` },
  "GET /api/v1/events": { scope: "read", path: same("/api/v1/events") },
  "GET /api/v1/events/:id": { scope: "read", path: (_w, ids) => `/api/v1/events/${ids.event}` },
  "GET /api/v1/engine-runs": { scope: "read", path: same("/api/v1/engine-runs") },
  "GET /api/v1/engine-runs/:id": { scope: "read", path: (_w, ids) => `/api/v1/engine-runs/${ids.run}` },
  "GET /api/v1/preview": { scope: "read", path: same("/api/v1/preview?days=7") },
  "POST /api/v1/services/:id/cancellation": {
    scope: "services",
    path: same("/api/v1/services/b-host/cancellation"),
    body: () => ({ when: "end-of-term", reason: "Access matrix" }),
  },
  "POST /api/v1/services/:id/cancellation/withdraw": {
    scope: "services",
    path: same("/api/v1/services/a-leaving/cancellation/withdraw"),
  },
  "POST /api/v1/domains/:id/auto-renew": {
    scope: "domains",
    path: same("/api/v1/domains/a-dom/auto-renew"),
    body: () => ({ enabled: false }),
  },
  "POST /api/v1/domains/:id/reactivate": {
    scope: "domains",
    path: same("/api/v1/domains/a-grace/reactivate"),
  },
  "POST /api/v1/domains/:id/transfer-code": {
    scope: "domains",
    path: same("/api/v1/domains/a-dom/transfer-code"),
  },
  "POST /api/v1/invoices/:id/pay": {
    scope: "billing",
    path: (w) => `/api/v1/invoices/${w.alice.invoices[0]}/pay`,
  },
  "POST /api/v1/payments/:id/refunds": {
    scope: "billing",
    path: (_w, ids) => `/api/v1/payments/${ids.payment}/refunds`,
    body: (_w, ids) => ({ ticket: ids.refundTicket, amount: 100, reason: "Access matrix" }),
  },
  "POST /api/v1/tickets": {
    scope: "services",
    path: same("/api/v1/tickets"),
    body: () => ({ customer: "alice", kind: "question", subject: "Matrix", body: "From the access matrix." }),
  },
};

describe.each(DIALECTS)("API contract and access matrix (%s)", (dialect) => {
  let w: TwoCustomers;
  let ids: Ids;
  const keyOf: Partial<Record<ApiScope, string>> = {};

  beforeAll(async () => {
    w = await createTwoCustomers(dialect);
    for (const scope of API_SCOPES) {
      keyOf[scope] = (
        await createApiKey(w.f.deps.db, { name: scope, scopes: [scope], createdBy: "test" }, w.f.clock.now())
      ).key;
    }
    const { db } = w.f.deps;
    const { key: all } = await createApiKey(
      db,
      { name: "all", scopes: [...API_SCOPES], createdBy: "test" },
      w.f.clock.now(),
    );
    const auth = { authorization: `Bearer ${all}`, "content-type": "application/json" };
    await w.f.app.inject({ method: "POST", url: `/api/v1/invoices/${w.bob.invoices[0]}/pay`, headers: auth });
    const payment = await db
      .selectFrom("payments")
      .select("id")
      .where("customer_id", "=", "bob")
      .executeTakeFirstOrThrow();
    const ticket = await w.f.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: auth,
      payload: JSON.stringify({ customer: "bob", kind: "refund", subject: "Refund", body: "Please refund." }),
    });
    const event = await db.selectFrom("events").select("id").executeTakeFirstOrThrow();
    const run = await db.selectFrom("engine_runs").select("id").executeTakeFirstOrThrow();
    const cancellation = await db.selectFrom("cancellation_requests").select("id").executeTakeFirstOrThrow();
    const adjustable = await db.transaction().execute((tx) =>
      issueInvoice(tx, {
        customerId: "bob",
        issueKey: "matrix:adjustable",
        serviceId: "b-host",
        purpose: "manual",
        periodStartAt: null,
        currency: "USD",
        issuedAt: w.f.clock.now(),
        dueAt: w.f.clock.now(),
        lines: [
          { serviceId: "b-host", description: "Setup", amount: 1000, periodStartAt: null, periodEndAt: null },
        ],
      }),
    );
    const endpoint = await createWebhookEndpoint(db, { url: "https://hooks.example/old" }, w.f.clock.now());
    ids = {
      adjustable: Number(adjustable),
      endpoint: endpoint.endpoint.id,
      payment: Number(payment.id),
      refundTicket: ticket.json().id,
      event: Number(event.id),
      run: Number(run.id),
      cancellation: Number(cancellation.id),
    };
  });
  afterAll(() => w.f.dispose());

  function apiRoutes() {
    return routesOf(w.f.app).filter((r) => r.url.startsWith("/api/") && r.method !== "HEAD");
  }

  it("has a matrix line for every API route the app registers, and no stale line", () => {
    const registered = apiRoutes().map((r) => `${r.method} ${r.url}`);
    expect(registered.length).toBeGreaterThan(20);
    expect(registered.filter((r) => !(r in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !registered.includes(r))).toEqual([]);
  });

  it("publishes an OpenAPI 3.1 document that validates and names every route", async () => {
    const response = await w.f.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe("3.1.0");
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const route of apiRoutes()) {
      const path = route.url.replace(/^\/api\/v1/, "").replace(/:([A-Za-z_]+)/g, "{$1}");
      expect(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
    }
  });

  it("refuses every route without a key (401) and with a key of another scope (403)", async () => {
    for (const [name, line] of Object.entries(MATRIX)) {
      if (line.scope === "public") continue;
      const [method] = name.split(" ") as ["GET" | "POST" | "DELETE"];
      const url = line.path(w, ids);
      const payload = line.body ? JSON.stringify(line.body(w, ids)) : undefined;
      const json = payload ? { "content-type": "application/json" } : {};
      const anonymous = await w.f.app.inject({ method, url, headers: json, ...(payload ? { payload } : {}) });
      expect(anonymous.statusCode, `${name} without a key`).toBe(401);
      for (const scope of API_SCOPES) {
        if (scope === line.scope) continue;
        const response = await w.f.app.inject({
          method,
          url,
          headers: { ...json, authorization: `Bearer ${keyOf[scope]}` },
          ...(payload ? { payload } : {}),
        });
        expect(response.statusCode, `${name} with a ${scope} key`).toBe(403);
        expect(response.json().code).toBe("insufficient_scope");
      }
    }
  });

  it("lets every route through with a key of its scope", async () => {
    for (const [name, line] of Object.entries(MATRIX)) {
      if (line.scope === "public") continue;
      const [method] = name.split(" ") as ["GET" | "POST" | "DELETE"];
      const payload = line.body ? JSON.stringify(line.body(w, ids)) : undefined;
      const response = await w.f.app.inject({
        method,
        url: line.path(w, ids),
        headers: {
          authorization: `Bearer ${keyOf[line.scope]}`,
          ...(payload ? { "content-type": "application/json" } : {}),
        },
        ...(payload ? { payload } : {}),
      });
      expect(response.statusCode, `${name}: ${response.body.slice(0, 300)}`).toBeLessThan(300);
    }
  });

  it("keeps the CSRF check on the client area's and the back office's posts", async () => {
    for (const url of ["/language", "/admin/language", "/login"]) {
      const response = await w.f.app.inject({
        method: "POST",
        url,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        payload: "locale=en",
      });
      expect(response.statusCode, url).toBe(403);
    }
  });
});
