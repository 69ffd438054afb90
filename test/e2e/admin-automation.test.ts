/**
 * The automation and the preview in a real browser, on a 360 px phone, in both languages: staff
 * read the health line, preview the next 30 days (by day, with totals), and retry now on the
 * demo's failed service (its .com domain has no price in its site's currency): the retry fails
 * again and says why; once a price is set, the retry brings it up to date and it leaves the list.
 * Each language gets its own demo server (the retry changes the book).
 */
import { describe, expect, it } from "vitest";
import { listAudit } from "../../src/modules/staff/audit-log.js";
import {
  clickAndLoad,
  flashText,
  followMenu,
  type Language,
  mainText,
  NARROW_PHONE,
  newPageIn,
  screenshot,
  signInStaff,
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

const WORDS = {
  en: {
    automation: "Automation",
    preview: "Preview",
    health: /Automation status (Late|Running on time|Failing)/,
    retrying: "being retried after a failed step",
    days: "Days ahead (1 to 90)",
    show: "Show",
    totals: "Totals",
    charges: "Charges",
    retry: "Retry now",
    failedAgain: "studio-lefebvre.com: retried, failed again at step plan",
    done: "studio-lefebvre.com: retried",
    upToDate: "the service is up to date",
    noneFailing: "No service is failing.",
    badDays: "Choose a number of days from 1 to 90.",
  },
  "fr-CA": {
    automation: "Automatisation",
    preview: "Aperçu",
    health:
      /État de l’automatisation (En retard|À l’heure|En échec)|État de l'automatisation (En retard|À l'heure|En échec)/,
    retrying: "en reprise après une étape en échec",
    days: "Jours à venir (1 à 90)",
    show: "Afficher",
    totals: "Totaux",
    charges: "Paiements",
    retry: "Reprendre maintenant",
    failedAgain: "studio-lefebvre.com : repris, nouvel échec à l’étape plan",
    done: "studio-lefebvre.com : repris",
    upToDate: "le service est à jour",
    noneFailing: "Aucun service en échec.",
    badDays: "Choisissez un nombre de jours de 1 à 90.",
  },
} as const;

/** No sideways scrolling at 360 px. */
async function fitsTheScreen(page: import("playwright-core").Page) {
  const width = await page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
        .documentElement.scrollWidth,
  );
  expect(width).toBeLessThanOrEqual(NARROW_PHONE.width);
}

for (const locale of ["en", "fr-CA"] as Language[]) {
  describe(`automation and preview in the back office (${locale})`, () => {
    const demo = useDemo();

    it("a preview of the next 30 days, at 360 px", async () => {
      const w = WORDS[locale];
      const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
      try {
        await signInStaff(page, demo.server, "support");
        await useLanguage(page, locale);
        await followMenu(page, w.preview);
        await page.getByLabel(w.days).fill("30");
        await clickAndLoad(page, page.getByRole("button", { name: w.show }));
        expect(page.url()).toContain("days=30");
        const totals = await textOf(page.getByTestId("preview-totals"));
        expect(totals).toContain(w.totals);
        expect(totals).toContain(w.charges);
        const days = page.getByTestId("preview-day");
        expect(await days.count()).toBeGreaterThan(3);
        const dates = await days.evaluateAll((sections) =>
          sections.map((s) => (s as unknown as { dataset: { day: string } }).dataset.day),
        );
        expect(dates).toEqual([...dates].sort());
        // Every date lies within the 30 days from the demo's now (2026-11-22 12:00 UTC).
        expect(dates[0]! >= "2026-11-22" && dates.at(-1)! <= "2026-12-22").toBe(true);
        await fitsTheScreen(page);
        await screenshot(page, `admin-preview-30-days-${locale}`);
        await page.getByTestId("preview-day").first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: `test-results/admin-preview-day-${locale}.png` });
        // Outside 1-90: the form again, with the message.
        await page.goto(`${demo.server.url}/admin/preview?days=91`);
        expect(await mainText(page)).toContain(w.badDays);
      } finally {
        await context.close();
      }
    });

    it("retry now on the demo's failed service, at 360 px", async () => {
      const w = WORDS[locale];
      const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
      try {
        const email = await signInStaff(page, demo.server, locale === "en" ? "admin" : "support");
        await useLanguage(page, locale);
        // The overview shows the health line: one service being retried.
        const overviewHealth = await textOf(page.getByTestId("automation-health"));
        expect(overviewHealth).toMatch(w.health);
        expect(overviewHealth).toContain(w.retrying);
        await followMenu(page, w.automation);
        const failing = page.getByTestId("failing-services");
        expect(await textOf(failing)).toContain("studio-lefebvre.com");
        await fitsTheScreen(page);
        await screenshot(page, `admin-automation-${locale}`);
        // The first screen as it opens, what a phone shows before any scrolling.
        await page.screenshot({ path: `test-results/admin-automation-top-${locale}.png` });

        // First retry: the cause is still there, so it fails again and says why.
        await clickAndLoad(page, failing.getByRole("button", { name: w.retry }));
        await screenshot(page, `admin-automation-retry-confirm-${locale}`);
        await clickAndLoad(page, page.locator("main").getByRole("button", { name: w.retry }));
        expect(await flashText(page)).toContain(w.failedAgain);

        // Staff set a CAD price for .com; the retry now renews the domain's plan.
        await demo.server.deps.db
          .insertInto("tld_prices")
          .values({ tld: "com", currency: "CAD", renew_amount: 2600 })
          .onConflict((oc) => oc.doNothing())
          .execute();
        await clickAndLoad(page, page.getByTestId("failing-services").getByRole("button", { name: w.retry }));
        await clickAndLoad(page, page.locator("main").getByRole("button", { name: w.retry }));
        const flash = await flashText(page);
        expect(flash).toContain(w.done);
        expect(flash).toContain(w.upToDate);
        expect(await mainText(page)).toContain(w.noneFailing);
        await fitsTheScreen(page);
        await screenshot(page, `admin-automation-retried-${locale}`);

        const audit = await listAudit(demo.server.deps.db, {
          objectType: "service",
          objectId: "demo-fr-studio",
        });
        expect(audit.filter((a) => a.action === "service.retried" && a.staffEmail === email)).toHaveLength(2);
      } finally {
        await context.close();
      }
    });
  });
}
