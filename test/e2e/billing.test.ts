/**
 * Billing in a real browser: the invoices, the past-due one paid with the demo card, a PDF
 * downloaded, and the card on file replaced by one that is declined (the payment is refused with
 * its reason, nothing charged) before the good card is put back.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
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
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

/** One invoice's row of the list, and its cells by their (mobile) label. */
function invoiceRow(page: Page, details: string) {
  const row = page.locator("tbody tr", { has: page.getByRole("link", { name: details }).first() });
  return { row, cell: (label: string) => row.locator(`td[data-label="${label}"]`) };
}

describe("billing: invoices, paying, the PDF and the card on file", () => {
  const demo = useDemo();

  it("en: the list, the past-due invoice's detail, Pay now with the demo card → paid", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await followMenu(page, "Invoices");
    await page.waitForURL(`${demo.server.url}/invoices`);
    const numbers = await page.locator('tbody td[data-label="Number"]').allInnerTexts();
    expect(numbers.map((n) => n.trim())).toEqual(["#4", "#3", "#2", "#1"]);
    const two = invoiceRow(page, "Details of invoice #2");
    expect(await textOf(two.cell("Due"))).toBe("November 15, 2026 Past due");
    expect(await textOf(two.cell("For"))).toBe("demo-pastdue.net — renewal, 1 year");
    expect(await textOf(two.cell("Total"))).toBe("$22.00");
    expect(await textOf(two.cell("Status"))).toBe("Open");
    expect(await textOf(invoiceRow(page, "Details of invoice #1").cell("Status"))).toBe("Paid");
    await screenshot(page, "billing-1-invoices-en");

    await clickAndLoad(page, two.cell("Number").getByRole("link"));
    await page.waitForURL(`${demo.server.url}/invoices/2`);
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("Invoice #2");
    const summary = await textOf(page.locator("dl.facts"));
    expect(summary).toContain("Status Open Past due");
    expect(summary).toContain("Balance due $22.00");
    const attempts = page.locator("section", { has: page.getByRole("heading", { name: "Charge attempts" }) });
    expect(
      (await attempts.locator("tbody tr").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim()),
    ).toEqual(["November 15, 2026 Attempt 1 Declined $22.00", "November 20, 2026 Attempt 2 Declined $22.00"]);
    expect(await textOf(page.locator("#pay"))).toContain("The card on file will be charged $22.00, once.");
    await screenshot(page, "billing-2-past-due-invoice-en");

    await clickAndLoad(page, page.getByRole("button", { name: "Pay now with Visa •••• 4242" }));
    await page.waitForURL(`${demo.server.url}/invoices/2`);
    expect(await flashText(page)).toBe("Paid — thank you.");
    const paid = await textOf(page.locator("dl.facts"));
    expect(paid).toContain("Status Paid");
    expect(paid).toContain("Paid on November 22, 2026");
    expect(paid).toContain("Balance due $0.00");
    expect(await page.locator("#pay").count()).toBe(0);
    expect(await textOf(attempts.locator("tbody tr").last())).toBe(
      "November 22, 2026 Attempt 3 Approved $22.00",
    );
    await screenshot(page, "billing-3-paid-en");

    // The list and the dashboard agree: nothing is past due any more; the domain is renewed.
    await followMenu(page, "Invoices");
    expect(await textOf(invoiceRow(page, "Details of invoice #2").cell("Status"))).toBe("Paid");
    await followMenu(page, "Dashboard");
    await page.waitForURL(`${demo.server.url}/`);
    expect(await mainText(page)).not.toContain("past due");
    await followMenu(page, "Domains");
    const pastDue = page.locator("tbody tr", { hasText: "demo-pastdue.net" });
    expect(await textOf(pastDue.locator('td[data-label="Renewal date"]'))).toBe("November 30, 2027");
    expect(await textOf(pastDue.locator('td[data-label="Status"]'))).toBe(
      "Next payment on November 15, 2027",
    );
    await context.close();
  });

  it("fr-CA, on a phone: « Télécharger le PDF » gives invoice-1.pdf, a real PDF", async () => {
    const { context, page } = await newPageIn(demo.browser, PHONE);
    await signIn(page, demo.server);
    await useLanguage(page, "fr-CA");
    await followMenu(page, "Factures");
    await page.waitForURL(`${demo.server.url}/invoices`);
    await screenshot(page, "billing-4-invoices-fr-phone");
    await clickAndLoad(
      page,
      invoiceRow(page, "Détails de la facture nº 1")
        .cell("Actions")
        .getByRole("link", { name: "Détails de la facture nº 1" }),
    );
    await page.waitForURL(`${demo.server.url}/invoices/1`);
    expect(await textOf(page.getByRole("heading", { level: 1 }))).toBe("Facture nº 1");
    expect(await textOf(page.locator("dl.facts"))).toContain("Statut Payée");
    await screenshot(page, "billing-5-invoice-fr-phone");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Télécharger le PDF" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("invoice-1.pdf");
    const file = await readFile(await download.path());
    expect(file.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(file.length).toBeGreaterThan(1000);
    await useLanguage(page, "en");
    await context.close();
  });

  it("en: a declined card on file → paying is refused with the reason → the good card put back", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "en");
    await followMenu(page, "Payment method");
    await page.waitForURL(`${demo.server.url}/payment-method`);
    expect(await textOf(page.locator(".billing-card"))).toBe("Visa •••• 4242");
    await page.getByRole("combobox", { name: "Card" }).selectOption("declined");
    await clickAndLoad(page, page.getByRole("button", { name: "Save the card" }));
    await page.waitForURL(`${demo.server.url}/payment-method`);
    expect(await flashText(page)).toBe("Your card was saved: Visa •••• 0002.");
    expect(await textOf(page.locator(".billing-card"))).toBe("Visa •••• 0002");
    await screenshot(page, "billing-6-declined-card-en");

    // Pay invoice #3 from the list's Pay button.
    await followMenu(page, "Invoices");
    await clickAndLoad(page, page.getByRole("link", { name: "Pay invoice #3" }));
    await page.waitForURL(`${demo.server.url}/invoices/3#pay`);
    await clickAndLoad(page, page.getByRole("button", { name: "Pay now with Visa •••• 0002" }));
    await page.waitForURL(`${demo.server.url}/invoices/3`);
    expect(await page.getByRole("alert").innerText()).toBe(
      "The payment did not go through: declined. Nothing was charged. Update your payment method",
    );
    const facts = await textOf(page.locator("dl.facts"));
    expect(facts).toContain("Status Open");
    expect(facts).toContain("Balance due $15.00");
    const attempts = page.locator("section", { has: page.getByRole("heading", { name: "Charge attempts" }) });
    expect(await textOf(attempts.locator("tbody tr").last())).toBe(
      "November 22, 2026 Attempt 1 Declined $15.00",
    );
    await screenshot(page, "billing-7-declined-en");

    // The message's link leads to the card; "ok" goes back on file and pays.
    await clickAndLoad(page, page.getByRole("link", { name: "Update your payment method" }));
    await page.waitForURL(`${demo.server.url}/payment-method`);
    await page.getByRole("combobox", { name: "Card" }).selectOption("ok");
    await clickAndLoad(page, page.getByRole("button", { name: "Save the card" }));
    await page.waitForURL(`${demo.server.url}/payment-method`);
    expect(await flashText(page)).toBe("Your card was saved: Visa •••• 4242.");
    await page.goto(`${demo.server.url}/invoices/3`);
    await clickAndLoad(page, page.getByRole("button", { name: "Pay now with Visa •••• 4242" }));
    await page.waitForURL(`${demo.server.url}/invoices/3`);
    expect(await flashText(page)).toBe("Paid — thank you.");
    expect(await textOf(page.locator("dl.facts"))).toContain("Status Paid");
    await context.close();
  });
});
