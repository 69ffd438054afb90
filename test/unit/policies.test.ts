import { describe, expect, it } from "vitest";
import {
  BUILT_IN_REGISTRARS,
  DEFAULT_BILLING,
  DEFAULT_PRICING,
  defaultPolicies,
  type Policies,
  policyViolations,
  resolvePolicies,
} from "../../src/domain/policies.js";
import { retryDelay } from "../../src/modules/webhooks/webhooks.js";

function resolved(overrides: unknown, prefix?: string): Policies {
  const result = resolvePolicies(overrides, prefix);
  if (!result.ok) throw new Error(`expected valid policies, got: ${result.errors.join("; ")}`);
  return result.policies;
}

function errorsOf(overrides: unknown, prefix?: string): string[] {
  const result = resolvePolicies(overrides, prefix);
  if (result.ok) throw new Error("expected the overrides to be refused");
  return result.errors;
}

describe("built-in registrar defaults are the numbers of seed 004", () => {
  const registrars = defaultPolicies().registrars;

  it("squarespace-domains: charge 15 days before expiry, notice 15 days before the charge", () => {
    const p = registrars["squarespace-domains"];
    expect(p?.chargeLeadDays).toBe(15);
    expect(p?.renewalNoticeDaysBeforeCharge).toBe(15);
  });

  it("squarespace-domains: auto-renew must be off 1 day before the charge", () => {
    expect(registrars["squarespace-domains"]?.autoRenewOffLeadDays).toBe(1);
  });

  it("squarespace-domains: retry every 5 days, 3 attempts in total", () => {
    const p = registrars["squarespace-domains"];
    expect(p?.retryEveryDays).toBe(5);
    expect(p?.attempts).toBe(3);
  });

  it("squarespace-domains: one expiry warning 30 days before, 60 days of grace, no redemption", () => {
    const p = registrars["squarespace-domains"];
    expect(p?.expiryWarningDaysBefore).toEqual([30]);
    expect(p?.expiryWarningWhenAutoRenewOn).toBe(false);
    expect(p?.graceDays).toBe(60);
    expect(p?.redemption).toBeNull();
    expect(p?.pendingDeleteDays).toBe(0);
  });

  it("squarespace-domains: 15 days to verify the e-mail, 60-day transfer lock, 1-year renewals", () => {
    const p = registrars["squarespace-domains"];
    expect(p?.verificationDays).toBe(15);
    expect(p?.transferLockDays).toBe(60);
    expect(p?.renewalYears).toBe(1);
  });

  it("tucows: 30 days of grace, otherwise the same timing as squarespace-domains", () => {
    const p = registrars.tucows;
    expect(p?.graceDays).toBe(30);
    expect(p?.chargeLeadDays).toBe(15);
    expect(p?.retryEveryDays).toBe(5);
    expect(p?.attempts).toBe(3);
    expect(p?.redemption).toBeNull();
  });

  it("gtld-registry: 30 days of redemption with a restore fee, then 5 days of pending delete", () => {
    const p = registrars["gtld-registry"];
    expect(p?.graceDays).toBe(30);
    expect(p?.redemption?.days).toBe(30);
    expect(p?.redemption?.restoreFee.USD).toBe(8000);
    expect(p?.pendingDeleteDays).toBe(5);
  });

  it("gtld-registry: ICANN warnings one month and one week before expiry, even with auto-renew on", () => {
    const p = registrars["gtld-registry"];
    expect(p?.expiryWarningDaysBefore).toEqual([30, 7]);
    expect(p?.expiryWarningWhenAutoRenewOn).toBe(true);
  });

  it("exactly three registrars are built in", () => {
    expect(Object.keys(registrars).sort()).toEqual(["gtld-registry", "squarespace-domains", "tucows"]);
  });
});

describe("built-in billing and pricing defaults", () => {
  it("subscriptions: invoice 14 days ahead, charge on the due date, 3 attempts 3 days apart", () => {
    const b = defaultPolicies().billing;
    expect(b).toEqual({
      invoiceDaysBefore: 14,
      chargeDaysBefore: 0,
      retryEveryDays: 3,
      attempts: 3,
      suspendAfterDaysOverdue: 5,
      terminateAfterDaysOverdue: 30,
      // Seed 000's "within 24 h" as a real window: withdrawable for 4 hours, then carried out.
      immediateCancellationAfterHours: 4,
      immediateCancellationHours: 24,
      pendingChargeAlarmHours: 12,
    });
  });

  it("pricing: free first year and legacy free cut at 2015-03-05, legacy offer in USD", () => {
    const p = defaultPolicies().pricing;
    expect(p.freeFirstYearFrom).toBe("2015-03-05T00:00:00Z");
    expect(p.legacyFreeRegisteredBefore).toBe("2015-03-05T00:00:00Z");
    expect(p.legacyFreeCurrency).toBe("USD");
  });

  it("pricing: .family, .life, .ninja, .photography keep their price when registered before 2021-01-11", () => {
    expect(defaultPolicies().pricing.priceLocks).toEqual([
      { tlds: ["family", "life", "ninja", "photography"], registeredBefore: "2021-01-11T00:00:00Z" },
    ]);
  });

  it("no configuration at all gives the defaults", () => {
    const p = resolved(undefined);
    expect(p.billing).toEqual(DEFAULT_BILLING);
    expect(p.pricing).toEqual(DEFAULT_PRICING);
    expect(p.registrars).toEqual(BUILT_IN_REGISTRARS);
  });
});

describe("an operator overrides the defaults", () => {
  it("changing tucows' grace keeps every other tucows number", () => {
    const tucows = resolved({ registrars: { tucows: { graceDays: 45 } } }).registrars.tucows;
    expect(tucows).toEqual({ ...BUILT_IN_REGISTRARS.tucows, graceDays: 45 });
  });

  it("changing tucows leaves the other registrars alone", () => {
    const p = resolved({ registrars: { tucows: { graceDays: 45 } } });
    expect(p.registrars["squarespace-domains"]?.graceDays).toBe(60);
    expect(p.registrars["gtld-registry"]?.graceDays).toBe(30);
  });

  it("changing the number of billing attempts keeps the rest of billing", () => {
    const billing = resolved({ billing: { attempts: 5 } }).billing;
    expect(billing).toEqual({ ...DEFAULT_BILLING, attempts: 5 });
  });

  it("changing the legacy currency keeps the price locks", () => {
    const pricing = resolved({ pricing: { legacyFreeCurrency: "CAD" } }).pricing;
    expect(pricing.legacyFreeCurrency).toBe("CAD");
    expect(pricing.priceLocks).toEqual(DEFAULT_PRICING.priceLocks);
  });

  it("a new registrar extends a built-in one and changes only what it names", () => {
    const p = resolved({ registrars: { "acme-registrar": { extends: "tucows", chargeLeadDays: 12 } } });
    expect(p.registrars["acme-registrar"]).toEqual({ ...BUILT_IN_REGISTRARS.tucows, chargeLeadDays: 12 });
    expect(p.registrars.tucows?.chargeLeadDays).toBe(15);
  });

  it("the extends key itself is not kept in the resolved policy", () => {
    const p = resolved({ registrars: { "acme-registrar": { extends: "gtld-registry" } } });
    expect(Object.keys(p.registrars["acme-registrar"] ?? {})).not.toContain("extends");
    expect(p.registrars["acme-registrar"]?.pendingDeleteDays).toBe(5);
  });

  it("a redemption period can be removed by setting it to null", () => {
    const p = resolved({ registrars: { "gtld-registry": { redemption: null } } });
    expect(p.registrars["gtld-registry"]?.redemption).toBeNull();
  });
});

describe("invalid configuration is refused with the field named", () => {
  it("a negative grace period names registrars.tucows.graceDays", () => {
    const errors = errorsOf({ registrars: { tucows: { graceDays: -1 } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.startsWith("registrars.tucows.graceDays")).toBe(true);
  });

  it("a fractional number of attempts is refused", () => {
    const errors = errorsOf({ registrars: { tucows: { attempts: 2.5 } } });
    expect(errors[0]?.startsWith("registrars.tucows.attempts")).toBe(true);
  });

  it("zero days between retries is refused (retries must be spaced)", () => {
    const errors = errorsOf({ billing: { retryEveryDays: 0 } });
    expect(errors[0]?.startsWith("billing.retryEveryDays")).toBe(true);
  });

  it("a misspelt registrar field is reported as an unknown field", () => {
    expect(errorsOf({ registrars: { tucows: { graceDay: 45 } } })).toEqual([
      "registrars.tucows.graceDay: unknown field",
    ]);
  });

  it("an unknown billing field is reported as an unknown field", () => {
    expect(errorsOf({ billing: { retries: 4 } })).toEqual(["billing.retries: unknown field"]);
  });

  it("an unknown top-level section is reported as an unknown field", () => {
    expect(errorsOf({ registrar: {} })).toEqual(["registrar: unknown field"]);
  });

  it("extending a registrar that does not exist names the extends field and the registrar", () => {
    const errors = errorsOf({ registrars: { "acme-registrar": { extends: "godaddy" } } });
    expect(errors).toEqual(['registrars.acme-registrar.extends: unknown registrar "godaddy"']);
  });

  it("a new registrar that neither extends one nor gives every number is refused", () => {
    const errors = errorsOf({ registrars: { "acme-registrar": { graceDays: 10 } } });
    expect(errors.some((e) => e.startsWith("registrars.acme-registrar.chargeLeadDays:"))).toBe(true);
    expect(errors.some((e) => e.startsWith("registrars.acme-registrar.graceDays"))).toBe(false);
  });

  it("a registrar name with capitals is refused, and the operator is told the naming rule", () => {
    const errors = errorsOf({ registrars: { Tucows: { graceDays: 30 } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBe("registrars.Tucows: registrar names are lower-case letters, digits and dashes");
  });

  it("a currency that is not an ISO code is refused in a restore fee, naming the bad key", () => {
    const errors = errorsOf({
      registrars: { "gtld-registry": { redemption: { days: 30, restoreFee: { dollars: 8000 } } } },
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]?.startsWith("registrars.gtld-registry.redemption.restoreFee.dollars:")).toBe(true);
  });

  it("a legacy currency in lower case is refused with the ISO 4217 hint", () => {
    expect(errorsOf({ pricing: { legacyFreeCurrency: "usd" } })).toEqual([
      "pricing.legacyFreeCurrency: expected an ISO 4217 code such as USD",
    ]);
  });

  it("a price-lock date that is not a date is refused", () => {
    const errors = errorsOf({ pricing: { priceLocks: [{ tlds: ["life"], registeredBefore: "soon" }] } });
    expect(errors).toEqual(["pricing.priceLocks.0.registeredBefore: expected an ISO-8601 date or instant"]);
  });

  it("the config file's own prefix is prepended: policies.billing.attempts", () => {
    const errors = errorsOf({ billing: { attempts: 0 } }, "policies");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.startsWith("policies.billing.attempts:")).toBe(true);
  });

  it("the prefix is also prepended to unknown registrars in extends", () => {
    const errors = errorsOf({ registrars: { acme: { extends: "nope" } } }, "policies");
    expect(errors).toEqual(['policies.registrars.acme.extends: unknown registrar "nope"']);
  });

  it("a configuration that is not an object is refused at the root", () => {
    const errors = errorsOf(42);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.startsWith("(root): ")).toBe(true);
  });
});

describe("resolved policies are copies", () => {
  it("changing a resolved policy never changes the built-in defaults", () => {
    const first = resolvePolicies({});
    if (!first.ok) throw new Error("defaults must resolve");
    first.policies.registrars.tucows!.graceDays = 999;
    first.policies.pricing.priceLocks[0]!.tlds.push("com");
    const second = resolvePolicies({});
    if (!second.ok) throw new Error("defaults must resolve");
    expect(second.policies.registrars.tucows!.graceDays).toBe(30);
    expect(BUILT_IN_REGISTRARS.tucows!.graceDays).toBe(30);
    expect(second.policies.pricing.priceLocks[0]!.tlds).toEqual(["family", "life", "ninja", "photography"]);
  });
});

describe("policies are validated as a whole: numbers that pass one by one but combine into nonsense", () => {
  const tucows = BUILT_IN_REGISTRARS.tucows!;

  /** The violations found in the defaults with these changes, formatted as resolvePolicies reports them. */
  function combined(overrides: Partial<Policies["billing"]> | null, registrar: Partial<typeof tucows> = {}) {
    const policies = defaultPolicies();
    if (overrides) policies.billing = { ...policies.billing, ...overrides };
    policies.registrars.tucows = { ...tucows, ...registrar };
    return policyViolations(policies);
  }

  it("the built-in policies have no violation", () => {
    expect(policyViolations(defaultPolicies())).toEqual([]);
  });

  it("every example scenario's policies have no violation", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    for (const file of await readdir("examples")) {
      if (!file.endsWith(".json")) continue; // examples/import/ holds a book to import, not a scenario
      const scenario = JSON.parse(await readFile(`examples/${file}`, "utf8")) as { policies?: unknown };
      expect(resolvePolicies(scenario.policies, "policies").ok, file).toBe(true);
    }
  });

  it("a charge lead of 3650 days (passes its range) is refused: the registration term is one year", () => {
    const violations = combined(null, { chargeLeadDays: 3650 });
    expect(violations).toEqual([
      expect.objectContaining({ path: "registrars.tucows.chargeLeadDays", fields: ["chargeLeadDays"] }),
    ]);
    expect(violations[0]?.message).toContain("365 days");
  });

  it("the config file reports it with the registrar named, like any other bad field", () => {
    const errors = errorsOf({ registrars: { tucows: { chargeLeadDays: 3650 } } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^registrars\.tucows\.chargeLeadDays: 3650 days before expiry/);
  });

  it("a charge lead of 364 days is the longest one a yearly registration allows", () => {
    // No notice, opt-out lead, retries or grace: everything else fits in the one day left.
    expect(
      combined(null, {
        chargeLeadDays: 364,
        graceDays: 0,
        renewalNoticeDaysBeforeCharge: 0,
        autoRenewOffLeadDays: 0,
        attempts: 1,
      }),
    ).toEqual([]);
    expect(
      combined(null, {
        chargeLeadDays: 365,
        renewalNoticeDaysBeforeCharge: 0,
        autoRenewOffLeadDays: 0,
        attempts: 1,
      }),
    ).toEqual([expect.objectContaining({ path: "registrars.tucows.chargeLeadDays" })]);
  });

  it("retries that would fall on or after expiry are refused, naming attempts, retryEveryDays and chargeLeadDays", () => {
    const violations = combined(null, { chargeLeadDays: 8 });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.path).toBe("registrars.tucows");
    expect(violations[0]?.fields).toEqual(["attempts", "retryEveryDays", "chargeLeadDays"]);
    expect(violations[0]?.message).toMatch(
      /^retries \(3 attempts every 5 days = the last 10 days after the first\) end at or after expiry \(chargeLeadDays 8\)/,
    );
    // The last retry 10 days after the first, on the expiry instant itself, is never made either.
    expect(combined(null, { chargeLeadDays: 10 })).toHaveLength(1);
    expect(combined(null, { chargeLeadDays: 11 })).toEqual([]);
    // A single attempt has no retry to fit.
    expect(combined(null, { chargeLeadDays: 0, attempts: 1, renewalNoticeDaysBeforeCharge: 15 })).toEqual([]);
  });

  it("a renewal notice that would fall before the term starts is refused", () => {
    const violations = combined(null, { chargeLeadDays: 300, renewalNoticeDaysBeforeCharge: 100 });
    expect(violations).toEqual([
      expect.objectContaining({
        path: "registrars.tucows.renewalNoticeDaysBeforeCharge",
        fields: ["renewalNoticeDaysBeforeCharge", "chargeLeadDays"],
      }),
    ]);
    expect(violations[0]?.message).toContain("400 days before expiry");
  });

  it("an auto-renew deadline before the renewal notice is refused: the owner would be told too late", () => {
    const violations = combined(null, { renewalNoticeDaysBeforeCharge: 3, autoRenewOffLeadDays: 5 });
    expect(violations).toEqual([
      expect.objectContaining({
        path: "registrars.tucows.autoRenewOffLeadDays",
        fields: ["autoRenewOffLeadDays", "renewalNoticeDaysBeforeCharge"],
      }),
    ]);
    // At the notice's own instant is still in time.
    expect(combined(null, { renewalNoticeDaysBeforeCharge: 5, autoRenewOffLeadDays: 5 })).toEqual([]);
  });

  it("an expiry warning before the term starts, or given twice, is refused", () => {
    const early = combined(null, { expiryWarningDaysBefore: [400, 7] });
    expect(early).toEqual([expect.objectContaining({ path: "registrars.tucows.expiryWarningDaysBefore" })]);
    expect(early[0]?.message).toContain("400");
    const twice = combined(null, { expiryWarningDaysBefore: [30, 30] });
    expect(twice).toEqual([expect.objectContaining({ path: "registrars.tucows.expiryWarningDaysBefore" })]);
  });

  it("a grace and redemption window so long that a late reactivation comes back already due is refused", () => {
    // Reactivated at the end of 355 days of grace: renewed to the old expiry + 1 year, whose
    // charge (15 days before it) was 6 days earlier.
    const violations = combined(null, { graceDays: 355 });
    expect(violations).toEqual([
      expect.objectContaining({
        path: "registrars.tucows",
        fields: ["graceDays", "redemption", "chargeLeadDays", "renewalYears"],
      }),
    ]);
    expect(violations[0]?.message).toContain("356 days after expiry");
    expect(combined(null, { graceDays: 200, redemption: { days: 200, restoreFee: {} } })).toHaveLength(1);
    // Two-year renewals leave room for it.
    expect(combined(null, { graceDays: 355, renewalYears: 2 })).toEqual([]);
    expect(combined(null, { graceDays: 349 })).toEqual([]);
    expect(combined(null, { graceDays: 350 })).toHaveLength(1);
  });

  it("subscriptions: an invoice lead of 45 days (two monthly terms) is refused", () => {
    const violations = combined({ invoiceDaysBefore: 45 });
    expect(violations).toEqual([
      expect.objectContaining({ path: "billing.invoiceDaysBefore", fields: ["invoiceDaysBefore"] }),
    ]);
    expect(violations[0]?.message).toContain("28 days");
    expect(combined({ invoiceDaysBefore: 27 })).toEqual([]);
    expect(combined({ invoiceDaysBefore: 28 })).toHaveLength(1);
  });

  it("subscriptions: a charge lead of 45 days is refused too, with both leads named", () => {
    const violations = combined({ invoiceDaysBefore: 45, chargeDaysBefore: 45 });
    expect(violations.map((v) => v.path)).toEqual(["billing.invoiceDaysBefore", "billing.chargeDaysBefore"]);
    expect(errorsOf({ billing: { invoiceDaysBefore: 45, chargeDaysBefore: 45 } })).toHaveLength(2);
  });

  it("subscriptions: a charge before the renewal invoice is issued is refused", () => {
    expect(combined({ invoiceDaysBefore: 3, chargeDaysBefore: 7 })).toEqual([
      expect.objectContaining({
        path: "billing.chargeDaysBefore",
        fields: ["chargeDaysBefore", "invoiceDaysBefore"],
      }),
    ]);
    expect(combined({ invoiceDaysBefore: 7, chargeDaysBefore: 7 })).toEqual([]);
  });

  it("subscriptions: retries that end at or after termination are refused", () => {
    const violations = combined({ attempts: 4, retryEveryDays: 10 });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.path).toBe("billing");
    expect(violations[0]?.fields).toEqual([
      "attempts",
      "retryEveryDays",
      "chargeDaysBefore",
      "terminateAfterDaysOverdue",
    ]);
    expect(violations[0]?.message).toMatch(/^retries \(4 attempts every 10 days = the last 30 days after/);
    // Charging earlier leaves the retries more room before the termination.
    expect(combined({ attempts: 4, retryEveryDays: 10, chargeDaysBefore: 1, invoiceDaysBefore: 14 })).toEqual(
      [],
    );
  });

  it("subscriptions: suspension after termination is refused", () => {
    expect(combined({ suspendAfterDaysOverdue: 40, terminateAfterDaysOverdue: 30 })).toEqual([
      expect.objectContaining({
        path: "billing.suspendAfterDaysOverdue",
        fields: ["suspendAfterDaysOverdue", "terminateAfterDaysOverdue"],
      }),
    ]);
  });

  it("every violation is reported at once, each with its field, and with the file's prefix", () => {
    const errors = errorsOf(
      {
        registrars: { tucows: { chargeLeadDays: 8 }, acme: { extends: "tucows", chargeLeadDays: 3650 } },
        billing: { invoiceDaysBefore: 45 },
      },
      "policies",
    );
    expect(errors).toEqual([
      expect.stringMatching(/^policies\.registrars\.tucows: retries/),
      expect.stringMatching(/^policies\.registrars\.acme\.chargeLeadDays: /),
      expect.stringMatching(/^policies\.billing\.invoiceDaysBefore: /),
    ]);
  });

  it("a registrar refused field by field does not hide the other sections' violations", () => {
    const errors = errorsOf({
      registrars: { acme: { extends: "nope" } },
      billing: { invoiceDaysBefore: 45 },
    });
    expect(errors).toEqual([
      'registrars.acme.extends: unknown registrar "nope"',
      expect.stringMatching(/^billing\.invoiceDaysBefore: /),
    ]);
  });
});

describe("the API and webhook numbers are policy (issue 13)", () => {
  it("defaults: 120 requests a minute per key; 10 s per attempt, Standard Webhooks' schedule, disabled after 5 days", () => {
    const policies = defaultPolicies();
    expect(policies.api).toEqual({ rateLimitPerMinute: 120 });
    expect(policies.webhooks.attemptTimeoutSeconds).toBe(10);
    expect(policies.webhooks.retryDelaysSeconds.slice(0, 7)).toEqual([
      5, 300, 1800, 7200, 18_000, 36_000, 36_000,
    ]);
    expect(policies.webhooks.disableAfterDays).toBe(5);
  });

  it("an operator's file changes them, and a webhook schedule giving up within 3 days is refused", () => {
    const result = resolvePolicies({
      api: { rateLimitPerMinute: 600 },
      webhooks: { retryDelaysSeconds: [60, 3600], disableAfterDays: 7 },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policies.api.rateLimitPerMinute).toBe(600);
    expect(retryDelay(1, result.policies.webhooks)).toBe(60_000);
    // The last step repeats.
    expect(retryDelay(9, result.policies.webhooks)).toBe(3_600_000);
    expect(resolvePolicies({ webhooks: { disableAfterDays: 2 } })).toEqual({
      ok: false,
      errors: [expect.stringMatching(/^webhooks\.disableAfterDays: at least 3 days/)],
    });
    expect(resolvePolicies({ api: { rateLimitPerMinute: 0 } }).ok).toBe(false);
  });
});
