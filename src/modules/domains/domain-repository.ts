/** Domains as records, and the facts the lifecycle decides on. */
import { readInChunks } from "../../db/chunks.js";
import { fromDbBool } from "../../db/columns.js";
import type { DomainFacts, DomainOverrides, DomainStatus } from "../../domain/domain-lifecycle.js";
import type { Money } from "../../domain/money.js";
import {
  type DomainOffer,
  type DomainPricingFacts,
  isLegacySiteLapsed,
  type LegacyLostReason,
  quoteDomainRenewal,
  type RenewalQuote,
  type SiteFacts,
} from "../../domain/pricing.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Deps, Tx } from "../deps.js";
import { pendingPaymentSinceOf, periodInvoiceFactsOf } from "../invoices/invoice-repository.js";

export interface DomainRecord {
  serviceId: string;
  customerId: string;
  status: DomainStatus;
  name: string;
  tld: string;
  registrar: string;
  registeredAt: Instant;
  lockStartAt: Instant;
  expiresAt: Instant;
  autoRenew: boolean;
  autoRenewChangedAt: Instant | null;
  emailVerified: boolean;
  siteServiceId: string | null;
  siteConnected: boolean;
  offer: DomainOffer;
  legacyLostReason: LegacyLostReason | null;
  recordedPrice: Money;
  /** What staff granted this domain (back office); read by every lifecycle rule. */
  overrides: DomainOverrides;
}

export async function findDomain(db: Db | Tx, serviceId: string): Promise<DomainRecord | null> {
  return (await findDomains(db, [serviceId])).get(serviceId) ?? null;
}

/** The domains among these services (an engine batch, a page), by service id. */
export async function findDomains(db: Db | Tx, serviceIds: string[]): Promise<Map<string, DomainRecord>> {
  const domains = new Map<string, DomainRecord>();
  const rows = await readInChunks(serviceIds, (ids) =>
    db
      .selectFrom("domains")
      .innerJoin("services", "services.id", "domains.service_id")
      .selectAll("domains")
      .select(["services.customer_id", "services.status"])
      .where("domains.service_id", "in", ids)
      .execute(),
  );
  for (const row of rows) {
    domains.set(row.service_id, {
      serviceId: row.service_id,
      customerId: row.customer_id,
      status: row.status as DomainStatus,
      name: row.name,
      tld: row.tld,
      registrar: row.registrar,
      registeredAt: row.registered_at,
      lockStartAt: row.lock_start_at,
      expiresAt: row.expires_at,
      autoRenew: fromDbBool(row.auto_renew),
      autoRenewChangedAt: row.auto_renew_changed_at,
      emailVerified: fromDbBool(row.email_verified),
      siteServiceId: row.site_service_id,
      siteConnected: fromDbBool(row.site_connected),
      offer: row.offer as DomainOffer,
      legacyLostReason: row.legacy_lost_reason as LegacyLostReason | null,
      recordedPrice: { amount: row.recorded_price, currency: row.recorded_currency },
      overrides: {
        graceExtensionDays: Number(row.grace_extension_days),
        restoreFeeWaived: fromDbBool(row.restore_fee_waived),
        transferLockLiftedAt:
          row.transfer_lock_lifted_at === null ? null : Number(row.transfer_lock_lifted_at),
      },
    });
  }
  return domains;
}

export async function findSite(db: Db | Tx, serviceId: string): Promise<SiteFacts | null> {
  return (await findSites(db, [serviceId])).get(serviceId) ?? null;
}

async function findSites(db: Db | Tx, serviceIds: string[]): Promise<Map<string, SiteFacts>> {
  const sites = new Map<string, SiteFacts>();
  const rows = await readInChunks(serviceIds, (ids) =>
    db
      .selectFrom("services")
      .innerJoin("subscriptions", "subscriptions.service_id", "services.id")
      .select(["services.id", "services.status", "subscriptions.plan", "subscriptions.currency"])
      .where("services.id", "in", ids)
      .execute(),
  );
  for (const row of rows) {
    sites.set(row.id, {
      id: row.id,
      plan: row.plan,
      currency: row.currency,
      isActive: row.status === "active" || row.status === "suspended",
    });
  }
  return sites;
}

export async function domainPricingFacts(db: Db | Tx, domain: DomainRecord): Promise<DomainPricingFacts> {
  const facts = (await domainPricingFactsOf(db, [domain])).get(domain.serviceId);
  if (!facts) throw new Error(`no pricing facts for ${domain.serviceId}`);
  return facts;
}

export async function domainPricingFactsOf(
  db: Db | Tx,
  domains: DomainRecord[],
): Promise<Map<string, DomainPricingFacts>> {
  const sites = await findSites(
    db,
    domains.flatMap((d) => (d.siteServiceId ? [d.siteServiceId] : [])),
  );
  const customers = await readInChunks([...new Set(domains.map((d) => d.customerId))], (ids) =>
    db.selectFrom("customers").select(["id", "currency"]).where("id", "in", ids).execute(),
  );
  const currencies = new Map(customers.map((c) => [c.id, c.currency]));
  const prices = new Map<string, Record<string, number>>();
  const tlds = [...new Set(domains.map((d) => d.tld))];
  const tldPrices = await readInChunks(tlds, (batch) =>
    db
      .selectFrom("tld_prices")
      .select(["tld", "currency", "renew_amount"])
      .where("tld", "in", batch)
      .execute(),
  );
  for (const row of tldPrices)
    prices.set(row.tld, { ...prices.get(row.tld), [row.currency]: row.renew_amount });
  const facts = new Map<string, DomainPricingFacts>();
  for (const domain of domains) {
    const site = domain.siteServiceId ? (sites.get(domain.siteServiceId) ?? null) : null;
    const currency = currencies.get(domain.customerId);
    if (currency === undefined)
      throw new Error(`domain ${domain.serviceId}: no customer ${domain.customerId}`);
    facts.set(domain.serviceId, {
      tld: domain.tld,
      registeredAt: domain.registeredAt,
      offer: domain.offer,
      legacyLostReason: domain.legacyLostReason,
      recordedPrice: domain.recordedPrice,
      billingCurrency: site?.currency ?? currency,
      publicPrices: prices.get(domain.tld) ?? {},
      site,
    });
  }
  return facts;
}

export async function quoteRenewal(deps: Deps, db: Db | Tx, domain: DomainRecord): Promise<RenewalQuote> {
  return quoteDomainRenewal(await domainPricingFacts(db, domain), deps.policies.pricing);
}

/** Notices already issued for each service, as `template@marker`. */
async function sentNoticeMarkersOf(db: Db | Tx, serviceIds: string[]): Promise<Map<string, Set<string>>> {
  const markers = new Map<string, Set<string>>(serviceIds.map((id) => [id, new Set<string>()]));
  const rows = await readInChunks(serviceIds, (ids) =>
    db.selectFrom("notices").select(["service_id", "notice_key"]).where("service_id", "in", ids).execute(),
  );
  for (const row of rows) {
    if (row.service_id === null) continue;
    const suffix = `:${row.service_id}`;
    markers.get(row.service_id)?.add(row.notice_key.slice(0, row.notice_key.length - suffix.length));
  }
  return markers;
}

export async function loadDomainFacts(deps: Deps, domain: DomainRecord): Promise<DomainFacts> {
  const { facts, errors } = await loadDomainFactsOf(deps, [domain]);
  const found = facts.get(domain.serviceId);
  if (found) return found;
  throw errors.get(domain.serviceId) ?? new Error(`no facts for ${domain.serviceId}`);
}

/**
 * The lifecycle facts of many domains with a handful of set-based reads (an engine batch, a page).
 * A domain whose facts cannot be formed (no renewal price in its currency) is in `errors`, so the
 * others still have theirs.
 */
export async function loadDomainFactsOf(
  deps: Deps,
  domains: DomainRecord[],
): Promise<{ facts: Map<string, DomainFacts>; errors: Map<string, unknown> }> {
  const db = deps.db;
  const ids = domains.map((d) => d.serviceId);
  const periods = domains.map((d) => ({ serviceId: d.serviceId, periodStartAt: d.expiresAt }));
  const pricing = await domainPricingFactsOf(db, domains);
  const renewals = await periodInvoiceFactsOf(db, periods, ["renewal"]);
  const reactivations = await periodInvoiceFactsOf(db, periods, ["reactivation", "restore"]);
  const pendingSince = await pendingPaymentSinceOf(db, ids);
  const notices = await sentNoticeMarkersOf(db, ids);
  const facts = new Map<string, DomainFacts>();
  const errors = new Map<string, unknown>();
  for (const domain of domains) {
    const prices = pricing.get(domain.serviceId);
    if (!prices) continue;
    try {
      facts.set(domain.serviceId, {
        status: domain.status,
        registeredAt: domain.registeredAt,
        expiresAt: domain.expiresAt,
        autoRenew: domain.autoRenew,
        autoRenewChangedAt: domain.autoRenewChangedAt,
        emailVerified: domain.emailVerified,
        isLegacySiteLapsed: isLegacySiteLapsed(prices, deps.policies.pricing),
        quote: quoteDomainRenewal(prices, deps.policies.pricing),
        renewal: renewals.get(domain.serviceId) ?? null,
        reactivation: reactivations.get(domain.serviceId) ?? null,
        pendingPaymentSince: pendingSince.get(domain.serviceId) ?? null,
        sentNotices: notices.get(domain.serviceId) ?? new Set(),
        overrides: domain.overrides,
      });
    } catch (error) {
      errors.set(domain.serviceId, error);
    }
  }
  return { facts, errors };
}
