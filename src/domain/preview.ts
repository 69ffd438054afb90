/**
 * The preview (back office, issue 9): what the engine will do in the next N days, decided by the
 * engine's own rules. Each service's state is copied, the lifecycle's next step is asked for
 * (nextSubscriptionStep / nextDomainStep, the functions the engine calls), the step's effect on the
 * facts is applied to the copy as the engine's step would apply it, and the lifecycle is asked
 * again, at the instants the engine would run, until the next step lies past the horizon.
 *
 * What the preview cannot know it assumes, and the page says so: a charge on a card on file
 * succeeds (one without a card fails, as the engine records it), a charge still waiting for the
 * gateway turns out as a new one would, and nobody acts meanwhile (no payment, no cancellation).
 * test/integration/preview-matches-engine.test.ts runs the engine over the same days on the same
 * book and compares, day by day, what both say.
 */
import { type DomainFacts, type DomainStep, nextDomainStep, noticeMarker } from "./domain-lifecycle.js";
import type { PeriodInvoiceFacts } from "./invoice-rules.js";
import type { BillingPolicy, RegistrarPolicy } from "./policies.js";
import {
  nextSubscriptionStep,
  type Plan,
  type SubscriptionFacts,
  type SubscriptionStep,
  termEnd,
} from "./subscription-lifecycle.js";
import { addYears, DAY, type Instant } from "./time.js";

export const PREVIEW_MIN_DAYS = 1;
export const PREVIEW_MAX_DAYS = 90;

/** What the preview counts, per day. */
export const PREVIEW_KINDS = [
  "notice",
  "invoice",
  "charge",
  "settlement",
  "renewal",
  "suspension",
  "cancellation",
  "termination",
  "expiry",
  "redemption",
  "release",
] as const;
export type PreviewKind = (typeof PREVIEW_KINDS)[number];

export interface PreviewItem {
  at: Instant;
  kind: PreviewKind;
  serviceId: string;
  customerId: string;
  label: string;
  /** The engine step that does it (`charge`, `send-expiry-warning`…). */
  step: string;
  /** Notices: the template sent. */
  template?: string;
  /** Invoices and charges: the amount, in minor units. */
  amount?: { amount: number; currency: string };
  /** Charges: which attempt, and the assumed outcome. */
  attempt?: number;
  outcome?: "succeeds" | "fails";
}

/** A subscription as the engine reads it (SubscriptionRecord) with its facts, to be projected. */
export interface SubscriptionState {
  serviceId: string;
  customerId: string;
  label: string;
  plan: Plan;
  price: number;
  currency: string;
  anchorAt: Instant;
  termsSinceAnchor: number;
  facts: SubscriptionFacts;
  /** What the open renewal invoice still asks for (total − paid), when there is one. */
  renewalDue: number | null;
  /** The charge waiting for the gateway is on the renewal invoice (not a refund's). */
  pendingOnRenewal: boolean;
  hasCard: boolean;
}

/** A domain as the engine reads it with its facts and its registrar's policy, to be projected. */
export interface DomainState {
  serviceId: string;
  customerId: string;
  name: string;
  facts: DomainFacts;
  policy: RegistrarPolicy;
  renewalDue: number | null;
  pendingOnRenewal: boolean;
  hasCard: boolean;
}

/** A service needing more steps than this within the horizon is looping (as MAX_STEPS_PER_SERVICE). */
const MAX_PREVIEW_STEPS = 400;

/**
 * Runs the lifecycle forward from `from` to `until`: a due step is applied at the instant the
 * engine would apply it (a step overdue at `from` is applied at `from`, by the next run), a future
 * one moves the clock to its instant, where the lifecycle is asked again.
 */
function runForward<S extends { kind: string; at: Instant }>(
  decide: (now: Instant) => S | null,
  apply: (step: S, now: Instant) => void,
  from: Instant,
  until: Instant,
): void {
  let clock = from;
  for (let n = 0; n < MAX_PREVIEW_STEPS; n++) {
    const step = decide(clock);
    if (step === null) return;
    if (step.at > clock) {
      if (step.at > until) return;
      clock = step.at;
      continue;
    }
    apply(step, clock);
  }
}

function copyInvoice(r: PeriodInvoiceFacts | null): PeriodInvoiceFacts | null {
  return r === null ? null : { ...r };
}

/** A new open invoice for the period, as issueInvoices records it (the id only has to differ). */
function openInvoice(now: Instant): PeriodInvoiceFacts {
  return {
    id: -1,
    status: "open",
    issuedAt: now,
    paidAt: null,
    voidedAt: null,
    attempts: 0,
    lastAttemptAt: null,
  };
}

export function projectSubscription(
  input: SubscriptionState,
  policy: BillingPolicy,
  from: Instant,
  until: Instant,
): PreviewItem[] {
  const items: PreviewItem[] = [];
  const s = { ...input, facts: { ...input.facts, renewal: copyInvoice(input.facts.renewal) } };
  const base = { serviceId: s.serviceId, customerId: s.customerId, label: s.label };
  const emit = (at: Instant, kind: PreviewKind, step: string, extra: Partial<PreviewItem> = {}) =>
    items.push({ at, kind, step, ...base, ...extra });
  const money = (amount: number) => ({ amount, currency: s.currency });
  /** A paid renewal invoice renews the term and lifts a suspension (renewSubscriptionTerms). */
  const paid = (now: Instant, step: string) => {
    emit(now, "notice", step, { template: "payment-receipt" });
    s.termsSinceAnchor += 1;
    s.facts.termEndsAt = termEnd(s.anchorAt, s.termsSinceAnchor, s.plan);
    if (s.facts.status === "suspended") s.facts.status = "active";
    s.facts.renewal = null;
    s.renewalDue = null;
    emit(now, "renewal", step);
  };
  const failed = (now: Instant, step: string, attempt: number) =>
    emit(now, "notice", step, { template: "payment-failed", attempt });
  const voidRenewal = (now: Instant) => {
    if (s.facts.renewal?.status === "open")
      s.facts.renewal = { ...s.facts.renewal, status: "void", voidedAt: now };
  };

  runForward<SubscriptionStep>(
    () => nextSubscriptionStep(s.facts, policy),
    (step, now) => {
      switch (step.kind) {
        case "resolve-payment": {
          s.facts.pendingPaymentSince = null;
          emit(now, "settlement", step.kind);
          if (!s.pendingOnRenewal || s.facts.renewal?.status !== "open") return;
          s.pendingOnRenewal = false;
          if (s.hasCard) paid(now, step.kind);
          else failed(now, step.kind, s.facts.renewal.attempts);
          return;
        }
        case "cancel":
          s.facts.status = "cancelled";
          s.facts.pendingCancellation = null;
          voidRenewal(now);
          emit(now, "cancellation", step.kind);
          return;
        case "issue-invoice":
          s.facts.renewal = openInvoice(now);
          s.renewalDue = s.price;
          emit(now, "invoice", step.kind, { amount: money(s.price) });
          emit(now, "notice", step.kind, { template: "invoice-issued" });
          return;
        case "charge": {
          const renewal = s.facts.renewal;
          if (renewal === null) return;
          emit(now, "charge", step.kind, {
            amount: money(s.renewalDue ?? s.price),
            attempt: step.attempt,
            outcome: s.hasCard ? "succeeds" : "fails",
          });
          s.facts.renewal = { ...renewal, attempts: renewal.attempts + 1, lastAttemptAt: now };
          if (s.hasCard) paid(now, step.kind);
          else failed(now, step.kind, step.attempt);
          return;
        }
        case "suspend":
          if (s.facts.status !== "active") return;
          s.facts.status = "suspended";
          emit(now, "suspension", step.kind);
          emit(now, "notice", step.kind, { template: "service-suspended" });
          return;
        case "terminate":
          s.facts.status = "terminated";
          voidRenewal(now);
          emit(now, "termination", step.kind);
          emit(now, "notice", step.kind, { template: "service-terminated" });
          return;
      }
    },
    from,
    until,
  );
  return items;
}

export function projectDomain(input: DomainState, from: Instant, until: Instant): PreviewItem[] {
  const items: PreviewItem[] = [];
  const d: DomainFacts = {
    ...input.facts,
    renewal: copyInvoice(input.facts.renewal),
    reactivation: copyInvoice(input.facts.reactivation),
    sentNotices: new Set(input.facts.sentNotices),
  };
  const sent = d.sentNotices as Set<string>;
  const policy = input.policy;
  let renewalDue = input.renewalDue;
  let pendingOnRenewal = input.pendingOnRenewal;
  const base = { serviceId: input.serviceId, customerId: input.customerId, label: input.name };
  const emit = (at: Instant, kind: PreviewKind, step: string, extra: Partial<PreviewItem> = {}) =>
    items.push({ at, kind, step, ...base, ...extra });
  const notice = (at: Instant, step: string, template: string, marker?: string) => {
    if (marker !== undefined) sent.add(marker);
    emit(at, "notice", step, { template });
  };
  const price = () => d.quote.price;
  const iso = (at: Instant) => new Date(at).toISOString();
  const paidRenewal = (now: Instant, step: string) => {
    if (d.renewal === null) return;
    d.renewal = { ...d.renewal, status: "paid", paidAt: now };
    renewalDue = null;
    notice(now, step, "payment-receipt");
  };
  const voidOpen = (now: Instant) => {
    for (const key of ["renewal", "reactivation"] as const) {
      const invoice = d[key];
      if (invoice?.status === "open") d[key] = { ...invoice, status: "void", voidedAt: now };
    }
  };

  runForward<DomainStep>(
    (now) => nextDomainStep(d, policy, now),
    (step, now) => {
      switch (step.kind) {
        case "resolve-payment": {
          d.pendingPaymentSince = null;
          emit(now, "settlement", step.kind);
          if (!pendingOnRenewal || d.renewal?.status !== "open") return;
          pendingOnRenewal = false;
          if (input.hasCard) paidRenewal(now, step.kind);
          else emit(now, "notice", step.kind, { template: "payment-failed" });
          return;
        }
        case "renew-at-registrar":
        case "renew-free": {
          // applyRegistrarRenewal: the expiry moves on by the registrar's years; a lapsed domain comes back.
          d.expiresAt = addYears(d.expiresAt, policy.renewalYears);
          if (d.status === "expired" || d.status === "redemption") d.status = "active";
          d.renewal = null;
          d.reactivation = null;
          renewalDue = null;
          emit(now, "renewal", step.kind, step.kind === "renew-free" ? { amount: price() } : {});
          return;
        }
        case "send-verification-notice":
          notice(
            now,
            step.kind,
            "verification-required",
            noticeMarker("verification-required", d.registeredAt),
          );
          return;
        case "suspend-unverified":
          if (d.status !== "active") return;
          d.status = "suspended";
          emit(now, "suspension", step.kind);
          notice(now, step.kind, "domain-suspended");
          return;
        case "send-renewal-notice":
          notice(now, step.kind, "renewal-upcoming", noticeMarker("renewal-upcoming", d.expiresAt));
          return;
        case "send-expiry-warning":
          notice(
            now,
            step.kind,
            "expiry-warning",
            noticeMarker("expiry-warning", `${iso(d.expiresAt)}-${step.daysBefore}d`),
          );
          return;
        case "lapse-legacy-offer":
          // The offer ends and auto-renew goes off, as the system's change (changed_at null).
          d.isLegacySiteLapsed = false;
          d.autoRenew = false;
          d.autoRenewChangedAt = null;
          return;
        case "charge": {
          if (step.invoiceId === null) {
            d.renewal = openInvoice(now);
            renewalDue = price().amount;
            emit(now, "invoice", step.kind, { amount: price() });
          }
          const renewal = d.renewal;
          if (renewal === null) return;
          emit(now, "charge", step.kind, {
            amount: { amount: renewalDue ?? price().amount, currency: price().currency },
            attempt: step.attempt,
            outcome: input.hasCard ? "succeeds" : "fails",
          });
          d.renewal = { ...renewal, attempts: renewal.attempts + 1, lastAttemptAt: now };
          if (input.hasCard) paidRenewal(now, step.kind);
          else emit(now, "notice", step.kind, { template: "payment-failed", attempt: step.attempt });
          return;
        }
        case "expire":
          d.status = "expired";
          voidOpen(now);
          emit(now, "expiry", step.kind);
          notice(now, step.kind, "domain-expired");
          return;
        case "start-redemption":
          d.status = "redemption";
          emit(now, "redemption", step.kind);
          return;
        case "release":
          d.status = "released";
          voidOpen(now);
          emit(now, "release", step.kind);
          return;
      }
    },
    from,
    until,
  );
  return items;
}

export interface PreviewDay {
  /** YYYY-MM-DD, in UTC like every staff date. */
  day: string;
  counts: Record<PreviewKind, number>;
  /** Charges' amounts by currency. */
  charged: Record<string, number>;
  /** Invoices' amounts by currency. */
  invoiced: Record<string, number>;
  /** The day's items, in time order, up to the tally's limit. */
  items: PreviewItem[];
  /** Items beyond the limit, counted only. */
  more: number;
}

export interface Preview {
  from: Instant;
  until: Instant;
  days: PreviewDay[];
  totals: Omit<PreviewDay, "day" | "items" | "more"> & { services: number };
}

function emptyCounts(): Record<PreviewKind, number> {
  return Object.fromEntries(PREVIEW_KINDS.map((k) => [k, 0])) as Record<PreviewKind, number>;
}

function addAmount(into: Record<string, number>, amount: { amount: number; currency: string } | undefined) {
  if (amount) into[amount.currency] = (into[amount.currency] ?? 0) + amount.amount;
}

/** The horizon of a preview of `days` days from `now`. */
export function previewHorizon(now: Instant, days: number): Instant {
  return now + days * DAY;
}

/**
 * Adds up projected items by day as they come (services are read in chunks), keeping at most
 * `itemsPerDay` items per day for the page and counting the rest.
 */
export class PreviewTally {
  private readonly days = new Map<string, PreviewDay>();
  private readonly totals = { counts: emptyCounts(), charged: {}, invoiced: {}, services: 0 };

  constructor(
    readonly from: Instant,
    readonly until: Instant,
    private readonly itemsPerDay = 200,
  ) {}

  add(items: PreviewItem[]): void {
    if (items.length > 0) this.totals.services += 1;
    for (const item of items) {
      const key = new Date(item.at).toISOString().slice(0, 10);
      let day = this.days.get(key);
      if (!day) {
        day = { day: key, counts: emptyCounts(), charged: {}, invoiced: {}, items: [], more: 0 };
        this.days.set(key, day);
      }
      day.counts[item.kind] += 1;
      this.totals.counts[item.kind] += 1;
      if (item.kind === "charge") {
        addAmount(day.charged, item.amount);
        addAmount(this.totals.charged, item.amount);
      }
      if (item.kind === "invoice") {
        addAmount(day.invoiced, item.amount);
        addAmount(this.totals.invoiced, item.amount);
      }
      if (day.items.length < this.itemsPerDay) day.items.push(item);
      else day.more += 1;
    }
  }

  result(): Preview {
    const days = [...this.days.values()]
      .sort((a, b) => (a.day < b.day ? -1 : 1))
      .map((day) => ({
        ...day,
        items: [...day.items].sort((a, b) => a.at - b.at || a.serviceId.localeCompare(b.serviceId)),
      }));
    return { from: this.from, until: this.until, days, totals: this.totals };
  }
}
