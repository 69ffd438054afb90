/**
 * What reconciliation does with an expiry the registry reports (pure: no I/O). Never written
 * blindly: only an expiry moved forward by exactly the renewals Tenure paid for is accepted on
 * its own; anything else goes to staff with the rule that flagged it.
 */
import { addYears, type Instant } from "../../domain/time.js";

export type DomainRule =
  | "not-at-registry"
  | "not-ours"
  | "before-registration"
  | "expiry-earlier"
  | "jump-too-far"
  | "unpaid-renewal";

export type DomainVerdict =
  | { verdict: "same" }
  | { verdict: "accept"; rule: "paid-renewals" }
  | { verdict: "flag"; rule: DomainRule };

export interface DomainComparison {
  ours: { expiresAt: Instant; registeredAt: Instant };
  /** null: the registry has no such name. */
  theirs: { expiresAt: Instant; ours: boolean } | null;
  renewalYears: number;
  /** Renewals Tenure was paid for from its current expiry on and has not recorded yet. */
  paidRenewals: number;
}

export function judgeDomain(c: DomainComparison): DomainVerdict {
  if (c.theirs === null) return { verdict: "flag", rule: "not-at-registry" };
  if (!c.theirs.ours) return { verdict: "flag", rule: "not-ours" };
  const theirs = c.theirs.expiresAt;
  if (theirs === c.ours.expiresAt) return { verdict: "same" };
  // A 1969-12-31 from a broken sync is earlier than the registration itself.
  if (theirs <= c.ours.registeredAt) return { verdict: "flag", rule: "before-registration" };
  if (theirs < c.ours.expiresAt) return { verdict: "flag", rule: "expiry-earlier" };
  if (c.paidRenewals > 0 && theirs === addYears(c.ours.expiresAt, c.paidRenewals * c.renewalYears)) {
    return { verdict: "accept", rule: "paid-renewals" };
  }
  if (theirs > addYears(c.ours.expiresAt, Math.max(1, c.paidRenewals) * c.renewalYears)) {
    return { verdict: "flag", rule: "jump-too-far" };
  }
  return { verdict: "flag", rule: "unpaid-renewal" };
}

export type PaymentRule = "succeeded-not-at-gateway" | "taken-not-recorded" | "pending-settled-at-gateway";

/** Tenure's payment status against the gateway's outcome for the same key (null: never received). */
export function judgePayment(
  ours: string,
  theirs: "succeeded" | "failed" | null,
  pendingTooLong: boolean,
): PaymentRule | null {
  if (ours === "succeeded" || ours === "unapplied")
    return theirs === "succeeded" ? null : "succeeded-not-at-gateway";
  if (ours === "failed" || ours === "cancelled") return theirs === "succeeded" ? "taken-not-recorded" : null;
  if (ours === "pending") return pendingTooLong && theirs !== null ? "pending-settled-at-gateway" : null;
  return null;
}
