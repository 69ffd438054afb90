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
  transferAllowedFrom,
} from "../../domain/domain-lifecycle.js";
import { decideVoidability, nextRetryAt } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import type { RegistrarPolicy } from "../../domain/policies.js";
import { legacyFreeApplies, type RenewalQuote } from "../../domain/pricing.js";
import { addDays, type Instant } from "../../domain/time.js";
import { type Db, type Deps, registrarPolicy } from "../deps.js";
import {
  type DomainRecord,
  domainPricingFacts,
  findDomain,
  loadDomainFacts,
  quoteRenewal,
} from "./domain-repository.js";

/** Where a domain stands in its renewal cycle, as the Status column says it. */
export type DomainState =
  | { kind: "renews"; paymentAt: Instant }
  | { kind: "renews-free"; renewsAt: Instant }
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
  /** Reactivate (grace) or restore (redemption) now, with the full price. */
  reactivation: { window: "reactivate" | "restore"; price: Money; until: Instant } | null;
  transferAllowedFrom: Instant;
  site: { id: string; label: string } | null;
  schedule: DomainSchedule;
}

async function loadFacts(deps: Deps, domain: DomainRecord): Promise<DomainFacts | null> {
  try {
    return await loadDomainFacts(deps, domain);
  } catch (error) {
    // No renewal price in the billing currency: staff must set one; the page says so.
    if (error instanceof AppError && error.code === "CONFLICT") return null;
    throw error;
  }
}

async function safeQuote(deps: Deps, domain: DomainRecord): Promise<RenewalQuote | null> {
  try {
    return await quoteRenewal(deps, deps.db, domain);
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
): DomainState {
  const s = domainSchedule(domain.expiresAt, policy);
  if (facts.pendingPaymentSince !== null) return { kind: "payment-pending" };
  if (facts.renewal?.status === "paid") return { kind: "renewal-paid" };
  if (legacyFree) {
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

async function viewOf(deps: Deps, domain: DomainRecord, now: Instant): Promise<DomainView> {
  const policy = registrarPolicy(deps, domain.registrar);
  const schedule = domainSchedule(domain.expiresAt, policy);
  const pricing = await domainPricingFacts(deps.db, domain);
  const legacyFree = legacyFreeApplies(pricing, deps.policies.pricing);
  const quote = await safeQuote(deps, domain);
  const isLive = domain.status === "active" || domain.status === "suspended";

  let state: DomainState;
  let reactivation: DomainView["reactivation"] = null;
  const window = reactivationWindow(domain, policy, now);
  if (isLive) {
    const facts = await loadFacts(deps, domain);
    state = facts === null ? { kind: "no-price" } : renewalState(domain, facts, policy, legacyFree, now);
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
    const fee = window === "restore" ? policy.redemption?.restoreFee[quote.price.currency] : 0;
    if (fee !== undefined) {
      reactivation = {
        window,
        price: { amount: quote.price.amount + fee, currency: quote.price.currency },
        until: state.kind === "grace" || state.kind === "redemption" ? state.until : schedule.graceEndsAt,
      };
    }
  }
  const site = domain.siteServiceId
    ? await deps.db
        .selectFrom("services")
        .select(["id", "label"])
        .where("id", "=", domain.siteServiceId)
        .executeTakeFirst()
    : undefined;
  return {
    domain,
    quote,
    legacyFree,
    canSwitch: isLive && !legacyFree,
    state,
    suspension: domain.status === "suspended" ? (domain.emailVerified ? "other" : "unverified") : null,
    reactivation,
    transferAllowedFrom: transferAllowedFrom(domain.lockStartAt, policy),
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
  const views: DomainView[] = [];
  for (const row of rows) {
    const domain = await findDomain(deps.db, row.service_id);
    if (domain) views.push(await viewOf(deps, domain, now));
  }
  return views;
}

export async function findDomainView(
  deps: Deps,
  input: { customerId: string; serviceId: string },
  now: Instant,
): Promise<DomainView> {
  return viewOf(deps, await ownDomain(deps.db, input.customerId, input.serviceId), now);
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
  const s = domainSchedule(domain.expiresAt, policy);
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
