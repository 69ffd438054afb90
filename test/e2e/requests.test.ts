/**
 * Requests (tickets) in a real browser, each opened from where the customer needs it (seed 000):
 * an invoice adjustment from the invoice, a refund from the cancellation's confirmation, a domain
 * deletion from the domain's page (irreversible: warned, and confirmed explicitly), a question;
 * then a reply and closing.
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
  newPageIn,
  PHONE,
  screenshot,
  signIn,
  squash,
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

/** The request number of the page the browser is on (/requests/7 → 7). */
function requestNumber(page: Page): number {
  const match = /\/requests\/(\d+)$/.exec(new URL(page.url()).pathname);
  if (!match?.[1]) throw new Error(`not on a request's page: ${page.url()}`);
  return Number(match[1]);
}

/** The parts of the DOM the deletion form's checks use (the tests compile without the DOM lib). */
interface FormElement {
  noValidate: boolean;
  checkValidity(): boolean;
}
interface CheckboxElement {
  validity: { valueMissing: boolean };
}

const facts = (page: Page) => textOf(page.locator("dl.facts").first());

describe("requests: opened from their entry points, answered and closed", () => {
  const demo = useDemo();

  it("en: invoice adjustment from the invoice's « Ask for an adjustment » link, pre-filled", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await followMenu(page, "Invoices");
    await clickAndLoad(page, page.getByRole("link", { name: "Details of invoice #3" }).first());
    await page.waitForURL(`${demo.server.url}/invoices/3`);
    await clickAndLoad(page, page.getByRole("link", { name: "Ask for an adjustment" }));
    await page.waitForURL(`${demo.server.url}/requests/new?kind=invoice-adjustment&invoice=3`);
    expect(await page.getByRole("combobox", { name: "Invoice to adjust" }).inputValue()).toBe("3");
    expect(
      squash(
        await page.getByRole("combobox", { name: "Invoice to adjust" }).locator("option:checked").innerText(),
      ),
    ).toBe("#3 — $15.00 — Open");
    expect(await page.getByRole("textbox", { name: "Subject" }).inputValue()).toBe("Invoice adjustment: #3");
    await page
      .getByRole("textbox", { name: "Message" })
      .fill("I stopped using E-mail marketing last week; please adjust this invoice.");
    await screenshot(page, "requests-1-adjustment-form-en");
    await clickAndLoad(page, page.getByRole("button", { name: "Send the request" }));
    await page.waitForURL(/\/requests\/\d+$/);
    const n = requestNumber(page);
    expect(await flashText(page)).toBe(`Request #${n} sent.`);
    expect(await textOf(page.getByRole("heading", { level: 2 }).first())).toBe("Invoice adjustment: #3");
    const about = await facts(page);
    expect(about).toContain("Kind Invoice adjustment");
    expect(about).toContain("Status Open");
    expect(about).toContain("Invoice #3 — $15.00 Open");
    expect(
      await page.locator("dl.facts").getByRole("link", { name: "#3 — $15.00" }).getAttribute("href"),
    ).toBe("/invoices/3");
    await screenshot(page, "requests-2-adjustment-sent-en");
    await context.close();
  });

  it("fr-CA, on a phone: remboursement depuis le lien de la confirmation d'annulation", async () => {
    const { context, page } = await newPageIn(demo.browser, PHONE);
    await signIn(page, demo.server);
    await useLanguage(page, "fr-CA");
    // Before any cancellation, a refund request sends the customer to cancel first.
    await page.goto(`${demo.server.url}/requests/new?kind=refund`);
    expect(await textOf(page.getByRole("status"))).toContain(
      "Un remboursement se demande après l'annulation du service.",
    );

    await page.goto(`${demo.server.url}/services/demo-ssl/plan`);
    await page.getByRole("textbox", { name: "Raison de l'annulation" }).fill("Je n'en ai plus besoin.");
    await page.getByLabel("Immédiate").check();
    await clickAndLoad(page, page.getByRole("button", { name: "Demander l'annulation" }));
    // Reviewed, confirmed, then carried out 4 hours later (billing.immediateCancellationAfterHours).
    await clickAndLoad(page, page.getByRole("button", { name: "Confirmer l'annulation" }));
    await page.waitForURL(`${demo.server.url}/services/demo-ssl/plan`);
    const { clock, deps } = demo.server;
    clock.set(clock.now() + 4 * HOUR);
    await runEngine(deps, clock.now());
    await page.reload();
    await clickAndLoad(
      page,
      page.locator("section.card").getByRole("link", { name: "Faire une demande de remboursement" }),
    );
    await page.waitForURL(`${demo.server.url}/requests/new?kind=refund&service=demo-ssl`);
    const service = page.getByRole("combobox", { name: "Service annulé" });
    expect(await service.inputValue()).toBe("demo-ssl");
    expect(squash(await service.locator("option:checked").innerText())).toBe(
      "SSL certificate — demo-bakery.com (SSL) — annulé",
    );
    expect(await page.getByRole("textbox", { name: "Objet" }).inputValue()).toBe(
      "Remboursement\u00a0: SSL certificate — demo-bakery.com",
    );
    await page.getByRole("textbox", { name: "Message" }).fill("Merci de rembourser les mois non utilisés.");
    await screenshot(page, "requests-3-refund-form-fr-phone");
    await clickAndLoad(page, page.getByRole("button", { name: "Envoyer la demande" }));
    await page.waitForURL(/\/requests\/\d+$/);
    const n = requestNumber(page);
    expect(await flashText(page)).toBe(`Demande nº ${n} envoyée.`);
    const about = await facts(page);
    expect(about).toContain("Type Remboursement");
    expect(about).toContain("Statut Ouverte");
    expect(about).toContain("Service SSL certificate — demo-bakery.com");
    await screenshot(page, "requests-4-refund-sent-fr-phone");
    await useLanguage(page, "en");
    await context.close();
  });

  it("en: domain deletion from the domain's page — warned, refused unconfirmed, sent once confirmed", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await followMenu(page, "Domains");
    await clickAndLoad(page, page.getByRole("link", { name: "Manage demo-expired.org" }));
    await page.waitForURL(`${demo.server.url}/domains/demo-expired`);
    await clickAndLoad(page, page.getByRole("link", { name: "Delete this domain" }));
    await page.waitForURL(`${demo.server.url}/requests/new?kind=domain-deletion&service=demo-expired`);

    const warning = page.locator("section.warning");
    expect(await textOf(warning.getByRole("heading"))).toBe("Deleting a domain is irreversible");
    expect(await textOf(warning)).toContain(
      "Deleting a domain name is irreversible and has important consequences: the website and the e-mail addresses that use it stop working, the name cannot be recovered, and anyone may register it afterwards.",
    );
    expect(await page.getByRole("combobox", { name: "Domain to delete" }).inputValue()).toBe("demo-expired");
    expect(await page.getByRole("textbox", { name: "Subject" }).inputValue()).toBe(
      "Domain deletion: demo-expired.org",
    );
    await page.getByRole("textbox", { name: "Message" }).fill("Please delete this name for good.");
    const confirm = page.getByRole("checkbox", { name: "I understand that this deletion is irreversible" });
    expect(await confirm.isChecked()).toBe(false);
    await screenshot(page, "requests-5-deletion-form-en");

    // Unticked, the demo.browser does not send the form (the box is required)…
    const form = page.locator('form[action="/requests"]');
    expect(await form.evaluate((f) => (f as unknown as FormElement).checkValidity())).toBe(false);
    expect(await confirm.evaluate((box) => (box as unknown as CheckboxElement).validity.valueMissing)).toBe(
      true,
    );
    await page.getByRole("button", { name: "Send the request" }).click();
    expect(new URL(page.url()).pathname).toBe("/requests/new");
    // …and where a demo.browser sends it anyway, the demo.server refuses it with the message by the box.
    await form.evaluate((f) => {
      (f as unknown as FormElement).noValidate = true;
    });
    await clickAndLoad(page, page.getByRole("button", { name: "Send the request" }));
    await page.waitForURL(`${demo.server.url}/requests`);
    expect(await textOf(page.locator("#confirmedIrreversible-error"))).toBe(
      "Tick the box to confirm that you understand this deletion is irreversible.",
    );
    expect(await confirm.getAttribute("aria-describedby")).toBe("confirmedIrreversible-error");
    expect(await page.getByRole("textbox", { name: "Message" }).inputValue()).toBe(
      "Please delete this name for good.",
    );
    expect(await textOf(page.locator("section.warning").getByRole("heading"))).toBe(
      "Deleting a domain is irreversible",
    );
    await screenshot(page, "requests-6-deletion-unconfirmed-en");

    await confirm.check();
    await clickAndLoad(page, page.getByRole("button", { name: "Send the request" }));
    await page.waitForURL(/\/requests\/\d+$/);
    const n = requestNumber(page);
    expect(await flashText(page)).toBe(`Request #${n} sent.`);
    const about = await facts(page);
    expect(about).toContain("Kind Domain deletion");
    expect(about).toContain("Domain demo-expired.org");
    expect(await textOf(page.locator("main"))).toContain(
      "Nothing is deleted yet. Our support team confirms the deletion with you here before carrying it out",
    );
    // Nothing was deleted: the domain is still there, in its grace period.
    await clickAndLoad(page, page.locator("dl.facts").getByRole("link", { name: "demo-expired.org" }));
    await page.waitForURL(`${demo.server.url}/domains/demo-expired`);
    expect(await textOf(page.locator("dl.facts"))).toContain(
      "Status Expired — reactivate until January 1, 2027",
    );
    await context.close();
  });

  it("fr-CA: une question, une réponse, puis la demande fermée", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "fr-CA");
    await followMenu(page, "Demandes");
    await page.waitForURL(`${demo.server.url}/requests`);
    await clickAndLoad(page, page.getByRole("link", { name: "Nouvelle demande" }));
    await page.waitForURL(`${demo.server.url}/requests/new`);
    await page
      .getByRole("combobox", { name: "Quel est l'objet de votre demande\u202f?" })
      .selectOption("question");
    await clickAndLoad(page, page.getByRole("button", { name: "Continuer" }));
    await page.waitForURL(`${demo.server.url}/requests/new?kind=question`);
    await page.getByRole("textbox", { name: "Objet" }).fill("Certificat SSL et sous-domaines");
    await page
      .getByRole("textbox", { name: "Message" })
      .fill("Le certificat couvre-t-il aussi boutique.demo-bakery.com?");
    await clickAndLoad(page, page.getByRole("button", { name: "Envoyer la demande" }));
    await page.waitForURL(/\/requests\/\d+$/);
    const n = requestNumber(page);
    expect(await flashText(page)).toBe(`Demande nº ${n} envoyée.`);
    expect(await facts(page)).toContain("Type Question");

    await page
      .getByRole("textbox", { name: "Votre réponse" })
      .fill("Précision : il s'agit du certificat annuel.");
    await clickAndLoad(page, page.getByRole("button", { name: "Envoyer la réponse" }));
    await page.waitForURL(`${demo.server.url}/requests/${n}`);
    expect(await flashText(page)).toBe("Votre réponse a été envoyée.");
    const messages = page.locator("ol.thread > li");
    expect(await messages.count()).toBe(2);
    expect(await textOf(messages.nth(1))).toContain("Vous Précision : il s'agit du certificat annuel.");
    await screenshot(page, "requests-7-question-replied-fr");

    await clickAndLoad(page, page.getByRole("button", { name: "Fermer cette demande" }));
    await page.waitForURL(`${demo.server.url}/requests/${n}`);
    expect(await flashText(page)).toBe(`Demande nº ${n} fermée.`);
    expect(await facts(page)).toContain("Statut Fermée");
    expect(await page.getByRole("textbox", { name: "Votre réponse" }).count()).toBe(0);
    expect(await textOf(page.locator("main"))).toContain("Cette demande a été fermée le 22 novembre 2026.");
    await screenshot(page, "requests-8-question-closed-fr");

    await followMenu(page, "Demandes");
    const row = page.locator("tbody tr", {
      has: page.getByRole("link", { name: new RegExp(`^(#|nº\\s?)${n}$`) }),
    });
    expect(await textOf(row.locator('td[data-label="Statut"]'))).toBe("Fermée");
    await screenshot(page, "requests-9-list-fr");
    await useLanguage(page, "en");
    await context.close();
  });
});
