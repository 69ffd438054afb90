/**
 * Seed 000: cancelling, or turning auto-renew off, voids the open renewal invoices of the services
 * concerned. An invoice that carries other items or is partly paid cannot be voided automatically:
 * the customer is told to file an invoice-adjustment request quoting its number.
 */
import { decideVoidability } from "../../domain/invoice-rules.js";
import type { Instant } from "../../domain/time.js";
import type { Tx } from "../deps.js";
import { queueNotice } from "../notifications/queue-notice.js";
import { openInvoicesFor, voidInvoice } from "./invoice-repository.js";

export interface VoidOutcome {
  voided: number[];
  needsAdjustment: { invoice: number; reason: "partly-paid" | "other-items" }[];
}

export async function voidOpenInvoices(
  tx: Tx,
  at: Instant,
  target: { customerId: string; serviceIds: string[]; about: string; reason: string },
): Promise<VoidOutcome> {
  const outcome: VoidOutcome = { voided: [], needsAdjustment: [] };
  for (const invoice of await openInvoicesFor(tx, target.serviceIds)) {
    const decision = decideVoidability(invoice, target.serviceIds);
    if (decision.canVoid) {
      if (await voidInvoice(tx, invoice.id, at, target.reason)) outcome.voided.push(invoice.id);
      continue;
    }
    if (decision.reason === "not-open") continue;
    outcome.needsAdjustment.push({ invoice: invoice.id, reason: decision.reason });
    await queueNotice(tx, at, {
      template: "invoice-adjustment-needed",
      customerId: target.customerId,
      serviceId: target.serviceIds[0] ?? null,
      marker: invoice.identity,
      about: target.about,
      data: { invoiceNumber: invoice.id, amount: invoice.total, reason: decision.reason },
    });
  }
  return outcome;
}
