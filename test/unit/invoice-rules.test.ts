import { describe, expect, it } from "vitest";
import { decideVoidability, nextRetryAt, type VoidabilityFacts } from "../../src/domain/invoice-rules.js";

const utc = (text: string): number => Date.parse(text);
const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

function inv(overrides: Partial<VoidabilityFacts> = {}): VoidabilityFacts {
  return { status: "open", amountPaid: 0, lineServiceIds: ["dom-1"], ...overrides };
}

describe("voiding a renewal invoice when auto-renew is turned off or a service is cancelled (seed 000)", () => {
  it("an open, unpaid invoice for this domain only is voided automatically", () => {
    expect(decideVoidability(inv(), ["dom-1"])).toEqual({ canVoid: true });
  });

  it("an open invoice for a hosting plan and its domain, both cancelled together, is voided", () => {
    expect(decideVoidability(inv({ lineServiceIds: ["host-1", "dom-1"] }), ["host-1", "dom-1"])).toEqual({
      canVoid: true,
    });
  });

  it("a partly paid invoice needs a manual adjustment", () => {
    expect(decideVoidability(inv({ amountPaid: 500 }), ["dom-1"])).toEqual({
      canVoid: false,
      reason: "partly-paid",
    });
  });

  it("an invoice that also bills another service needs a manual adjustment", () => {
    expect(decideVoidability(inv({ lineServiceIds: ["dom-1", "ssl-7"] }), ["dom-1"])).toEqual({
      canVoid: false,
      reason: "other-items",
    });
  });

  it("a line with no service (a fee, a manual item) counts as another item", () => {
    expect(decideVoidability(inv({ lineServiceIds: ["dom-1", null] }), ["dom-1"])).toEqual({
      canVoid: false,
      reason: "other-items",
    });
  });

  it("a paid invoice is not voided", () => {
    expect(decideVoidability(inv({ status: "paid", amountPaid: 2000 }), ["dom-1"])).toEqual({
      canVoid: false,
      reason: "not-open",
    });
  });

  it("an invoice already void is not voided again", () => {
    expect(decideVoidability(inv({ status: "void" }), ["dom-1"])).toEqual({
      canVoid: false,
      reason: "not-open",
    });
  });

  it("partly paid is reported before other items when both apply", () => {
    const both = inv({ amountPaid: 100, lineServiceIds: ["dom-1", "ssl-7"] });
    expect(decideVoidability(both, ["dom-1"])).toEqual({ canVoid: false, reason: "partly-paid" });
  });
});

describe("when the next charge attempt is due", () => {
  const domainRule = { attempts: 3, retryEveryDays: 5 };
  const expiry = utc("2022-04-15T14:00:00Z");

  it("after a failure on 2022-03-31 the card is retried 5 days later, on 2022-04-05", () => {
    expect(iso(nextRetryAt(1, utc("2022-03-31T14:00:00Z"), domainRule, expiry))).toBe(
      "2022-04-05T14:00:00.000Z",
    );
  });

  it("after the second failure on 2022-04-05 the last attempt is on 2022-04-10", () => {
    expect(iso(nextRetryAt(2, utc("2022-04-05T14:00:00Z"), domainRule, expiry))).toBe(
      "2022-04-10T14:00:00.000Z",
    );
  });

  it("after 3 attempts in total there is no further attempt", () => {
    expect(nextRetryAt(3, utc("2022-04-10T14:00:00Z"), domainRule, expiry)).toBeNull();
  });

  it("a retry that would fall exactly on the expiry is not made", () => {
    expect(nextRetryAt(1, utc("2022-04-10T14:00:00Z"), domainRule, expiry)).toBeNull();
  });

  it("a retry one second before the cutoff is still made", () => {
    const last = utc("2022-04-10T13:59:59Z");
    expect(iso(nextRetryAt(1, last, domainRule, expiry))).toBe("2022-04-15T13:59:59.000Z");
  });

  it("follows the configured spacing: every 3 days for subscriptions", () => {
    const at = nextRetryAt(
      1,
      utc("2022-05-01T00:00:00Z"),
      { attempts: 3, retryEveryDays: 3 },
      utc("2022-05-31T00:00:00Z"),
    );
    expect(iso(at)).toBe("2022-05-04T00:00:00.000Z");
  });
});
