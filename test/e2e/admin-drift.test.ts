/**
 * The drift list in a real browser, on a 360 px phone, in both languages: a registry expiry
 * earlier than Tenure's is listed for support (never written), who rejects it with a reason.
 */
import { describe, expect, it } from "vitest";
import { addDays } from "../../src/domain/time.js";
import { listDrift } from "../../src/modules/reconciliation/drift-repository.js";
import { runReconciliation } from "../../src/modules/reconciliation/reconcile.js";
import {
  clickAndLoad,
  flashText,
  type Language,
  NARROW_PHONE,
  newPageIn,
  screenshot,
  signInStaff,
  useDemo,
  useLanguage,
} from "../support/browser.js";

const TEXT = {
  en: { reject: "Reject", why: "Their expiry is earlier than Tenure's.", done: "rejected" },
  "fr-CA": { reject: "Refuser", why: "Leur échéance est antérieure à celle de Tenure.", done: "refusé" },
} as const;

describe("back office: drift", () => {
  const demo = useDemo();

  it.each(["en", "fr-CA"] as Language[])(
    "support rejects a registry difference with a reason (%s)",
    async (locale) => {
      const t = TEXT[locale];
      const { server, browser } = demo;
      const domain = await server.deps.db
        .selectFrom("domains")
        .innerJoin("services", "services.id", "domains.service_id")
        .select(["domains.name", "domains.expires_at"])
        .where("services.status", "=", "active")
        .orderBy("domains.name", locale === "en" ? "asc" : "desc")
        .executeTakeFirstOrThrow();
      server.registrar.register(domain.name, addDays(Number(domain.expires_at), -10));
      await runReconciliation(server.deps, server.clock.now(), { sleep: async () => undefined });
      const drift = (await listDrift(server.deps.db, { status: "open" })).find(
        (d) => d.subject === domain.name,
      );
      expect(drift).toBeDefined();
      const { context, page } = await newPageIn(browser, NARROW_PHONE);
      try {
        await signInStaff(page, server, "support");
        await page.goto(`${server.url}/admin/drift`);
        await useLanguage(page, locale);
        const row = page.locator(`tr[data-drift="${drift?.id}"]`);
        expect(await row.textContent()).toContain(t.why);
        expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
        await screenshot(page, `admin-drift-1-list-${locale}-360`);
        await clickAndLoad(page, row.getByRole("link", { name: t.reject }));
        expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
        await page
          .locator("textarea[name=reason], input[name=reason]")
          .fill("Registry sync glitch, checked by phone");
        await screenshot(page, `admin-drift-2-reject-${locale}-360`);
        await clickAndLoad(page, page.locator("form.stack button[type=submit]"));
        expect(page.url()).toBe(`${server.url}/admin/drift`);
        expect(await flashText(page)).toContain(t.done);
        await screenshot(page, `admin-drift-3-decided-${locale}-360`);
        const after = await server.deps.db
          .selectFrom("domains")
          .select("expires_at")
          .where("name", "=", domain.name)
          .executeTakeFirstOrThrow();
        expect(Number(after.expires_at)).toBe(Number(domain.expires_at));
      } finally {
        await context.close();
      }
    },
  );
});
