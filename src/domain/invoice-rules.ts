/** Facts about invoices that several lifecycles decide on, and when one can be voided automatically. */
import { addDays, type Instant } from "./time.js";

export type InvoiceStatus = "open" | "paid" | "void";

/** The invoice that renews (or reactivates) one period of one service, as the lifecycles see it. */
export interface PeriodInvoiceFacts {
  id: number;
  status: InvoiceStatus;
  issuedAt: Instant;
  paidAt: Instant | null;
  voidedAt: Instant | null;
  /** Charge attempts made so far (pending ones included). */
  attempts: number;
  lastAttemptAt: Instant | null;
}

export interface VoidabilityFacts {
  status: InvoiceStatus;
  amountPaid: number;
  /** Services the invoice's lines are for. */
  lineServiceIds: readonly (string | null)[];
}

export type Voidability =
  | { canVoid: true }
  | { canVoid: false; reason: "not-open" | "partly-paid" | "other-items" };

/**
 * Seed 000: turning auto-renew off or cancelling voids the open renewal invoice, unless it carries
 * other items or is partly paid; then staff adjust it by hand on the customer's request.
 */
export function decideVoidability(invoice: VoidabilityFacts, serviceIds: readonly string[]): Voidability {
  if (invoice.status !== "open") return { canVoid: false, reason: "not-open" };
  if (invoice.amountPaid > 0) return { canVoid: false, reason: "partly-paid" };
  if (invoice.lineServiceIds.some((id) => id === null || !serviceIds.includes(id))) {
    return { canVoid: false, reason: "other-items" };
  }
  return { canVoid: true };
}

/** When the next automatic charge attempt is due after one failed, or null when none is left. */
export function nextRetryAt(
  attemptsMade: number,
  lastAttemptAt: Instant,
  rule: { attempts: number; retryEveryDays: number },
  /** Attempts stop at this instant (a domain's expiry, a subscription's termination). */
  cutoff: Instant,
): Instant | null {
  if (attemptsMade >= rule.attempts) return null;
  const at = addDays(lastAttemptAt, rule.retryEveryDays);
  return at < cutoff ? at : null;
}
