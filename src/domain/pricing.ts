/**
 * What a domain renewal costs (seed 004): free first year then the standard price, legacy free
 * domains, price locks, and the currency of the site the domain is attached to.
 */
import { AppError } from "./app-error.js";
import type { Money } from "./money.js";
import type { PricingPolicy } from "./policies.js";
import { type Instant, parseInstant } from "./time.js";

export type DomainOffer = "free-first-year" | "legacy-free" | null;

export type LegacyLostReason = "site-monthly" | "site-lapsed" | "site-has-free-domain" | "site-currency";

export interface SiteFacts {
  id: string;
  plan: string;
  currency: string;
  isActive: boolean;
}

export interface DomainPricingFacts {
  tld: string;
  registeredAt: Instant;
  offer: DomainOffer;
  legacyLostReason: LegacyLostReason | null;
  /** The price recorded for this domain: what the customer paid, in its currency. */
  recordedPrice: Money;
  /** Currency the renewal is billed in: the site's when attached, else the customer's. */
  billingCurrency: string;
  /** Public renewal prices for this TLD, by currency. */
  publicPrices: Record<string, number>;
  site: SiteFacts | null;
}

export type PriceBasis = "legacy-free" | "price-lock" | "public-price" | "recorded-price";

export interface RenewalQuote {
  price: Money;
  basis: PriceBasis;
}

function cutoff(text: string): Instant {
  const at = parseInstant(text);
  if (at === null) throw new RangeError(`invalid policy instant ${text}`);
  return at;
}

/** Whether the legacy free offer still applies, given the site as it is now. */
export function legacyFreeApplies(facts: DomainPricingFacts, policy: PricingPolicy): boolean {
  return (
    facts.offer === "legacy-free" &&
    facts.legacyLostReason === null &&
    facts.registeredAt < cutoff(policy.legacyFreeRegisteredBefore) &&
    facts.site?.isActive === true &&
    facts.site.plan === "yearly" &&
    facts.site.currency === policy.legacyFreeCurrency
  );
}

export function isPriceLocked(facts: DomainPricingFacts, policy: PricingPolicy): boolean {
  return policy.priceLocks.some(
    (lock) => lock.tlds.includes(facts.tld) && facts.registeredAt < cutoff(lock.registeredBefore),
  );
}

export function quoteDomainRenewal(facts: DomainPricingFacts, policy: PricingPolicy): RenewalQuote {
  const currency = facts.billingCurrency;
  if (legacyFreeApplies(facts, policy)) return { price: { amount: 0, currency }, basis: "legacy-free" };
  if (isPriceLocked(facts, policy) && facts.recordedPrice.currency === currency) {
    return { price: facts.recordedPrice, basis: "price-lock" };
  }
  const publicAmount = facts.publicPrices[currency];
  if (publicAmount !== undefined) return { price: { amount: publicAmount, currency }, basis: "public-price" };
  if (facts.recordedPrice.currency !== currency) {
    // Charging the recorded price in another currency would be wrong: staff must set a price.
    throw new AppError(
      "CONFLICT",
      `No ${currency} renewal price for .${facts.tld}.`,
      `.${facts.tld} has no public price in ${currency} and the recorded price is in ${facts.recordedPrice.currency}`,
    );
  }
  return { price: facts.recordedPrice, basis: "recorded-price" };
}

/**
 * Why moving a legacy free domain to another site ends its offer, or null if it survives the move.
 * The offer never moves to another domain: it is a property of this domain only.
 */
export function legacyLossOnMove(
  target: SiteFacts,
  targetHasOtherFreeDomain: boolean,
  policy: PricingPolicy,
): LegacyLostReason | null {
  if (targetHasOtherFreeDomain) return "site-has-free-domain";
  if (target.currency !== policy.legacyFreeCurrency) return "site-currency";
  if (target.plan !== "yearly") return "site-monthly";
  return null;
}

/** A legacy free domain whose site has lapsed (cancelled or terminated) loses the offer at renewal. */
export function isLegacySiteLapsed(facts: DomainPricingFacts, policy: PricingPolicy): boolean {
  return (
    facts.offer === "legacy-free" &&
    facts.legacyLostReason === null &&
    facts.registeredAt < cutoff(policy.legacyFreeRegisteredBefore) &&
    (facts.site === null || !facts.site.isActive)
  );
}
