/**
 * The API keys and webhooks pages in a real browser, on a 360 px phone, in both languages: an
 * admin creates a key (shown once) and an endpoint (its secret shown once); nothing scrolls sideways.
 */
import { describe, expect, it } from "vitest";
import {
  clickAndLoad,
  type Language,
  NARROW_PHONE,
  newPageIn,
  screenshot,
  signInStaff,
  useDemo,
  useLanguage,
} from "../support/browser.js";

const TEXT = {
  en: { create: "Create", add: "Add", revoke: "Revoke" },
  "fr-CA": { create: "Créer", add: "Ajouter", revoke: "Révoquer" },
} as const;

describe("back office: API keys and webhooks", () => {
  const demo = useDemo();

  it.each(["en", "fr-CA"] as Language[])("an admin creates a key and an endpoint (%s)", async (locale) => {
    const t = TEXT[locale];
    const { server, browser } = demo;
    const { context, page } = await newPageIn(browser, NARROW_PHONE);
    try {
      await signInStaff(page, server, "admin");
      await page.goto(`${server.url}/admin/api-keys`);
      await useLanguage(page, locale);
      await page.locator("input[name=name]").fill(`Panel ${locale}`);
      await page.locator("input[name=scopes][value=billing]").check();
      await clickAndLoad(page, page.getByRole("button", { name: t.create, exact: true }));
      expect(await page.getByTestId("api-key").textContent()).toMatch(/^tnr_/);
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
      await screenshot(page, `admin-api-1-key-${locale}-360`);
      await page.goto(`${server.url}/admin/webhooks`);
      await page.locator("input[name=url]").fill(`https://hooks.example/tenure/${locale}`);
      await page.locator("input[name=events][value='invoice.paid']").check();
      await clickAndLoad(page, page.getByRole("button", { name: t.add, exact: true }));
      expect(await page.getByTestId("webhook-secret").textContent()).toMatch(/^whsec_/);
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
      await screenshot(page, `admin-api-2-webhooks-${locale}-360`);
    } finally {
      await context.close();
    }
  });
});
