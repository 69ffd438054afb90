/**
 * Domains > Domains in a real browser (seed 000 and the renewal rules of seed 004): the three demo
 * domains and their Status sentences; the Auto-renew switch turned off (the consequence page
 * first) and back on; a past-due domain switched off voids its open renewal invoice; an expired
 * domain reactivated during its grace; a domain's own page with its timeline and transfer code.
 */
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  clickAndLoad,
  DESKTOP,
  flashText,
  followMenu,
  mainText,
  newPageIn,
  PHONE,
  screenshot,
  signIn,
  squash,
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

/** One domain's row of the list, and its cells by their (mobile) label. */
function domainRow(page: Page, name: string) {
  const row = page.locator("tbody tr", { has: page.getByRole("link", { name, exact: true }) });
  return { row, cell: (label: string): Locator => row.locator(`td[data-label="${label}"]`) };
}

describe("seed 004: the domains page and its auto-renew switch", () => {
  const demo = useDemo();

  it("en: lists the six domains with their renewal date, price, switch and status sentence", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await followMenu(page, "Domains");
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("Domains");
    expect(await page.locator("tbody tr").count()).toBe(6);

    const bakery = domainRow(page, "demo-bakery.com");
    expect(await textOf(bakery.cell("Renewal date"))).toBe("August 14, 2027");
    expect(await textOf(bakery.cell("Renewal price"))).toBe("$20.00");
    const bakerySwitch = bakery.cell("Auto-renew").getByRole("button");
    expect(await bakerySwitch.getAttribute("aria-pressed")).toBe("true");
    expect(await textOf(bakerySwitch)).toBe("On — auto-renew for demo-bakery.com");
    expect(await textOf(bakery.cell("Status"))).toBe("Next payment on July 30, 2027");

    const pastDue = domainRow(page, "demo-pastdue.net");
    expect(await textOf(pastDue.cell("Renewal date"))).toBe("November 30, 2026");
    expect(await textOf(pastDue.cell("Renewal price"))).toBe("$22.00");
    expect(await pastDue.cell("Auto-renew").getByRole("button").getAttribute("aria-pressed")).toBe("true");
    expect(await textOf(pastDue.cell("Status"))).toBe(
      "Past due — next attempt on November 25, 2026 Pay invoice #2",
    );
    expect(await pastDue.cell("Status").getByRole("link").getAttribute("href")).toBe("/invoices/2");

    const expired = domainRow(page, "demo-expired.org");
    expect(await textOf(expired.cell("Renewal date"))).toBe("November 2, 2026");
    expect(await textOf(expired.cell("Renewal price"))).toBe("$21.00");
    expect(await expired.cell("Auto-renew").getByRole("button").count()).toBe(0);
    expect(await textOf(expired.cell("Status"))).toBe("Expired — reactivate until January 1, 2027");
    expect(await textOf(expired.cell("Actions").getByRole("button"))).toBe("Reactivate for $21.00");
    await screenshot(page, "domains-1-list-desktop");
    await context.close();

    // The same page on a phone: each row a card, every cell labelled.
    const phone = await newPageIn(demo.browser, PHONE);
    await signIn(phone.page, demo.server);
    await followMenu(phone.page, "Domains");
    await phone.page.waitForURL(`${demo.server.url}/domains`);
    expect(await domainRow(phone.page, "demo-bakery.com").cell("Status").isVisible()).toBe(true);
    await screenshot(phone.page, "domains-1-list-phone");
    await phone.context.close();
  });

  it("en: auto-renew off explains the consequence first, then the row shows Off; it turns back on", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await page.goto(`${demo.server.url}/domains`);
    const bakery = domainRow(page, "demo-bakery.com");

    // Off: the consequence page; "Keep auto-renew on" changes nothing.
    await clickAndLoad(
      page,
      bakery.cell("Auto-renew").getByRole("button", { name: "On — auto-renew for demo-bakery.com" }),
    );
    await page.waitForURL(`${demo.server.url}/domains/demo-bakery/auto-renew`);
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe(
      "Turn off auto-renew for demo-bakery.com?",
    );
    expect((await page.locator("main li").allInnerTexts()).map((t) => t.trim())).toEqual([
      "Your domain will not be renewed and will expire on August 14, 2027.",
      "After it expires, you can still reactivate it until October 13, 2027.",
    ]);
    await screenshot(page, "domains-2-consequence-en");
    await clickAndLoad(page, page.getByRole("link", { name: "Keep auto-renew on" }));
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await bakery.cell("Auto-renew").getByRole("button").getAttribute("aria-pressed")).toBe("true");

    // Off again, confirmed this time.
    await clickAndLoad(page, bakery.cell("Auto-renew").getByRole("button"));
    await clickAndLoad(page, page.getByRole("button", { name: "Turn off auto-renew" }));
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await flashText(page)).toBe(
      "Auto-renew is off for demo-bakery.com: it will expire on August 14, 2027.",
    );
    const off = bakery.cell("Auto-renew").getByRole("button");
    expect(await off.getAttribute("aria-pressed")).toBe("false");
    expect(await textOf(off)).toBe("Off — auto-renew for demo-bakery.com");
    expect(await textOf(bakery.cell("Status"))).toBe("Will expire on August 14, 2027");
    await screenshot(page, "domains-3-off-en");

    // And back on, with no question asked.
    await clickAndLoad(page, off);
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await flashText(page)).toBe("Auto-renew is on for demo-bakery.com.");
    expect(await bakery.cell("Auto-renew").getByRole("button").getAttribute("aria-pressed")).toBe("true");
    expect(await textOf(bakery.cell("Status"))).toBe("Next payment on July 30, 2027");
    await context.close();
  });

  it("en: the screens a newcomer would otherwise miss: a legacy free domain, an unverified new one, one at Tucows", async () => {
    const { context, page } = await newPageIn(demo.browser, PHONE);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await page.goto(`${demo.server.url}/domains`);
    const legacy = domainRow(page, "demo-heritage.com");
    expect(await textOf(legacy.cell("Renewal price"))).toBe("Free (legacy offer)");
    expect(await textOf(legacy.cell("Auto-renew"))).toBe(
      "Renews free while your site stays on a yearly plan",
    );
    expect(await textOf(legacy.cell("Status"))).toBe("Renews free on June 1, 2027");
    const fresh = domainRow(page, "demo-nouveau.com");
    expect(await textOf(fresh.cell("Status"))).toBe(
      "Verify the contact e-mail by December 2, 2026, or the domain is suspended Next payment on November 2, 2027",
    );
    await screenshot(page, "domains-8-newcomer-rows-en-phone");
    await clickAndLoad(
      page,
      domainRow(page, "demo-atelier.net").row.getByRole("link", { name: "demo-atelier.net", exact: true }),
    );
    expect((await mainText(page)).toLowerCase()).toContain("tucows");
    await screenshot(page, "domains-9-tucows-en-phone");
    await context.close();
  });

  it("fr-CA: désactiver le renouvellement de demo-pastdue.net annule sa facture ouverte nº 2", async () => {
    const { context, page } = await newPageIn(demo.browser, PHONE);
    await signIn(page, demo.server);
    await useLanguage(page, "fr-CA");
    await followMenu(page, "Domaines");
    await page.waitForURL(`${demo.server.url}/domains`);
    const pastDue = domainRow(page, "demo-pastdue.net");
    expect(await textOf(pastDue.cell("Statut"))).toBe(
      "Paiement en souffrance — prochaine tentative le 25 novembre 2026 Payer la facture nº 2",
    );
    await screenshot(page, "domains-4-list-fr-phone");
    await clickAndLoad(
      page,
      pastDue
        .cell("Renouvellement automatique")
        .getByRole("button", { name: "Activé — renouvellement automatique de demo-pastdue.net" }),
    );
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toMatch(
      /^Désactiver le renouvellement automatique de demo-pastdue\.net\s?\?$/u,
    );
    const consequences = (await page.locator("main li").allInnerTexts()).map(squash);
    expect(consequences).toContain("Votre domaine ne sera pas renouvelé et expirera le 30 novembre 2026.");
    expect(consequences).toContain("La facture de renouvellement ouverte nº 2 sera annulée.");
    await screenshot(page, "domains-5-consequence-fr-phone");
    await clickAndLoad(page, page.getByRole("button", { name: "Désactiver le renouvellement automatique" }));
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await flashText(page)).toBe(
      "Le renouvellement automatique est désactivé pour demo-pastdue.net : il expirera le 30 novembre 2026. La facture nº 2 a été annulée.",
    );
    expect(
      await pastDue.cell("Renouvellement automatique").getByRole("button").getAttribute("aria-pressed"),
    ).toBe("false");
    // The engine no longer charges it (the invoice is void) and lets it expire on November 30:
    // the Status column must say so, not announce a payment.
    expect.soft(await textOf(pastDue.cell("Statut"))).toBe("Expirera le 30 novembre 2026");
    await screenshot(page, "domains-6-pastdue-off-fr-phone");

    // The invoice is void in Factures, and nothing is past due any more on the dashboard.
    await followMenu(page, "Factures");
    await page.waitForURL(`${demo.server.url}/invoices`);
    const invoice2 = page.locator("tbody tr", {
      has: page.getByRole("link", { name: "Détails de la facture nº 2" }),
    });
    expect(await textOf(invoice2.locator('td[data-label="Statut"]'))).toBe("Annulée");
    await followMenu(page, "Tableau de bord");
    await page.waitForURL(`${demo.server.url}/`);
    const dashboard = await mainText(page);
    expect(dashboard).not.toContain("en souffrance");
    expect.soft(dashboard).toContain("Renouvellement automatique désactivé : expire le 30 novembre 2026");

    // Back on past its payment date (issue 12, item 1): it would charge at once, so it asks first
    // with the amount; nothing is charged until the customer confirms, and the result names the invoice.
    await followMenu(page, "Domaines");
    const charges = demo.server.gateway.allCharges().length;
    await clickAndLoad(
      page,
      pastDue
        .cell("Renouvellement automatique")
        .getByRole("button", { name: "Désactivé — renouvellement automatique de demo-pastdue.net" }),
    );
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toMatch(
      /^Activer le renouvellement automatique de demo-pastdue\.net\s?\?$/u,
    );
    const charge = await textOf(page.locator("main section.card"));
    expect(charge).toContain("prélève 22,00 $ US sur Visa •••• 4242 maintenant");
    expect(charge).toContain("le domaine est renouvelé jusqu'au 30 novembre 2027");
    expect(demo.server.gateway.allCharges()).toHaveLength(charges);
    await screenshot(page, "domains-6b-turn-on-charges-fr-phone");
    await clickAndLoad(page, page.getByRole("button", { name: "Activer et payer 22,00 $ US" }));
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await flashText(page)).toMatch(
      /^Le renouvellement automatique est activé pour demo-pastdue\.net : la facture nº \d+ de 22,00 \$ US a été payée et le domaine est renouvelé\.$/u,
    );
    expect(demo.server.gateway.allCharges()).toHaveLength(charges + 1);
    expect(await textOf(pastDue.cell("Date de renouvellement"))).toBe("30 novembre 2027");
    await screenshot(page, "domains-6c-turned-on-paid-fr-phone");
    await useLanguage(page, "en");
    await context.close();
  });

  it("en: Reactivate demo-expired.org during its grace, for its price, keeping its renewal date", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await page.goto(`${demo.server.url}/domains`);
    const expired = domainRow(page, "demo-expired.org");
    const charges = demo.server.gateway.allCharges().length;
    await clickAndLoad(page, expired.cell("Actions").getByRole("button", { name: "Reactivate for $21.00" }));
    // It charges: the amount, the card and the new expiry first (issue 12, item 9).
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("Reactivate demo-expired.org?");
    const confirm = await textOf(page.locator("main section.card"));
    expect(confirm).toContain("$21.00 will be charged to Visa •••• 4242 now");
    expect(confirm).toContain("The domain is renewed until November 2, 2027");
    expect(confirm).toContain("Auto-renew stays off");
    expect(demo.server.gateway.allCharges()).toHaveLength(charges);
    await screenshot(page, "domains-7a-reactivate-confirm-en");
    await clickAndLoad(page, page.getByRole("button", { name: "Reactivate and pay $21.00" }));
    await page.waitForURL(`${demo.server.url}/domains`);
    expect(await flashText(page)).toMatch(
      /^Reactivated until November 2, 2027: invoice #\d+ of \$21\.00 was paid\. Auto-renew is still off: the domain will expire again on November 2, 2027 unless you turn it on\. Turn auto-renew on$/,
    );
    expect(await textOf(expired.cell("Renewal date"))).toBe("November 2, 2027");
    expect(await expired.cell("Actions").getByRole("button").count()).toBe(0);
    expect(await textOf(expired.cell("Status"))).not.toContain("Expired");
    await screenshot(page, "domains-7-reactivated-en");
    // The offer in the notice turns auto-renew on (a year before its payment date: no charge now).
    await clickAndLoad(page, page.locator("main .flash").getByRole("button", { name: "Turn auto-renew on" }));
    expect(await flashText(page)).toBe("Auto-renew is on for demo-expired.org.");
    expect(await expired.cell("Auto-renew").getByRole("button").getAttribute("aria-pressed")).toBe("true");
    expect(demo.server.gateway.allCharges()).toHaveLength(charges + 1);
    await context.close();
  });

  it("fr-CA: la page d'un domaine, sa chronologie et le code de transfert", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "fr-CA");
    await followMenu(page, "Domaines");
    await clickAndLoad(
      page,
      domainRow(page, "demo-bakery.com").cell("Actions").getByRole("link", { name: "Gérer demo-bakery.com" }),
    );
    await page.waitForURL(`${demo.server.url}/domains/demo-bakery`);
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("demo-bakery.com");
    const facts = await textOf(page.locator("dl.facts"));
    expect(facts).toContain("Registraire squarespace-domains");
    expect(facts).toContain("Enregistré le 14 août 2026");
    expect(facts).toContain("Expire le 14 août 2027");
    expect(facts).toContain("Prix du renouvellement 20,00 $ US");
    expect(facts).toContain("Statut Prochain paiement le 30 juillet 2027");
    expect(facts).toContain("Site associé Web hosting — Pro");

    const timeline = page.locator("section", { has: page.getByRole("heading", { name: "Chronologie" }) });
    const timelineText = await textOf(timeline);
    expect(timelineText).toContain("À venir");
    expect(timelineText).toContain("Paiement du renouvellement de 20,00 $ US avec la carte Visa •••• 4242");
    expect(timelineText).toContain("Historique");
    expect(timelineText).toContain("demo-bakery.com enregistré, jusqu'au 14 août 2027");
    await screenshot(page, "domains-8-detail-fr");

    await clickAndLoad(page, page.getByRole("button", { name: "Demander le code de transfert" }));
    await page.waitForURL(`${demo.server.url}/domains/demo-bakery`);
    expect(await flashText(page)).toMatch(
      /^Code de transfert de demo-bakery\.com : \S{6,} Remettez-le au nouveau registraire\. Gardez-le confidentiel\.$/,
    );
    expect(await textOf(page.locator(".flash code.auth-code"))).toMatch(/^\S{6,}$/);
    expect(await textOf(timeline)).toContain("Transfert vers un autre registraire demandé");
    await screenshot(page, "domains-9-transfer-code-fr");
    await useLanguage(page, "en");
    await context.close();
  });
});
