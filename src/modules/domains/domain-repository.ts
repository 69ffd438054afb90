/** Domains as records, and the facts the lifecycle decides on. */
import { fromDbBool } from "../../db/columns.js";
import type { DomainFacts, DomainStatus } from "../../domain/domain-lifecycle.js";
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
import { periodInvoiceFacts } from "../invoices/invoice-repository.js";

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
}

export async function findDomain(db: Db | Tx, serviceId: string): Promise<DomainRecord | null> {
  const row = await db
    .selectFrom("domains")
    .innerJoin("services", "services.id", "domains.service_id")
    .selectAll("domains")
    .select(["services.customer_id", "services.status"])
    .where("domains.service_id", "=", serviceId)
    .executeTakeFirst();
  if (!row) return null;
  return {
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
  };
}

export async function findSite(db: Db | Tx, serviceId: string): Promise<SiteFacts | null> {
  const row = await db
    .selectFrom("services")
    .innerJoin("subscriptions", "subscriptions.service_id", "services.id")
    .select(["services.id", "services.status", "subscriptions.plan", "subscriptions.currency"])
    .where("services.id", "=", serviceId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    plan: row.plan,
    currency: row.currency,
    isActive: row.status === "active" || row.status === "suspended",
  };
}

export async function domainPricingFacts(db: Db | Tx, domain: DomainRecord): Promise<DomainPricingFacts> {
  const site = domain.siteServiceId ? await findSite(db, domain.siteServiceId) : null;
  const customer = await db
    .selectFrom("customers")
    .select("currency")
    .where("id", "=", domain.customerId)
    .executeTakeFirstOrThrow();
  const prices = await db
    .selectFrom("tld_prices")
    .select(["currency", "renew_amount"])
    .where("tld", "=", domain.tld)
    .execute();
  return {
    tld: domain.tld,
    registeredAt: domain.registeredAt,
    offer: domain.offer,
    legacyLostReason: domain.legacyLostReason,
    recordedPrice: domain.recordedPrice,
    billingCurrency: site?.currency ?? customer.currency,
    publicPrices: Object.fromEntries(prices.map((p) => [p.currency, p.renew_amount])),
    site,
  };
}

export async function quoteRenewal(deps: Deps, db: Db | Tx, domain: DomainRecord): Promise<RenewalQuote> {
  return quoteDomainRenewal(await domainPricingFacts(db, domain), deps.policies.pricing);
}

/** Notices already issued for a service, as `template@marker`. */
export async function sentNoticeMarkers(db: Db | Tx, serviceId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom("notices")
    .select("notice_key")
    .where("service_id", "=", serviceId)
    .execute();
  const suffix = `:${serviceId}`;
  return new Set(rows.map((r) => r.notice_key.slice(0, r.notice_key.length - suffix.length)));
}

export async function pendingPaymentSince(db: Db | Tx, serviceId: string): Promise<Instant | null> {
  const row = await db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select((eb) => eb.fn.min("payments.created_at").as("since"))
    .where("invoices.service_id", "=", serviceId)
    .where("payments.status", "=", "pending")
    .executeTakeFirst();
  return row?.since === null || row?.since === undefined ? null : Number(row.since);
}

export async function loadDomainFacts(deps: Deps, domain: DomainRecord): Promise<DomainFacts> {
  const db = deps.db;
  const pricing = await domainPricingFacts(db, domain);
  return {
    status: domain.status,
    registeredAt: domain.registeredAt,
    expiresAt: domain.expiresAt,
    autoRenew: domain.autoRenew,
    autoRenewChangedAt: domain.autoRenewChangedAt,
    emailVerified: domain.emailVerified,
    isLegacySiteLapsed: isLegacySiteLapsed(pricing, deps.policies.pricing),
    quote: quoteDomainRenewal(pricing, deps.policies.pricing),
    renewal: await periodInvoiceFacts(db, domain.serviceId, ["renewal"], domain.expiresAt),
    reactivation: await periodInvoiceFacts(
      db,
      domain.serviceId,
      ["reactivation", "restore"],
      domain.expiresAt,
    ),
    pendingPaymentSince: await pendingPaymentSince(db, domain.serviceId),
    sentNotices: await sentNoticeMarkers(db, domain.serviceId),
  };
}
