/**
 * Seed 000: cancelling, or turning auto-renew off, voids the open renewal invoices of the services
 * concerned. An invoice that carries other items or is partly paid cannot be voided automatically:
 * the customer is told to file an invoice-adjustment request quoting its number. One with a charge
 * in flight is voided once that charge is settled (`deferred`; a charge that went through is then
 * refunded).
 */
import { decideVoidability } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import type { Names } from "../../views/wording.js";
import type { Db, Tx } from "../deps.js";
import { queueNotice } from "../notifications/queue-notice.js";
import { openInvoicesFor, voidInvoice } from "./invoice-repository.js";

export interface VoidOutcome {
  voided: number[];
  /** Voided as soon as the payment in flight for it is settled (refunded if it went through). */
  deferred: number[];
  /** Charges that went through for an invoice being voided, and were given back. */
  refunded: { invoice: number; amount: Money }[];
  needsAdjustment: { invoice: number; reason: "partly-paid" | "other-items" }[];
}

export async function voidOpenInvoices(
  tx: Tx,
  at: Instant,
  target: { customerId: string; serviceIds: string[]; about: string | Names; reason: string },
): Promise<VoidOutcome> {
  const outcome: VoidOutcome = { voided: [], deferred: [], refunded: [], needsAdjustment: [] };
  for (const invoice of await openInvoicesFor(tx, target.serviceIds)) {
    const decision = decideVoidability(invoice, target.serviceIds);
    if (decision.canVoid) {
      const result = await voidInvoice(tx, invoice.id, at, target.reason);
      if (result === "voided") outcome.voided.push(invoice.id);
      if (result === "deferred") outcome.deferred.push(invoice.id);
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

/**
 * The outcome as it stands now: a use case settles the money in flight right after its void
 * (processService), so what was deferred may be voided by now, and its charge refunded.
 */
export async function settledVoidOutcome(db: Db, outcome: VoidOutcome): Promise<VoidOutcome> {
  if (outcome.deferred.length === 0) return outcome;
  const invoices = await db
    .selectFrom("invoices")
    .select(["id", "status"])
    .where("id", "in", outcome.deferred)
    .execute();
  const refunds = await db
    .selectFrom("refunds")
    .select(["invoice_id", "amount", "currency"])
    .where("invoice_id", "in", outcome.deferred)
    .where("status", "=", "succeeded")
    .orderBy("id")
    .execute();
  const voidedNow = invoices.filter((i) => i.status === "void").map((i) => i.id);
  return {
    ...outcome,
    voided: [...outcome.voided, ...voidedNow],
    deferred: outcome.deferred.filter((id) => !voidedNow.includes(id)),
    refunded: [
      ...outcome.refunded,
      ...refunds.map((r) => ({ invoice: r.invoice_id, amount: { amount: r.amount, currency: r.currency } })),
    ],
  };
}
