/**
 * Requests in the back office, in a real browser on a 360 px phone, in both languages (each on its
 * own demo server):
 * - billing makes a partial refund from the demo's refund request: a confirmation page first, the
 *   confirm button double-clicked, and the gateway's ledger shows one refund of that amount;
 * - support deletes a domain from a deletion request: the warning says in both languages that it
 *   is irreversible, a wrong name is refused, the typed name deletes it at the registrar.
 */
import { describe, expect, it } from "vitest";
import { DEMO_CUSTOMER } from "../../src/main/demo-data.js";
import { ticketFormChoices } from "../../src/modules/tickets/list-tickets.js";
import { openTicket } from "../../src/modules/tickets/open-ticket.js";
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
  useDemo,
  useLanguage,
} from "../support/browser.js";

const WORDS = {
  en: {
    menu: "Requests",
    kind: "Kind",
    refundKind: "Refund",
    deletionKind: "Domain deletion",
    show: "Show",
    amount: "Amount to refund",
    typed: "4.00",
    reason: "Reason (shown to the customer)",
    reasonText: "Unused part of the term",
    review: "Review the refund…",
    confirm: /^Refund \$4\.00$/,
    willRefund: /\$4\.00 will be refunded now to the card that paid invoice #(\d+)/,
    refunded: /Refunded \$4\.00 on invoice #(\d+)\./,
    startDeletion: "Delete the domain…",
    typeName: /^To confirm, type the domain name/,
    reply: "Reply to the customer (the request is then closed)",
    deleteButton: (name: string) => `Delete ${name} for good`,
    mismatch: (name: string) => `Type the domain name exactly (${name}) to confirm the deletion.`,
    deleted: (name: string) => `The domain ${name} was deleted at the registry`,
  },
  "fr-CA": {
    menu: "Demandes",
    kind: "Type",
    refundKind: "Remboursement",
    deletionKind: "Suppression de domaine",
    show: "Afficher",
    amount: "Montant à rembourser",
    typed: "4,00",
    reason: "Motif (communiqué au client)",
    reasonText: "Partie non utilisée du terme",
    review: "Vérifier le remboursement…",
    confirm: /^Rembourser 4,00\s\$$/,
    willRefund: /4,00\s\$ sera remboursé maintenant sur la carte qui a payé la facture n[º°]\s?(\d+)/,
    refunded: /4,00\s\$ remboursé sur la facture nº (\d+)\./,
    startDeletion: "Supprimer le domaine…",
    typeName: /^Pour confirmer, tapez le nom de domaine/,
    reply: "Réponse au client (la demande est ensuite fermée)",
    deleteButton: (name: string) => `Supprimer ${name} définitivement`,
    mismatch: (name: string) => `Tapez exactement le nom de domaine (${name}) pour confirmer la suppression.`,
    deleted: (name: string) => `Le domaine ${name} a été supprimé auprès du registre`,
  },
} as const;

for (const locale of ["en", "fr-CA"] as Language[]) {
  describe(`requests in the back office (${locale})`, () => {
    const demo = useDemo();
    const w = WORDS[locale];

    it("a partial refund from the demo's refund request, at 360 px: one refund in the gateway's ledger", async () => {
      const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
      try {
        await signInStaff(page, demo.server, "billing");
        await useLanguage(page, locale);
        await followMenu(page, w.menu);
        await page.getByLabel(w.kind).selectOption({ label: w.refundKind });
        await clickAndLoad(page, page.getByRole("button", { name: w.show }));
        await screenshot(page, `admin-requests-list-${locale}-360`);
        const rows = page.locator("table.requests-table tbody tr");
        expect(await rows.count()).toBe(1);
        await clickAndLoad(page, rows.first().getByRole("link").nth(1));
        await page.getByLabel(w.amount).fill(w.typed);
        await page.getByLabel(w.reason).fill(w.reasonText);
        await screenshot(page, `admin-requests-refund-form-${locale}-360`);
        await clickAndLoad(page, page.getByRole("button", { name: w.review }));
        const confirmText = await mainText(page);
        const invoice = w.willRefund.exec(confirmText)?.[1];
        expect(invoice, confirmText).toBeDefined();
        await screenshot(page, `admin-requests-refund-confirm-${locale}-360`);
        const before = demo.server.gateway.refunds().length;
        // Clicked twice, as an impatient hand does: the same confirmation posted twice is one refund.
        await Promise.all([
          page.waitForEvent("load"),
          page.getByRole("button", { name: w.confirm }).dblclick(),
        ]);
        await page.waitForLoadState("load");
        const flash = await flashText(page);
        expect(flash).toMatch(w.refunded);
        expect(w.refunded.exec(flash)?.[1]).toBe(invoice);
        await screenshot(page, `admin-requests-refund-done-${locale}-360`);
        const ledger = demo.server.gateway.refunds();
        expect(ledger.length - before).toBe(1);
        expect(ledger.at(-1)).toMatchObject({ amount: 400, currency: "CAD" });
        const notes = await demo.server.deps.db
          .selectFrom("credit_notes")
          .select(["invoice_id", "amount"])
          .where("kind", "=", "refund")
          .execute();
        expect(notes.map((n) => [Number(n.invoice_id), Number(n.amount)])).toEqual([[Number(invoice), 400]]);
      } finally {
        await context.close();
      }
    }, 60_000);

    it("a domain deletion with its irreversible warning in both languages, at 360 px", async () => {
      const db = demo.server.deps.db;
      const domain = (await ticketFormChoices(db, DEMO_CUSTOMER.id)).domains[0];
      if (!domain) throw new Error("the demo customer has no domain to delete");
      await openTicket(
        demo.server.deps,
        {
          customerId: DEMO_CUSTOMER.id,
          openedBy: DEMO_CUSTOMER.id,
          ticket: {
            kind: "domain-deletion",
            subject: `Domain deletion: ${domain.label}`,
            body: "We closed the shop; please delete this domain for good.",
            serviceId: domain.id,
            confirmedIrreversible: true,
          },
        },
        demo.server.clock.now(),
      );
      const name = domain.label;
      const { context, page } = await newPageIn(demo.browser, NARROW_PHONE);
      try {
        await signInStaff(page, demo.server, "support");
        await useLanguage(page, locale);
        await followMenu(page, w.menu);
        await page.getByLabel(w.kind).selectOption({ label: w.deletionKind });
        await clickAndLoad(page, page.getByRole("button", { name: w.show }));
        await clickAndLoad(
          page,
          page.locator("table.requests-table tbody tr").first().getByRole("link").nth(1),
        );
        await clickAndLoad(page, page.getByRole("link", { name: w.startDeletion }));
        // Irreversible, said in both languages whatever the staff member's.
        expect(await page.getByTestId("warning-en").innerText()).toContain(
          `Deleting ${name} is irreversible.`,
        );
        expect(await page.getByTestId("warning-fr").innerText()).toContain(
          `La suppression de ${name} est irréversible.`,
        );
        await screenshot(page, `admin-requests-deletion-confirm-${locale}-360`);
        await page.getByLabel(w.typeName).fill(`${name}x`);
        await clickAndLoad(page, page.getByRole("button", { name: w.deleteButton(name) }));
        expect(await mainText(page)).toContain(w.mismatch(name));
        expect(demo.server.registrar.deletions).toEqual([]);
        await page.getByLabel(w.typeName).fill(name);
        await expect.poll(() => page.getByLabel(w.reply).inputValue()).toContain(name);
        await clickAndLoad(page, page.getByRole("button", { name: w.deleteButton(name) }));
        expect(await flashText(page)).toContain(w.deleted(name));
        await screenshot(page, `admin-requests-deletion-done-${locale}-360`);
        expect(demo.server.registrar.deletions).toEqual([name]);
        const service = await db
          .selectFrom("services")
          .select("status")
          .where("id", "=", domain.id)
          .executeTakeFirstOrThrow();
        expect(service.status).toBe("deleted");
        const open = await db
          .selectFrom("invoices")
          .select("id")
          .where("service_id", "=", domain.id)
          .where("status", "=", "open")
          .execute();
        expect(open).toEqual([]);
      } finally {
        await context.close();
      }
    }, 60_000);
  });
}
