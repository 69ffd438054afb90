/**
 * Every page fits a 360 px phone, in English and in French (issue 12, item 2): no sideways scroll.
 * The pages are the GET routes the app really registers (read with the route recorder, like the
 * access matrix), their ids filled from the demo book: every client-area page the demo customer
 * reaches, every back-office page the demo admin reaches, and the signed-out pages. Each one is
 * loaded at 360 px and `document.documentElement.scrollWidth` must be at most 360; a page that
 * does not fit is screenshotted (test-results/fits-*.png).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("fastify", async (importOriginal) =>
  (await import("../support/route-recorder.js")).withRouteRecorder(await importOriginal()),
);

import { sql } from "kysely";
import type { Page } from "playwright-core";
import { buildApp } from "../../src/http/app.js";
import { DEMO_CUSTOMER } from "../../src/main/demo-data.js";
import {
  type Language,
  NARROW_PHONE,
  newPageIn,
  screenshot,
  signIn,
  signInStaff,
  useDemo,
  useLanguage,
} from "../support/browser.js";
import { type RecordedRoute, routesOf } from "../support/route-recorder.js";

const LANGUAGES: Language[] = ["en", "fr-CA"];

/** Not pages: files, JSON, health, webhooks (and the API, which has its own tests, but for its reference page). */
function isPage(route: RecordedRoute): boolean {
  if (route.method !== "GET") return false;
  const url = route.url;
  return !(
    url.startsWith("/assets") ||
    (url.startsWith("/api") && url !== "/api/v1/docs") ||
    url.startsWith("/webhooks") ||
    url === "/health" ||
    url.endsWith("/pdf") ||
    url.endsWith(".csv")
  );
}

/** Pages that once overflowed, kept as screenshots to look at (test-results/fits-sample-*.png). */
const SAMPLES = new Set([
  "/domains/demo-bakery",
  "/services/demo-hosting/plan",
  "/requests/new",
  "/admin/customers/demo-fr",
  "/admin/policies",
]);

const SIGNED_OUT = new Set(["/login", "/login/totp", "/password/forgot", "/password/reset/:token"]);
const STAFF_SIGNED_OUT = new Set(["/admin/login", "/admin/login/totp", "/admin/password"]);

describe("every page fits a 360 px phone, in English and in French", () => {
  const demo = useDemo();
  let routes: RecordedRoute[] = [];

  beforeAll(async () => {
    // A second app over the demo's store, only to read the routes it registers.
    const app = await buildApp({
      deps: demo.server.deps,
      clock: demo.server.clock,
      mailer: null,
      sessionSecret: "a browser test secret of thirty-two characters or more",
      baseUrl: "http://localhost",
    });
    await app.ready();
    routes = routesOf(app).filter(isPage);
    await app.close();
  }, 60_000);

  afterAll(() => {
    routes = [];
  });

  /** The addresses of a route with parameters, filled from the demo's rows; null: no filler. */
  async function pathsFor(url: string): Promise<string[] | null> {
    const db = demo.server.deps.db;
    const customer = DEMO_CUSTOMER.id;
    const ids = (rows: { id: unknown }[]) => rows.map((r) => encodeURIComponent(String(r.id)));
    const fill = (values: string[]) => values.map((id) => url.replace(/:[a-zA-Z]+/, id));
    const subscriptions = async (of: string) =>
      ids(
        await db
          .selectFrom("services")
          .select("id")
          .where("customer_id", "=", of)
          .where("kind", "!=", "domain")
          .execute(),
      );
    const domains = async (of?: string) => {
      let query = db
        .selectFrom("domains")
        .innerJoin("services", "services.id", "domains.service_id")
        .select("domains.service_id as id");
      if (of !== undefined) query = query.where("services.customer_id", "=", of);
      return ids(await query.execute());
    };
    const invoices = async (of: string, status?: string) => {
      let query = db.selectFrom("invoices").select("id").where("customer_id", "=", of);
      if (status !== undefined) query = query.where("status", "=", status);
      return ids(await query.execute());
    };
    /** Rows of a table other work may not have created yet in this checkout: none then. */
    const rowsOf = async (table: string) => {
      try {
        return ids((await sql<{ id: unknown }>`select id from ${sql.table(table)}`.execute(db)).rows);
      } catch {
        return [];
      }
    };
    /** The demo customer's page of one of their records: `:id` the customer, the next the record. */
    const ofDemo = (values: string[]) =>
      values.map((id) => url.replace(":id", customer).replace(/:[a-zA-Z]+/, id));
    switch (url) {
      case "/services/:id":
      case "/services/:id/plan":
        return fill(await subscriptions(customer));
      case "/domains/:id":
        return fill(await domains(customer));
      case "/invoices/:id":
        return fill(await invoices(customer));
      case "/requests/:id":
        return fill(
          ids(await db.selectFrom("tickets").select("id").where("customer_id", "=", customer).execute()),
        );
      case "/password/reset/:token":
        return fill(["not-a-real-token"]);
      case "/admin/customers/:id":
        return fill(ids(await db.selectFrom("customers").select("id").execute()));
      case "/admin/domains/:id":
        return fill(await domains());
      case "/admin/requests/:id":
      case "/admin/requests/:id/delete-domain":
        return fill(ids(await db.selectFrom("tickets").select("id").execute()));
      case "/admin/cancellations/:id/carry-out":
        return fill(
          ids(
            await db
              .selectFrom("cancellation_requests")
              .select("id")
              .where("status", "=", "pending")
              .execute(),
          ),
        );
      case "/admin/automation/runs/:id":
        return fill(
          ids(await db.selectFrom("engine_runs").select("id").orderBy("id", "desc").limit(2).execute()),
        );
      case "/admin/customers/:id/services/:serviceId/cancel":
      case "/admin/customers/:id/services/:serviceId/withdraw":
        return ofDemo(await subscriptions(customer));
      case "/admin/customers/:id/domains/:domainId/auto-renew":
      case "/admin/customers/:id/domains/:domainId/reactivate":
        return ofDemo(await domains(customer));
      case "/admin/customers/:id/invoices/:invoiceId/payment-link":
        return ofDemo(await invoices(customer, "open"));
      case "/admin/webhooks/:id":
        return fill(await rowsOf("webhook_endpoints"));
      case "/admin/drift/:id/:decision":
        // A decision page per drift row; the demo has none (a row here needs its decisions filled).
        return (await rowsOf("drift")).length === 0 ? [] : null;
      default:
        return null;
    }
  }

  /** Every address to visit for these routes; a route with parameters the demo cannot fill fails. */
  async function addresses(selected: RecordedRoute[]): Promise<{ urls: string[]; unfilled: string[] }> {
    const urls: string[] = [];
    const unfilled: string[] = [];
    for (const route of selected) {
      if (!route.url.includes(":")) {
        urls.push(route.url);
        continue;
      }
      const paths = await pathsFor(route.url);
      if (paths === null) unfilled.push(route.url);
      else urls.push(...paths);
    }
    return { urls, unfilled };
  }

  /** Loads each address in each language and returns those wider than the screen. */
  async function overflowing(page: Page, urls: string[], name: string): Promise<string[]> {
    const wide: string[] = [];
    for (const locale of LANGUAGES) {
      await page.goto(`${demo.server.url}${urls[0] ?? "/"}`);
      await useLanguage(page, locale);
      for (const url of urls) {
        const response = await page.goto(`${demo.server.url}${url}`);
        if (!(response?.headers()["content-type"] ?? "").startsWith("text/html")) continue;
        expect(await page.locator("html").getAttribute("lang")).toBe(locale);
        const width = await page.evaluate<number>("document.documentElement.scrollWidth");
        if (SAMPLES.has(url))
          await screenshot(page, `fits-sample-${locale}-${url.replace(/[^a-z0-9]+/gi, "_")}`);
        if (width > NARROW_PHONE.width) {
          wide.push(`${locale} ${url}: ${width} px`);
          await screenshot(page, `fits-${name}-${locale}-${url.replace(/[^a-z0-9]+/gi, "_")}`);
        }
      }
    }
    return wide;
  }

  it("the route table is read from the app, and every page's parameters are filled from the demo", async () => {
    const urls = routes.map((r) => r.url);
    expect(urls).toContain("/domains/:id");
    expect(urls).toContain("/admin/customers/:id");
    const { unfilled } = await addresses(routes);
    expect(unfilled).toEqual([]);
  });

  it("client area, signed in as the demo customer", async () => {
    const client = routes.filter(
      (r) => !r.url.startsWith("/admin") && !SIGNED_OUT.has(r.url) && r.url !== "/login/totp",
    );
    const { urls } = await addresses(client);
    expect(urls.length).toBeGreaterThan(20);
    const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
    await signIn(page, demo.server);
    expect(await overflowing(page, urls, "client")).toEqual([]);
    await context.close();
  }, 240_000);

  it("back office, signed in as the demo admin", async () => {
    const staff = routes.filter((r) => r.url.startsWith("/admin") && !STAFF_SIGNED_OUT.has(r.url));
    const { urls } = await addresses(staff);
    expect(urls.length).toBeGreaterThan(10);
    const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
    await signInStaff(page, demo.server);
    expect(await overflowing(page, urls, "admin")).toEqual([]);
    await context.close();
  }, 240_000);

  it("signed-out pages of the client area and the back office", async () => {
    const { urls } = await addresses(
      routes.filter((r) => SIGNED_OUT.has(r.url) || STAFF_SIGNED_OUT.has(r.url)),
    );
    const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
    expect(await overflowing(page, urls, "signed-out")).toEqual([]);
    await context.close();
  }, 120_000);
});
