import { describe, expect, it } from "vitest";
import type { PeriodInvoiceFacts } from "../../src/domain/invoice-rules.js";
import { DEFAULT_BILLING } from "../../src/domain/policies.js";
import {
  cancellationEffectiveAt,
  nextSubscriptionStep,
  type SubscriptionFacts,
  subscriptionSchedule,
  termEnd,
} from "../../src/domain/subscription-lifecycle.js";

const policy = DEFAULT_BILLING;
const utc = (text: string): number => Date.parse(text);
const iso = (at: number): string => new Date(at).toISOString();

/** A yearly hosting plan whose term ends (and renewal falls due) on 2022-05-01. */
const TERM_END = utc("2022-05-01T00:00:00Z");

function sub(overrides: Partial<SubscriptionFacts> = {}): SubscriptionFacts {
  return {
    status: "active",
    termEndsAt: TERM_END,
    pendingCancellation: null,
    renewal: null,
    pendingPaymentSince: null,
    ...overrides,
  };
}

function invoice(overrides: Partial<PeriodInvoiceFacts> = {}): PeriodInvoiceFacts {
  return {
    id: 9,
    status: "open",
    issuedAt: utc("2022-04-17T00:00:00Z"),
    paidAt: null,
    voidedAt: null,
    attempts: 0,
    lastAttemptAt: null,
    ...overrides,
  };
}

describe("the renewal schedule of a subscription", () => {
  it("the renewal invoice is issued 14 days before the end of the term", () => {
    expect(nextSubscriptionStep(sub(), policy)).toEqual({
      kind: "issue-invoice",
      at: utc("2022-04-17T00:00:00Z"),
    });
  });

  it("the schedule: invoice 04-17, charge 05-01, suspend 05-06, terminate 05-31", () => {
    const s = subscriptionSchedule(TERM_END, policy);
    expect(iso(s.invoiceAt)).toBe("2022-04-17T00:00:00.000Z");
    expect(iso(s.chargeAt)).toBe("2022-05-01T00:00:00.000Z");
    expect(iso(s.suspendAt)).toBe("2022-05-06T00:00:00.000Z");
    expect(iso(s.terminateAt)).toBe("2022-05-31T00:00:00.000Z");
  });

  it("the card is charged on the due date once the invoice is issued", () => {
    expect(nextSubscriptionStep(sub({ renewal: invoice() }), policy)).toEqual({
      kind: "charge",
      at: TERM_END,
      invoiceId: 9,
      attempt: 1,
    });
  });

  it("with a 2-day charge lead, the card is charged two days before the due date", () => {
    const step = nextSubscriptionStep(sub({ renewal: invoice() }), { ...policy, chargeDaysBefore: 2 });
    expect(step).toEqual({ kind: "charge", at: utc("2022-04-29T00:00:00Z"), invoiceId: 9, attempt: 1 });
  });

  it("a paid renewal leaves nothing to do in this term", () => {
    const paid = invoice({ status: "paid", paidAt: TERM_END, attempts: 1, lastAttemptAt: TERM_END });
    expect(nextSubscriptionStep(sub({ renewal: paid }), policy)).toBeNull();
  });
});

describe("failed renewal payments", () => {
  it("after the first failure on the due date, the card is retried 3 days later", () => {
    const r = invoice({ attempts: 1, lastAttemptAt: TERM_END });
    expect(nextSubscriptionStep(sub({ renewal: r }), policy)).toEqual({
      kind: "charge",
      at: utc("2022-05-04T00:00:00Z"),
      invoiceId: 9,
      attempt: 2,
    });
  });

  it("after the second failure, the service is suspended 5 days after the due date, before the third try", () => {
    const r = invoice({ attempts: 2, lastAttemptAt: utc("2022-05-04T00:00:00Z") });
    expect(nextSubscriptionStep(sub({ renewal: r }), policy)).toEqual({
      kind: "suspend",
      at: utc("2022-05-06T00:00:00Z"),
      invoiceId: 9,
    });
  });

  it("a suspended service still gets its third and last attempt, 6 days after the due date", () => {
    const r = invoice({ attempts: 2, lastAttemptAt: utc("2022-05-04T00:00:00Z") });
    expect(nextSubscriptionStep(sub({ status: "suspended", renewal: r }), policy)).toEqual({
      kind: "charge",
      at: utc("2022-05-07T00:00:00Z"),
      invoiceId: 9,
      attempt: 3,
    });
  });

  it("after three failed attempts, an active service is suspended 5 days after the due date", () => {
    const r = invoice({ attempts: 3, lastAttemptAt: utc("2022-05-07T00:00:00Z") });
    expect(nextSubscriptionStep(sub({ renewal: r }), policy)).toEqual({
      kind: "suspend",
      at: utc("2022-05-06T00:00:00Z"),
      invoiceId: 9,
    });
  });

  it("a suspended service still unpaid is terminated 30 days after the due date", () => {
    const r = invoice({ attempts: 3, lastAttemptAt: utc("2022-05-07T00:00:00Z") });
    expect(nextSubscriptionStep(sub({ status: "suspended", renewal: r }), policy)).toEqual({
      kind: "terminate",
      at: utc("2022-05-31T00:00:00Z"),
      invoiceId: 9,
    });
  });

  it("a charge whose outcome is unknown is resolved before any retry or suspension", () => {
    const r = invoice({ attempts: 1, lastAttemptAt: TERM_END });
    const step = nextSubscriptionStep(sub({ renewal: r, pendingPaymentSince: TERM_END }), policy);
    expect(step).toEqual({ kind: "resolve-payment", at: TERM_END });
  });

  it("after an outage, a charge left pending is resolved before the service is suspended", () => {
    // Engine down from 04-30 to 06-02: the missed first charge runs on 06-02 and the worker
    // crashes after committing the pending payment, before recording the gateway's answer.
    const r = invoice({ attempts: 1, lastAttemptAt: utc("2022-06-02T00:00:00Z") });
    const step = nextSubscriptionStep(
      sub({ renewal: r, pendingPaymentSince: utc("2022-06-02T00:00:00Z") }),
      policy,
    );
    expect(step).toEqual({ kind: "resolve-payment", at: utc("2022-06-02T00:00:00Z") });
  });
});

describe("cancellation (seed 000)", () => {
  it("a pending end-of-term cancellation is the only step: no renewal invoice is issued", () => {
    const s = sub({ pendingCancellation: { when: "end-of-term", effectiveAt: TERM_END } });
    expect(nextSubscriptionStep(s, policy)).toEqual({ kind: "cancel", at: TERM_END });
  });

  it("a pending cancellation stops charging an open renewal invoice", () => {
    const s = sub({
      pendingCancellation: { when: "end-of-term", effectiveAt: TERM_END },
      renewal: invoice({ attempts: 1, lastAttemptAt: utc("2022-04-20T00:00:00Z") }),
    });
    expect(nextSubscriptionStep(s, policy)).toEqual({ kind: "cancel", at: TERM_END });
  });

  it("an unknown charge outcome is still resolved before a pending cancellation", () => {
    const s = sub({
      pendingCancellation: { when: "immediate", effectiveAt: utc("2022-04-20T10:00:00Z") },
      pendingPaymentSince: utc("2022-04-20T09:00:00Z"),
    });
    expect(nextSubscriptionStep(s, policy)).toEqual({
      kind: "resolve-payment",
      at: utc("2022-04-20T09:00:00Z"),
    });
  });

  it("after a cancellation is withdrawn, a voided renewal invoice is issued again", () => {
    const s = sub({ renewal: invoice({ status: "void", voidedAt: utc("2022-04-18T00:00:00Z") }) });
    expect(nextSubscriptionStep(s, policy)).toEqual({
      kind: "issue-invoice",
      at: utc("2022-04-17T00:00:00Z"),
    });
  });

  it.each(["cancelled", "terminated"] as const)("a %s service has nothing left to do", (status) => {
    expect(nextSubscriptionStep(sub({ status, renewal: invoice() }), policy)).toBeNull();
  });

  it("an immediate cancellation takes effect 4 hours after the request by default, inside seed 000's 24 h", () => {
    const now = utc("2022-02-10T15:30:00Z");
    expect(iso(cancellationEffectiveAt("immediate", now, TERM_END, policy))).toBe("2022-02-10T19:30:00.000Z");
  });

  it("an immediate cancellation can be carried out at once (0 hours)", () => {
    const now = utc("2022-02-10T15:30:00Z");
    const at = cancellationEffectiveAt("immediate", now, TERM_END, {
      ...policy,
      immediateCancellationAfterHours: 0,
    });
    expect(at).toBe(now);
  });

  it("an immediate cancellation can be carried out up to 24 hours later", () => {
    const now = utc("2022-02-10T15:30:00Z");
    const later = cancellationEffectiveAt("immediate", now, TERM_END, {
      ...policy,
      immediateCancellationAfterHours: 24,
    });
    expect(iso(later)).toBe("2022-02-11T15:30:00.000Z");
  });

  it("an end-of-term cancellation takes effect when the contract ends", () => {
    expect(cancellationEffectiveAt("end-of-term", utc("2022-02-10T15:30:00Z"), TERM_END, policy)).toBe(
      TERM_END,
    );
  });

  it("an end-of-term cancellation requested after the term ended takes effect at once", () => {
    const now = utc("2022-05-03T08:00:00Z");
    expect(cancellationEffectiveAt("end-of-term", now, TERM_END, policy)).toBe(now);
  });
});

describe("terms anchored on the start date", () => {
  const jan31 = utc("2022-01-31T12:00:00Z");

  it("a monthly plan started January 31 renews February 28, then March 31 (no drift)", () => {
    expect(iso(termEnd(jan31, 1, "monthly"))).toBe("2022-02-28T12:00:00.000Z");
    expect(iso(termEnd(jan31, 2, "monthly"))).toBe("2022-03-31T12:00:00.000Z");
    expect(iso(termEnd(jan31, 3, "monthly"))).toBe("2022-04-30T12:00:00.000Z");
  });

  it("a yearly plan started February 29, 2024 renews February 28, 2025 and February 29, 2028", () => {
    const feb29 = utc("2024-02-29T00:00:00Z");
    expect(iso(termEnd(feb29, 1, "yearly"))).toBe("2025-02-28T00:00:00.000Z");
    expect(iso(termEnd(feb29, 4, "yearly"))).toBe("2028-02-29T00:00:00.000Z");
  });

  it("a yearly plan renews on the same day each year", () => {
    expect(iso(termEnd(jan31, 2, "yearly"))).toBe("2024-01-31T12:00:00.000Z");
  });
});
