/**
 * A service's timeline: what happened (its events) and what the engine will do next and when,
 * computed from the same pure rules the engine applies, so the page never promises something the
 * engine will not do.
 */
import { domainSchedule, isRenewalPlanned, reactivationWindow } from "../../domain/domain-lifecycle.js";
import type { EventType } from "../../domain/events.js";
import { nextRetryAt } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import { subscriptionSchedule, termEnd } from "../../domain/subscription-lifecycle.js";
import { addYears, type Instant } from "../../domain/time.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { findDomain, loadDomainFacts } from "../domains/domain-repository.js";
import { siteCancellationsOf } from "../domains/list-domains.js";
import { listEvents } from "../events/record-event.js";
import {
  findPendingCancellation,
  findSubscription,
  loadSubscriptionFacts,
} from "../services/subscription-repository.js";

export interface PastEntry {
  at: Instant;
  type: EventType;
  details: Record<string, unknown>;
}

/** Planned steps, by kind; the page words them in the customer's language. */
export type PlannedEntry =
  | { at: Instant; kind: "renewal-notice" }
  | { at: Instant; kind: "charge"; amount: Money; cardLabel: string | null }
  | { at: Instant; kind: "retry"; attempt: number; amount: Money; cardLabel: string | null }
  | { at: Instant; kind: "renews"; until: Instant }
  | { at: Instant; kind: "expires" }
  | { at: Instant; kind: "grace-ends"; price: Money }
  | { at: Instant; kind: "released" }
  | { at: Instant; kind: "invoice"; amount: Money }
  | { at: Instant; kind: "suspension" }
  | { at: Instant; kind: "termination" }
  | { at: Instant; kind: "cancellation"; when: "immediate" | "end-of-term" };

export interface Timeline {
  past: PastEntry[];
  next: PlannedEntry[];
}

export async function buildTimeline(deps: Deps, serviceId: string, now: Instant): Promise<Timeline> {
  const past = (await listEvents(deps.db, { service: serviceId })).map((e) => ({
    at: e.at,
    type: e.type,
    details: e.details as Record<string, unknown>,
  }));
  const customer = await deps.db
    .selectFrom("services")
    .innerJoin("customers", "customers.id", "services.customer_id")
    .select("customers.card_label")
    .where("services.id", "=", serviceId)
    .executeTakeFirst();
  const cardLabel = customer?.card_label ?? null;
  const next: PlannedEntry[] = [];

  const domain = await findDomain(deps.db, serviceId);
  if (domain) {
    const policy = registrarPolicy(deps, domain.registrar);
    const facts = await loadDomainFacts(deps, domain);
    const s = domainSchedule(domain.expiresAt, policy, domain.overrides);
    if (domain.status === "active" || domain.status === "suspended") {
      const renews = isRenewalPlanned(facts, policy);
      const r = facts.renewal;
      // A legacy free domain (price 0): nothing is charged; it lapses if its site ends first (seed 004).
      const isFree = facts.quote.price.amount === 0;
      const siteEndsAt = domain.siteServiceId
        ? ((await siteCancellationsOf(deps.db, [domain.siteServiceId])).get(domain.siteServiceId) ?? null)
        : null;
      const lapses = isFree && siteEndsAt !== null && siteEndsAt <= s.chargeAt;
      if (renews && r === null && lapses) {
        next.push({ at: s.expiresAt, kind: "expires" });
        next.push({ at: s.releaseAt, kind: "released" });
      } else if (renews && r === null) {
        if (now < s.renewalNoticeAt) next.push({ at: s.renewalNoticeAt, kind: "renewal-notice" });
        if (!isFree)
          next.push({ at: Math.max(now, s.chargeAt), kind: "charge", amount: facts.quote.price, cardLabel });
        next.push({ at: s.expiresAt, kind: "renews", until: addYears(s.expiresAt, policy.renewalYears) });
      } else if (renews && r?.status === "open" && r.lastAttemptAt !== null) {
        const at = nextRetryAt(r.attempts, r.lastAttemptAt, policy, s.expiresAt);
        if (at !== null)
          next.push({ at, kind: "retry", attempt: r.attempts + 1, amount: facts.quote.price, cardLabel });
      }
      if (!renews || r?.status === "open") {
        next.push({ at: s.expiresAt, kind: "expires" });
        next.push({ at: s.graceEndsAt, kind: "grace-ends", price: facts.quote.price });
        next.push({ at: s.releaseAt, kind: "released" });
      }
    } else if (reactivationWindow(domain, policy, now) !== null) {
      next.push({ at: s.graceEndsAt, kind: "grace-ends", price: facts.quote.price });
      next.push({ at: s.releaseAt, kind: "released" });
    } else if (domain.status === "redemption") {
      next.push({ at: s.releaseAt, kind: "released" });
    }
    return { past, next: next.filter((e) => e.at >= now || e.kind === "charge").sort((a, b) => a.at - b.at) };
  }

  const sub = await findSubscription(deps.db, serviceId);
  if (sub && (sub.status === "active" || sub.status === "suspended")) {
    const s = subscriptionSchedule(sub.termEndsAt, deps.policies.billing);
    const facts = await loadSubscriptionFacts(deps.db, sub);
    const cancellation = await findPendingCancellation(deps.db, serviceId);
    const amount = { amount: sub.price, currency: sub.currency };
    if (cancellation) {
      next.push({ at: cancellation.effectiveAt, kind: "cancellation", when: cancellation.when });
    } else if (facts.renewal === null || facts.renewal.status === "void") {
      if (now < s.invoiceAt) next.push({ at: s.invoiceAt, kind: "invoice", amount });
      next.push({ at: Math.max(now, s.chargeAt), kind: "charge", amount, cardLabel });
      next.push({
        at: sub.termEndsAt,
        kind: "renews",
        until: termEnd(sub.anchorAt, sub.termsSinceAnchor + 1, sub.plan),
      });
    } else if (facts.renewal.status === "open") {
      const r = facts.renewal;
      if (r.attempts === 0) next.push({ at: Math.max(now, s.chargeAt), kind: "charge", amount, cardLabel });
      else if (r.lastAttemptAt !== null) {
        const at = nextRetryAt(r.attempts, r.lastAttemptAt, deps.policies.billing, s.terminateAt);
        if (at !== null) next.push({ at, kind: "retry", attempt: r.attempts + 1, amount, cardLabel });
      }
      if (sub.status === "active") next.push({ at: s.suspendAt, kind: "suspension" });
      next.push({ at: s.terminateAt, kind: "termination" });
    }
  }
  return { past, next: next.sort((a, b) => a.at - b.at) };
}
