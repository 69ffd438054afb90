/**
 * src/domain/ decisions StrykerJS found unchecked by the unit and scenario suites (docs/testing.md,
 * mutation testing): which step wins when two fall due at the same instant, the edges of the
 * lifecycle conditions, isRenewalPlanned, and the policy, pricing, money and time edges.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/app-error.js";
import { ManualClock } from "../../src/domain/clock.js";
import {
  type DomainFacts,
  domainSchedule,
  isRenewalPlanned,
  nextDomainStep,
  noticeMarker,
} from "../../src/domain/domain-lifecycle.js";
import type { PeriodInvoiceFacts } from "../../src/domain/invoice-rules.js";
import { formatMoney } from "../../src/domain/money.js";
import {
  BUILT_IN_REGISTRARS,
  DEFAULT_BILLING,
  DEFAULT_PRICING,
  type RegistrarPolicy,
  resolvePolicies,
} from "../../src/domain/policies.js";
import {
  type DomainPricingFacts,
  isLegacySiteLapsed,
  isPriceLocked,
  quoteDomainRenewal,
} from "../../src/domain/pricing.js";
import { nextSubscriptionStep, type SubscriptionFacts } from "../../src/domain/subscription-lifecycle.js";
import { addDays, addMinutes, DAY, HOUR, parseInstant } from "../../src/domain/time.js";

const utc = (text: string): number => Date.parse(text);

function builtIn(name: string): RegistrarPolicy {
  const policy = BUILT_IN_REGISTRARS[name];
  if (!policy) throw new Error(`no built-in registrar ${name}`);
  return policy;
}

const squarespace = builtIn("squarespace-domains");
const gtld = builtIn("gtld-registry");

/** Seed 004's example at squarespace-domains: charge 03-31, notice 03-16, released 06-15. */
const REGISTERED = utc("2021-04-15T14:00:00Z");
const EXPIRES = utc("2022-04-15T14:00:00Z");
const S = domainSchedule(EXPIRES, squarespace);
const EARLY = utc("2022-01-01T00:00:00Z");

function domain(overrides: Partial<DomainFacts> = {}): DomainFacts {
  return {
    status: "active",
    registeredAt: REGISTERED,
    expiresAt: EXPIRES,
    autoRenew: true,
    autoRenewChangedAt: null,
    emailVerified: true,
    isLegacySiteLapsed: false,
    quote: { price: { amount: 2000, currency: "USD" }, basis: "public-price" },
    renewal: null,
    reactivation: null,
    pendingPaymentSince: null,
    sentNotices: new Set(),
    ...overrides,
  };
}

function invoice(overrides: Partial<PeriodInvoiceFacts> = {}): PeriodInvoiceFacts {
  return {
    id: 41,
    status: "open",
    issuedAt: S.chargeAt,
    paidAt: null,
    voidedAt: null,
    attempts: 1,
    lastAttemptAt: S.chargeAt,
    ...overrides,
  };
}

const kind = (d: DomainFacts, now: number, policy = squarespace) => nextDomainStep(d, policy, now)?.kind;

describe("domain steps due at the same instant: money in flight is settled first", () => {
  it.each<[string, Partial<DomainFacts>, number]>([
    [
      "renew at the registrar (a refund is pending)",
      { renewal: invoice({ status: "paid", paidAt: S.chargeAt }) },
      S.chargeAt,
    ],
    ["send the verification notice", { emailVerified: false }, REGISTERED],
    [
      "suspend the unverified domain",
      { emailVerified: false, sentNotices: new Set([noticeMarker("verification-required", REGISTERED)]) },
      addDays(REGISTERED, 15),
    ],
    ["send the expiry warning", { autoRenew: false, autoRenewChangedAt: REGISTERED }, addDays(EXPIRES, -30)],
    ["send the renewal notice", {}, S.renewalNoticeAt],
    [
      "end the legacy offer",
      {
        isLegacySiteLapsed: true,
        sentNotices: new Set([noticeMarker("expiry-warning", `${new Date(EXPIRES).toISOString()}-30d`)]),
      },
      S.chargeAt,
    ],
    [
      "renew for free",
      {
        quote: { price: { amount: 0, currency: "USD" }, basis: "legacy-free" },
        sentNotices: new Set([noticeMarker("renewal-upcoming", EXPIRES)]),
      },
      S.chargeAt,
    ],
    ["charge", { sentNotices: new Set([noticeMarker("renewal-upcoming", EXPIRES)]) }, S.chargeAt],
  ])("resolve-payment before: %s", (_what, overrides, at) => {
    const now = utc("2021-04-15T00:00:00Z");
    // Without the pending payment, that step is the next one, at that instant.
    expect(nextDomainStep(domain(overrides), squarespace, now)?.at).toBe(at);
    expect(kind(domain(overrides), now)).not.toBe("resolve-payment");
    expect(nextDomainStep(domain({ ...overrides, pendingPaymentSince: at }), squarespace, now)).toEqual({
      kind: "resolve-payment",
      at,
    });
  });

  it("the legacy offer ends before an expiry warning due at the same instant", () => {
    const policy = { ...squarespace, expiryWarningDaysBefore: [squarespace.chargeLeadDays] };
    expect(nextDomainStep(domain({ isLegacySiteLapsed: true }), policy, EARLY)).toEqual({
      kind: "lapse-legacy-offer",
      at: S.chargeAt,
    });
  });

  it("a charge due at the expiry instant comes before the expiry", () => {
    const policy = { ...squarespace, chargeLeadDays: 0, attempts: 1 };
    const d = domain({ sentNotices: new Set([noticeMarker("renewal-upcoming", EXPIRES)]) });
    expect(nextDomainStep(d, policy, EARLY)).toEqual({
      kind: "charge",
      at: EXPIRES,
      invoiceId: null,
      attempt: 1,
    });
  });

  it("an expired domain whose reactivation was paid at the release instant is renewed, not released", () => {
    const paid = invoice({ id: 77, status: "paid", paidAt: S.releaseAt });
    expect(
      nextDomainStep(domain({ status: "expired", reactivation: paid }), squarespace, S.releaseAt),
    ).toEqual({
      kind: "renew-at-registrar",
      at: S.releaseAt,
      invoiceId: 77,
    });
  });

  it("an expired gTLD whose reactivation was paid as redemption starts is renewed, not put in redemption", () => {
    const g = domainSchedule(EXPIRES, gtld);
    expect(g.redemptionStartsAt).not.toBeNull();
    const paid = invoice({ id: 78, status: "paid", paidAt: g.redemptionStartsAt ?? 0 });
    expect(kind(domain({ status: "expired", reactivation: paid }), g.redemptionStartsAt ?? 0, gtld)).toBe(
      "renew-at-registrar",
    );
  });
});

describe("domain lifecycle edges", () => {
  it("no verification period: an unverified contact is neither reminded nor suspended", () => {
    const policy = { ...squarespace, verificationDays: 0 };
    expect(nextDomainStep(domain({ emailVerified: false }), policy, EARLY)).toEqual({
      kind: "send-renewal-notice",
      at: S.renewalNoticeAt,
    });
  });

  it("no expiry warning once the renewal is paid, even where warnings go to auto-renewing domains", () => {
    const paid = invoice({ status: "paid", paidAt: S.chargeAt });
    expect(nextDomainStep(domain({ renewal: paid }), gtld, EARLY)).toEqual({
      kind: "renew-at-registrar",
      at: S.chargeAt,
      invoiceId: 41,
    });
  });

  it("no expiry warning once the expiry has come (after downtime): the domain expires", () => {
    const off = domain({ autoRenew: false, autoRenewChangedAt: REGISTERED });
    expect(nextDomainStep(off, squarespace, EXPIRES)).toEqual({ kind: "expire", at: EXPIRES });
    expect(nextDomainStep(off, squarespace, EXPIRES + DAY)).toEqual({ kind: "expire", at: EXPIRES });
  });

  it("no renewal notice once the charge is due: the charge comes at once", () => {
    expect(nextDomainStep(domain(), squarespace, S.chargeAt)).toEqual({
      kind: "charge",
      at: S.chargeAt,
      invoiceId: null,
      attempt: 1,
    });
  });

  it("a refund pending after a failed attempt is settled before the retry", () => {
    const failed = invoice({ attempts: 1, lastAttemptAt: S.chargeAt });
    const since = addDays(S.chargeAt, 6);
    expect(nextDomainStep(domain({ renewal: failed }), squarespace, S.chargeAt)?.kind).toBe("charge");
    expect(
      nextDomainStep(domain({ renewal: failed, pendingPaymentSince: since }), squarespace, S.chargeAt),
    ).toEqual({ kind: "resolve-payment", at: since });
  });

  it("an expired domain with money in flight is not released before it is settled, however late", () => {
    const since = addDays(S.releaseAt, 1);
    expect(
      nextDomainStep(domain({ status: "expired", pendingPaymentSince: since }), squarespace, since),
    ).toEqual({
      kind: "resolve-payment",
      at: since,
    });
  });

  describe("auto-renew turned off after the renewal invoice was issued stops its retries", () => {
    const failed = invoice({ issuedAt: S.chargeAt, attempts: 1, lastAttemptAt: S.chargeAt });
    const retry = { kind: "charge", at: addDays(S.chargeAt, 5), invoiceId: 41, attempt: 2 };

    it("off at the very instant it was issued: no retry", () => {
      const d = domain({ renewal: failed, autoRenew: false, autoRenewChangedAt: S.chargeAt });
      expect(nextDomainStep(d, squarespace, S.chargeAt)).toEqual({ kind: "expire", at: EXPIRES });
      expect(isRenewalPlanned(d, squarespace)).toBe(false);
    });

    it("off after the deadline but before it was issued: the charge still happens, and is retried", () => {
      const d = domain({ renewal: failed, autoRenew: false, autoRenewChangedAt: S.chargeAt - HOUR });
      expect(nextDomainStep(d, squarespace, S.chargeAt)).toEqual(retry);
      expect(isRenewalPlanned(d, squarespace)).toBe(true);
    });

    it("off, then on again, after it was issued: retried", () => {
      const d = domain({ renewal: failed, autoRenew: true, autoRenewChangedAt: S.chargeAt + HOUR });
      expect(nextDomainStep(d, squarespace, S.chargeAt)).toEqual(retry);
      expect(isRenewalPlanned(d, squarespace)).toBe(true);
    });
  });

  describe("a voided renewal is reopened only when auto-renew was turned on again since", () => {
    const voided = invoice({ status: "void", voidedAt: S.chargeAt - HOUR, attempts: 0, lastAttemptAt: null });

    it("on again at the instant of the void: a new charge", () => {
      const d = domain({ renewal: voided, autoRenewChangedAt: voided.voidedAt });
      expect(nextDomainStep(d, squarespace, S.chargeAt)).toEqual({
        kind: "charge",
        at: S.chargeAt,
        invoiceId: null,
        attempt: 1,
      });
      expect(isRenewalPlanned(d, squarespace)).toBe(true);
    });

    it("on since before the void (voided for another reason): no new charge, the domain expires", () => {
      const d = domain({ renewal: voided, autoRenewChangedAt: (voided.voidedAt ?? 0) - DAY });
      expect(nextDomainStep(d, squarespace, S.chargeAt)).toEqual({ kind: "expire", at: EXPIRES });
      expect(isRenewalPlanned(d, squarespace)).toBe(false);
    });
  });

  it("isRenewalPlanned: what every page says about the next payment", () => {
    expect(isRenewalPlanned(domain(), squarespace)).toBe(true);
    expect(isRenewalPlanned(domain({ status: "suspended" }), squarespace)).toBe(true);
    for (const status of ["expired", "redemption", "released", "transferred-out", "deleted"] as const) {
      expect(isRenewalPlanned(domain({ status }), squarespace), status).toBe(false);
    }
    expect(isRenewalPlanned(domain({ isLegacySiteLapsed: true }), squarespace)).toBe(false);
    expect(isRenewalPlanned(domain({ autoRenew: false, autoRenewChangedAt: REGISTERED }), squarespace)).toBe(
      false,
    );
    // Turned off after the deadline: the charge still happens.
    expect(
      isRenewalPlanned(domain({ autoRenew: false, autoRenewChangedAt: S.chargeAt - HOUR }), squarespace),
    ).toBe(true);
    expect(
      isRenewalPlanned(domain({ renewal: invoice({ status: "paid", paidAt: S.chargeAt }) }), squarespace),
    ).toBe(true);
    expect(isRenewalPlanned(domain({ renewal: invoice() }), squarespace)).toBe(true);
  });
});

describe("subscription steps due at the same instant", () => {
  const TERM_END = utc("2022-05-01T00:00:00Z");
  const failed: PeriodInvoiceFacts = {
    id: 9,
    status: "open",
    issuedAt: addDays(TERM_END, -14),
    paidAt: null,
    voidedAt: null,
    attempts: 1,
    lastAttemptAt: TERM_END,
  };
  const sub = (renewal: PeriodInvoiceFacts): SubscriptionFacts => ({
    status: "active",
    termEndsAt: TERM_END,
    pendingCancellation: null,
    renewal,
    pendingPaymentSince: null,
  });

  it("a retry due as the service is to be suspended comes first", () => {
    const policy = { ...DEFAULT_BILLING, retryEveryDays: 5, suspendAfterDaysOverdue: 5 };
    expect(nextSubscriptionStep(sub(failed), policy)).toEqual({
      kind: "charge",
      at: addDays(TERM_END, 5),
      invoiceId: 9,
      attempt: 2,
    });
  });

  it("suspension and termination on the same day: suspended first", () => {
    const policy = {
      ...DEFAULT_BILLING,
      attempts: 1,
      suspendAfterDaysOverdue: 30,
      terminateAfterDaysOverdue: 30,
    };
    expect(nextSubscriptionStep(sub(failed), policy)).toEqual({
      kind: "suspend",
      at: addDays(TERM_END, 30),
      invoiceId: 9,
    });
  });
});

describe("pricing edges", () => {
  const paid = (overrides: Partial<DomainPricingFacts> = {}): DomainPricingFacts => ({
    tld: "ninja",
    registeredAt: utc("2019-04-15T14:00:00Z"),
    offer: null,
    legacyLostReason: null,
    recordedPrice: { amount: 1500, currency: "USD" },
    billingCurrency: "USD",
    publicPrices: { USD: 2500 },
    site: null,
    ...overrides,
  });

  it("a domain covered by any one of several price locks is locked", () => {
    const policy = {
      ...DEFAULT_PRICING,
      priceLocks: [
        { tlds: ["family"], registeredBefore: "2021-01-11T00:00:00Z" },
        { tlds: ["ninja"], registeredBefore: "2021-01-11T00:00:00Z" },
      ],
    };
    expect(isPriceLocked(paid(), policy)).toBe(true);
    expect(quoteDomainRenewal(paid(), policy)).toEqual({
      price: { amount: 1500, currency: "USD" },
      basis: "price-lock",
    });
  });

  it("no price in the billing currency is a CONFLICT naming the currency and the TLD", () => {
    let caught: unknown = null;
    try {
      quoteDomainRenewal(paid({ tld: "com", billingCurrency: "CAD" }), DEFAULT_PRICING);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: "CONFLICT", publicMessage: "No CAD renewal price for .com." });
    expect((caught as AppError).httpStatus).toBe(409);
  });

  it("only a legacy free domain registered before the cutoff can have lapsed", () => {
    const cutoff = utc(DEFAULT_PRICING.legacyFreeRegisteredBefore);
    const legacy = paid({ tld: "com", offer: "legacy-free", registeredAt: utc("2014-06-01T00:00:00Z") });
    expect(isLegacySiteLapsed(legacy, DEFAULT_PRICING)).toBe(true);
    expect(isLegacySiteLapsed({ ...legacy, offer: null }, DEFAULT_PRICING)).toBe(false);
    expect(isLegacySiteLapsed({ ...legacy, offer: "free-first-year" }, DEFAULT_PRICING)).toBe(false);
    expect(isLegacySiteLapsed({ ...legacy, registeredAt: cutoff }, DEFAULT_PRICING)).toBe(false);
    expect(isLegacySiteLapsed({ ...legacy, registeredAt: cutoff - 1 }, DEFAULT_PRICING)).toBe(true);
  });
});

describe("policy edges", () => {
  const errorsOf = (overrides: unknown): string[] => {
    const result = resolvePolicies(overrides);
    return result.ok ? [] : result.errors;
  };

  it("currency codes are exactly three capitals", () => {
    expect(errorsOf({ pricing: { legacyFreeCurrency: "CAD" } })).toEqual([]);
    for (const code of ["USDX", "1USD", "usd"]) {
      expect(errorsOf({ pricing: { legacyFreeCurrency: code } }), code).toEqual([
        "pricing.legacyFreeCurrency: expected an ISO 4217 code such as USD",
      ]);
    }
  });

  it("policy instants must parse", () => {
    expect(errorsOf({ pricing: { freeFirstYearFrom: "soon" } })).toEqual([
      "pricing.freeFirstYearFrom: expected an ISO-8601 date or instant",
    ]);
    expect(errorsOf({ pricing: { freeFirstYearFrom: "2016-01-01" } })).toEqual([]);
  });

  it("registrar names are lower-case letters, digits and dashes, all through", () => {
    expect(errorsOf({ registrars: { "my-registrar-2": { extends: "tucows" } } })).toEqual([]);
    expect(errorsOf({ registrars: { my_registrar: { extends: "tucows" } } })).toEqual([
      "registrars.my_registrar: registrar names are lower-case letters, digits and dashes",
    ]);
  });

  it("numbers inside their ranges are accepted", () => {
    expect(errorsOf({ registrars: { tucows: { renewalYears: 2 } } })).toEqual([]);
    expect(
      errorsOf({ billing: { immediateCancellationAfterHours: 12, pendingChargeAlarmHours: 24 } }),
    ).toEqual([]);
    expect(errorsOf({ billing: { immediateCancellationAfterHours: 25 } })).toHaveLength(1);
    expect(errorsOf({ billing: { pendingChargeAlarmHours: 721 } })).toHaveLength(1);
  });

  it("tucows warns 30 days before expiry, and only domains that will not renew", () => {
    expect(BUILT_IN_REGISTRARS.tucows).toMatchObject({
      expiryWarningDaysBefore: [30],
      expiryWarningWhenAutoRenewOn: false,
    });
  });

  it("a renewal notice exactly a year before expiry is refused; a day less is not", () => {
    const at = (notice: number) =>
      errorsOf({
        registrars: {
          slow: {
            extends: "tucows",
            chargeLeadDays: 300,
            renewalNoticeDaysBeforeCharge: notice,
            graceDays: 0,
          },
        },
      });
    expect(at(64)).toEqual([]);
    expect(at(65)).toEqual([expect.stringMatching(/^registrars\.slow\.renewalNoticeDaysBeforeCharge: /)]);
  });

  it("an expiry warning a year before expiry is refused; a day less is not", () => {
    const at = (days: number) => errorsOf({ registrars: { tucows: { expiryWarningDaysBefore: [days] } } });
    expect(at(364)).toEqual([]);
    expect(at(365)).toEqual([
      expect.stringMatching(/^registrars\.tucows\.expiryWarningDaysBefore: 365 days/),
    ]);
  });

  it("a warning given twice is named", () => {
    expect(errorsOf({ registrars: { tucows: { expiryWarningDaysBefore: [30, 7, 30] } } })).toEqual([
      "registrars.tucows.expiryWarningDaysBefore: 30 given twice: each warning is sent once",
    ]);
  });

  it("one attempt needs no room for retries; suspension on the day of termination is allowed", () => {
    expect(
      errorsOf({ billing: { attempts: 1, suspendAfterDaysOverdue: 0, terminateAfterDaysOverdue: 0 } }),
    ).toEqual([]);
    expect(errorsOf({ billing: { suspendAfterDaysOverdue: 30, terminateAfterDaysOverdue: 30 } })).toEqual([]);
    expect(
      errorsOf({ billing: { suspendAfterDaysOverdue: 31, terminateAfterDaysOverdue: 30 } }),
    ).toHaveLength(1);
  });
});

describe("money, time, errors and the manual clock", () => {
  it("a currency with three minor digits is formatted with three", () => {
    expect(formatMoney({ amount: 1234, currency: "KWD" }, "en")).toContain("1.234");
    expect(formatMoney({ amount: 1234, currency: "JPY" }, "en")).toContain("1,234");
  });

  it("instants with anything before or after the ISO form are refused", () => {
    expect(parseInstant("2022-04-01T00:00:00Z")).toBe(utc("2022-04-01T00:00:00Z"));
    expect(parseInstant("2022-04-01T00:00:00Z[UTC]")).toBeNull();
    expect(parseInstant("+002022-04-01T00:00:00Z")).toBeNull();
    expect(parseInstant("+002022-04-01")).toBeNull();
  });

  it("addMinutes adds minutes", () => {
    const at = utc("2022-04-01T00:00:00Z");
    expect(addMinutes(at, 90)).toBe(utc("2022-04-01T01:30:00Z"));
    expect(addMinutes(at, -1)).toBe(utc("2022-03-31T23:59:00Z"));
  });

  it("AppError: code, HTTP status, name", () => {
    const error = new AppError("NOT_FOUND", "Invoice not found.", "invoice 12 of c2");
    expect(error.httpStatus).toBe(404);
    expect(error.name).toBe("AppError");
    expect(error.message).toBe("NOT_FOUND: invoice 12 of c2");
    expect(new AppError("INVALID_INPUT", "x").httpStatus).toBe(400);
  });

  it("the manual clock moves only when told", () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(500);
    expect(clock.now()).toBe(1500);
    clock.set(42);
    expect(clock.now()).toBe(42);
  });
});
