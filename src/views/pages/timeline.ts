/**
 * A service's timeline (hosting, SSL, app or domain): what will happen next, then what happened,
 * newest first, each in words in the customer's language, dates in the customer's time zone.
 * Every event type of the catalog and every planned step has a sentence: a missing one fails the
 * typecheck.
 */
import type { EventType } from "../../domain/events.js";
import { formatMoney, type Money } from "../../domain/money.js";
import { formatInstant, type Instant, parseInstant } from "../../domain/time.js";
import type { PastEntry, PlannedEntry, Timeline } from "../../modules/timeline/build-timeline.js";
import { formatLongDate } from "../format.js";
import { html, type SafeHtml } from "../html.js";
import type { ServicesMessages } from "../i18n/services.js";
import type { PageContext } from "../layout.js";
import type { Locale } from "../notices/notice-types.js";

/** "March 20, 2022 at 12:00 PM" / "20 mars 2022 à 12 h 00", in the customer's time zone. */
export function formatDateTime(at: Instant, locale: Locale, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone }).format(at);
}

/** A catalog entry by a key read from data (an event's reason, a template name), or null. */
export function lookup<T>(record: Record<string, T>, key: unknown): T | null {
  return typeof key === "string" && Object.hasOwn(record, key) ? (record[key] ?? null) : null;
}

interface Words {
  t: ServicesMessages["timeline"];
  plans: Record<string, string>;
  money(value: unknown): string;
  date(value: unknown): string;
  number(value: unknown): number;
}

function isMoney(value: unknown): value is Money {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Money).amount === "number" &&
    typeof (value as Money).currency === "string"
  );
}

type Details = Record<string, unknown>;

/** One sentence per event type of the catalog. */
const PAST: { [T in EventType]: (w: Words, d: Details) => string } = {
  "invoice.issued": (w, d) => w.t.past.invoiceIssued(w.number(d.invoice), w.money(d.amount)),
  "invoice.voided": (w, d) =>
    w.t.past.invoiceVoided(w.number(d.invoice), w.money(d.amount), lookup(w.t.voidReasons, d.reason)),
  "invoice.paid": (w, d) => w.t.past.invoicePaid(w.number(d.invoice), w.money(d.amount)),
  "payment.succeeded": (w, d) => w.t.past.paymentSucceeded(w.money(d.amount), w.number(d.attempt)),
  "payment.failed": (w, d) =>
    w.t.past.paymentFailed(
      w.money(d.amount),
      lookup(w.t.failReasons, d.reason) ?? w.t.failFallback,
      w.number(d.attempt),
    ),
  "payment.refunded": (w, d) => w.t.past.paymentRefunded(w.money(d.amount), w.number(d.invoice)),
  "notice.sent": (w, d) => w.t.past.noticeSent(lookup(w.t.noticeNames, d.template) ?? w.t.noticeFallback),
  "service.activated": (w, d) => {
    const plan = lookup(w.plans, d.plan);
    return plan ? w.t.past.serviceActivatedPlan(plan) : w.t.past.serviceActivated;
  },
  "service.renewed": (w, d) => w.t.past.serviceRenewed(w.date(d.termEndsAt)),
  "service.cancellation_requested": (w, d) =>
    d.when === "immediate"
      ? w.t.past.cancellationRequestedImmediate(w.date(d.effectiveAt))
      : w.t.past.cancellationRequestedEndOfTerm(w.date(d.effectiveAt)),
  "service.cancellation_withdrawn": (w) => w.t.past.cancellationWithdrawn,
  "service.cancelled": (w, d) =>
    d.when === "immediate" ? w.t.past.serviceCancelledImmediate : w.t.past.serviceCancelledEndOfTerm,
  "service.suspended": (w, d) =>
    d.reason === "unpaid" ? w.t.past.serviceSuspendedUnpaid : w.t.past.serviceSuspended,
  "service.unsuspended": (w, d) =>
    d.reason === "paid" ? w.t.past.serviceUnsuspendedPaid : w.t.past.serviceUnsuspended,
  "service.terminated": (w, d) =>
    d.reason === "unpaid" ? w.t.past.serviceTerminatedUnpaid : w.t.past.serviceTerminated,
  "domain.registered": (w, d) => w.t.past.domainRegistered(String(d.name ?? ""), w.date(d.expiresAt)),
  "domain.renewed": (w, d) => w.t.past.domainRenewed(w.date(d.expiresAt), w.money(d.amount)),
  "domain.auto_renew_changed": (w, d) => {
    if (d.on === true) return w.t.past.autoRenewOn;
    const base =
      d.reason === "service-cancellation"
        ? w.t.past.autoRenewOffWithService
        : d.reason === "legacy-site-lapsed"
          ? w.t.past.autoRenewOffLegacy
          : w.t.past.autoRenewOff;
    return d.chargeStillDue === true ? base + w.t.past.autoRenewChargeStillDue : base;
  },
  "domain.suspended": (w, d) =>
    d.reason === "email-unverified" ? w.t.past.domainSuspendedUnverified : w.t.past.domainSuspended,
  "domain.unsuspended": (w, d) =>
    d.reason === "email-verified" ? w.t.past.domainUnsuspendedVerified : w.t.past.domainUnsuspended,
  "domain.expired": (w, d) => w.t.past.domainExpired(w.date(d.graceEndsAt)),
  "domain.reactivated": (w, d) => w.t.past.domainReactivated(w.date(d.expiresAt)),
  "domain.redemption_started": (w, d) =>
    isMoney(d.restoreFee)
      ? w.t.past.redemptionStartedFee(w.date(d.until), w.money(d.restoreFee))
      : w.t.past.redemptionStarted(w.date(d.until)),
  "domain.restored": (w, d) => w.t.past.domainRestored(w.date(d.expiresAt)),
  "domain.released": (w) => w.t.past.domainReleased,
  "domain.override_granted": (w, d) => {
    if (d.override === "grace-extended")
      return w.t.past.graceExtended(w.number(d.days), w.date(d.graceEndsAt));
    if (d.override === "restore-fee-waived") return w.t.past.restoreFeeWaived;
    if (d.override === "email-verified") return w.t.past.emailMarkedVerified;
    return w.t.past.transferLockLifted;
  },
  "domain.transfer_requested": (w) => w.t.past.transferRequested,
  "domain.transfer_denied": (w, d) => w.t.past.transferDenied(w.date(d.until)),
  "domain.transferred_out": (w) => w.t.past.transferredOut,
  "domain.deleted": (w, d) =>
    d.by === "registry" ? w.t.past.domainDeletedByRegistry : w.t.past.domainDeleted,
  "ticket.opened": (w, d) =>
    w.t.past.ticketOpened(lookup(w.t.ticketKinds, d.kind) ?? w.t.ticketFallback, w.number(d.ticket)),
  "ticket.closed": (w, d) => w.t.past.ticketClosed(w.number(d.ticket)),
  // A domain's difference with its registry (a payment's has no service, so no timeline).
  "reconciliation.drift_found": (w, d) =>
    d.field === "expires_at" ? w.t.past.driftFoundExpiry : w.t.past.driftFound,
  "reconciliation.drift_accepted": (w, d) =>
    typeof d.expiresAt === "string"
      ? w.t.past.driftAcceptedExpiry(w.date(d.expiresAt))
      : w.t.past.driftAccepted,
  "reconciliation.drift_rejected": (w) => w.t.past.driftRejected,
};

type PlannedKind = PlannedEntry["kind"];

/** One sentence per planned step. */
const PLANNED: { [K in PlannedKind]: (w: Words, e: Extract<PlannedEntry, { kind: K }>) => string } = {
  "renewal-notice": (w) => w.t.planned.renewalNotice,
  charge: (w, e) => w.t.planned.charge(w.money(e.amount), card(w, e.cardLabel)),
  retry: (w, e) => w.t.planned.retry(w.money(e.amount), card(w, e.cardLabel), e.attempt),
  renews: (w, e) => w.t.planned.renews(w.date(e.until)),
  expires: (w) => w.t.planned.expires,
  "grace-ends": (w, e) => w.t.planned.graceEnds(w.money(e.price)),
  released: (w) => w.t.planned.released,
  invoice: (w, e) => w.t.planned.invoice(w.money(e.amount)),
  suspension: (w) => w.t.planned.suspension,
  termination: (w) => w.t.planned.termination,
  cancellation: (w, e) =>
    e.when === "immediate" ? w.t.planned.cancellationImmediate : w.t.planned.cancellationEndOfTerm,
};

function card(w: Words, label: string | null): string {
  return label ? w.t.withCard(label) : `(${w.t.noCard})`;
}

function plannedSentence(w: Words, entry: PlannedEntry): string {
  const word = PLANNED[entry.kind] as (w: Words, e: PlannedEntry) => string;
  return word(w, entry);
}

function pastSentence(w: Words, entry: PastEntry): string {
  const word = PAST[entry.type] as ((w: Words, d: Details) => string) | undefined;
  return word ? word(w, entry.details ?? {}) : entry.type;
}

function wordsFor(ctx: PageContext, timeZone: string): Words {
  const toInstant = (value: unknown): Instant | null =>
    typeof value === "number" ? value : typeof value === "string" ? parseInstant(value) : null;
  return {
    t: ctx.m.services.timeline,
    plans: ctx.m.common.plan,
    money: (value) => (isMoney(value) ? formatMoney(value, ctx.locale) : ""),
    date: (value) => {
      const at = toInstant(value);
      return at === null ? "" : formatLongDate(at, ctx.locale, timeZone);
    },
    number: (value) => (typeof value === "number" ? value : Number(value) || 0),
  };
}

function when(ctx: PageContext, at: Instant, timeZone: string): SafeHtml {
  return html`<time datetime="${formatInstant(at)}" title="${formatDateTime(at, ctx.locale, timeZone)}">${formatLongDate(at, ctx.locale, timeZone)}</time>`;
}

/** The timeline section: "Coming up" (soonest first), then "History" (newest first). */
export function renderTimeline(ctx: PageContext, timeline: Timeline, timeZone: string): SafeHtml {
  const t = ctx.m.services.timeline;
  const w = wordsFor(ctx, timeZone);
  const next = [...timeline.next].sort((a, b) => a.at - b.at);
  // Chronological (stable: the order of recording for one instant), then reversed: newest first.
  const past = [...timeline.past].sort((a, b) => a.at - b.at).reverse();
  return html`<section class="card" aria-labelledby="timeline-title">
  <h2 id="timeline-title">${t.title}</h2>
  <h3>${t.next}</h3>
  ${
    next.length === 0
      ? html`<p class="muted">${t.nothingNext}</p>`
      : html`<ol class="timeline">${next.map(
          (e) =>
            html`<li class="future">${when(ctx, e.at, timeZone)}<span>${plannedSentence(w, e)}</span></li>`,
        )}</ol>`
  }
  <h3>${t.history}</h3>
  ${
    past.length === 0
      ? html`<p class="muted">${t.nothingPast}</p>`
      : html`<ol class="timeline">${past.map(
          (e) => html`<li>${when(ctx, e.at, timeZone)}<span>${pastSentence(w, e)}</span></li>`,
        )}</ol>`
  }
</section>`;
}
