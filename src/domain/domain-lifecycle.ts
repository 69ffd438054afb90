/**
 * The domain lifecycle of seed 004 and ICANN practice, decided purely: given the facts about one
 * domain and the instant `now`, which step is next and when. The engine applies it and asks again.
 */
import { nextRetryAt, type PeriodInvoiceFacts } from "./invoice-rules.js";
import { MAX_GRACE_EXTENSION_DAYS, type RegistrarPolicy } from "./policies.js";
import type { RenewalQuote } from "./pricing.js";
import { addDays, DAY, dayAfterPeriod, type Instant } from "./time.js";

export const DOMAIN_STATUSES = [
  "active",
  "suspended",
  "expired",
  "redemption",
  "released",
  "transferred-out",
  "deleted",
] as const;
export type DomainStatus = (typeof DOMAIN_STATUSES)[number];

/**
 * What staff granted one domain (back office, issue 9), each through an audited action. Every rule
 * below reads them, so the engine, the client area and the preview agree on the dates and prices.
 */
export interface DomainOverrides {
  /** Days added to the registrar's grace period; what follows grace (redemption, release) moves too. */
  graceExtensionDays: number;
  /** A restore from redemption costs the renewal alone, without the registry's restore fee. */
  restoreFeeWaived: boolean;
  /** Staff lifted the transfer lock at this instant: transfer-out is allowed from then on. */
  transferLockLiftedAt: Instant | null;
}

export const NO_OVERRIDES: DomainOverrides = {
  graceExtensionDays: 0,
  restoreFeeWaived: false,
  transferLockLiftedAt: null,
};

export interface DomainFacts {
  status: DomainStatus;
  registeredAt: Instant;
  expiresAt: Instant;
  autoRenew: boolean;
  autoRenewChangedAt: Instant | null;
  emailVerified: boolean;
  /** A legacy free domain whose site has lapsed: the offer ends and auto-renew goes off (seed 004). */
  isLegacySiteLapsed: boolean;
  quote: RenewalQuote;
  /** The renewal invoice for the period ending at `expiresAt`, void ones included (latest first). */
  renewal: PeriodInvoiceFacts | null;
  /** A reactivation or restore invoice for the period ending at `expiresAt`, if any. */
  reactivation: PeriodInvoiceFacts | null;
  /** The oldest charge still waiting for its outcome from the gateway. */
  pendingPaymentSince: Instant | null;
  /** Notices already issued for this domain, as `template@marker` (see noticeMarker). */
  sentNotices: ReadonlySet<string>;
  /** Staff overrides; none when absent. */
  overrides?: DomainOverrides;
}

export type DomainStep =
  | { kind: "resolve-payment"; at: Instant }
  | { kind: "renew-at-registrar"; at: Instant; invoiceId: number }
  | { kind: "send-verification-notice"; at: Instant }
  | { kind: "suspend-unverified"; at: Instant }
  | { kind: "send-renewal-notice"; at: Instant }
  | { kind: "send-expiry-warning"; at: Instant; daysBefore: number }
  | { kind: "lapse-legacy-offer"; at: Instant }
  | { kind: "renew-free"; at: Instant }
  | { kind: "charge"; at: Instant; invoiceId: number | null; attempt: number }
  | { kind: "expire"; at: Instant }
  | { kind: "start-redemption"; at: Instant }
  | { kind: "release"; at: Instant };

/** Order of steps due at the same instant: settle money first, then act on it. */
const PRIORITY: DomainStep["kind"][] = [
  "resolve-payment",
  "renew-at-registrar",
  "send-verification-notice",
  "suspend-unverified",
  "lapse-legacy-offer",
  "send-expiry-warning",
  "send-renewal-notice",
  "renew-free",
  "charge",
  "expire",
  "start-redemption",
  "release",
];

export function noticeMarker(template: string, marker: Instant | string): string {
  return `${template}@${typeof marker === "number" ? new Date(marker).toISOString() : marker}`;
}

export interface DomainSchedule {
  renewalNoticeAt: Instant;
  chargeAt: Instant;
  autoRenewDeadline: Instant;
  expiresAt: Instant;
  /** Last instant at which the owner can reactivate; released (or redemption) the day after. */
  graceEndsAt: Instant;
  redemptionStartsAt: Instant | null;
  pendingDeleteStartsAt: Instant | null;
  releaseAt: Instant;
}

/** Grace, for this domain: the registrar's days plus what staff added (never fewer than the policy's). */
export function graceDaysOf(policy: RegistrarPolicy, overrides: DomainOverrides = NO_OVERRIDES): number {
  return policy.graceDays + Math.max(0, overrides.graceExtensionDays);
}

export function domainSchedule(
  expiresAt: Instant,
  policy: RegistrarPolicy,
  overrides: DomainOverrides = NO_OVERRIDES,
): DomainSchedule {
  const chargeAt = addDays(expiresAt, -policy.chargeLeadDays);
  const graceDays = graceDaysOf(policy, overrides);
  const afterGrace = dayAfterPeriod(expiresAt, graceDays);
  const redemptionStartsAt = policy.redemption ? afterGrace : null;
  const afterRedemption = policy.redemption ? addDays(afterGrace, policy.redemption.days) : afterGrace;
  const pendingDeleteStartsAt = policy.pendingDeleteDays > 0 ? afterRedemption : null;
  return {
    renewalNoticeAt: addDays(chargeAt, -policy.renewalNoticeDaysBeforeCharge),
    chargeAt,
    autoRenewDeadline: addDays(chargeAt, -policy.autoRenewOffLeadDays),
    expiresAt,
    graceEndsAt: addDays(expiresAt, graceDays),
    redemptionStartsAt,
    pendingDeleteStartsAt,
    releaseAt: addDays(afterRedemption, policy.pendingDeleteDays),
  };
}

/** Seed 004: switching auto-renew off only stops the charge if done at least a day before it. */
export function isAutoRenewEffective(facts: DomainFacts, policy: RegistrarPolicy): boolean {
  if (facts.autoRenew) return true;
  if (facts.autoRenewChangedAt === null) return false;
  return facts.autoRenewChangedAt > domainSchedule(facts.expiresAt, policy).autoRenewDeadline;
}

/**
 * The earliest transfer-out instant: the day after the lock that follows registration or
 * transfer-in, or the instant staff lifted that lock (a lift before the lock began, e.g. before a
 * later transfer-in, does not lift the new one).
 */
export function transferAllowedFrom(
  lockStartAt: Instant,
  policy: RegistrarPolicy,
  liftedAt: Instant | null = null,
): Instant {
  const lockEnds = dayAfterPeriod(lockStartAt, policy.transferLockDays);
  if (liftedAt === null || liftedAt < lockStartAt) return lockEnds;
  return Math.min(lockEnds, liftedAt);
}

/**
 * The restore fee in this currency for a restore from redemption: 0 when staff waived it,
 * undefined when the registrar has no redemption or no fee in this currency.
 */
export function restoreFeeOf(
  policy: RegistrarPolicy,
  currency: string,
  overrides: DomainOverrides = NO_OVERRIDES,
): number | undefined {
  if (policy.redemption === null) return undefined;
  if (overrides.restoreFeeWaived) return 0;
  return policy.redemption.restoreFee[currency];
}

/** Whether the owner may reactivate (grace) or restore (redemption) the domain at `now`. */
export function reactivationWindow(
  facts: Pick<DomainFacts, "status" | "expiresAt" | "overrides">,
  policy: RegistrarPolicy,
  now: Instant,
): "reactivate" | "restore" | null {
  const s = domainSchedule(facts.expiresAt, policy, facts.overrides);
  if (facts.status === "expired" && now < s.graceEndsAt + DAY) return "reactivate";
  // Pending delete follows redemption: nothing can be restored then, only released.
  if (facts.status === "redemption" && now < (s.pendingDeleteStartsAt ?? s.releaseAt)) return "restore";
  return null;
}

export function lifecycleSteps(d: DomainFacts, policy: RegistrarPolicy, now: Instant): DomainStep[] {
  const s = domainSchedule(d.expiresAt, policy, d.overrides);
  const steps: DomainStep[] = [];
  const sent = (template: string, marker: Instant | string) =>
    d.sentNotices.has(noticeMarker(template, marker));

  if (d.pendingPaymentSince !== null) steps.push({ kind: "resolve-payment", at: d.pendingPaymentSince });
  for (const invoice of [d.renewal, d.reactivation]) {
    if (invoice?.status === "paid")
      steps.push({ kind: "renew-at-registrar", at: invoice.paidAt!, invoiceId: invoice.id });
  }

  if (d.status === "active" || d.status === "suspended") {
    if (policy.verificationDays > 0 && !d.emailVerified) {
      if (!sent("verification-required", d.registeredAt)) {
        steps.push({ kind: "send-verification-notice", at: d.registeredAt });
      }
      if (d.status === "active") {
        steps.push({ kind: "suspend-unverified", at: addDays(d.registeredAt, policy.verificationDays) });
      }
    }
    const renews = isAutoRenewEffective(d, policy);
    if (now < s.expiresAt && d.renewal?.status !== "paid") {
      for (const daysBefore of policy.expiryWarningDaysBefore) {
        const at = addDays(s.expiresAt, -daysBefore);
        const due = !renews || d.isLegacySiteLapsed || policy.expiryWarningWhenAutoRenewOn;
        if (due && !sent("expiry-warning", `${new Date(s.expiresAt).toISOString()}-${daysBefore}d`)) {
          steps.push({ kind: "send-expiry-warning", at, daysBefore });
        }
      }
    }
    if (renews && d.renewal === null && now < s.chargeAt && !sent("renewal-upcoming", s.expiresAt)) {
      if (!d.isLegacySiteLapsed) steps.push({ kind: "send-renewal-notice", at: s.renewalNoticeAt });
    }
    // No `now < expiresAt` here: after downtime the missed charge is still tried before expiry is
    // applied (steps run in time order), so an outage of ours never lets a paid-up domain lapse.
    if (renews && canOpenRenewal(d)) {
      if (d.isLegacySiteLapsed) steps.push({ kind: "lapse-legacy-offer", at: s.chargeAt });
      else if (d.quote.price.amount === 0) steps.push({ kind: "renew-free", at: s.chargeAt });
      else steps.push({ kind: "charge", at: s.chargeAt, invoiceId: null, attempt: 1 });
    }
    const r = d.renewal;
    if (
      r?.status === "open" &&
      d.pendingPaymentSince === null &&
      renews &&
      !isTurnedOffSince(d, r.issuedAt)
    ) {
      const at =
        r.lastAttemptAt === null ? s.chargeAt : nextRetryAt(r.attempts, r.lastAttemptAt, policy, s.expiresAt);
      if (at !== null) steps.push({ kind: "charge", at, invoiceId: r.id, attempt: r.attempts + 1 });
    }
    // Money in flight settles first: a charge made late (after downtime) must renew, not expire.
    const isSettling = d.pendingPaymentSince !== null || d.renewal?.status === "paid";
    if (!isSettling) steps.push({ kind: "expire", at: s.expiresAt });
  } else if (d.pendingPaymentSince !== null) {
    // Money in flight settles before a domain moves on to redemption or release.
  } else if (d.status === "expired") {
    if (s.redemptionStartsAt !== null) steps.push({ kind: "start-redemption", at: s.redemptionStartsAt });
    else steps.push({ kind: "release", at: s.releaseAt });
  } else if (d.status === "redemption") {
    steps.push({ kind: "release", at: s.releaseAt });
  }
  return steps;
}

/**
 * The owner turned auto-renew off after this period's renewal invoice was issued. Turning it off
 * voids that invoice (seed 000); one that cannot be voided (other items, partly paid) waits for
 * staff to adjust it, and is not charged again meanwhile.
 */
function isTurnedOffSince(d: DomainFacts, issuedAt: Instant): boolean {
  return !d.autoRenew && d.autoRenewChangedAt !== null && d.autoRenewChangedAt >= issuedAt;
}

/**
 * Whether the engine will still try to renew the current period: the one question every page
 * asks ("next payment on …" or "will expire on …"), answered by the rules the engine applies.
 */
export function isRenewalPlanned(d: DomainFacts, policy: RegistrarPolicy): boolean {
  if (d.status !== "active" && d.status !== "suspended") return false;
  if (d.isLegacySiteLapsed || !isAutoRenewEffective(d, policy)) return false;
  const r = d.renewal;
  if (r === null || r.status === "paid") return true;
  if (r.status === "open") return !isTurnedOffSince(d, r.issuedAt);
  return canOpenRenewal(d);
}

/** No renewal invoice yet for this period, or the last was voided and auto-renew turned on again since. */
function canOpenRenewal(d: DomainFacts): boolean {
  const r = d.renewal;
  if (r === null) return true;
  return (
    r.status === "void" &&
    d.autoRenew &&
    d.autoRenewChangedAt !== null &&
    r.voidedAt !== null &&
    // At the same instant counts too: off (which voided it) then on again within one moment.
    d.autoRenewChangedAt >= r.voidedAt
  );
}

/** The next step for this domain, due or not; null when its life is over. */
export function nextDomainStep(d: DomainFacts, policy: RegistrarPolicy, now: Instant): DomainStep | null {
  const steps = lifecycleSteps(d, policy, now);
  steps.sort((a, b) => a.at - b.at || PRIORITY.indexOf(a.kind) - PRIORITY.indexOf(b.kind));
  return steps[0] ?? null;
}

/** The overrides staff may grant one domain (back office, issue 9). */
export type DomainOverrideRequest =
  | { kind: "extend-grace"; days: number }
  | { kind: "waive-restore-fee" }
  | { kind: "verify-email" }
  | { kind: "lift-transfer-lock" };

export type OverrideRefusal =
  /** Released, deleted or transferred out: nothing left to override. */
  | "ended"
  /** Grace is over (redemption, or past its last day): extending it would rewrite what happened. */
  | "grace-over"
  /** The days asked are outside 1..what is left of the limit. */
  | "days-out-of-range"
  | "already"
  | "no-restore-fee"
  | "not-locked";

/** The most days staff may add to this domain's grace, in total: the redemption's length or the default. */
export function graceExtensionLimit(policy: RegistrarPolicy): number {
  return policy.redemption?.days ?? MAX_GRACE_EXTENSION_DAYS;
}

const LIVE: readonly DomainStatus[] = ["active", "suspended", "expired", "redemption"];

/** Why this override cannot be granted at `now`, or null when it can. */
export function overrideRefusal(
  domain: Pick<DomainFacts, "status" | "expiresAt" | "emailVerified" | "overrides"> & {
    lockStartAt: Instant;
  },
  request: DomainOverrideRequest,
  policy: RegistrarPolicy,
  now: Instant,
): OverrideRefusal | null {
  if (!LIVE.includes(domain.status)) return "ended";
  const overrides = domain.overrides ?? NO_OVERRIDES;
  switch (request.kind) {
    case "extend-grace": {
      const isBeforeExpiry = domain.status === "active" || domain.status === "suspended";
      if (!isBeforeExpiry && reactivationWindow(domain, policy, now) !== "reactivate") return "grace-over";
      const left = graceExtensionLimit(policy) - overrides.graceExtensionDays;
      if (!Number.isInteger(request.days) || request.days < 1 || request.days > left)
        return "days-out-of-range";
      return null;
    }
    case "waive-restore-fee":
      if (policy.redemption === null) return "no-restore-fee";
      return overrides.restoreFeeWaived ? "already" : null;
    case "verify-email":
      return domain.emailVerified ? "already" : null;
    case "lift-transfer-lock": {
      const from = transferAllowedFrom(domain.lockStartAt, policy, overrides.transferLockLiftedAt);
      return now < from ? null : "not-locked";
    }
  }
}
