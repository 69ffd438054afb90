/**
 * The back office's access matrix: every /admin route the running app registers (read with an
 * onRoute hook, so a route added tomorrow fails here until it has a line in RULES), for every
 * principal — a visitor, a signed-in customer, and a staff member of each role:
 * - a visitor and a customer are sent to /admin/login (a customer session never opens /admin), and
 *   a post without the CSRF token is refused;
 * - a role the line does not allow gets 403 (a page naming the role needed) and changes nothing;
 * - a role it allows is let through (neither 403 nor sent to sign in).
 * The roles are written here, not read from the routes: the test states the policy, the routes
 * must follow it. And a staff session opens none of the client area's pages.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("fastify", async (importOriginal) =>
  (await import("../../support/route-recorder.js")).withRouteRecorder(await importOriginal()),
);

import type { LightMyRequestResponse } from "fastify";
import { STAFF_ROLES, type StaffRole } from "../../../src/domain/staff-roles.js";
import { issueInvoice } from "../../../src/modules/invoices/invoice-repository.js";
import { payInvoice } from "../../../src/modules/invoices/pay-invoice.js";
import { type NewTicket, openTicket } from "../../../src/modules/tickets/open-ticket.js";
import { changedTables, databaseState } from "../../support/db-state.js";
import { createHttpFixture, PASSWORD } from "../../support/http.js";
import { type Form, RawClient } from "../../support/raw-client.js";
import { type RecordedRoute, routesOf } from "../../support/route-recorder.js";
import { DIALECTS } from "../../support/stores.js";
import { createTwoCustomers, type TwoCustomers } from "../../support/two-customers.js";

type Access = "public" | "signing-in" | readonly StaffRole[];

interface World extends TwoCustomers {
  /** A staff member the staff pages may act on without touching the matrix's own accounts. */
  victim: { email: string };
  /** Alice's pending cancellation request (plan a-leaving). */
  cancellation: number;
  /** An engine run. */
  run: number;
  /** Alice's requests of each kind a staff page acts on, and the payment her refund is about. */
  requests: { question: number; refund: number; adjustment: number; deletion: number };
  payment: number;
}

interface Rule {
  access: Access;
  /** Concrete paths for a route with parameters. */
  paths?: (w: World) => string[];
  /** What a post sends (one form per line; default: an empty form). */
  bodies?: (w: World) => Form[];
  /** The request ends or alters the session: sent from a client signed in for it alone. */
  ownSession?: true;
}

const ANY: readonly StaffRole[] = ["admin", "billing", "support"];
const MONEY: readonly StaffRole[] = ["admin", "billing"];
const CARE: readonly StaffRole[] = ["admin", "support"];
const ADMIN: readonly StaffRole[] = ["admin"];

/** One line per route and method; a HEAD route follows its GET. */
const RULES: Record<string, Rule> = {
  "GET /admin/login": { access: "public" },
  "POST /admin/login": {
    access: "public",
    bodies: () => [{ email: "nobody@staff.test", password: "wrong" }],
  },
  "GET /admin/login/totp": { access: "public" },
  "POST /admin/login/totp": { access: "public", bodies: () => [{ code: "123456" }] },
  "POST /admin/language": { access: "public", bodies: () => [{ locale: "en", back: "/admin" }] },
  "POST /admin/logout": { access: "signing-in", ownSession: true },
  "GET /admin/password": { access: "signing-in" },
  "POST /admin/password": { access: "signing-in", bodies: () => [{ password: "short", confirm: "short" }] },
  "GET /admin": { access: ANY },
  "GET /admin/account": { access: ANY },
  "POST /admin/account/totp/setup": { access: ANY },
  "POST /admin/account/totp/enable": { access: ANY, bodies: () => [{ code: "000000" }] },
  "POST /admin/account/totp/disable": { access: ANY, bodies: () => [{ code: "000000" }] },
  "GET /admin/staff": { access: ADMIN },
  "POST /admin/staff": { access: ADMIN, bodies: () => [{ email: "new-member@staff.test", role: "support" }] },
  // Without confirm=yes: the confirmation page, nothing changed yet.
  "POST /admin/staff/disable": { access: ADMIN, bodies: (w) => [{ email: w.victim.email }] },

  // Customers, and acting for one (through the client area's use cases).
  "GET /admin/customers": {
    access: ANY,
    paths: () => ["/admin/customers", "/admin/customers?q=alice-secret.com"],
  },
  "GET /admin/customers/:id": { access: ANY, paths: (w) => [`/admin/customers/${w.alice.id}`] },
  "GET /admin/customers/:id/services/:serviceId/cancel": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/services/a-host/cancel`],
  },
  "POST /admin/customers/:id/services/:serviceId/cancel": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/services/a-host/cancel`],
    bodies: () => [{ when: "end-of-term", reason: "Customer called" }],
  },
  "GET /admin/customers/:id/services/:serviceId/withdraw": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/services/a-leaving/withdraw`],
  },
  "POST /admin/customers/:id/services/:serviceId/withdraw": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/services/a-leaving/withdraw`],
    bodies: () => [{ reason: "Changed their mind" }],
  },
  "GET /admin/customers/:id/domains/:domainId/auto-renew": {
    access: CARE,
    paths: (w) => [`/admin/customers/${w.alice.id}/domains/a-dom/auto-renew?on=off`],
  },
  "POST /admin/customers/:id/domains/:domainId/auto-renew": {
    access: CARE,
    paths: (w) => [`/admin/customers/${w.alice.id}/domains/a-dom/auto-renew`],
    bodies: () => [{ on: "off", reason: "Asked by phone" }],
  },
  "GET /admin/customers/:id/domains/:domainId/reactivate": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/domains/a-grace/reactivate`],
  },
  // Without confirm=yes: the confirmation page (price and card), nothing charged yet.
  "POST /admin/customers/:id/domains/:domainId/reactivate": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/domains/a-grace/reactivate`],
    bodies: () => [{ reason: "Keep it" }],
  },
  "GET /admin/customers/:id/invoices/:invoiceId/payment-link": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/invoices/${w.alice.invoices[0]}/payment-link`],
  },
  "POST /admin/customers/:id/invoices/:invoiceId/payment-link": {
    access: MONEY,
    paths: (w) => [`/admin/customers/${w.alice.id}/invoices/${w.alice.invoices[0]}/payment-link`],
    bodies: () => [{ reason: "Lost the e-mail", key: "1650456000000" }],
  },

  // The cancellation queue.
  "GET /admin/cancellations": { access: ANY },
  "GET /admin/cancellations/reasons": {
    access: ANY,
    paths: () => ["/admin/cancellations/reasons?months=12"],
  },
  "GET /admin/cancellations/:id/carry-out": {
    access: MONEY,
    paths: (w) => [`/admin/cancellations/${w.cancellation}/carry-out`],
  },
  // Without confirm=yes: the confirmation page.
  "POST /admin/cancellations/:id/carry-out": {
    access: MONEY,
    paths: (w) => [`/admin/cancellations/${w.cancellation}/carry-out`],
    bodies: () => [{ reason: "Waited too long" }],
  },

  // Domains and their overrides.
  "GET /admin/domains/:id": { access: ANY, paths: () => ["/admin/domains/a-dom"] },
  "POST /admin/domains/:id/extend-grace": {
    access: CARE,
    paths: () => ["/admin/domains/a-grace/extend-grace"],
    bodies: () => [{ days: "5", reason: "access matrix" }],
  },
  "POST /admin/domains/:id/waive-restore-fee": {
    access: MONEY,
    paths: () => ["/admin/domains/a-grace/waive-restore-fee"],
    bodies: () => [{ reason: "access matrix" }],
  },
  "POST /admin/domains/:id/verify-email": {
    access: CARE,
    paths: () => ["/admin/domains/a-dom/verify-email"],
    bodies: () => [{ reason: "access matrix" }],
  },
  "POST /admin/domains/:id/lift-transfer-lock": {
    access: CARE,
    paths: () => ["/admin/domains/a-dom/lift-transfer-lock"],
    bodies: () => [{ reason: "access matrix" }],
  },

  // Requests: answering them, and the refunds, adjustments and deletions they ask for. Money and
  // deletion posts are sent without confirm=yes: the confirmation page, nothing done yet.
  "GET /admin/requests": {
    access: ANY,
    paths: () => ["/admin/requests", "/admin/requests?status=&kind=refund&assigned=me"],
  },
  "GET /admin/requests/:id": {
    access: ANY,
    paths: (w) => Object.values(w.requests).map((id) => `/admin/requests/${id}`),
  },
  "POST /admin/requests/:id/assign": {
    access: CARE,
    paths: (w) => [`/admin/requests/${w.requests.question}/assign`],
    bodies: () => [{ staff: "me" }],
  },
  "POST /admin/requests/:id/reply": {
    access: ANY,
    paths: (w) => [`/admin/requests/${w.requests.question}/reply`],
    bodies: () => [{ body: "Hello, it is done." }],
  },
  "POST /admin/requests/:id/close": {
    access: CARE,
    paths: (w) => [`/admin/requests/${w.requests.question}/close`],
  },
  "POST /admin/requests/:id/reopen": {
    access: CARE,
    paths: (w) => [`/admin/requests/${w.requests.question}/reopen`],
  },
  "POST /admin/requests/:id/refund": {
    access: MONEY,
    paths: (w) => [`/admin/requests/${w.requests.refund}/refund`],
    bodies: (w) => [{ payment: String(w.payment), amount: "10.00", reason: "Unused months" }],
  },
  "POST /admin/requests/:id/refunds/:refundId/check": {
    access: MONEY,
    paths: (w) => [`/admin/requests/${w.requests.refund}/refunds/999999/check`],
  },
  "POST /admin/requests/:id/adjust": {
    access: MONEY,
    paths: (w) => [`/admin/requests/${w.requests.adjustment}/adjust`],
    bodies: () => [{ action: "void", reason: "Duplicate invoice" }],
  },
  "GET /admin/requests/:id/delete-domain": {
    access: CARE,
    paths: (w) => [`/admin/requests/${w.requests.deletion}/delete-domain`],
  },
  "POST /admin/requests/:id/delete-domain": {
    access: CARE,
    paths: (w) => [`/admin/requests/${w.requests.deletion}/delete-domain`],
    bodies: () => [{ name: "not-the-name.com", reply: "Deleted as asked." }],
  },

  // Automation, preview, policies. A retry of a service with nothing failed, and a check of a
  // payment that does not exist, are refused by the use case (400, 404) once the role is let in.
  "GET /admin/automation": { access: ANY, paths: () => ["/admin/automation", "/admin/automation?page=2"] },
  "GET /admin/automation/runs/:id": { access: ANY, paths: (w) => [`/admin/automation/runs/${w.run}`] },
  "POST /admin/automation/services/:id/retry": {
    access: ANY,
    paths: () => ["/admin/automation/services/a-host/retry"],
    bodies: (): Form[] => [{}, { confirm: "yes" }],
  },
  "POST /admin/automation/charges/:id/check": {
    access: MONEY,
    paths: () => ["/admin/automation/charges/999999/check"],
    bodies: () => [{ confirm: "yes" }],
  },
  "GET /admin/preview": {
    access: ANY,
    paths: (w) => [
      "/admin/preview",
      "/admin/preview?days=30",
      `/admin/preview?days=7&customer=${w.alice.id}`,
    ],
  },
  "GET /admin/policies": { access: ANY },
  // Reports (issue 12): money roles; a bad period is a 400 once let in.
  "GET /admin/reports": {
    access: MONEY,
    paths: () => [
      "/admin/reports",
      "/admin/reports?from=2021-01-01&to=2022-12-31",
      "/admin/reports?from=2022-13-01&to=x",
    ],
  },
  "GET /admin/reports/taxes.csv": {
    access: MONEY,
    paths: () => [
      "/admin/reports/taxes.csv?from=2021-01-01&to=2022-12-31",
      "/admin/reports/taxes.csv?from=bad",
    ],
  },
  "GET /admin/reports/revenue.csv": {
    access: MONEY,
    paths: () => ["/admin/reports/revenue.csv?from=2021-01-01&to=2022-12-31"],
  },

  // The audit log.
  // Reconciliation drift: every role sees its kinds (care: domains, money: payments); decisions
  // on a row of another kind are not found.
  "GET /admin/drift": { access: ANY },
  "GET /admin/drift/:id/:decision": {
    access: ANY,
    paths: () => ["/admin/drift/999999/accept", "/admin/drift/1/reject"],
  },
  "POST /admin/drift/:id/:decision": {
    access: ANY,
    paths: () => ["/admin/drift/999999/reject"],
    bodies: () => [{ reason: "access matrix" }],
  },
  "GET /admin/audit": { access: ANY, paths: () => ["/admin/audit", "/admin/audit?q=alice"] },
  "GET /admin/audit.csv": { access: ADMIN },

  // The JSON API's keys and the webhooks (docs/api.md).
  "GET /admin/api-keys": { access: ADMIN },
  "POST /admin/api-keys": { access: ADMIN, bodies: () => [{ name: "Matrix key", scopes: "read" }] },
  "POST /admin/api-keys/revoke": { access: ADMIN, bodies: () => [{ id: "key_missing" }] },
  "GET /admin/webhooks": { access: ADMIN },
  "POST /admin/webhooks": { access: ADMIN, bodies: () => [{ url: "http://127.0.0.1:9/matrix" }] },
  "GET /admin/webhooks/:id": { access: ADMIN, paths: () => ["/admin/webhooks/we_missing"] },
  "POST /admin/webhooks/:id/replay": {
    access: ADMIN,
    paths: () => ["/admin/webhooks/we_missing/replay"],
    bodies: () => [{ delivery: "1" }],
  },
  "POST /admin/webhooks/:id/enable": { access: ADMIN, paths: () => ["/admin/webhooks/we_missing/enable"] },
  "POST /admin/webhooks/:id/disable": { access: ADMIN, paths: () => ["/admin/webhooks/we_missing/disable"] },
};

async function listRoutes(): Promise<RecordedRoute[]> {
  const f = await createHttpFixture("sqlite");
  try {
    await f.app.ready();
    return routesOf(f.app);
  } finally {
    await f.dispose();
  }
}

const isBackOffice = (r: RecordedRoute) => r.url === "/admin" || r.url.startsWith("/admin/");
const ALL_ROUTES = await listRoutes();
const ROUTES = ALL_ROUTES.filter(isBackOffice);
const ruleKey = (r: RecordedRoute) => `${r.method === "HEAD" ? "GET" : r.method} ${r.url}`;
const COVERED = ROUTES.filter((r) => RULES[ruleKey(r)] !== undefined);

/** A paid invoice with its payment, a domain to delete, and an open request of each kind. */
async function addRequests(two: TwoCustomers) {
  const { f, alice } = two;
  const now = f.clock.now();
  const paid = await f.deps.db.transaction().execute((tx) =>
    issueInvoice(tx, {
      customerId: alice.id,
      issueKey: "matrix:paid",
      serviceId: "a-host",
      purpose: "manual",
      periodStartAt: null,
      currency: "USD",
      issuedAt: now,
      dueAt: now,
      lines: [
        {
          serviceId: "a-host",
          description: "Migration",
          amount: 5000,
          periodStartAt: null,
          periodEndAt: null,
        },
      ],
    }),
  );
  if (paid === null || !(await payInvoice(f.deps, { invoiceId: paid }, now)).ok) throw new Error("not paid");
  const payment = await f.deps.db
    .selectFrom("payments")
    .select("id")
    .where("invoice_id", "=", paid)
    .where("status", "=", "succeeded")
    .executeTakeFirstOrThrow();
  await f.addDomain("a-del", alice.id, "alice-delete.com", "2021-09-01T00:00:00Z");
  const open = (ticket: NewTicket) =>
    openTicket(f.deps, { customerId: alice.id, openedBy: alice.id, ticket }, now).then((t) => t.ticket);
  return {
    payment: Number(payment.id),
    requests: {
      question: alice.tickets[0] ?? 0,
      refund: await open({
        kind: "refund",
        subject: "Refund please",
        body: "Unused months.",
        serviceId: "a-host",
        invoiceId: paid,
      }),
      adjustment: await open({
        kind: "invoice-adjustment",
        subject: "Wrong invoice",
        body: "Duplicate.",
        invoiceId: alice.invoices[0] ?? 0,
      }),
      deletion: await open({
        kind: "domain-deletion",
        subject: "Delete alice-delete.com",
        body: "No longer needed.",
        serviceId: "a-del",
        confirmedIrreversible: true,
      }),
    },
  };
}

async function staffClient(w: World, role: StaffRole): Promise<RawClient> {
  const client = new RawClient(w.f.app);
  await client.get("/admin/login");
  const response = await client.post("/admin/login", { email: `${role}@staff.test`, password: PASSWORD });
  if (response.statusCode !== 303 || response.headers.location !== "/admin")
    throw new Error(`staff sign-in of ${role} failed: ${response.statusCode} ${response.headers.location}`);
  await client.get("/admin/account");
  return client;
}

const signInAt = (path: string) => `/admin/login?next=${encodeURIComponent(path)}`;

describe.each(DIALECTS)("back-office access matrix (%s)", (dialect) => {
  let w: World;
  const staff = {} as Record<StaffRole, RawClient>;
  let customer: RawClient;

  beforeAll(async () => {
    const two = await createTwoCustomers(dialect);
    for (const role of STAFF_ROLES) await two.f.addStaffMember(role);
    const victim = await two.f.addStaffMember("support", { email: "victim@staff.test" });
    const db = two.f.deps.db;
    const cancellation = await db
      .selectFrom("cancellation_requests")
      .select("id")
      .where("service_id", "=", "a-leaving")
      .executeTakeFirstOrThrow();
    const run = await db.selectFrom("engine_runs").select("id").orderBy("id").executeTakeFirstOrThrow();
    const requests = await addRequests(two);
    w = { ...two, victim, cancellation: Number(cancellation.id), run: Number(run.id), ...requests };
    for (const role of STAFF_ROLES) staff[role] = await staffClient(w, role);
    customer = await new RawClient(w.f.app).signIn(w.alice.email);
  }, 120_000);
  afterAll(async () => {
    await w?.f.dispose();
  });

  const pathsOf = (route: RecordedRoute, rule: Rule) => (rule.paths ? rule.paths(w) : [route.url]);
  const send = (client: RawClient, route: RecordedRoute, path: string, body: Form) =>
    route.method === "POST"
      ? client.post(path, body)
      : client.send({ method: route.method as "GET", url: path });
  const bodiesOf = (route: RecordedRoute, rule: Rule) =>
    route.method === "POST" ? (rule.bodies ? rule.bodies(w) : [{}]) : [{}];

  async function unchanged(what: string, requests: () => Promise<void>) {
    const before = await databaseState(w.f.deps.db);
    const charges = w.f.gateway.allCharges().length;
    await requests();
    const after = await databaseState(w.f.deps.db);
    expect(changedTables(before, after), `${what}: tables changed`).toEqual([]);
    expect(w.f.gateway.allCharges(), what).toHaveLength(charges);
  }

  it("every /admin route has a line, and every line a route", () => {
    const keys = new Set(ROUTES.map(ruleKey));
    expect(ROUTES.filter((r) => RULES[ruleKey(r)] === undefined).map(ruleKey)).toEqual([]);
    expect(Object.keys(RULES).filter((k) => !keys.has(k))).toEqual([]);
    expect(keys).toContain("GET /admin/staff");
    expect(keys).toContain("POST /admin/login");
  });

  describe.each(COVERED.map((r) => ({ ...r, name: ruleKey(r) + (r.method === "HEAD" ? " (HEAD)" : "") })))(
    "$name",
    (route) => {
      const rule = RULES[ruleKey(route)]!;
      const access = rule.access;

      it("a visitor and a signed-in customer are sent to the staff sign-in; a post needs its token", async () => {
        if (access === "public") return;
        await unchanged("visitor", async () => {
          for (const path of pathsOf(route, rule)) {
            for (const body of bodiesOf(route, rule)) {
              for (const client of [new RawClient(w.f.app), customer]) {
                if (route.method === "POST") {
                  const visitor = client === customer ? customer : new RawClient(w.f.app);
                  if (visitor !== customer) await visitor.get("/admin/login");
                  expect((await visitor.post(path, body, { csrf: false })).statusCode, path).toBe(403);
                  const answer = await visitor.post(path, body);
                  expect(answer.statusCode, path).toBe(303);
                  expect(answer.headers.location, path).toBe(signInAt(path));
                  continue;
                }
                const answer = await send(client, route, path, body);
                expect(answer.statusCode, path).toBe(303);
                expect(answer.headers.location, path).toBe(signInAt(path));
              }
            }
          }
        });
      });

      const refused = Array.isArray(access) ? STAFF_ROLES.filter((r) => !access.includes(r)) : [];
      const allowed = Array.isArray(access) ? STAFF_ROLES.filter((r) => access.includes(r)) : STAFF_ROLES;

      it.each(refused)("%s: 403 naming the role needed, nothing changed", async (role) => {
        await unchanged(role, async () => {
          for (const path of pathsOf(route, rule)) {
            for (const body of bodiesOf(route, rule)) {
              const answer: LightMyRequestResponse = await send(staff[role], route, path, body);
              expect(answer.statusCode, `${role} ${path}`).toBe(403);
              if (route.method !== "HEAD") expect(answer.body).toContain("This page needs the role");
            }
          }
        });
      });

      it.each(allowed)("%s: let through", async (role) => {
        const client = rule.ownSession ? await staffClient(w, role) : staff[role];
        for (const path of pathsOf(route, rule)) {
          for (const body of bodiesOf(route, rule)) {
            const answer = await send(client, route, path, body);
            expect(answer.statusCode, `${role} ${path}`).not.toBe(403);
            expect(answer.statusCode, `${role} ${path}`).toBeLessThan(500);
            expect(String(answer.headers.location ?? ""), `${role} ${path}`).not.toMatch(/^\/admin\/login\?/);
          }
        }
      });
    },
  );

  it("a staff session opens none of the client area's pages behind sign-in", async () => {
    const pages = ALL_ROUTES.filter(
      (r) => !isBackOffice(r) && r.method === "GET" && !r.url.includes(":") && !r.url.includes("*"),
    ).map((r) => r.url);
    const behindSignIn = pages.filter((p) => !/^\/(login|password|health|api\/)/.test(p));
    expect(behindSignIn.length).toBeGreaterThan(5);
    for (const role of STAFF_ROLES) {
      for (const path of behindSignIn) {
        const answer = await staff[role].get(path);
        expect(answer.statusCode, `${role} ${path}`).toBe(303);
        expect(answer.headers.location, `${role} ${path}`).toMatch(/^\/login\?next=/);
      }
    }
    // The JSON API reads no session: a staff member's cookie is not an API key.
    const api = pages.filter(
      (p) => p.startsWith("/api/v1/") && p !== "/api/v1/openapi.json" && p !== "/api/v1/docs",
    );
    expect(api.length).toBeGreaterThan(5);
    for (const path of api) expect((await staff.admin.get(path)).statusCode, path).toBe(401);
  });
});
