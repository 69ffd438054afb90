import { describe, expect, it } from "vitest";
import {
  type DomainFacts,
  type DomainOverrides,
  domainSchedule,
  graceExtensionLimit,
  isAutoRenewEffective,
  NO_OVERRIDES,
  nextDomainStep,
  noticeMarker,
  overrideRefusal,
  reactivationWindow,
  restoreFeeOf,
  transferAllowedFrom,
} from "../../src/domain/domain-lifecycle.js";
import type { PeriodInvoiceFacts } from "../../src/domain/invoice-rules.js";
import { BUILT_IN_REGISTRARS, type RegistrarPolicy } from "../../src/domain/policies.js";

const utc = (text: string): number => Date.parse(text);
const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

function builtIn(name: string): RegistrarPolicy {
  const policy = BUILT_IN_REGISTRARS[name];
  if (!policy) throw new Error(`no built-in registrar ${name}`);
  return policy;
}

const squarespace = builtIn("squarespace-domains");
const tucows = builtIn("tucows");
const gtld = builtIn("gtld-registry");

/** Seed 004's example: registered 2021-04-15 at squarespace-domains, expiring 2022-04-15. */
const REGISTERED = utc("2021-04-15T14:00:00Z");
const EXPIRES = utc("2022-04-15T14:00:00Z");

/** Markers as the notice outbox records them. */
const RENEWAL_NOTICE_SENT = "renewal-upcoming@2022-04-15T14:00:00.000Z";
const EXPIRY_WARNING_30_SENT = "expiry-warning@2022-04-15T14:00:00.000Z-30d";
const VERIFICATION_SENT = "verification-required@2021-04-15T14:00:00.000Z";

function facts(overrides: Partial<DomainFacts> = {}): DomainFacts {
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
    issuedAt: utc("2022-03-31T14:00:00Z"),
    paidAt: null,
    voidedAt: null,
    attempts: 0,
    lastAttemptAt: null,
    ...overrides,
  };
}

describe("notice markers", () => {
  it("a marker is the template and the ISO instant it is about", () => {
    expect(noticeMarker("renewal-upcoming", EXPIRES)).toBe(RENEWAL_NOTICE_SENT);
    expect(noticeMarker("expiry-warning", "2022-04-15T14:00:00.000Z-30d")).toBe(EXPIRY_WARNING_30_SENT);
  });
});

describe("the dates of seed 004's example (squarespace-domains, registered 2021-04-15)", () => {
  const s = domainSchedule(EXPIRES, squarespace);

  it("the renewal notice goes out on 2022-03-16", () => {
    expect(iso(s.renewalNoticeAt)).toBe("2022-03-16T14:00:00.000Z");
  });

  it("the card is charged on 2022-03-31", () => {
    expect(iso(s.chargeAt)).toBe("2022-03-31T14:00:00.000Z");
  });

  it("auto-renew must be off by 2022-03-30, one day before the charge", () => {
    expect(iso(s.autoRenewDeadline)).toBe("2022-03-30T14:00:00.000Z");
  });

  it("the domain expires on 2022-04-15", () => {
    expect(iso(s.expiresAt)).toBe("2022-04-15T14:00:00.000Z");
  });

  it("reactivation is possible until 2022-06-14", () => {
    expect(iso(s.graceEndsAt)).toBe("2022-06-14T14:00:00.000Z");
  });

  it("the name is released for public registration on 2022-06-15", () => {
    expect(iso(s.releaseAt)).toBe("2022-06-15T14:00:00.000Z");
  });

  it("there is no redemption or pending delete at squarespace-domains", () => {
    expect(s.redemptionStartsAt).toBeNull();
    expect(s.pendingDeleteStartsAt).toBeNull();
  });

  it("the domain becomes transferable on 2021-06-15", () => {
    expect(iso(transferAllowedFrom(REGISTERED, squarespace))).toBe("2021-06-15T14:00:00.000Z");
  });

  it("an unverified domain is suspended on 2021-04-30", () => {
    const step = nextDomainStep(
      facts({ emailVerified: false, sentNotices: new Set([VERIFICATION_SENT]) }),
      squarespace,
      REGISTERED,
    );
    expect(step).toEqual({ kind: "suspend-unverified", at: utc("2021-04-30T14:00:00Z") });
  });

  it("tucows releases 30 days after expiry: 45 days after the charge date", () => {
    const t = domainSchedule(EXPIRES, tucows);
    expect(iso(t.graceEndsAt)).toBe("2022-05-15T14:00:00.000Z");
    expect(iso(t.releaseAt)).toBe("2022-05-16T14:00:00.000Z");
    expect((t.graceEndsAt - t.chargeAt) / 86_400_000).toBe(45);
  });

  it("a gTLD goes through 30 days of redemption and 5 days of pending delete before release", () => {
    const g = domainSchedule(EXPIRES, gtld);
    expect(iso(g.graceEndsAt)).toBe("2022-05-15T14:00:00.000Z");
    expect(iso(g.redemptionStartsAt)).toBe("2022-05-16T14:00:00.000Z");
    expect(iso(g.pendingDeleteStartsAt)).toBe("2022-06-15T14:00:00.000Z");
    expect(iso(g.releaseAt)).toBe("2022-06-20T14:00:00.000Z");
  });
});

describe("auto-renew on, the renewal goes through", () => {
  it("the next step is the renewal notice on 2022-03-16", () => {
    expect(nextDomainStep(facts(), squarespace, utc("2022-03-16T14:00:00Z"))).toEqual({
      kind: "send-renewal-notice",
      at: utc("2022-03-16T14:00:00Z"),
    });
  });

  it("months ahead the next step is already known to be the 2022-03-16 notice", () => {
    expect(nextDomainStep(facts(), squarespace, utc("2021-12-01T00:00:00Z"))).toEqual({
      kind: "send-renewal-notice",
      at: utc("2022-03-16T14:00:00Z"),
    });
  });

  it("once the notice is sent, the first charge attempt is on 2022-03-31", () => {
    const d = facts({ sentNotices: new Set([RENEWAL_NOTICE_SENT]) });
    expect(nextDomainStep(d, squarespace, utc("2022-03-16T14:00:01Z"))).toEqual({
      kind: "charge",
      at: utc("2022-03-31T14:00:00Z"),
      invoiceId: null,
      attempt: 1,
    });
  });

  it("a domain with no price (legacy free) is renewed free on the charge date, with no charge", () => {
    const d = facts({
      quote: { price: { amount: 0, currency: "USD" }, basis: "legacy-free" },
      sentNotices: new Set([RENEWAL_NOTICE_SENT]),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-03-20T00:00:00Z"))).toEqual({
      kind: "renew-free",
      at: utc("2022-03-31T14:00:00Z"),
    });
  });

  it("a paid renewal invoice is applied at the registrar before anything else", () => {
    const d = facts({
      renewal: invoice({ status: "paid", paidAt: utc("2022-03-31T14:00:05Z"), attempts: 1 }),
      sentNotices: new Set([RENEWAL_NOTICE_SENT]),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-03-31T14:01:00Z"))).toEqual({
      kind: "renew-at-registrar",
      at: utc("2022-03-31T14:00:05Z"),
      invoiceId: 41,
    });
  });

  it("a paid renewal not yet applied is still applied before expiry after an outage", () => {
    const d = facts({
      renewal: invoice({ status: "paid", paidAt: utc("2022-04-01T09:00:00Z"), attempts: 2 }),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-04-20T00:00:00Z"))?.kind).toBe("renew-at-registrar");
  });

  it("a renewal paid after the expiry instant (engine down meanwhile) renews instead of expiring", () => {
    const d = facts({
      renewal: invoice({ status: "paid", paidAt: utc("2022-04-16T09:00:00Z"), attempts: 1 }),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-04-16T09:00:01Z"))).toEqual({
      kind: "renew-at-registrar",
      at: utc("2022-04-16T09:00:00Z"),
      invoiceId: 41,
    });
  });

  it("a charge whose outcome is unknown is resolved with the gateway before any retry", () => {
    const d = facts({
      renewal: invoice({ attempts: 1, lastAttemptAt: utc("2022-03-31T14:00:00Z") }),
      pendingPaymentSince: utc("2022-03-31T14:00:00Z"),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-04-06T00:00:00Z"))).toEqual({
      kind: "resolve-payment",
      at: utc("2022-03-31T14:00:00Z"),
    });
  });

  it("a charge missed during an outage before expiry is still tried before the domain expires", () => {
    const d = facts({ sentNotices: new Set([RENEWAL_NOTICE_SENT]) });
    expect(nextDomainStep(d, squarespace, utc("2022-04-16T00:00:00Z"))).toEqual({
      kind: "charge",
      at: utc("2022-03-31T14:00:00Z"),
      invoiceId: null,
      attempt: 1,
    });
  });

  it("a charge made late after an outage and left pending by a crash is resolved before the domain expires", () => {
    // Engine down from 03-30 to 04-16: the missed charge runs on 04-16 (see the test above), the
    // worker commits the pending payment and crashes before recording the gateway's answer.
    const d = facts({
      renewal: invoice({ attempts: 1, lastAttemptAt: utc("2022-04-16T00:00:00Z") }),
      pendingPaymentSince: utc("2022-04-16T00:00:00Z"),
      sentNotices: new Set([RENEWAL_NOTICE_SENT]),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-04-16T00:05:00Z"))).toEqual({
      kind: "resolve-payment",
      at: utc("2022-04-16T00:00:00Z"),
    });
  });

  it("no expiry warning is sent at squarespace-domains when the domain will renew", () => {
    const d = facts({ sentNotices: new Set([RENEWAL_NOTICE_SENT]) });
    expect(nextDomainStep(d, squarespace, utc("2022-03-16T14:00:00Z"))?.kind).toBe("charge");
  });

  it("a gTLD sends the one-month warning even with auto-renew on, before the renewal notice", () => {
    expect(nextDomainStep(facts(), gtld, utc("2022-03-16T14:00:00Z"))).toEqual({
      kind: "send-expiry-warning",
      at: utc("2022-03-16T14:00:00Z"),
      daysBefore: 30,
    });
  });

  it("a gTLD sends the one-week warning on 2022-04-08 while the renewal is still unpaid", () => {
    const d = facts({
      renewal: invoice({ attempts: 2, lastAttemptAt: utc("2022-04-05T14:00:00Z") }),
      sentNotices: new Set([RENEWAL_NOTICE_SENT, EXPIRY_WARNING_30_SENT]),
    });
    expect(nextDomainStep(d, gtld, utc("2022-04-06T00:00:00Z"))).toEqual({
      kind: "send-expiry-warning",
      at: utc("2022-04-08T14:00:00Z"),
      daysBefore: 7,
    });
  });
});

describe("failed charges: retries every 5 days, 3 attempts, then expiry", () => {
  it("after the first attempt failed on 2022-03-31, the second is on 2022-04-05", () => {
    const d = facts({ renewal: invoice({ attempts: 1, lastAttemptAt: utc("2022-03-31T14:00:00Z") }) });
    expect(nextDomainStep(d, squarespace, utc("2022-03-31T14:00:01Z"))).toEqual({
      kind: "charge",
      at: utc("2022-04-05T14:00:00Z"),
      invoiceId: 41,
      attempt: 2,
    });
  });

  it("after the second attempt failed on 2022-04-05, the third is on 2022-04-10", () => {
    const d = facts({ renewal: invoice({ attempts: 2, lastAttemptAt: utc("2022-04-05T14:00:00Z") }) });
    expect(nextDomainStep(d, squarespace, utc("2022-04-05T14:00:01Z"))).toEqual({
      kind: "charge",
      at: utc("2022-04-10T14:00:00Z"),
      invoiceId: 41,
      attempt: 3,
    });
  });

  it("after three failed attempts the domain expires on 2022-04-15", () => {
    const d = facts({ renewal: invoice({ attempts: 3, lastAttemptAt: utc("2022-04-10T14:00:00Z") }) });
    expect(nextDomainStep(d, squarespace, utc("2022-04-10T14:00:01Z"))).toEqual({
      kind: "expire",
      at: utc("2022-04-15T14:00:00Z"),
    });
  });

  it("an open renewal invoice never charged yet is charged on the charge date as attempt 1", () => {
    const d = facts({ renewal: invoice({ attempts: 0, lastAttemptAt: null }) });
    expect(nextDomainStep(d, squarespace, utc("2022-03-20T00:00:00Z"))).toEqual({
      kind: "charge",
      at: utc("2022-03-31T14:00:00Z"),
      invoiceId: 41,
      attempt: 1,
    });
  });

  it("a retry that would fall on or after the expiry is not made", () => {
    const d = facts({ renewal: invoice({ attempts: 1, lastAttemptAt: utc("2022-04-12T00:00:00Z") }) });
    expect(nextDomainStep(d, squarespace, utc("2022-04-12T00:00:01Z"))?.kind).toBe("expire");
  });
});

describe("auto-renew turned off", () => {
  const offEarly = { autoRenew: false, autoRenewChangedAt: utc("2022-03-01T10:00:00Z") };

  it("turned off on 2022-03-01, auto-renew is no longer effective", () => {
    expect(isAutoRenewEffective(facts(offEarly), squarespace)).toBe(false);
  });

  it("turned off on 2022-03-01: an expiry warning 30 days before expiry, on 2022-03-16, and no charge", () => {
    expect(nextDomainStep(facts(offEarly), squarespace, utc("2022-03-02T00:00:00Z"))).toEqual({
      kind: "send-expiry-warning",
      at: utc("2022-03-16T14:00:00Z"),
      daysBefore: 30,
    });
  });

  it("turned off on 2022-03-01: once warned, the next step is expiry on 2022-04-15", () => {
    const d = facts({ ...offEarly, sentNotices: new Set([EXPIRY_WARNING_30_SENT]) });
    expect(nextDomainStep(d, squarespace, utc("2022-03-16T14:00:01Z"))).toEqual({
      kind: "expire",
      at: utc("2022-04-15T14:00:00Z"),
    });
  });

  it("turned off on 2022-03-30 at 20:00, less than a day before the charge: the renewal still happens", () => {
    const d = facts({
      autoRenew: false,
      autoRenewChangedAt: utc("2022-03-30T20:00:00Z"),
      sentNotices: new Set([RENEWAL_NOTICE_SENT]),
    });
    expect(isAutoRenewEffective(d, squarespace)).toBe(true);
    expect(nextDomainStep(d, squarespace, utc("2022-03-30T20:00:01Z"))).toEqual({
      kind: "charge",
      at: utc("2022-03-31T14:00:00Z"),
      invoiceId: null,
      attempt: 1,
    });
  });

  it("turned off exactly one day before the charge stops the renewal", () => {
    const d = facts({ autoRenew: false, autoRenewChangedAt: utc("2022-03-30T14:00:00Z") });
    expect(isAutoRenewEffective(d, squarespace)).toBe(false);
  });

  it("off since it was registered (no change recorded): not renewed", () => {
    expect(isAutoRenewEffective(facts({ autoRenew: false, autoRenewChangedAt: null }), squarespace)).toBe(
      false,
    );
  });

  it("a voided renewal is not reopened while auto-renew stays off", () => {
    const d = facts({
      ...offEarly,
      renewal: invoice({ status: "void", voidedAt: utc("2022-03-01T10:00:01Z") }),
      sentNotices: new Set([EXPIRY_WARNING_30_SENT]),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-03-20T00:00:00Z"))?.kind).toBe("expire");
  });

  it("turned back on after its renewal invoice was voided, the domain is charged again", () => {
    const d = facts({
      autoRenew: true,
      autoRenewChangedAt: utc("2022-04-02T09:00:00Z"),
      renewal: invoice({ status: "void", voidedAt: utc("2022-04-01T09:00:00Z"), attempts: 1 }),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-04-02T09:00:01Z"))).toEqual({
      kind: "charge",
      at: utc("2022-03-31T14:00:00Z"),
      invoiceId: null,
      attempt: 1,
    });
  });
});

describe("e-mail verification of a new registration", () => {
  it("an unverified domain is first sent the verification notice at registration", () => {
    expect(nextDomainStep(facts({ emailVerified: false }), squarespace, REGISTERED)).toEqual({
      kind: "send-verification-notice",
      at: REGISTERED,
    });
  });

  it("a verified domain gets no verification steps", () => {
    expect(nextDomainStep(facts(), squarespace, REGISTERED)?.kind).toBe("send-renewal-notice");
  });

  it("a domain already suspended for verification is not suspended again", () => {
    const d = facts({ status: "suspended", emailVerified: false, sentNotices: new Set([VERIFICATION_SENT]) });
    expect(nextDomainStep(d, squarespace, utc("2021-05-01T00:00:00Z"))?.kind).toBe("send-renewal-notice");
  });
});

describe("legacy free domain whose site lapsed", () => {
  const lapsed = { isLegacySiteLapsed: true };

  it("is warned 30 days before expiry, and gets no renewal notice", () => {
    expect(nextDomainStep(facts(lapsed), squarespace, utc("2022-03-01T00:00:00Z"))).toEqual({
      kind: "send-expiry-warning",
      at: utc("2022-03-16T14:00:00Z"),
      daysBefore: 30,
    });
  });

  it("loses its offer at the charge instant instead of being charged", () => {
    const d = facts({ ...lapsed, sentNotices: new Set([EXPIRY_WARNING_30_SENT]) });
    expect(nextDomainStep(d, squarespace, utc("2022-03-17T00:00:00Z"))).toEqual({
      kind: "lapse-legacy-offer",
      at: utc("2022-03-31T14:00:00Z"),
    });
  });
});

describe("after expiry", () => {
  it("at squarespace-domains an expired domain is released on 2022-06-15", () => {
    expect(nextDomainStep(facts({ status: "expired" }), squarespace, utc("2022-04-15T14:00:01Z"))).toEqual({
      kind: "release",
      at: utc("2022-06-15T14:00:00Z"),
    });
  });

  it("at tucows an expired domain is released on 2022-05-16", () => {
    expect(nextDomainStep(facts({ status: "expired" }), tucows, utc("2022-04-15T14:00:01Z"))).toEqual({
      kind: "release",
      at: utc("2022-05-16T14:00:00Z"),
    });
  });

  it("a paid reactivation is applied at the registrar before the release", () => {
    const d = facts({
      status: "expired",
      reactivation: invoice({ id: 77, status: "paid", paidAt: utc("2022-05-01T10:00:00Z"), attempts: 1 }),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-05-01T10:00:01Z"))).toEqual({
      kind: "renew-at-registrar",
      at: utc("2022-05-01T10:00:00Z"),
      invoiceId: 77,
    });
  });

  it("an expired domain gets no charge even with an open renewal invoice", () => {
    const d = facts({
      status: "expired",
      renewal: invoice({ attempts: 1, lastAttemptAt: utc("2022-04-12T00:00:00Z") }),
    });
    expect(nextDomainStep(d, squarespace, utc("2022-04-16T00:00:00Z"))?.kind).toBe("release");
  });

  it("a gTLD enters redemption on 2022-05-16, after 30 days of grace", () => {
    expect(nextDomainStep(facts({ status: "expired" }), gtld, utc("2022-04-15T14:00:01Z"))).toEqual({
      kind: "start-redemption",
      at: utc("2022-05-16T14:00:00Z"),
    });
  });

  it("a gTLD in redemption is released on 2022-06-20, after 30 days of redemption and 5 of pending delete", () => {
    expect(nextDomainStep(facts({ status: "redemption" }), gtld, utc("2022-05-16T14:00:01Z"))).toEqual({
      kind: "release",
      at: utc("2022-06-20T14:00:00Z"),
    });
  });

  it.each(["released", "transferred-out", "deleted"] as const)(
    "a %s domain has nothing left to do",
    (status) => {
      expect(nextDomainStep(facts({ status }), squarespace, utc("2022-07-01T00:00:00Z"))).toBeNull();
    },
  );
});

describe("when the owner may reactivate or restore", () => {
  it("an expired domain can be reactivated during the 60 days of grace, up to 2022-06-14", () => {
    const d = { status: "expired" as const, expiresAt: EXPIRES };
    expect(reactivationWindow(d, squarespace, utc("2022-04-15T14:00:00Z"))).toBe("reactivate");
    expect(reactivationWindow(d, squarespace, utc("2022-06-14T23:00:00Z"))).toBe("reactivate");
  });

  it("an expired domain can no longer be reactivated from its release on 2022-06-15", () => {
    const d = { status: "expired" as const, expiresAt: EXPIRES };
    expect(reactivationWindow(d, squarespace, utc("2022-06-15T14:00:00Z"))).toBeNull();
  });

  it("at tucows reactivation ends with the 30 days of grace", () => {
    const d = { status: "expired" as const, expiresAt: EXPIRES };
    expect(reactivationWindow(d, tucows, utc("2022-05-16T13:59:59Z"))).toBe("reactivate");
    expect(reactivationWindow(d, tucows, utc("2022-05-16T14:00:00Z"))).toBeNull();
  });

  it("a gTLD in redemption can be restored until pending delete starts on 2022-06-15", () => {
    const d = { status: "redemption" as const, expiresAt: EXPIRES };
    expect(reactivationWindow(d, gtld, utc("2022-06-15T13:59:59Z"))).toBe("restore");
    expect(reactivationWindow(d, gtld, utc("2022-06-15T14:00:00Z"))).toBeNull();
  });

  it("an active or released domain has no reactivation window", () => {
    expect(reactivationWindow({ status: "active", expiresAt: EXPIRES }, squarespace, EXPIRES)).toBeNull();
    expect(reactivationWindow({ status: "released", expiresAt: EXPIRES }, squarespace, EXPIRES)).toBeNull();
  });
});

describe("transfer-out lock", () => {
  it("a domain transferred in on 2022-01-10 can leave again from 2022-03-12", () => {
    expect(iso(transferAllowedFrom(utc("2022-01-10T09:00:00Z"), squarespace))).toBe(
      "2022-03-12T09:00:00.000Z",
    );
  });

  it("follows the registrar's configured lock length", () => {
    expect(iso(transferAllowedFrom(REGISTERED, { ...squarespace, transferLockDays: 30 }))).toBe(
      "2021-05-16T14:00:00.000Z",
    );
  });
});

describe("staff overrides (back office): the rules read them", () => {
  const granted = (o: Partial<DomainOverrides>): DomainOverrides => ({ ...NO_OVERRIDES, ...o });
  const extended = granted({ graceExtensionDays: 10 });

  it("a 10-day grace extension at squarespace-domains: reactivate until 2022-06-24, released 2022-06-25", () => {
    const s = domainSchedule(EXPIRES, squarespace, extended);
    expect(iso(s.graceEndsAt)).toBe("2022-06-24T14:00:00.000Z");
    expect(iso(s.releaseAt)).toBe("2022-06-25T14:00:00.000Z");
    // What comes before expiry does not move.
    expect(iso(s.chargeAt)).toBe("2022-03-31T14:00:00.000Z");
    expect(iso(s.expiresAt)).toBe("2022-04-15T14:00:00.000Z");
  });

  it("at a gTLD the extension moves redemption, pending delete and release by the same days", () => {
    const g = domainSchedule(EXPIRES, gtld, extended);
    expect(iso(g.graceEndsAt)).toBe("2022-05-25T14:00:00.000Z");
    expect(iso(g.redemptionStartsAt)).toBe("2022-05-26T14:00:00.000Z");
    expect(iso(g.pendingDeleteStartsAt)).toBe("2022-06-25T14:00:00.000Z");
    expect(iso(g.releaseAt)).toBe("2022-06-30T14:00:00.000Z");
  });

  it("a negative extension read from a bad row never shortens the registrar's grace", () => {
    expect(domainSchedule(EXPIRES, squarespace, granted({ graceExtensionDays: -5 }))).toEqual(
      domainSchedule(EXPIRES, squarespace),
    );
  });

  it("reactivation stays open through the extended grace, and closes the day after it", () => {
    const d = { status: "expired" as const, expiresAt: EXPIRES, overrides: extended };
    expect(reactivationWindow(d, squarespace, utc("2022-06-20T12:00:00Z"))).toBe("reactivate");
    expect(
      reactivationWindow({ ...d, overrides: NO_OVERRIDES }, squarespace, utc("2022-06-20T12:00:00Z")),
    ).toBeNull();
    expect(reactivationWindow(d, squarespace, utc("2022-06-25T13:59:59Z"))).toBe("reactivate");
    expect(reactivationWindow(d, squarespace, utc("2022-06-25T14:00:00Z"))).toBeNull();
  });

  it("the engine's next step for an expired domain is the release at the extended date", () => {
    const now = utc("2022-04-15T14:00:01Z");
    expect(nextDomainStep(facts({ status: "expired", overrides: extended }), squarespace, now)).toEqual({
      kind: "release",
      at: utc("2022-06-25T14:00:00Z"),
    });
    expect(nextDomainStep(facts({ status: "expired", overrides: extended }), gtld, now)).toEqual({
      kind: "start-redemption",
      at: utc("2022-05-26T14:00:00Z"),
    });
    expect(nextDomainStep(facts({ status: "redemption", overrides: extended }), gtld, now)).toEqual({
      kind: "release",
      at: utc("2022-06-30T14:00:00Z"),
    });
  });

  it("the restore fee is the registry's, 0 when waived, and none where there is no redemption", () => {
    expect(restoreFeeOf(gtld, "USD")).toBe(8000);
    expect(restoreFeeOf(gtld, "USD", granted({ restoreFeeWaived: true }))).toBe(0);
    expect(restoreFeeOf(gtld, "JPY")).toBeUndefined();
    expect(restoreFeeOf(gtld, "JPY", granted({ restoreFeeWaived: true }))).toBe(0);
    expect(restoreFeeOf(squarespace, "USD", granted({ restoreFeeWaived: true }))).toBeUndefined();
  });

  it("a lifted transfer lock allows transfer-out from the lift; a lift from before the lock began does not", () => {
    const lifted = utc("2021-05-01T10:00:00Z");
    expect(iso(transferAllowedFrom(REGISTERED, squarespace, lifted))).toBe("2021-05-01T10:00:00.000Z");
    expect(iso(transferAllowedFrom(REGISTERED, squarespace, null))).toBe("2021-06-15T14:00:00.000Z");
    // Lifted after the lock had ended anyway: the lock's end stands.
    expect(iso(transferAllowedFrom(REGISTERED, squarespace, utc("2021-07-01T00:00:00Z")))).toBe(
      "2021-06-15T14:00:00.000Z",
    );
    // Transferred in again after a lift: the new lock applies in full.
    const transferredIn = utc("2022-01-10T09:00:00Z");
    expect(iso(transferAllowedFrom(transferredIn, squarespace, lifted))).toBe("2022-03-12T09:00:00.000Z");
  });

  describe("which overrides can be granted", () => {
    const domain = (o: Partial<DomainFacts> & { lockStartAt?: number } = {}) => ({
      ...facts(o),
      lockStartAt: o.lockStartAt ?? REGISTERED,
    });
    const extend = (days: number) => ({ kind: "extend-grace" as const, days });

    it("grace is extended by 1 up to the limit in total: the redemption's length, else 30 days", () => {
      expect(graceExtensionLimit(gtld)).toBe(30);
      expect(graceExtensionLimit(squarespace)).toBe(30);
      expect(graceExtensionLimit({ ...gtld, redemption: { days: 45, restoreFee: {} } })).toBe(45);
      const now = utc("2022-04-01T00:00:00Z");
      expect(overrideRefusal(domain(), extend(1), squarespace, now)).toBeNull();
      expect(overrideRefusal(domain(), extend(30), squarespace, now)).toBeNull();
      expect(overrideRefusal(domain(), extend(31), squarespace, now)).toBe("days-out-of-range");
      expect(overrideRefusal(domain(), extend(0), squarespace, now)).toBe("days-out-of-range");
      expect(overrideRefusal(domain(), extend(2.5), squarespace, now)).toBe("days-out-of-range");
      const already = domain({ overrides: granted({ graceExtensionDays: 25 }) });
      expect(overrideRefusal(already, extend(5), squarespace, now)).toBeNull();
      expect(overrideRefusal(already, extend(6), squarespace, now)).toBe("days-out-of-range");
    });

    it("grace can be extended while it runs, not once it is over", () => {
      const expired = domain({ status: "expired" });
      expect(overrideRefusal(expired, extend(5), squarespace, utc("2022-06-14T20:00:00Z"))).toBeNull();
      expect(overrideRefusal(expired, extend(5), squarespace, utc("2022-06-15T14:00:00Z"))).toBe(
        "grace-over",
      );
      expect(
        overrideRefusal(domain({ status: "redemption" }), extend(5), gtld, utc("2022-05-20T00:00:00Z")),
      ).toBe("grace-over");
    });

    it("nothing is granted to a released, deleted or transferred-out domain", () => {
      for (const status of ["released", "deleted", "transferred-out"] as const) {
        expect(overrideRefusal(domain({ status }), { kind: "verify-email" }, squarespace, EXPIRES)).toBe(
          "ended",
        );
      }
    });

    it("the restore fee is waived once, where the registrar has one", () => {
      expect(overrideRefusal(domain(), { kind: "waive-restore-fee" }, gtld, EXPIRES)).toBeNull();
      expect(overrideRefusal(domain(), { kind: "waive-restore-fee" }, squarespace, EXPIRES)).toBe(
        "no-restore-fee",
      );
      const waived = domain({ overrides: granted({ restoreFeeWaived: true }) });
      expect(overrideRefusal(waived, { kind: "waive-restore-fee" }, gtld, EXPIRES)).toBe("already");
    });

    it("the e-mail is marked verified once", () => {
      expect(
        overrideRefusal(domain({ emailVerified: false }), { kind: "verify-email" }, squarespace, EXPIRES),
      ).toBeNull();
      expect(overrideRefusal(domain(), { kind: "verify-email" }, squarespace, EXPIRES)).toBe("already");
    });

    it("the transfer lock is lifted only while it holds", () => {
      const lift = { kind: "lift-transfer-lock" as const };
      expect(overrideRefusal(domain(), lift, squarespace, utc("2021-05-01T00:00:00Z"))).toBeNull();
      expect(overrideRefusal(domain(), lift, squarespace, utc("2021-06-15T14:00:00Z"))).toBe("not-locked");
      const lifted = domain({ overrides: granted({ transferLockLiftedAt: utc("2021-04-20T00:00:00Z") }) });
      expect(overrideRefusal(lifted, lift, squarespace, utc("2021-05-01T00:00:00Z"))).toBe("not-locked");
    });
  });
});
