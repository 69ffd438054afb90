/**
 * The subscription lifecycle (hosting, SSL, apps): renewal invoice, charge, retries, suspension,
 * termination and cancellation (seed 000), decided purely from the facts and `now`.
 */
import { nextRetryAt, type PeriodInvoiceFacts } from "./invoice-rules.js";
import type { BillingPolicy } from "./policies.js";
import { addDays, addHours, addMonths, addYears, type Instant } from "./time.js";

export const SUBSCRIPTION_STATUSES = ["active", "suspended", "cancelled", "terminated"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const PLANS = ["monthly", "yearly"] as const;
export type Plan = (typeof PLANS)[number];

export type CancellationWhen = "immediate" | "end-of-term";

export interface SubscriptionFacts {
  status: SubscriptionStatus;
  termEndsAt: Instant;
  pendingCancellation: { when: CancellationWhen; effectiveAt: Instant } | null;
  /** The latest renewal invoice for the period starting at `termEndsAt`, void ones included. */
  renewal: PeriodInvoiceFacts | null;
  pendingPaymentSince: Instant | null;
}

export type SubscriptionStep =
  | { kind: "resolve-payment"; at: Instant }
  | { kind: "cancel"; at: Instant }
  | { kind: "issue-invoice"; at: Instant }
  | { kind: "charge"; at: Instant; invoiceId: number; attempt: number }
  | { kind: "suspend"; at: Instant; invoiceId: number }
  | { kind: "terminate"; at: Instant; invoiceId: number | null };

const PRIORITY: SubscriptionStep["kind"][] = [
  "resolve-payment",
  "cancel",
  "issue-invoice",
  "charge",
  "suspend",
  "terminate",
];

/** The end of the term that follows one starting at `start`, anchored so month-ends do not drift. */
export function termEnd(anchor: Instant, termsSinceAnchor: number, plan: Plan): Instant {
  return plan === "monthly" ? addMonths(anchor, termsSinceAnchor) : addYears(anchor, termsSinceAnchor);
}

export function subscriptionSchedule(termEndsAt: Instant, policy: BillingPolicy) {
  return {
    invoiceAt: addDays(termEndsAt, -policy.invoiceDaysBefore),
    chargeAt: addDays(termEndsAt, -policy.chargeDaysBefore),
    suspendAt: addDays(termEndsAt, policy.suspendAfterDaysOverdue),
    terminateAt: addDays(termEndsAt, policy.terminateAfterDaysOverdue),
  };
}

function lifecycleSteps(s: SubscriptionFacts, policy: BillingPolicy): SubscriptionStep[] {
  // Money in flight is settled whatever the service's state, and before anything else is done:
  // a cancellation, a suspension or a termination waits for the charge's outcome.
  if (s.pendingPaymentSince !== null) return [{ kind: "resolve-payment", at: s.pendingPaymentSince }];
  if (s.status === "cancelled" || s.status === "terminated") return [];
  const when = subscriptionSchedule(s.termEndsAt, policy);
  const steps: SubscriptionStep[] = [];
  if (s.pendingCancellation) {
    // Nothing more is billed for a service that is going away (seed 000).
    steps.push({ kind: "cancel", at: s.pendingCancellation.effectiveAt });
    return steps;
  }
  const r = s.renewal;
  if (r === null || r.status === "void") steps.push({ kind: "issue-invoice", at: when.invoiceAt });
  if (r?.status === "open") {
    if (s.pendingPaymentSince === null) {
      const at =
        r.lastAttemptAt === null
          ? when.chargeAt
          : nextRetryAt(r.attempts, r.lastAttemptAt, policy, when.terminateAt);
      if (at !== null) steps.push({ kind: "charge", at, invoiceId: r.id, attempt: r.attempts + 1 });
    }
    // A charge whose outcome is still unknown is settled before the service is suspended or ended.
    if (s.pendingPaymentSince === null) {
      if (s.status === "active") steps.push({ kind: "suspend", at: when.suspendAt, invoiceId: r.id });
      steps.push({ kind: "terminate", at: when.terminateAt, invoiceId: r.id });
    }
  }
  return steps;
}

export function nextSubscriptionStep(s: SubscriptionFacts, policy: BillingPolicy): SubscriptionStep | null {
  const steps = lifecycleSteps(s, policy);
  steps.sort((a, b) => a.at - b.at || PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  return steps[0] ?? null;
}

/** When a cancellation requested at `now` takes effect. */
export function cancellationEffectiveAt(
  when: CancellationWhen,
  now: Instant,
  termEndsAt: Instant,
  policy: BillingPolicy,
): Instant {
  return when === "immediate"
    ? addHours(now, policy.immediateCancellationAfterHours)
    : Math.max(now, termEndsAt);
}
