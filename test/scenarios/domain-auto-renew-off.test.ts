/**
 * Seed 004 and 000: a domain is not cancelled, its owner turns auto-renew off and lets it expire.
 * Off at least one day before the charge (2022-03-31 14:00): no invoice, no charge, an expiry
 * warning 30 days before expiry. Off later: this year's charge still happens. Off after a failed
 * attempt: the open renewal invoice is voided and no attempt follows.
 */
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../support/stores.js";
import { datesOf, eventsOf, noticesOf, paymentsOf, story, timelineOf } from "./story.js";

const REGISTERED = "2021-04-15T14:00:00Z";

function scenario(options: { card?: string; until?: string; actions: unknown[] }) {
  return {
    start: REGISTERED,
    until: options.until ?? "2022-07-01T00:00:00Z",
    customers: [{ id: "c1", locale: "fr-CA", currency: "USD", card: options.card ?? "ok" }],
    services: [
      {
        id: "d1",
        customer: "c1",
        kind: "domain",
        name: "example.com",
        registrar: "squarespace-domains",
        registeredAt: REGISTERED,
        renewalPrice: 2000,
      },
    ],
    actions: options.actions,
  };
}

const off = (at: string) => ({ at, do: "set-auto-renew", service: "d1", on: false });
const on = (at: string) => ({ at, do: "set-auto-renew", service: "d1", on: true });

describe.each(DIALECTS)("domain auto-renew off (%s)", (dialect) => {
  it("2022-03-01 off: no invoice, no charge, an expiry warning on 2022-03-16, expired 2022-04-15", async () => {
    const { events, charges, statuses } = await story(
      dialect,
      scenario({ actions: [off("2022-03-01T10:00:00Z")] }),
    );
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toMatchObject([
      { at: "2022-03-01T10:00:00.000Z", on: false, reason: "customer" },
    ]);
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")[0]).not.toHaveProperty("chargeStillDue");
    expect(eventsOf(events, "invoice.issued", "d1")).toEqual([]);
    expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
    expect(eventsOf(events, "payment.failed", "d1")).toEqual([]);
    expect(charges).toEqual([]);
    expect(noticesOf(events, "d1")).toEqual(["2022-03-16 expiry-warning", "2022-04-15 domain-expired"]);
    expect(eventsOf(events, "notice.sent", "d1")[0]?.at).toBe("2022-03-16T14:00:00.000Z");
    expect(eventsOf(events, "domain.expired", "d1").map((e) => e.at)).toEqual(["2022-04-15T14:00:00.000Z"]);
    expect(datesOf(events, "domain.released", "d1")).toEqual(["2022-06-15"]);
    expect(statuses.d1).toBe("released");
  });

  it("2022-03-30 14:00 off, exactly one day before the charge: it still counts, nothing is charged", async () => {
    const { events } = await story(dialect, scenario({ actions: [off("2022-03-30T14:00:00Z")] }));
    expect(eventsOf(events, "invoice.issued", "d1")).toEqual([]);
    expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
    expect(datesOf(events, "domain.expired", "d1")).toEqual(["2022-04-15"]);
  });

  it("2022-03-30 20:00 off, less than a day before the charge: the card is still charged on 2022-03-31", async () => {
    const { events } = await story(dialect, scenario({ actions: [off("2022-03-30T20:00:00Z")] }));
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toMatchObject([
      { at: "2022-03-30T20:00:00.000Z", on: false, chargeStillDue: true },
    ]);
    expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
    expect(eventsOf(events, "payment.succeeded", "d1")[0]?.at).toBe("2022-03-31T14:00:00.000Z");
    expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
      { expiresAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(eventsOf(events, "domain.expired", "d1")).toEqual([]);
    expect(eventsOf(events, "invoice.voided", "d1")).toEqual([]);
  });

  it("the late switch still counts for the next year: no charge 2023-03-31, warning 2023-03-16, expiry 2023-04-15", async () => {
    const { events } = await story(
      dialect,
      scenario({ until: "2023-05-01T00:00:00Z", actions: [off("2022-03-30T20:00:00Z")] }),
    );
    expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
    expect(datesOf(events, "invoice.issued", "d1")).toEqual(["2022-03-31"]);
    expect(noticesOf(events, "d1").filter((n) => n >= "2023")).toEqual([
      "2023-03-16 expiry-warning",
      "2023-04-15 domain-expired",
    ]);
    expect(eventsOf(events, "domain.expired", "d1").map((e) => e.at)).toEqual(["2023-04-15T14:00:00.000Z"]);
  });

  it("2022-04-02 off after the failed attempt of 03-31: the open invoice is voided and no attempt follows", async () => {
    const { events, invoices } = await story(
      dialect,
      scenario({ card: "declined", actions: [off("2022-04-02T10:00:00Z")] }),
    );
    expect(datesOf(events, "payment.failed", "d1")).toEqual(["2022-03-31"]);
    expect(eventsOf(events, "invoice.voided", "d1")).toMatchObject([
      { at: "2022-04-02T10:00:00.000Z", reason: "auto-renew-off", amount: { amount: 2000, currency: "USD" } },
    ]);
    expect(invoices.filter((i) => i.service === "d1").map((i) => i.status)).toEqual(["void"]);
    expect(
      timelineOf(events, "d1", ["payment.failed", "invoice.voided", "domain.expired", "domain.released"]),
    ).toEqual([
      "2022-03-31 payment.failed",
      "2022-04-02 invoice.voided",
      "2022-04-15 domain.expired",
      "2022-06-15 domain.released",
    ]);
  });

  it("off 2022-03-01, on again 2022-03-10: the renewal goes ahead as if nothing happened", async () => {
    const { events } = await story(
      dialect,
      scenario({ actions: [off("2022-03-01T10:00:00Z"), on("2022-03-10T10:00:00Z")] }),
    );
    expect(noticesOf(events, "d1")).toEqual(["2022-03-16 renewal-upcoming", "2022-03-31 payment-receipt"]);
    expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
    expect(eventsOf(events, "domain.expired", "d1")).toEqual([]);
  });

  it("off 2022-03-01, on again 2022-04-05 after the charge date: charged at once, the name does not expire", async () => {
    const { events } = await story(
      dialect,
      scenario({ actions: [off("2022-03-01T10:00:00Z"), on("2022-04-05T10:00:00Z")] }),
    );
    expect(paymentsOf(events, "d1")).toEqual(["2022-04-05 2000 USD"]);
    expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
      { at: "2022-04-05T10:00:00.000Z", expiresAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(eventsOf(events, "domain.expired", "d1")).toEqual([]);
  });

  it("off after a failed attempt, then on again with a new card: a new invoice is paid, the voided one never", async () => {
    const { events, invoices } = await story(
      dialect,
      scenario({
        card: "declined",
        actions: [
          off("2022-04-02T10:00:00Z"),
          { at: "2022-04-03T10:00:00Z", do: "set-card", customer: "c1", card: "ok" },
          on("2022-04-04T10:00:00Z"),
        ],
      }),
    );
    expect(invoices.filter((i) => i.service === "d1").map((i) => i.status)).toEqual(["void", "paid"]);
    expect(paymentsOf(events, "d1")).toEqual(["2022-04-04 2000 USD"]);
    expect(eventsOf(events, "payment.succeeded", "d1")[0]?.invoice).toBe(
      invoices.find((i) => i.status === "paid")?.id,
    );
    expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
      { expiresAt: "2023-04-15T14:00:00.000Z" },
    ]);
  });

  it("imported with auto-renew off: no notice but the 30-day warning, no invoice, expired 2022-04-15", async () => {
    const s = scenario({ actions: [] });
    const { events } = await story(dialect, { ...s, services: [{ ...s.services[0], autoRenew: false }] });
    expect(noticesOf(events, "d1")).toEqual(["2022-03-16 expiry-warning", "2022-04-15 domain-expired"]);
    expect(eventsOf(events, "invoice.issued", "d1")).toEqual([]);
    expect(datesOf(events, "domain.expired", "d1")).toEqual(["2022-04-15"]);
  });

  it("off after expiry is refused: an expired domain has no switch left to turn", async () => {
    const { events, refusals } = await story(
      dialect,
      scenario({ card: "declined", actions: [off("2022-04-20T10:00:00Z")] }),
    );
    expect(refusals).toEqual(["2022-04-20T10:00:00.000Z set-auto-renew: not-active"]);
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toEqual([]);
  });
});
