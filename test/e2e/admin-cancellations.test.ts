/**
 * The cancellation queue in a real browser, on a 360 px phone, in both languages: a billing staff
 * member finds the demo's late immediate cancellation (red, "late by"), opens it, reads what
 * carrying it out does, types a reason, and carries it out; the service is cancelled by the
 * engine's own step and the audit log names them. Each language gets its own demo server (the
 * demo has one late request).
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
    menu: "Cancellations",
    late: "late",
    lateBy: /late by 6 h 0 min/,
    carryOut: "Carry out now",
    intro: "Sauvegardes (Gabriel Lefebvre) is cancelled now, by the same step the automation uses",
    reasonLabel: "Your reason (recorded in the audit log)",
    reason: "Customer waited more than 24 hours",
    button: "Carry out the cancellation now",
    done: "Sauvegardes (Gabriel Lefebvre) is cancelled.",
    empty: "No cancellation is pending.",
  },
  "fr-CA": {
    menu: "Annulations",
    late: "en retard",
    lateBy: /en retard de 6 h 0 min/,
    carryOut: "Effectuer maintenant",
    intro:
      "Sauvegardes (Gabriel Lefebvre) est annulé maintenant, par la même étape que l’automatisation applique",
    reasonLabel: "Votre raison (inscrite au journal d’audit)",
    reason: "Le client attend depuis plus de 24 heures",
    button: "Effectuer l’annulation maintenant",
    done: "Sauvegardes (Gabriel Lefebvre) est annulé.",
    empty: "Aucune annulation en attente.",
  },
} as const;

for (const locale of ["en", "fr-CA"] as Language[]) {
  describe(`carrying out the late immediate cancellation (${locale})`, () => {
    const demo = useDemo();

    it("from the queue, at 360 px", async () => {
      const w = WORDS[locale];
      const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
      try {
        const email = await signInStaff(page, demo.server, "billing");
        await useLanguage(page, locale);
        await followMenu(page, w.menu);
        const row = page.locator("tr.late");
        await expect.poll(() => row.count()).toBe(1);
        const rowText = await textOf(row);
        expect(rowText).toContain("Sauvegardes");
        expect(rowText).toContain("Gabriel Lefebvre");
        expect(rowText).toMatch(w.lateBy);
        expect(await textOf(row.locator(".badge-late"))).toBe(w.late);
        // The late row is red.
        const background = await row
          .locator("td")
          .first()
          .evaluate(
            (td) =>
              (
                globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
              ).getComputedStyle(td).backgroundColor,
          );
        expect(background).toBe("rgb(253, 240, 239)");
        await screenshot(page, `admin-cancellations-queue-${locale}-360`);

        await clickAndLoad(page, row.getByRole("link", { name: w.carryOut }));
        expect(await mainText(page)).toContain(w.intro);
        await page.getByLabel(w.reasonLabel).fill(w.reason);
        await screenshot(page, `admin-cancellations-confirm-${locale}-360`);
        await clickAndLoad(page, page.getByRole("button", { name: w.button }));
        expect(await flashText(page)).toContain(w.done);
        expect(await mainText(page)).toContain(w.empty);
        await screenshot(page, `admin-cancellations-done-${locale}-360`);

        const service = await demo.server.deps.db
          .selectFrom("services")
          .select("status")
          .where("id", "=", "demo-fr-backup")
          .executeTakeFirstOrThrow();
        expect(service.status).toBe("cancelled");
        const [line] = await listAudit(demo.server.deps.db, { objectId: "demo-fr-backup" });
        expect(line).toMatchObject({
          action: "cancellation.carried_out",
          staffEmail: email,
          reason: w.reason,
        });
      } finally {
        await context.close();
      }
    }, 60_000);
  });
}
