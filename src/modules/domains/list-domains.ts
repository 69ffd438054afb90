/**
 * Read-only views of a customer's domains for the client area (Domains > Domains of seed 000): the
 * renewal state the Status column words (seed 004: the next payment date, past due, grace), the
 * renewal price, and what turning auto-renew off would do. Computed from the same pure rules the
 * engine applies, so a page never announces what the engine will not do.
 */
import { AppError } from "../../domain/app-error.js";
import {
  type DomainFacts,
  type DomainSchedule,
  domainSchedule,
  isRenewalPlanned,
  reactivationWindow,
  restoreFeeOf,
  transferAllowedFrom,
} from "../../domain/domain-lifecycle.js";
import { decideVoidability, nextRetryAt } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import type { RegistrarPolicy } from "../../domain/policies.js";
import {
  type DomainPricingFacts,
  legacyFreeApplies,
  quoteDomainRenewal,
  type RenewalQuote,
} from "../../domain/pricing.js";
import { addDays, type Instant } from "../../domain/time.js";
import { type Db, type Deps, registrarPolicy } from "../deps.js";
import {
  type DomainRecord,
  domainPricingFacts,
  domainPricingFactsOf,
  findDomain,
  findDomains,
  loadDomainFactsOf,
} from "./domain-repository.js";

/** Where a domain stands in its renewal cycle, as the Status column says it. */
export type DomainState =
  | { kind: "renews"; paymentAt: Instant }
  | { kind: "renews-free"; renewsAt: Instant }
  /** A legacy free domain whose site's cancellation takes effect before its renewal: it lapses (seed 004). */
  | { kind: "legacy-ends"; siteEndsAt: Instant; expiresAt: Instant }
  | { kind: "past-due"; invoice: number; nextAttemptAt: Instant | null; expiresAt: Instant }
  | { kind: "payment-pending" }
  | { kind: "renewal-paid" }
  | { kind: "will-expire"; expiresAt: Instant }
  | { kind: "grace"; until: Instant }
  | { kind: "redemption"; until: Instant }
  | { kind: "expired" }
  | { kind: "ended"; status: string }
  | { kind: "no-price" };

export interface DomainView {
  domain: DomainRecord;
  /** Renewal (or reactivation) price; null when no price is set for the domain's currency. */
  quote: RenewalQuote | null;
  /** A legacy free domain whose offer applies: it has no auto-renew switch (seed 004). */
  legacyFree: boolean;
  /** Whether the auto-renew switch can be used (active or suspended, not legacy free). */
  canSwitch: boolean;
  state: DomainState;
  /** Why an active domain is suspended, shown before its renewal state. */
  suspension: "unverified" | "other" | null;
  /** A new registration whose contact e-mail is not verified yet: suspended at this instant unless it is. */
  verifyBy: Instant | null;
  /** Reactivate (grace) or restore (redemption) now, with the full price. */
  reactivation: { window: "reactivate" | "restore"; price: Money; until: Instant } | null;
  transferAllowedFrom: Instant;
  site: { id: string; label: string } | null;
  schedule: DomainSchedule;
}

/** What the views of these domains read, together: a page of 50 domains makes a few queries. */
interface Preloaded {
  pricing: DomainPricingFacts;
  /** null: no renewal price in the billing currency (staff must set one; the page says so). */
  facts: DomainFacts | null;
  factsError: unknown;
  site: { id: string; label: string } | null;
  /** When the site's pending cancellation takes effect, if one is pending. */
  siteEndsAt: Instant | null;
}

/** When each of these sites' pending cancellation takes effect. */
export async function siteCancellationsOf(db: Db, siteIds: string[]): Promise<Map<string, Instant>> {
  if (siteIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("cancellation_requests")
    .select(["service_id", "effective_at"])
    .where("status", "=", "pending")
    .where("service_id", "in", siteIds)
    .execute();
  return new Map(rows.map((row) => [row.service_id, Number(row.effective_at)]));
}

async function preload(deps: Deps, domains: DomainRecord[]): Promise<Map<string, Preloaded>> {
  const pricing = await domainPricingFactsOf(deps.db, domains);
  const { facts, errors } = await loadDomainFactsOf(deps, domains);
  const siteIds = [...new Set(domains.flatMap((d) => (d.siteServiceId ? [d.siteServiceId] : [])))];
  const sites =
    siteIds.length === 0
      ? []
      : await deps.db.selectFrom("services").select(["id", "label"]).where("id", "in", siteIds).execute();
  const siteById = new Map(sites.map((site) => [site.id, site]));
  const siteEnds = await siteCancellationsOf(deps.db, siteIds);
  const result = new Map<string, Preloaded>();
  for (const domain of domains) {
    const prices = pricing.get(domain.serviceId);
    if (!prices) continue;
    const error = errors.get(domain.serviceId);
    const isConflict = error instanceof AppError && error.code === "CONFLICT";
    result.set(domain.serviceId, {
      pricing: prices,
      facts: facts.get(domain.serviceId) ?? null,
      factsError: isConflict ? undefined : error,
      site: domain.siteServiceId ? (siteById.get(domain.siteServiceId) ?? null) : null,
      siteEndsAt: domain.siteServiceId ? (siteEnds.get(domain.siteServiceId) ?? null) : null,
    });
  }
  return result;
}

function safeQuote(deps: Deps, pricing: DomainPricingFacts): RenewalQuote | null {
  try {
    return quoteDomainRenewal(pricing, deps.policies.pricing);
  } catch (error) {
    if (error instanceof AppError && error.code === "CONFLICT") return null;
    throw error;
  }
}

function renewalState(
  domain: DomainRecord,
  facts: DomainFacts,
  policy: RegistrarPolicy,
  legacyFree: boolean,
  now: Instant,
  siteEndsAt: Instant | null = null,
): DomainState {
  const s = domainSchedule(domain.expiresAt, policy, domain.overrides);
  if (facts.pendingPaymentSince !== null) return { kind: "payment-pending" };
  if (facts.renewal?.status === "paid") return { kind: "renewal-paid" };
  if (legacyFree) {
    // The site's cancellation takes effect before the renewal: the free renewal lapses with it.
    if (siteEndsAt !== null && siteEndsAt <= s.chargeAt) {
      return { kind: "legacy-ends", siteEndsAt, expiresAt: s.expiresAt };
    }
    return domain.autoRenew
      ? { kind: "renews-free", renewsAt: s.expiresAt }
      : { kind: "will-expire", expiresAt: s.expiresAt };
  }
  if (!isRenewalPlanned(facts, policy)) {
    return { kind: "will-expire", expiresAt: s.expiresAt };
  }
  const r = facts.renewal;
  if (r?.status === "open" && r.attempts > 0 && r.lastAttemptAt !== null) {
    return {
      kind: "past-due",
      invoice: r.id,
      nextAttemptAt: nextRetryAt(r.attempts, r.lastAttemptAt, policy, s.expiresAt),
      expiresAt: s.expiresAt,
    };
  }
  return { kind: "renews", paymentAt: Math.max(now, s.chargeAt) };
}

function viewOf(deps: Deps, domain: DomainRecord, loaded: Preloaded, now: Instant): DomainView {
  const policy = registrarPolicy(deps, domain.registrar);
  const schedule = domainSchedule(domain.expiresAt, policy, domain.overrides);
  const legacyFree = legacyFreeApplies(loaded.pricing, deps.policies.pricing);
  const quote = safeQuote(deps, loaded.pricing);
  const isLive = domain.status === "active" || domain.status === "suspended";

  let state: DomainState;
  let reactivation: DomainView["reactivation"] = null;
  const window = reactivationWindow(domain, policy, now);
  if (isLive) {
    if (loaded.factsError !== undefined) throw loaded.factsError;
    const facts = loaded.facts;
    state =
      facts === null
        ? { kind: "no-price" }
        : renewalState(domain, facts, policy, legacyFree, now, loaded.siteEndsAt);
  } else if (window === "reactivate") {
    state = { kind: "grace", until: schedule.graceEndsAt };
  } else if (window === "restore") {
    state = { kind: "redemption", until: addDays(schedule.pendingDeleteStartsAt ?? schedule.releaseAt, -1) };
  } else if (domain.status === "expired" || domain.status === "redemption") {
    state = { kind: "expired" };
  } else {
    state = { kind: "ended", status: domain.status };
  }
  if (window !== null && quote !== null) {
    const fee = window === "restore" ? restoreFeeOf(policy, quote.price.currency, domain.overrides) : 0;
    if (fee !== undefined) {
      reactivation = {
        window,
        price: { amount: quote.price.amount + fee, currency: quote.price.currency },
        until: state.kind === "grace" || state.kind === "redemption" ? state.until : schedule.graceEndsAt,
      };
    }
  }
  const site = loaded.site;
  return {
    domain,
    quote,
    legacyFree,
    canSwitch: isLive && !legacyFree,
    state,
    suspension: domain.status === "suspended" ? (domain.emailVerified ? "other" : "unverified") : null,
    verifyBy:
      domain.status === "active" && !domain.emailVerified && policy.verificationDays > 0
        ? addDays(domain.registeredAt, policy.verificationDays)
        : null,
    reactivation,
    transferAllowedFrom: transferAllowedFrom(
      domain.lockStartAt,
      policy,
      domain.overrides.transferLockLiftedAt,
    ),
    site: site ? { id: site.id, label: site.label } : null,
    schedule,
  };
}

/** The customer's own domain, or NOT_FOUND (another customer's id looks like a missing one). */
async function ownDomain(db: Db, customerId: string, serviceId: string): Promise<DomainRecord> {
  const domain = await findDomain(db, serviceId);
  if (!domain || domain.customerId !== customerId) throw new AppError("NOT_FOUND", "Domain not found.");
  return domain;
}

/** Every domain of the customer, by name, with its renewal state and price at `now`. */
export async function listDomains(deps: Deps, customerId: string, now: Instant): Promise<DomainView[]> {
  const rows = await deps.db
    .selectFrom("domains")
    .innerJoin("services", "services.id", "domains.service_id")
    .select("domains.service_id")
    .where("services.customer_id", "=", customerId)
    .orderBy("domains.name")
    .execute();
  const found = await findDomains(
    deps.db,
    rows.map((row) => row.service_id),
  );
  const domains = rows.flatMap((row) => found.get(row.service_id) ?? []);
  const loaded = await preload(deps, domains);
  return domains.flatMap((domain) => {
    const data = loaded.get(domain.serviceId);
    return data ? [viewOf(deps, domain, data, now)] : [];
  });
}

export async function findDomainView(
  deps: Deps,
  input: { customerId: string; serviceId: string },
  now: Instant,
): Promise<DomainView> {
  const domain = await ownDomain(deps.db, input.customerId, input.serviceId);
  const loaded = (await preload(deps, [domain])).get(domain.serviceId);
  if (!loaded) throw new AppError("NOT_FOUND", "Domain not found.");
  return viewOf(deps, domain, loaded, now);
}

export type AutoRenewOffPreview =
  | {
      ok: true;
      domain: DomainRecord;
      /** Auto-renew is already off: nothing to confirm. */
      alreadyOff: boolean;
      expiresAt: Instant;
      /** Last day to reactivate after expiry. */
      graceEndsAt: Instant;
      /** Switched off less than `offLeadDays` before the charge: it is still made then. */
      chargeStillDueAt: Instant | null;
      offLeadDays: number;
      /** Open invoices for this domain that turning auto-renew off voids. */
      voidable: number[];
      /** Open invoices that cannot be voided automatically (other items, partly paid). */
      needsAdjustment: { invoice: number; reason: "partly-paid" | "other-items" }[];
    }
  | { ok: false; reason: "legacy-free-renews-automatically" | "not-active" };

/**
 * What turning auto-renew off at `now` would do, for the confirmation page: the same rules as
 * setAutoRenew (src/modules/domains/set-auto-renew.ts), without changing anything.
 */
export async function previewAutoRenewOff(
  deps: Deps,
  input: { customerId: string; serviceId: string },
  now: Instant,
): Promise<AutoRenewOffPreview> {
  const domain = await ownDomain(deps.db, input.customerId, input.serviceId);
  if (domain.status !== "active" && domain.status !== "suspended") return { ok: false, reason: "not-active" };
  if (legacyFreeApplies(await domainPricingFacts(deps.db, domain), deps.policies.pricing)) {
    return { ok: false, reason: "legacy-free-renews-automatically" };
  }
  const policy = registrarPolicy(deps, domain.registrar);
  const s = domainSchedule(domain.expiresAt, policy, domain.overrides);
  const renewal = await deps.db
    .selectFrom("invoices")
    .select("id")
    .where("service_id", "=", domain.serviceId)
    .where("purpose", "=", "renewal")
    .where("period_start_at", "=", domain.expiresAt)
    .executeTakeFirst();
  const chargeStillDueAt =
    renewal === undefined && now > s.autoRenewDeadline && now < s.expiresAt
      ? Math.max(now, s.chargeAt)
      : null;

  const voidable: number[] = [];
  const needsAdjustment: { invoice: number; reason: "partly-paid" | "other-items" }[] = [];
  if (chargeStillDueAt === null) {
    const open = await deps.db
      .selectFrom("invoices")
      .select(["id", "status", "amount_paid"])
      .where("status", "=", "open")
      .where("id", "in", (eb) =>
        eb.selectFrom("invoice_lines").select("invoice_id").where("service_id", "=", domain.serviceId),
      )
      .orderBy("id")
      .execute();
    for (const invoice of open) {
      const lines = await deps.db
        .selectFrom("invoice_lines")
        .select("service_id")
        .where("invoice_id", "=", invoice.id)
        .execute();
      const decision = decideVoidability(
        { status: "open", amountPaid: invoice.amount_paid, lineServiceIds: lines.map((l) => l.service_id) },
        [domain.serviceId],
      );
      if (decision.canVoid) voidable.push(invoice.id);
      else if (decision.reason !== "not-open")
        needsAdjustment.push({ invoice: invoice.id, reason: decision.reason });
    }
  }
  return {
    ok: true,
    domain,
    alreadyOff: !domain.autoRenew,
    expiresAt: s.expiresAt,
    graceEndsAt: s.graceEndsAt,
    chargeStillDueAt,
    offLeadDays: policy.autoRenewOffLeadDays,
    voidable,
    needsAdjustment,
  };
}
