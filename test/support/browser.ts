/**
 * Browser tests: the real client area on a random local port, with the demo data built by the
 * engine at a fixed instant, and Debian's Chromium driven by playwright-core. Screenshots go to
 * test-results/.
 */

import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { ManualClock } from "../../src/domain/clock.js";
import type { StaffRole } from "../../src/domain/staff-roles.js";
import { buildApp } from "../../src/http/app.js";
import {
  DEMO_CUSTOMER,
  DEMO_STAFF,
  resetDemoPassword,
  resetDemoStaffPassword,
  seedDemoData,
} from "../../src/main/demo-data.js";
import type { Deps } from "../../src/modules/deps.js";
import { addStaff, changeStaffPassword } from "../../src/modules/staff/staff-repository.js";
import type { TestGateway } from "../../src/providers/payments/test-gateway.js";
import type { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { at, createFixture } from "./engine-fixture.js";
import { RecordingMailer } from "./http.js";

export const CHROMIUM = process.env.TENURE_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(process.cwd(), "test-results");

export interface DemoServer {
  url: string;
  email: string;
  password: string;
  clock: ManualClock;
  /** The demo's admin staff member (back office at /admin), password already chosen. */
  staff: { email: string; password: string };
  /** The server's own store and test providers, for a test to read the ledgers or add staff. */
  deps: Deps;
  gateway: TestGateway;
  registrar: TestRegistrar;
  /** Every e-mail the client area sent (password-reset links), in order. */
  mailer: RecordingMailer;
  close(): Promise<void>;
}

/** The demo book as `npm start` builds it, "now" being 2026-11-22 12:00 UTC. */
export async function startDemoServer(now = "2026-11-22T12:00:00Z"): Promise<DemoServer> {
  const fixture = await createFixture("sqlite");
  const clock = new ManualClock(at(now));
  await seedDemoData(fixture.deps, fixture.registrar, clock.now());
  const password = await resetDemoPassword(fixture.deps, clock.now());
  const staffPassword = await resetDemoStaffPassword(fixture.deps, clock.now());
  const mailer = new RecordingMailer();
  const app = await buildApp({
    deps: fixture.deps,
    clock,
    mailer,
    sessionSecret: "a browser test secret of thirty-two characters or more",
    baseUrl: "http://localhost",
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    email: DEMO_CUSTOMER.email,
    password: password ?? "",
    staff: { email: DEMO_STAFF.email, password: staffPassword ?? "" },
    deps: fixture.deps,
    gateway: fixture.gateway,
    registrar: fixture.registrar,
    clock,
    mailer,
    close: async () => {
      await app.close();
      await fixture.dispose();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set TENURE_CHROMIUM`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No network beyond this machine: keep Chromium from calling home (see the machine notes).
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, server: DemoServer): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByLabel(/E-mail address|Adresse courriel/).fill(server.email);
  await page.getByLabel(/^Password$|^Mot de passe$/).fill(server.password);
  await page.getByRole("button", { name: /Sign in|Se connecter/ }).click();
  await page.waitForURL(`${server.url}/`);
}

/**
 * Signs a staff member in at /admin/login: the demo admin, or a new member of `role` created for
 * the test (password chosen, no TOTP). Returns the e-mail used.
 */
export async function signInStaff(
  page: Page,
  server: DemoServer,
  role: StaffRole = "admin",
): Promise<string> {
  let email: string = server.staff.email;
  let password = server.staff.password;
  if (role !== "admin") {
    email = `${role}-${Math.random().toString(36).slice(2, 8)}@staff.test`;
    password = "a browser test staff password";
    const { staff } = await addStaff(
      server.deps.db,
      { email, role, name: `Demo ${role}` },
      server.clock.now(),
    );
    await changeStaffPassword(server.deps.db, staff.id, password);
  }
  await page.goto(`${server.url}/admin/login`);
  await page.getByLabel(/^E-mail$|^Courriel$/).fill(email);
  await page.getByLabel(/^Password$|^Mot de passe$/).fill(password);
  await page.getByRole("button", { name: /Sign in|Se connecter/ }).click();
  await page.waitForURL(`${server.url}/admin`);
  return email;
}

/** The two screens every path is looked at on. */
export const PHONE = { width: 390, height: 844 } as const;
/** The narrowest phone a page must work on (no sideways scrolling). */
export const NARROW_PHONE = { width: 360, height: 780 } as const;
export const DESKTOP = { width: 1280, height: 900 } as const;

export type Language = "en" | "fr-CA";

/** A page of its own (its own cookies) with the given screen size. */
export async function newPageIn(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  // A step that cannot happen fails on that step, well within the test's own time limit.
  context.setDefaultTimeout(10_000);
  return { context, page: await context.newPage() };
}

/** Switches the language with the header button when the page is not in it yet. */
export async function useLanguage(page: Page, locale: Language): Promise<void> {
  if ((await page.locator("html").getAttribute("lang")) === locale) return;
  await clickAndLoad(page, page.getByRole("button", { name: /^(Language|Langue): / }));
  const lang = await page.locator("html").getAttribute("lang");
  if (lang !== locale) throw new Error(`the page is in ${lang}, not ${locale}`);
}

/**
 * Clicks a link or a form's button that loads a page, and waits for that page: also when it
 * comes back to the same address (a form posted, then redirected to where it was).
 */
export async function clickAndLoad(page: Page, target: Locator): Promise<void> {
  await Promise.all([page.waitForEvent("load"), target.click()]);
}

/** Text as the customer reads it: runs of spaces (including narrow no-break ones) as one space. */
export function squash(text: string | null): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

/** The squashed text the customer sees in a part of the page. */
export async function textOf(locator: Locator): Promise<string> {
  return squash(await locator.innerText());
}

/** The squashed text of the page's main content. */
export async function mainText(page: Page): Promise<string> {
  return textOf(page.locator("main"));
}

/** The flash message at the top of the page (success, info or error). */
export async function flashText(page: Page): Promise<string> {
  return squash(await page.locator("main .flash").first().innerText());
}

/** A link of the main menu, opening the phone menu first when it is folded. */
export async function followMenu(page: Page, name: string | RegExp): Promise<void> {
  const link = page.getByRole("navigation", { name: /^Menu$/ }).getByRole("link", { name, exact: true });
  if (!(await link.isVisible())) await page.getByRole("link", { name: "Menu", exact: true }).click();
  await clickAndLoad(page, link);
}

/**
 * One demo server and one browser for a test file, started before its tests and closed after.
 * Read them as `demo.server` and `demo.browser` inside the tests.
 */
export function useDemo(): { readonly server: DemoServer; readonly browser: Browser } {
  let server: DemoServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startDemoServer();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("the demo server is not started");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("the browser is not launched");
      return browser;
    },
  };
}
