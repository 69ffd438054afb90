import { describe, expect, it } from "vitest";
import { DEFAULT_PRICING } from "../../src/domain/policies.js";
import {
  type DomainPricingFacts,
  isLegacySiteLapsed,
  isPriceLocked,
  legacyFreeApplies,
  legacyLossOnMove,
  quoteDomainRenewal,
  type SiteFacts,
} from "../../src/domain/pricing.js";

const policy = DEFAULT_PRICING;
const utc = (text: string): number => Date.parse(text);

const yearlyUsdSite: SiteFacts = { id: "site-1", plan: "yearly", currency: "USD", isActive: true };

/** A legacy free .com registered in 2014, attached to an active yearly site billed in USD. */
function legacy(overrides: Partial<DomainPricingFacts> = {}): DomainPricingFacts {
  return {
    tld: "com",
    registeredAt: utc("2014-06-01T00:00:00Z"),
    offer: "legacy-free",
    legacyLostReason: null,
    recordedPrice: { amount: 0, currency: "USD" },
    billingCurrency: "USD",
    publicPrices: { USD: 2000, CAD: 2700 },
    site: yearlyUsdSite,
    ...overrides,
  };
}

/** An ordinary paid domain. */
function paid(overrides: Partial<DomainPricingFacts> = {}): DomainPricingFacts {
  return {
    tld: "com",
    registeredAt: utc("2021-04-15T14:00:00Z"),
    offer: null,
    legacyLostReason: null,
    recordedPrice: { amount: 2000, currency: "USD" },
    billingCurrency: "USD",
    publicPrices: { USD: 2000 },
    site: yearlyUsdSite,
    ...overrides,
  };
}

describe("legacy free domains (registered before 2015-03-05)", () => {
  it("renew free while their site is active on a yearly plan billed in USD", () => {
    const facts = legacy();
    expect(legacyFreeApplies(facts, policy)).toBe(true);
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 0, currency: "USD" },
      basis: "legacy-free",
    });
  });

  it("become paid at the public price when the site moves to a monthly plan", () => {
    const facts = legacy({ site: { ...yearlyUsdSite, plan: "monthly" } });
    expect(legacyFreeApplies(facts, policy)).toBe(false);
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 2000, currency: "USD" },
      basis: "public-price",
    });
  });

  it("on a monthly site with no public price in USD, renew at the recorded price", () => {
    const facts = legacy({
      site: { ...yearlyUsdSite, plan: "monthly" },
      publicPrices: {},
      recordedPrice: { amount: 1500, currency: "USD" },
    });
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 1500, currency: "USD" },
      basis: "recorded-price",
    });
  });

  it("become paid when their site is billed in CAD", () => {
    const facts = legacy({ site: { ...yearlyUsdSite, currency: "CAD" }, billingCurrency: "CAD" });
    expect(legacyFreeApplies(facts, policy)).toBe(false);
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 2700, currency: "CAD" },
      basis: "public-price",
    });
  });

  it("become paid when their site is no longer active, and count as a lapsed legacy site", () => {
    const facts = legacy({ site: { ...yearlyUsdSite, isActive: false } });
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 2000, currency: "USD" },
      basis: "public-price",
    });
    expect(isLegacySiteLapsed(facts, policy)).toBe(true);
  });

  it("a legacy domain with no site at all counts as lapsed", () => {
    expect(isLegacySiteLapsed(legacy({ site: null }), policy)).toBe(true);
    expect(quoteDomainRenewal(legacy({ site: null }), policy).basis).toBe("public-price");
  });

  it("a legacy domain on an active site is not lapsed", () => {
    expect(isLegacySiteLapsed(legacy(), policy)).toBe(false);
  });

  it("a legacy domain whose offer was already lost is not reported as lapsed again", () => {
    const facts = legacy({ legacyLostReason: "site-monthly", site: { ...yearlyUsdSite, isActive: false } });
    expect(isLegacySiteLapsed(facts, policy)).toBe(false);
  });

  it("an inactive site lapses only legacy domains, not ordinary paid ones", () => {
    expect(isLegacySiteLapsed(paid({ site: { ...yearlyUsdSite, isActive: false } }), policy)).toBe(false);
  });

  it("stay paid once the offer is lost, even if the site goes back to yearly USD", () => {
    const facts = legacy({ legacyLostReason: "site-monthly" });
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 2000, currency: "USD" },
      basis: "public-price",
    });
  });

  it("a domain marked legacy but registered on 2015-03-05 or later is not free", () => {
    const onCutoff = legacy({ registeredAt: utc("2015-03-05T00:00:00Z") });
    const after = legacy({ registeredAt: utc("2016-01-01T00:00:00Z") });
    expect(quoteDomainRenewal(onCutoff, policy).price.amount).toBe(2000);
    expect(quoteDomainRenewal(after, policy).basis).toBe("public-price");
    expect(isLegacySiteLapsed({ ...after, site: null }, policy)).toBe(false);
  });

  it("a legacy domain registered the second before the cutoff is still free", () => {
    const facts = legacy({ registeredAt: utc("2015-03-04T23:59:59Z") });
    expect(quoteDomainRenewal(facts, policy).basis).toBe("legacy-free");
  });

  it("a free-first-year domain pays the standard 20 USD at its first renewal", () => {
    const facts = paid({ offer: "free-first-year", recordedPrice: { amount: 0, currency: "USD" } });
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 2000, currency: "USD" },
      basis: "public-price",
    });
  });
});

describe("price locks (.family, .life, .ninja, .photography registered before 2021-01-11)", () => {
  it("a .life registered on 2020-06-01 renews at the price paid even though the public price rose", () => {
    const facts = paid({
      tld: "life",
      registeredAt: utc("2020-06-01T00:00:00Z"),
      recordedPrice: { amount: 2800, currency: "USD" },
      publicPrices: { USD: 3500 },
    });
    expect(isPriceLocked(facts, policy)).toBe(true);
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 2800, currency: "USD" },
      basis: "price-lock",
    });
  });

  it("a .life registered on 2021-02-01 renews at the public price", () => {
    const facts = paid({
      tld: "life",
      registeredAt: utc("2021-02-01T00:00:00Z"),
      recordedPrice: { amount: 2800, currency: "USD" },
      publicPrices: { USD: 3500 },
    });
    expect(isPriceLocked(facts, policy)).toBe(false);
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 3500, currency: "USD" },
      basis: "public-price",
    });
  });

  it("a .life registered exactly on 2021-01-11 is not locked", () => {
    expect(isPriceLocked(paid({ tld: "life", registeredAt: utc("2021-01-11T00:00:00Z") }), policy)).toBe(
      false,
    );
  });

  it("a .com registered in 2020 is not locked", () => {
    const facts = paid({
      tld: "com",
      registeredAt: utc("2020-06-01T00:00:00Z"),
      recordedPrice: { amount: 1200, currency: "USD" },
      publicPrices: { USD: 2000 },
    });
    expect(isPriceLocked(facts, policy)).toBe(false);
    expect(quoteDomainRenewal(facts, policy).price.amount).toBe(2000);
  });

  it("a locked price recorded in another currency than the billing one gives way to the public price", () => {
    const facts = paid({
      tld: "ninja",
      registeredAt: utc("2019-01-01T00:00:00Z"),
      recordedPrice: { amount: 2800, currency: "USD" },
      billingCurrency: "CAD",
      publicPrices: { USD: 3500, CAD: 4700 },
    });
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 4700, currency: "CAD" },
      basis: "public-price",
    });
  });

  it("a legacy free domain that is also price-locked stays free while its site qualifies", () => {
    const facts = legacy({ tld: "photography", recordedPrice: { amount: 0, currency: "USD" } });
    expect(quoteDomainRenewal(facts, policy).basis).toBe("legacy-free");
  });
});

describe("public price or recorded price", () => {
  it("uses the public price in the billing currency when there is one", () => {
    const facts = paid({ billingCurrency: "CAD", publicPrices: { USD: 2000, CAD: 2700 } });
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 2700, currency: "CAD" },
      basis: "public-price",
    });
  });

  it("falls back to the recorded price when the TLD has no public price in the billing currency", () => {
    const facts = paid({ recordedPrice: { amount: 1800, currency: "USD" }, publicPrices: { CAD: 2700 } });
    expect(quoteDomainRenewal(facts, policy)).toEqual({
      price: { amount: 1800, currency: "USD" },
      basis: "recorded-price",
    });
  });

  it("refuses to quote when neither a public price nor the recorded price is in the billing currency", () => {
    const facts = paid({
      billingCurrency: "CAD",
      recordedPrice: { amount: 1800, currency: "USD" },
      publicPrices: {},
    });
    expect(() => quoteDomainRenewal(facts, policy)).toThrow(/no public price in CAD/);
  });
});

describe("moving a legacy free domain to another site", () => {
  it("ends the offer when the target site already has a free domain", () => {
    expect(legacyLossOnMove({ ...yearlyUsdSite, id: "site-2" }, true, policy)).toBe("site-has-free-domain");
  });

  it("ends the offer when the target site is billed in another currency than USD", () => {
    expect(legacyLossOnMove({ ...yearlyUsdSite, currency: "EUR" }, false, policy)).toBe("site-currency");
  });

  it("ends the offer when the target site is on a monthly plan", () => {
    expect(legacyLossOnMove({ ...yearlyUsdSite, plan: "monthly" }, false, policy)).toBe("site-monthly");
  });

  it("keeps the offer on a yearly USD site without another free domain", () => {
    expect(legacyLossOnMove({ ...yearlyUsdSite, id: "site-2" }, false, policy)).toBeNull();
  });

  it("names the other free domain first when several reasons apply", () => {
    const target: SiteFacts = { id: "site-3", plan: "monthly", currency: "CAD", isActive: true };
    expect(legacyLossOnMove(target, true, policy)).toBe("site-has-free-domain");
    expect(legacyLossOnMove(target, false, policy)).toBe("site-currency");
  });
});
