/**
 * Access-control matrix: every route the running app registers (read with an onRoute hook, so a new
 * route is covered the day it is added, and fails here until it has a line in RULES), for every
 * principal, with the ids of Alice's records in its path or form:
 * - an anonymous visitor: a page behind sign-in sends them to /login (303, with `next`), and so
 *   does a post behind sign-in (an expired session: back to the form's page after), a public
 *   post without a CSRF token is refused (403), only the public pages answer;
 * - Bob, another customer, signed in: every path naming Alice's service, domain, invoice or request
 *   answers 404 like a record that does not exist, by GET, HEAD and POST; his own pages never show
 *   Alice's records.
 * Each request is checked to change no row (services, domains, invoices, payments, tickets, replies,
 * cancellation requests, events, notices, customers, accounts, ...) and to charge nothing.
 *
 * The back office (/admin) has its own matrix, per staff role, in admin/access-matrix.test.ts; it
 * also checks that a staff session opens none of these pages.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("fastify", async (importOriginal) =>
  (await import("../support/route-recorder.js")).withRouteRecorder(await importOriginal()),
);

import type { LightMyRequestResponse } from "fastify";
import { changedTables, databaseState, ownedBy } from "../support/db-state.js";
import { createHttpFixture } from "../support/http.js";
import { type Form, RawClient } from "../support/raw-client.js";
import { type RecordedRoute, routesOf } from "../support/route-recorder.js";
import { DIALECTS } from "../support/stores.js";
import { createTwoCustomers, type TwoCustomers } from "../support/two-customers.js";

interface Answer {
  status: number;
  location?: string;
}

interface Rule {
  /** "sign-in": behind sign-in. Otherwise public, with the answer to a visitor (holding a session
   *  and its CSRF token, for a post). */
  anonymous: "sign-in" | Answer;
  /** Bob signed in. "not-found": the path or form names Alice's records, a 404 like a missing one.
   *  An answer: the route acts on Bob's own account only (Alice's rows must not move). */
  other: "not-found" | Answer;
  /** What a post sends: forms that would change something if the request were let through. */
  bodies?: (w: TwoCustomers) => Form[];
  /** Query strings a GET is also tried with, naming Alice's records. */
  queries?: (w: TwoCustomers) => string[];
  /** The request ends or alters Bob's session: it is sent from a client signed in for it alone. */
  ownSession?: true;
}

const ok: Answer = { status: 200 };
const notFound: Answer = { status: 404 };
const to = (location: string): Answer => ({ status: 303, location });

/** One line per route and method; a HEAD route follows the line of its GET. */
const RULES: Record<string, Rule> = {
  "GET /health": { anonymous: ok, other: ok },
  "GET /assets/*": { anonymous: ok, other: ok },
  "GET /login": { anonymous: ok, other: to("/") },
  "POST /login": {
    anonymous: { status: 400 },
    other: { status: 400 },
    // The address as typed is shown again: in capitals, it names Alice's account without her marker.
    bodies: (w) => [{ email: w.alice.email.toUpperCase(), password: "not alice's password" }],
  },
  "GET /login/totp": { anonymous: to("/login"), other: to("/login") },
  "POST /login/totp": { anonymous: to("/login"), other: to("/login"), bodies: () => [{ code: "123456" }] },
  "POST /logout": { anonymous: "sign-in", other: to("/login"), ownSession: true },
  "GET /password/forgot": { anonymous: ok, other: ok },
  // An address without an account: the same answer, and nothing queued.
  "POST /password/forgot": { anonymous: ok, other: ok, bodies: () => [{ email: "nobody@example.test" }] },
  "GET /password/reset/:token": { anonymous: notFound, other: notFound },
  "POST /password/reset/:token": {
    anonymous: notFound,
    other: notFound,
    bodies: () => [{ password: "a brand new password", confirm: "a brand new password" }],
  },
  "POST /language": {
    anonymous: to("/account"),
    other: to("/account"),
    bodies: () => [{ locale: "en", back: "/account" }],
  },
  "GET /": { anonymous: "sign-in", other: ok },
  "GET /account": { anonymous: "sign-in", other: ok },
  "POST /account/totp/setup": { anonymous: "sign-in", other: to("/account"), ownSession: true },
  "POST /account/totp/enable": {
    anonymous: "sign-in",
    other: to("/account"),
    bodies: () => [{ code: "123456" }],
    ownSession: true,
  },
  "POST /account/totp/disable": {
    anonymous: "sign-in",
    other: { status: 400 },
    bodies: () => [{ code: "123456" }],
  },
  "GET /services/:id": { anonymous: "sign-in", other: "not-found" },
  "GET /services/:id/plan": { anonymous: "sign-in", other: "not-found" },
  "POST /services/:id/cancel": {
    anonymous: "sign-in",
    other: "not-found",
    bodies: (w): Form[] => [
      { reason: "Closing the shop", when: "immediate" },
      { reason: "Closing the shop", when: "immediate", confirm: "1" },
      { reason: "Closing the shop", when: "end-of-term", stopDomainRenewal: w.alice.domains },
      { reason: "Closing the shop", when: "end-of-term", stopDomainRenewal: w.alice.domains, confirm: "1" },
    ],
  },
  "POST /services/:id/cancellation/withdraw": { anonymous: "sign-in", other: "not-found" },
  "GET /domains": { anonymous: "sign-in", other: ok },
  "GET /domains/:id": { anonymous: "sign-in", other: "not-found" },
  "POST /domains/:id/auto-renew": {
    anonymous: "sign-in",
    other: "not-found",
    bodies: (): Form[] => [{ on: "0", confirm: "1" }, { on: "1" }, { on: "1", confirm: "1" }, { on: "0" }],
  },
  "POST /domains/:id/reactivate": {
    anonymous: "sign-in",
    other: "not-found",
    bodies: (): Form[] => [{ back: "/domains" }, { back: "/domains", confirm: "1" }],
  },
  "POST /domains/:id/transfer-code": { anonymous: "sign-in", other: "not-found" },
  "GET /invoices": { anonymous: "sign-in", other: ok },
  "GET /invoices/:id": { anonymous: "sign-in", other: "not-found" },
  "GET /invoices/:id/pdf": { anonymous: "sign-in", other: "not-found" },
  "POST /invoices/:id/pay": { anonymous: "sign-in", other: "not-found" },
  "GET /payment-method": { anonymous: "sign-in", other: ok },
  "POST /payment-method": {
    anonymous: "sign-in",
    other: to("/payment-method"),
    bodies: () => [{ card: "ok" }],
  },
  "GET /requests": { anonymous: "sign-in", other: ok },
  "GET /requests/new": {
    anonymous: "sign-in",
    other: ok,
    queries: (w) => [
      `kind=refund&service=${w.alice.plans[1]}`,
      `kind=domain-deletion&service=${w.alice.domains[0]}`,
      `kind=invoice-adjustment&invoice=${w.alice.invoices[0]}`,
    ],
  },
  // No id in the path: the form names Alice's records, each a 404 like a missing one.
  "POST /requests": {
    anonymous: "sign-in",
    other: "not-found",
    bodies: (w): Form[] => [
      { kind: "refund", subject: "Refund please", message: "Refund my plan.", service: w.alice.plans[1]! },
      {
        kind: "domain-deletion",
        subject: "Delete it",
        message: "Delete that domain.",
        service: w.alice.domains[0]!,
        confirmedIrreversible: "1",
      },
      {
        kind: "invoice-adjustment",
        subject: "Adjust it",
        message: "Remove a line.",
        invoice: `${w.alice.invoices[0]}`,
      },
    ],
  },
  "GET /requests/:id": { anonymous: "sign-in", other: "not-found" },
  "POST /requests/:id/replies": {
    anonymous: "sign-in",
    other: "not-found",
    bodies: () => [{ body: "Reading someone else's request" }],
  },
  "POST /requests/:id/close": { anonymous: "sign-in", other: "not-found" },
};

/** The routes of the real app, built once to read them. */
async function listRoutes(): Promise<RecordedRoute[]> {
  const f = await createHttpFixture("sqlite");
  try {
    await f.app.ready();
    return routesOf(f.app);
  } finally {
    await f.dispose();
  }
}

/** The back office's routes have their own matrix, per staff role (admin/access-matrix.test.ts). */
const isBackOffice = (r: RecordedRoute) => r.url === "/admin" || r.url.startsWith("/admin/");
/** Stripe's webhooks: no session, no CSRF, a signature instead (test/integration/stripe-gateway.test.ts). */
const isWebhook = (r: RecordedRoute) => r.url === "/webhooks/stripe";
/** The JSON API: bearer keys and scopes, its own matrix (test/http/api/openapi-and-access.test.ts). */
const isApi = (r: RecordedRoute) => r.url.startsWith("/api/");
const ROUTES = (await listRoutes()).filter((r) => !isBackOffice(r) && !isWebhook(r) && !isApi(r));
const ruleKey = (r: RecordedRoute) => `${r.method === "HEAD" ? "GET" : r.method} ${r.url}`;
const COVERED = ROUTES.filter((r) => RULES[ruleKey(r)] !== undefined);

/** The concrete paths of a route: each `:param` filled with every record of Alice it can name. */
function pathsOf(url: string, w: TwoCustomers, who: "owner" | "stranger"): string[] {
  if (url === "/assets/*") return ["/assets/app.css"];
  if (!url.includes(":")) return [url];
  const a = w.alice;
  const ids: Record<string, string[]> = {
    // A stranger also tries ids of the other kind: a domain is a service too.
    services: who === "owner" ? a.plans : [...a.plans, ...a.domains],
    domains: who === "owner" ? a.domains : [...a.domains, ...a.plans],
    invoices: a.invoices.map(String),
    requests: a.tickets.map(String),
    password: ["not-a-real-reset-token"],
  };
  const section = url.split("/")[1] ?? "";
  const values = ids[section];
  if (!values || (url.match(/:/g) ?? []).length !== 1)
    throw new Error(`no ids to fill ${url}: add them here`);
  return values.map((id) => url.replace(/:[A-Za-z]+/, encodeURIComponent(id)));
}

const signInAt = (path: string) => `/login?next=${encodeURIComponent(path)}`;

function expectAnswer(response: LightMyRequestResponse, answer: Answer, what: string) {
  expect(response.statusCode, `${what}: ${response.body.slice(0, 300)}`).toBe(answer.status);
  if (answer.location !== undefined) expect(response.headers.location, what).toBe(answer.location);
}

function expectNoneOf(response: LightMyRequestResponse, markers: string[], what: string) {
  for (const marker of markers) expect(response.body, `${what} shows ${marker}`).not.toContain(marker);
}

describe.each(DIALECTS)("access matrix (%s)", (dialect) => {
  let w: TwoCustomers;
  let bob: RawClient;

  beforeAll(async () => {
    w = await createTwoCustomers(dialect);
    bob = await new RawClient(w.f.app).signIn(w.bob.email);
  });
  afterAll(async () => {
    await w?.f.dispose();
  });

  /** Runs the requests and proves they changed no row (of anyone, or of Alice) and charged nothing. */
  async function unchanged(scope: "everyone" | "alice", requests: () => Promise<void>) {
    const db = w.f.deps.db;
    const before = await databaseState(db);
    const charges = w.f.gateway.allCharges().length;
    await requests();
    const after = await databaseState(db);
    if (scope === "everyone") {
      expect(changedTables(before, after), "tables changed").toEqual([]);
      expect(after).toEqual(before);
    } else {
      expect(ownedBy(after, "alice")).toEqual(ownedBy(before, "alice"));
    }
    expect(w.f.gateway.allCharges()).toHaveLength(charges);
  }

  it("every route of the app has a rule, and every rule a route", () => {
    const keys = new Set(ROUTES.map(ruleKey));
    expect(ROUTES.filter((r) => RULES[ruleKey(r)] === undefined).map((r) => `${r.method} ${r.url}`)).toEqual(
      [],
    );
    expect(Object.keys(RULES).filter((k) => !keys.has(k))).toEqual([]);
    // The enumeration really sees the app: the routes of every part of it are there.
    expect(keys).toContain("POST /services/:id/cancel");
    expect(keys).toContain("GET /assets/*");
    expect(ROUTES.length).toBeGreaterThan(50);
  });

  it("control: Alice herself reaches each record the matrix uses (200), so a 404 below is a refusal", async () => {
    const alice = await new RawClient(w.f.app).signIn(w.alice.email);
    for (const route of COVERED.filter((r) => r.method === "GET" && r.url.includes(":id"))) {
      for (const path of pathsOf(route.url, w, "owner")) {
        expect((await alice.get(path)).statusCode, path).toBe(200);
      }
    }
  });

  describe.each(COVERED.map((r) => ({ ...r, name: `${r.method} ${r.url}` })))("$name", (route) => {
    const rule = RULES[ruleKey(route)]!;
    const isPost = route.method === "POST";
    const bodiesOf = () => (rule.bodies ? rule.bodies(w) : [{}]);
    const read = (client: RawClient, path: string) =>
      client.send({ method: route.method as "GET" | "HEAD", url: path });

    it("anonymous", async () => {
      await unchanged("everyone", async () => {
        for (const path of pathsOf(route.url, w, "stranger")) {
          if (!isPost) {
            const response = await read(new RawClient(w.f.app), path);
            expectAnswer(response, rule.anonymous === "sign-in" ? to(signInAt(path)) : rule.anonymous, path);
            expectNoneOf(response, w.alice.markers, path);
            continue;
          }
          for (const body of bodiesOf()) {
            const what = `${path} ${JSON.stringify(body)}`;
            // No session at all, so no CSRF secret: refused before anything else.
            const bare = await new RawClient(w.f.app).post(path, body, { csrf: false });
            expect([403, 303], what).toContain(bare.statusCode);
            if (bare.statusCode === 303) expect(bare.headers.location, what).toMatch(/^\/login(\?|$)/);
            // A visitor's session, its page's token left out: refused, unless the route is behind
            // sign-in (an expired session): then sent to sign in, and back to the page the form was
            // on (the Referer; here none, so the dashboard). Nothing is done either way.
            const visitor = new RawClient(w.f.app);
            await visitor.get("/login");
            const untokened = await visitor.post(path, body, { csrf: false });
            if (rule.anonymous === "sign-in") expectAnswer(untokened, to(signInAt("/")), what);
            else expect(untokened.statusCode, what).toBe(403);
            // With the token: sent to sign in, or the public page's own answer.
            const response = await visitor.post(path, body);
            expectAnswer(response, rule.anonymous === "sign-in" ? to(signInAt("/")) : rule.anonymous, what);
            expectNoneOf(response, w.alice.markers, what);
          }
        }
      });
    });

    it("another customer", async () => {
      const paths = pathsOf(route.url, w, "stranger");
      if (rule.other === "not-found") {
        await unchanged("everyone", async () => {
          for (const path of paths) {
            if (!isPost) {
              const response = await read(bob, path);
              expectAnswer(response, notFound, path);
              expectNoneOf(response, w.alice.markers, path);
              continue;
            }
            for (const body of bodiesOf()) {
              const what = `${path} ${JSON.stringify(body)}`;
              const response = await bob.post(path, body);
              expectAnswer(response, notFound, what);
              expectNoneOf(response, w.alice.markers, what);
            }
          }
        });
        return;
      }
      const answer = rule.other;
      await unchanged(isPost ? "alice" : "everyone", async () => {
        for (const path of paths) {
          const queries = !isPost && rule.queries ? ["", ...rule.queries(w)] : [""];
          for (const query of queries) {
            const url = query ? `${path}?${query}` : path;
            if (!isPost) {
              const response = await read(bob, url);
              expectAnswer(response, answer, url);
              expectNoneOf(response, w.alice.markers, url);
              continue;
            }
            for (const body of bodiesOf()) {
              const what = `${url} ${JSON.stringify(body)}`;
              const client = rule.ownSession ? await new RawClient(w.f.app).signIn(w.bob.email) : bob;
              const response = await client.post(url, body);
              expectAnswer(response, answer, what);
              expectNoneOf(response, w.alice.markers, what);
            }
          }
        }
      });
    });
  });

  it("a missing record and Alice's record get the same answer from Bob", async () => {
    const a = w.alice;
    const m = w.missing;
    const pairs: Array<[string, string]> = [
      [`/services/${a.plans[0]}`, `/services/${m.service}`],
      [`/domains/${a.domains[0]}`, `/domains/${m.service}`],
      [`/invoices/${a.invoices[0]}`, `/invoices/${m.invoice}`],
      [`/requests/${a.tickets[0]}`, `/requests/${m.ticket}`],
    ];
    for (const [theirs, missing] of pairs) {
      const [x, y] = [await bob.get(theirs), await bob.get(missing)];
      expect(x.statusCode, theirs).toBe(y.statusCode);
      // The same page but for its CSRF token.
      const page = (r: LightMyRequestResponse) => r.body.replace(/value="[^"]+"/g, "");
      expect(page(x), theirs).toBe(page(y));
    }
  });
});
