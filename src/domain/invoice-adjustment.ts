/**
 * Staff adjusting an invoice by hand (seed 000: "notre personnel puisse l'examiner et l'ajuster
 * manuellement"), decided purely: only an open invoice with no charge in flight is edited; a paid
 * or void one never is (a paid invoice is refunded instead, with a credit note). Removing or
 * changing a line recomputes the total from the lines; the total can neither vanish (void the
 * invoice instead) nor fall to what was already paid on it (refund instead).
 */
import type { InvoiceStatus } from "./invoice-rules.js";

export interface AdjustableInvoice {
  status: InvoiceStatus;
  amountPaid: number;
  /** A charge waiting for the gateway, or a void waiting for one. */
  isMoneyInFlight: boolean;
  lines: readonly { id: number; amount: number }[];
}

export type LineAdjustment =
  | { kind: "remove-line"; lineId: number }
  | { kind: "change-line"; lineId: number; description: string; amount: number };

export type AdjustmentRefusal =
  | "paid"
  | "void"
  | "money-in-flight"
  | "no-such-line"
  /** Nothing would be left to pay: void the invoice instead. */
  | "nothing-left"
  | "not-above-paid"
  | "negative-amount";

export type AdjustmentDecision =
  | { ok: true; oldTotal: number; newTotal: number; oldAmount: number; newAmount: number | null }
  | { ok: false; reason: AdjustmentRefusal };

/** Whether an invoice may be edited at all (a void goes through the void path's own rules). */
export function editRefusal(
  invoice: Pick<AdjustableInvoice, "status" | "isMoneyInFlight">,
): AdjustmentRefusal | null {
  if (invoice.status === "paid") return "paid";
  if (invoice.status === "void") return "void";
  if (invoice.isMoneyInFlight) return "money-in-flight";
  return null;
}

export function decideLineAdjustment(invoice: AdjustableInvoice, change: LineAdjustment): AdjustmentDecision {
  const refused = editRefusal(invoice);
  if (refused) return { ok: false, reason: refused };
  const line = invoice.lines.find((l) => l.id === change.lineId);
  if (!line) return { ok: false, reason: "no-such-line" };
  const oldTotal = invoice.lines.reduce((sum, l) => sum + l.amount, 0);
  if (change.kind === "remove-line") {
    const newTotal = oldTotal - line.amount;
    if (invoice.lines.length === 1 || newTotal <= 0) return { ok: false, reason: "nothing-left" };
    if (invoice.amountPaid > 0 && newTotal <= invoice.amountPaid)
      return { ok: false, reason: "not-above-paid" };
    return { ok: true, oldTotal, newTotal, oldAmount: line.amount, newAmount: null };
  }
  if (!Number.isSafeInteger(change.amount) || change.amount < 0)
    return { ok: false, reason: "negative-amount" };
  const newTotal = oldTotal - line.amount + change.amount;
  if (newTotal <= 0) return { ok: false, reason: "nothing-left" };
  if (invoice.amountPaid > 0 && newTotal <= invoice.amountPaid)
    return { ok: false, reason: "not-above-paid" };
  return { ok: true, oldTotal, newTotal, oldAmount: line.amount, newAmount: change.amount };
}
