/**
 * Seed 000 in a real browser: the customer cancels from the client area, step by step, as the help
 * page tells them to — dashboard → Hosting → Manage → the gear (⚙) → Plan details → Request
 * cancellation — in French on a phone and in English on a desktop; then withdraws it. And an app
 * cancelled immediately shows as cancelled on the dashboard.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { HOUR } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import {
  clickAndLoad,
  DESKTOP,
  flashText,
  followMenu,
  type Language,
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

/** What the customer reads and clicks, in each language (from the catalogs, written out). */
const WORDS = {
  "fr-CA": {
    short: "fr",
    viewport: PHONE,
    hosting: "Hébergement",
    manageHosting: "Gérer Web hosting — Pro",
    timeline: "Chronologie",
    nextCharge: "6 mai 2027 Paiement du renouvellement de 119,88 $ US avec la carte Visa •••• 4242",
    gear: "Paramètres du service",
    planDetails: "Détails du plan",
    requestTitle: "Demande d'annulation",
    reason: "Raison de l'annulation",
    endOfTerm: "À la fin du contrat",
    stopBakery: "Arrêter aussi le renouvellement de demo-bakery.com",
    submit: "Demander l'annulation",
    reviewEndOfTerm:
      "Web hosting — Pro reste actif jusqu'au 6 mai 2027, puis s'arrête : il n'est pas renouvelé et aucune facture de renouvellement ne sera émise. Vous pouvez retirer la demande d'ici là.",
    reviewNoRefund: "Rien n'est remboursé : le service reste actif jusqu'à la fin de la période déjà payée.",
    reviewBakery: "Le renouvellement de demo-bakery.com s'arrête : il expirera le 14 août 2027.",
    confirmSubmit: "Confirmer l'annulation",
    formError: "La demande n'a pas été envoyée : vérifiez les champs ci-dessous.",
    reasonError: "Inscrivez brièvement la raison (3 caractères ou plus).",
    myReason: "Je ferme ma boutique en ligne.",
    confirmTitle: "Votre demande d'annulation est enregistrée",
    confirmEndOfTerm:
      "Web hosting — Pro reste actif jusqu'au 6 mai 2027, puis est annulé : il ne sera pas renouvelé et aucune facture de renouvellement ne sera émise. Vous pouvez retirer cette demande d'ici là.",
    confirmBakery: "Le renouvellement de demo-bakery.com est arrêté : il expirera le 14 août 2027.",
    refundLink: "Faire une demande de remboursement",
    pendingTitle: "Annulation en attente",
    pending:
      "Vous avez demandé une annulation à la fin du contrat : le service reste actif jusqu'au 6 mai 2027 et ne sera pas renouvelé.",
    requestedOn: "Demandée le 22 novembre 2026.",
    attention: "Une annulation de Web hosting — Pro est en attente : elle prend effet le 6 mai 2027.",
    dashboard: "Tableau de bord",
    bakeryExpires: "Renouvellement automatique désactivé : expire le 14 août 2027",
    withdraw: "Retirer l'annulation",
    withdrawn:
      "L'annulation a été retirée : Web hosting — Pro reste actif et se renouvelle le 6 mai 2027. Le renouvellement automatique de demo-bakery.com est rétabli.",
    renews: "Se renouvelle automatiquement le 6 mai 2027.",
    domains: "Domaines",
    bakeryOn: "Activé — renouvellement automatique de demo-bakery.com",
    bakeryRenews: "Prochain paiement le 30 juillet 2027",
  },
  en: {
    short: "en",
    viewport: DESKTOP,
    hosting: "Hosting",
    manageHosting: "Manage Web hosting — Pro",
    timeline: "Timeline",
    nextCharge: "May 6, 2027 Renewal payment of $119.88 with the card Visa •••• 4242",
    gear: "Service settings",
    planDetails: "Plan details",
    requestTitle: "Request cancellation",
    reason: "Reason for cancelling",
    endOfTerm: "At the end of the contract",
    stopBakery: "Also stop the renewal of demo-bakery.com",
    submit: "Request cancellation",
    reviewEndOfTerm:
      "Web hosting — Pro stays active until May 6, 2027, then stops: it is not renewed and no renewal invoice will be issued. You can withdraw the request until then.",
    reviewNoRefund: "Nothing is refunded: the service runs until the end of the period already paid for.",
    reviewBakery: "The renewal of demo-bakery.com stops: it will expire on August 14, 2027.",
    confirmSubmit: "Confirm the cancellation",
    formError: "The request was not sent: check the fields below.",
    reasonError: "Give a short reason (3 characters or more).",
    myReason: "I am closing my online shop.",
    confirmTitle: "Your cancellation request is recorded",
    confirmEndOfTerm:
      "Web hosting — Pro stays active until May 6, 2027, then is cancelled: it will not be renewed and no renewal invoice will be issued. You can withdraw this request until then.",
    confirmBakery: "The renewal of demo-bakery.com is stopped: it will expire on August 14, 2027.",
    refundLink: "File a refund request",
    pendingTitle: "Cancellation pending",
    pending:
      "You asked for a cancellation at the end of the contract: the service stays active until May 6, 2027 and will not be renewed.",
    requestedOn: "Requested on November 22, 2026.",
    attention: "A cancellation of Web hosting — Pro is pending: it takes effect on May 6, 2027.",
    dashboard: "Dashboard",
    bakeryExpires: "Auto-renew off: expires on August 14, 2027",
    withdraw: "Withdraw the cancellation",
    withdrawn:
      "The cancellation was withdrawn: Web hosting — Pro stays active and renews on May 6, 2027. The automatic renewal of demo-bakery.com is back on.",
    renews: "Renews automatically on May 6, 2027.",
    domains: "Domains",
    bakeryOn: "On — auto-renew for demo-bakery.com",
    bakeryRenews: "Next payment on July 30, 2027",
  },
} as const;

const HOSTING_PLAN = "/services/demo-hosting/plan";

describe("seed 000: cancelling from the client area", () => {
  const demo = useDemo();

  /** The hosting plan's cancellation card (request form, pending cancellation or cancelled). */
  const cancelCard = (page: Page) => page.locator("section.card", { has: page.locator("#cancel-title") });

  async function walkCancellationPath(locale: Language) {
    const w = WORDS[locale];
    const shot = (step: string) => screenshot(page, `cancellation-${w.short}-${step}`);
    const { context, page } = await newPageIn(demo.browser, w.viewport);
    await signIn(page, demo.server);
    await useLanguage(page, locale);

    // 1. The dashboard, then its Hosting category.
    await shot("1-dashboard");
    // A link within the page (#hosting): no page load.
    await page
      .getByRole("navigation", { name: /^(Catégories|Categories)$/ })
      .getByRole("link", { name: new RegExp(`^${w.hosting} \\(1\\)$`) })
      .click();
    await page.waitForURL(/#hosting$/);
    const hosting = page.locator("section#hosting");
    expect(await textOf(hosting.getByRole("heading", { level: 2 }))).toBe(w.hosting);
    expect(await hosting.locator("tbody tr").count()).toBe(1);

    // 2. Manage on demo-hosting.
    await clickAndLoad(page, hosting.getByRole("link", { name: w.manageHosting }));
    await page.waitForURL(`${demo.server.url}/services/demo-hosting`);
    const timeline = page.locator("section", { has: page.getByRole("heading", { name: w.timeline }) });
    expect(await textOf(timeline)).toContain(w.nextCharge);
    await shot("2-manage");

    // 3. The gear menu: folded, then open with Plan details.
    const inGear = page.locator("details.gear").getByRole("link", { name: w.planDetails });
    expect(await inGear.isVisible()).toBe(false);
    await page.getByTitle(w.gear).click();
    expect(await inGear.isVisible()).toBe(true);
    await shot("3-gear");
    await clickAndLoad(page, inGear);
    await page.waitForURL(`${demo.server.url}${HOSTING_PLAN}`);
    expect(await textOf(cancelCard(page).getByRole("heading", { level: 2 }))).toBe(w.requestTitle);
    await shot("4-plan");

    // 4. A blank reason is refused, with the message next to the field; the choice is kept.
    await page.getByLabel(w.endOfTerm).check();
    await clickAndLoad(page, cancelCard(page).getByRole("button", { name: w.submit }));
    await page.waitForURL(`${demo.server.url}/services/demo-hosting/cancel`);
    expect(await textOf(page.getByRole("alert"))).toBe(w.formError);
    const reason = page.getByRole("textbox", { name: w.reason });
    expect(await reason.getAttribute("aria-invalid")).toBe("true");
    expect(await reason.getAttribute("aria-describedby")).toBe("reason-error");
    expect(await textOf(page.locator("#reason-error"))).toBe(w.reasonError);
    expect(await page.getByLabel(w.endOfTerm).isChecked()).toBe(true);
    await shot("5-reason-required");

    // 5. A reason, at the end of the contract, and stop demo-bakery.com's renewal too.
    await reason.fill(w.myReason);
    await page.getByLabel(w.stopBakery).check();
    await shot("6-filled");
    await clickAndLoad(page, cancelCard(page).getByRole("button", { name: w.submit }));

    // 5b. Nothing is recorded yet: what stops and when, what is not refunded, then confirm.
    await page.waitForURL(`${demo.server.url}/services/demo-hosting/cancel`);
    const review = (await page.locator("main section.card li").allInnerTexts()).map(squash);
    expect(review).toContain(w.reviewEndOfTerm);
    expect(review).toContain(w.reviewNoRefund);
    expect(review).toContain(w.reviewBakery);
    await shot("6b-review");
    await clickAndLoad(page, page.getByRole("button", { name: w.confirmSubmit }));
    await page.waitForURL(`${demo.server.url}${HOSTING_PLAN}`);

    // 6. The confirmation says what happens and when; the page shows the pending cancellation.
    const confirmation = page.locator("section.confirmation");
    expect(await textOf(confirmation.getByRole("heading"))).toBe(w.confirmTitle);
    expect((await confirmation.locator("li").allInnerTexts()).map(squash)).toEqual([
      w.confirmEndOfTerm,
      w.confirmBakery,
    ]);
    expect(await confirmation.getByRole("link", { name: w.refundLink }).getAttribute("href")).toBe(
      "/requests/new?kind=refund&service=demo-hosting",
    );
    const pending = cancelCard(page);
    expect(await textOf(pending.getByRole("heading", { level: 2 }))).toBe(w.pendingTitle);
    const pendingText = await textOf(pending);
    expect(pendingText).toContain(w.pending);
    expect(pendingText).toContain(w.requestedOn);
    expect(pendingText).toContain(w.myReason);
    await shot("7-confirmation");

    // The dashboard says so too; reloading the plan page no longer shows the confirmation.
    await followMenu(page, w.dashboard);
    await page.waitForURL(`${demo.server.url}/`);
    expect(await mainText(page)).toContain(w.attention);
    const bakeryRow = page.locator("section#domains tbody tr", { hasText: "demo-bakery.com" });
    expect(await textOf(bakeryRow)).toContain(w.bakeryExpires);
    await page.goto(`${demo.server.url}${HOSTING_PLAN}`);
    expect(await page.locator("section.confirmation").count()).toBe(0);
    expect(await textOf(cancelCard(page))).toContain(w.pending);

    // 7. Withdraw: back to no pending cancellation, and demo-bakery.com's renewal back on.
    await clickAndLoad(page, cancelCard(page).getByRole("button", { name: w.withdraw }));
    await page.waitForURL(`${demo.server.url}${HOSTING_PLAN}`);
    expect(await flashText(page)).toBe(w.withdrawn);
    expect(await textOf(cancelCard(page).getByRole("heading", { level: 2 }))).toBe(w.requestTitle);
    expect(await mainText(page)).toContain(w.renews);
    expect(await page.getByLabel(w.stopBakery).isChecked()).toBe(false);
    await shot("8-withdrawn");

    // 8. Under Domains, demo-bakery.com renews again.
    await followMenu(page, w.domains);
    await page.waitForURL(`${demo.server.url}/domains`);
    const bakery = page.getByRole("button", { name: w.bakeryOn });
    expect(await bakery.getAttribute("aria-pressed")).toBe("true");
    expect(await textOf(page.locator("tbody tr", { has: bakery }))).toContain(w.bakeryRenews);
    await context.close();
  }

  it("fr-CA, on a phone: Hébergement → Gérer → ⚙ → Détails du plan → Demande d'annulation, then withdrawn", async () => {
    await walkCancellationPath("fr-CA");
  });

  it("en, on a desktop: Hosting → Manage → ⚙ → Plan details → Request cancellation, then withdrawn", async () => {
    await walkCancellationPath("en");
  });

  it("en: an app cancelled immediately: confirmed first, withdrawable for 4 hours, then cancelled, its open invoice voided", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await page
      .getByRole("navigation", { name: "Categories" })
      .getByRole("link", { name: /^Apps \(2\)$/ })
      .click();
    const apps = page.locator("section#app");
    const antispamRow = () => page.locator("section#app tbody tr", { hasText: "Anti-spam" });
    expect(await textOf(antispamRow().locator('td[data-label="State"]'))).toBe("Active");
    await clickAndLoad(page, apps.getByRole("link", { name: "Manage Anti-spam" }));
    await page.waitForURL(`${demo.server.url}/services/demo-antispam`);
    await page.getByTitle("Service settings").click();
    await clickAndLoad(page, page.locator("details.gear").getByRole("link", { name: "Plan details" }));
    await page.waitForURL(`${demo.server.url}/services/demo-antispam/plan`);
    // An app has no domain registered with it: no checkbox to stop a renewal.
    expect(await page.getByRole("checkbox").count()).toBe(0);
    await page.getByRole("textbox", { name: "Reason for cancelling" }).fill("Too much spam gets through.");
    await page.getByLabel("Immediate").check();
    await screenshot(page, "cancellation-app-1-immediate");
    await clickAndLoad(page, cancelCard(page).getByRole("button", { name: "Request cancellation" }));

    // What stops, when, and what is not refunded, before anything is recorded (issue 12, item 3).
    await page.waitForURL(`${demo.server.url}/services/demo-antispam/cancel`);
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("Cancel Anti-spam?");
    const review = (await page.locator("main section.card li").allInnerTexts()).map(squash);
    expect(review[0]).toMatch(
      /^Anti-spam stops on November 22, 2026 at 11:00\sAM, 4 hours after this request: it is not renewed and no renewal invoice will be issued\. Until then you can withdraw the request from the plan page\.$/,
    );
    expect(review[1]).toMatch(
      /^The time already paid for, up to .+, is not refunded automatically: after the cancellation you can file a refund request\.$/,
    );
    await screenshot(page, "cancellation-app-1b-review");
    await clickAndLoad(page, page.getByRole("button", { name: "Confirm the cancellation" }));
    await page.waitForURL(`${demo.server.url}/services/demo-antispam/plan`);

    const confirmation = page.locator("section.confirmation");
    expect((await confirmation.locator("li").allInnerTexts()).map(squash)).toEqual([
      // Policy: carried out 4 hours after the request (billing.immediateCancellationAfterHours).
      expect.stringMatching(
        /^Anti-spam will be cancelled by November 22, 2026 at 11:00\sAM \(within 24 hours\)\.$/,
      ),
      "Invoice #4 was voided.",
    ]);
    // A real window: pending, with Withdraw, until it is carried out.
    const pending = await textOf(cancelCard(page));
    expect(pending).toContain("Cancellation pending");
    expect(await cancelCard(page).getByRole("button", { name: "Withdraw the cancellation" }).count()).toBe(1);
    await screenshot(page, "cancellation-app-2-confirmation");

    // Four hours later the engine carries it out.
    const { clock, deps } = demo.server;
    clock.set(clock.now() + 4 * HOUR);
    await runEngine(deps, clock.now());
    await page.reload();
    expect(await textOf(cancelCard(page))).toBe(
      "Request cancellation This service was cancelled on November 22, 2026. Refunds are requested after the cancellation, by a refund request to our billing team. File a refund request",
    );
    await followMenu(page, "Dashboard");
    await page.waitForURL(`${demo.server.url}/`);
    expect(await textOf(antispamRow().locator('td[data-label="State"]'))).toBe("Cancelled");
    expect(await textOf(antispamRow().locator('td[data-label="Next due date"]'))).toBe("—");
    await screenshot(page, "cancellation-app-3-dashboard");

    await followMenu(page, "Invoices");
    const invoice4 = page.locator("tbody tr", {
      has: page.getByRole("link", { name: "Details of invoice #4" }),
    });
    expect(await textOf(invoice4.locator('td[data-label="Status"]'))).toBe("Void");
    await context.close();
  });
});
