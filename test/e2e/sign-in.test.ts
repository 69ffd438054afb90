import { describe, expect, it } from "vitest";
import { screenshot, signIn, useDemo } from "../support/browser.js";

describe("signing in with a browser", () => {
  const demo = useDemo();

  it("a wrong password keeps the customer on the sign-in page with a message", async () => {
    const page = await demo.browser.newPage();
    await page.goto(`${demo.server.url}/login`);
    await page.getByLabel("E-mail address").fill(demo.server.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByRole("alert").textContent()).toBe(
      "The e-mail address or the password is incorrect.",
    );
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.close();
  });

  it("signs in, switches to French and back, and signs out", async () => {
    const page = await demo.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, demo.server);
    await screenshot(page, "dashboard-en");
    await page.getByRole("link", { name: "Domains", exact: true }).first().click();
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Domains");
    await screenshot(page, "domains-en");
    await page.goto(`${demo.server.url}/`);
    await page.getByRole("button", { name: /Language: Français/ }).click();
    await page.waitForURL(`${demo.server.url}/`);
    expect(await page.locator("html").getAttribute("lang")).toBe("fr-CA");
    await screenshot(page, "dashboard-fr-CA");
    await page.getByRole("button", { name: /Langue: English/ }).click();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(`${demo.server.url}/invoices`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.close();
  });

  it("works on a phone: the menu opens without JavaScript", async () => {
    const context = await demo.browser.newContext({
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await signIn(page, demo.server);
    expect(await page.getByRole("link", { name: "Invoices" }).isVisible()).toBe(false);
    await page.getByRole("link", { name: "Menu" }).click();
    expect(await page.getByRole("link", { name: "Invoices" }).isVisible()).toBe(true);
    await screenshot(page, "dashboard-phone");
    await context.close();
  });
});
