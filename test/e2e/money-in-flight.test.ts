/**
 * Money in flight as the customer sees it (issue 8), at 360 px in both languages: paying while the
 * bank does not answer says so (no error page), turning auto-renew off then says the void waits
 * for the bank, and once the bank's late "approved" lands, the invoice shows the payment refunded.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DAY } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import {
  clickAndLoad,
  flashText,
  type Language,
  NARROW_PHONE,
  newPageIn,
  screenshot,
  signIn,
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

const TEXT = {
  en: {
    pay: /^Pay now with/,
    awaiting:
      "Your bank has not confirmed this payment yet. We will ask it again automatically and show the result here; nothing more will be charged.",
    autoRenew: "On — auto-renew for demo-pastdue.net",
    turnOff: "Turn off auto-renew",
    deferred:
      "A payment for invoice #2 is still being confirmed by the bank. The invoice will be voided as soon as it is settled, and the payment refunded if it went through.",
    refunded: "Approved, then refunded: the invoice was voided",
    status: "Status Void",
  },
  "fr-CA": {
    pay: /^Payer maintenant avec/,
    awaiting: "",
    autoRenew: "Activé — renouvellement automatique de demo-pastdue.net",
    turnOff: "Désactiver le renouvellement automatique",
    deferred: "",
    refunded: "Approuvé, puis remboursé : la facture a été annulée",
    status: "Statut Annulée",
  },
} as const;

const attemptsOf = (page: Page) =>
  page.locator("section", {
    has: page.getByRole("heading", { name: /^(Charge attempts|Tentatives de paiement)$/ }),
  });

// Each language gets its own demo book: the story voids invoice #2.
describe.each(["en", "fr-CA"] as Language[])("money in flight on the customer's screens (%s)", (locale) => {
  const demo = useDemo();

  it("pay, the bank is silent, auto-renew off, the late approval is refunded", async () => {
    const t = TEXT[locale];
    const { server, browser } = demo;
    await setCard(server.deps, "demo", "lost-answer-3");
    const { context, page } = await newPageIn(browser, NARROW_PHONE);
    try {
      await signIn(page, server);
      await useLanguage(page, locale);
      await page.goto(`${server.url}/invoices/2`);
      await clickAndLoad(page, page.getByRole("button", { name: t.pay }));
      const awaiting = await flashText(page);
      if (t.awaiting) expect(awaiting).toBe(t.awaiting);
      else expect(awaiting).toMatch(/banque/);
      await screenshot(page, `money-in-flight-1-awaiting-bank-${locale}-360`);

      await page.goto(`${server.url}/domains`);
      await clickAndLoad(page, page.getByRole("button", { name: t.autoRenew }));
      await clickAndLoad(page, page.getByRole("button", { name: t.turnOff, exact: true }));
      const deferred = await flashText(page);
      if (t.deferred) expect(deferred).toContain(t.deferred);
      else expect(deferred).toMatch(/nº 2/);
      await screenshot(page, `money-in-flight-2-void-deferred-${locale}-360`);

      // The engine asks the bank again until its answer comes: approved, on an invoice being voided.
      for (let i = 0; i < 4; i += 1) {
        server.clock.advance(DAY / 4);
        await runEngine(server.deps, server.clock.now(), { worker: "e2e" });
      }
      await page.goto(`${server.url}/invoices/2`);
      expect(await textOf(page.locator("dl.facts"))).toContain(t.status);
      expect(await textOf(attemptsOf(page))).toContain(t.refunded);
      await screenshot(page, `money-in-flight-3-refunded-${locale}-360`);
      expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
        NARROW_PHONE.width,
      );
    } finally {
      await context.close();
    }
  });
});
