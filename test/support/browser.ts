/**
 * Browser tests: the real client area on a random local port, with the demo data built by the
 * engine at a fixed instant, and Debian's Chromium driven by playwright-core. Screenshots go to
 * test-results/.
 */
import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ManualClock } from "../../src/domain/clock.js";
import { buildApp } from "../../src/http/app.js";
import { DEMO_CUSTOMER, resetDemoPassword, seedDemoData } from "../../src/main/demo-data.js";
import { at, createFixture } from "./engine-fixture.js";
import { RecordingMailer } from "./http.js";

export const CHROMIUM = process.env.TENURE_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(process.cwd(), "test-results");

export interface DemoServer {
  url: string;
  email: string;
  password: string;
  clock: ManualClock;
  close(): Promise<void>;
}

/** The demo book as `npm start` builds it, "now" being 2026-11-22 12:00 UTC. */
export async function startDemoServer(now = "2026-11-22T12:00:00Z"): Promise<DemoServer> {
  const fixture = await createFixture("sqlite");
  const clock = new ManualClock(at(now));
  await seedDemoData(fixture.deps, fixture.registrar, clock.now());
  const password = await resetDemoPassword(fixture.deps, clock.now());
  const app = await buildApp({
    deps: fixture.deps,
    clock,
    mailer: new RecordingMailer(),
    sessionSecret: "a browser test secret of thirty-two characters or more",
    baseUrl: "http://localhost",
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    email: DEMO_CUSTOMER.email,
    password: password ?? "",
    clock,
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
