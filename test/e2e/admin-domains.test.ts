/**
 * A domain override in a real browser, on a 360 px phone, in both languages: a support staff
 * member opens the demo's expired domain, extends its grace with a reason, and sees the new last
 * day, the sentence on the timeline and the line in the audit trail (their e-mail, the reason).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { addDays } from "../../src/domain/time.js";
import {
  clickAndLoad,
  flashText,
  type Language,
  NARROW_PHONE,
  newPageIn,
  screenshot,
  signInStaff,
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

const TEXT = {
  en: {
    days: /^Days to add/,
    reason: "Reason (required)",
    button: "Extend grace",
    done: (date: string) => `Grace extended by 7 days: the domain can be reactivated until ${date}.`,
    timeline: "Our team extended the grace period by 7 days",
    reasonText: "Owner in hospital, asked by phone",
    required: "A reason is required.",
  },
  "fr-CA": {
    days: /^Jours à ajouter/,
    reason: "Motif (obligatoire)",
    button: "Prolonger le délai",
    done: (date: string) =>
      `Délai de grâce prolongé de 7 jours : le domaine peut être réactivé jusqu'au ${date}.`,
    timeline: "Notre équipe a prolongé le délai de grâce de 7 jours",
    reasonText: "Propriétaire hospitalisé, demande par téléphone",
    required: "Un motif est obligatoire.",
  },
} as const;

const graceEnds = async (page: Page) => (await textOf(page.getByTestId("grace-ends"))).slice(0, 10);

describe("back office: extending a domain's grace", () => {
  const demo = useDemo();

  it.each(["en", "fr-CA"] as Language[])("support extends grace with a reason (%s)", async (locale) => {
    const t = TEXT[locale];
    const { server, browser } = demo;
    const { context, page } = await newPageIn(browser, NARROW_PHONE);
    try {
      const email = await signInStaff(page, server, "support");
      await page.goto(`${server.url}/admin/domains/demo-expired`);
      await useLanguage(page, locale);
      const form = page.locator("#extend-grace");
      const before = await graceEnds(page);
      expect(before).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      await screenshot(page, `admin-domains-1-page-${locale}-360`);

      // A blank reason: the form comes back with the message, nothing is granted.
      await form.getByLabel(t.days).fill("7");
      // Only spaces pass the browser's "required"; the server still refuses them.
      await form.getByLabel(t.reason).fill("   ");
      await clickAndLoad(page, form.getByRole("button", { name: t.button }));
      expect(await textOf(page.locator("#extend-grace"))).toContain(t.required);
      expect(await graceEnds(page)).toBe(before);

      await form.getByLabel(t.reason).fill(t.reasonText);
      await clickAndLoad(page, form.getByRole("button", { name: t.button }));
      expect(page.url()).toBe(`${server.url}/admin/domains/demo-expired`);
      const after = new Date(addDays(Date.parse(`${before}T00:00:00Z`), 7)).toISOString().slice(0, 10);
      expect(await flashText(page)).toBe(t.done(after));
      expect(await graceEnds(page)).toBe(after);
      expect(await textOf(page.locator("section[aria-labelledby=timeline-title]"))).toContain(t.timeline);
      const trail = await textOf(page.locator("table.audit"));
      expect(trail).toContain("domain.grace-extended");
      expect(trail).toContain(email);
      expect(trail).toContain(t.reasonText);
      await screenshot(page, `admin-domains-2-extended-${locale}-360`);
      await page.locator("table.audit").scrollIntoViewIfNeeded();
      await screenshot(page, `admin-domains-3-trail-${locale}-360`);
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
        NARROW_PHONE.width,
      );
    } finally {
      await context.close();
    }
  });

  it.each(["en", "fr-CA"] as Language[])(
    "the audit log lists the extensions, filtered, at 360 px (%s)",
    async (locale) => {
      const { server, browser } = demo;
      const { context, page } = await newPageIn(browser, NARROW_PHONE);
      try {
        await signInStaff(page, server);
        await useLanguage(page, locale);
        await page.goto(`${server.url}/admin/audit?object=domain%3Ademo-expired`);
        expect(await textOf(page.getByTestId("audit-count"))).toMatch(/^2 (lines|lignes)$/);
        const trail = await textOf(page.locator("table.audit"));
        expect(trail).toContain("domain.grace-extended");
        expect(trail).toContain(TEXT.en.reasonText);
        expect(trail).toContain(TEXT["fr-CA"].reasonText);
        await screenshot(page, `admin-audit-1-list-${locale}-360`);
        expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
          NARROW_PHONE.width,
        );
      } finally {
        await context.close();
      }
    },
  );
});
