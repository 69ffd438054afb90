/**
 * Seed 004, the renewal year of a domain registered 2021-04-15 14:00 UTC at squarespace-domains:
 * auto-renew on by default, renewal notice, charge 15 days before expiry, three attempts five
 * days apart, expiry and disconnection, grace, reactivation keeping the cycle, release.
 */
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../support/stores.js";
import { datesOf, eventsOf, noticesOf, paymentsOf, story, timelineOf } from "./story.js";

const REGISTERED = "2021-04-15T14:00:00Z";

function scenario(options: { card: string; registrar?: string; until?: string; actions?: unknown[] }) {
  return {
    start: REGISTERED,
    until: options.until ?? "2022-07-01T00:00:00Z",
    customers: [{ id: "c1", locale: "en", currency: "USD", card: options.card }],
    services: [
      { id: "site1", customer: "c1", kind: "hosting", plan: "yearly", price: 19200, startedAt: REGISTERED },
      {
        id: "d1",
        customer: "c1",
        kind: "domain",
        name: "example.com",
        registrar: options.registrar ?? "squarespace-domains",
        registeredAt: REGISTERED,
        renewalPrice: 2000,
        site: "site1",
      },
    ],
    actions: options.actions ?? [],
  };
}

describe.each(DIALECTS)("domain renewal (%s)", (dialect) => {
  describe("with a working card", () => {
    it("2021-04-15: a new domain has auto-renew on without anyone ticking it", async () => {
      const { domains, events } = await story(
        dialect,
        scenario({ card: "ok", until: "2021-05-01T00:00:00Z" }),
      );
      expect(domains.d1?.autoRenew).toBe(true);
      expect(eventsOf(events, "domain.registered", "d1")).toMatchObject([
        { at: "2021-04-15T14:00:00.000Z", expiresAt: "2022-04-15T14:00:00.000Z" },
      ]);
      expect(eventsOf(events, "domain.auto_renew_changed")).toEqual([]);
    });

    it("2022-03-16: the renewal notice goes out 15 days before the charge, and nothing else before", async () => {
      const { events } = await story(dialect, scenario({ card: "ok" }));
      expect(noticesOf(events, "d1")).toEqual(["2022-03-16 renewal-upcoming", "2022-03-31 payment-receipt"]);
      expect(eventsOf(events, "notice.sent", "d1")[0]?.at).toBe("2022-03-16T14:00:00.000Z");
    });

    it("2022-03-31: the card is charged once, 15 days before expiry, and the domain now expires 2023-04-15", async () => {
      const { events, charges, domains, registrar } = await story(dialect, scenario({ card: "ok" }));
      expect(datesOf(events, "invoice.issued", "d1")).toEqual(["2022-03-31"]);
      expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
      expect(eventsOf(events, "payment.succeeded", "d1")[0]?.at).toBe("2022-03-31T14:00:00.000Z");
      expect(eventsOf(events, "payment.failed", "d1")).toEqual([]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        {
          at: "2022-03-31T14:00:00.000Z",
          expiresAt: "2023-04-15T14:00:00.000Z",
          amount: { amount: 2000, currency: "USD" },
        },
      ]);
      expect(charges.filter((c) => c.amount === 2000)).toHaveLength(1);
      expect(eventsOf(events, "domain.expired", "d1")).toEqual([]);
      expect(domains.d1).toMatchObject({
        status: "active",
        expiresAt: "2023-04-15T14:00:00.000Z",
        siteConnected: true,
      });
      expect((await registrar.info("example.com"))?.expiresAt).toBe(Date.parse("2023-04-15T14:00:00Z"));
    });
  });

  describe("with a card that is always declined", () => {
    it("2022-03-31, 04-05, 04-10: exactly three attempts five days apart, the domain active meanwhile", async () => {
      const { events } = await story(dialect, scenario({ card: "declined" }));
      const failed = eventsOf(events, "payment.failed", "d1");
      expect(failed.map((e) => e.at)).toEqual([
        "2022-03-31T14:00:00.000Z",
        "2022-04-05T14:00:00.000Z",
        "2022-04-10T14:00:00.000Z",
      ]);
      expect(failed.map((e) => e.attempt)).toEqual([1, 2, 3]);
      expect(failed.map((e) => e.nextAttemptAt)).toEqual([
        "2022-04-05T14:00:00.000Z",
        "2022-04-10T14:00:00.000Z",
        undefined,
      ]);
      expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
      // Active until the official expiry: nothing suspends or expires it during the attempts.
      const before = events.filter((e) => e.service === "d1" && e.at < "2022-04-15T14:00:00.000Z");
      expect(
        before.filter((e) => ["domain.expired", "domain.suspended", "invoice.voided"].includes(e.type)),
      ).toEqual([]);
    });

    it("2022-04-15: the domain expires at its official date and is disconnected from its site", async () => {
      const { events, domains, registrar, statuses } = await story(
        dialect,
        scenario({ card: "declined", until: "2022-05-01T00:00:00Z" }),
      );
      expect(eventsOf(events, "domain.expired", "d1")).toMatchObject([
        { at: "2022-04-15T14:00:00.000Z", graceEndsAt: "2022-06-14T14:00:00.000Z" },
      ]);
      expect(eventsOf(events, "invoice.voided", "d1")).toMatchObject([
        { at: "2022-04-15T14:00:00.000Z", reason: "domain-expired" },
      ]);
      expect(noticesOf(events, "d1")).toContain("2022-04-15 domain-expired");
      expect(statuses.d1).toBe("expired");
      expect(domains.d1).toMatchObject({ siteConnected: false, expiresAt: "2022-04-15T14:00:00.000Z" });
      expect((await registrar.info("example.com"))?.onHold).toBe(true);
    });

    it("2022-06-15: after 60 days of grace the name is released, never before", async () => {
      const { events, registrar, statuses } = await story(dialect, scenario({ card: "declined" }));
      expect(eventsOf(events, "domain.released", "d1").map((e) => e.at)).toEqual([
        "2022-06-15T14:00:00.000Z",
      ]);
      expect(timelineOf(events, "d1", ["domain.expired", "domain.released", "domain.reactivated"])).toEqual([
        "2022-04-15 domain.expired",
        "2022-06-15 domain.released",
      ]);
      expect(statuses.d1).toBe("released");
      expect(await registrar.info("example.com")).toBeNull();
    });

    it("tucows: 30 days of grace, so the name is released on 2022-05-16", async () => {
      const { events } = await story(dialect, scenario({ card: "declined", registrar: "tucows" }));
      expect(datesOf(events, "payment.failed", "d1")).toEqual(["2022-03-31", "2022-04-05", "2022-04-10"]);
      expect(eventsOf(events, "domain.expired", "d1")).toMatchObject([
        { at: "2022-04-15T14:00:00.000Z", graceEndsAt: "2022-05-15T14:00:00.000Z" },
      ]);
      expect(eventsOf(events, "domain.released", "d1").map((e) => e.at)).toEqual([
        "2022-05-16T14:00:00.000Z",
      ]);
    });
  });

  it("fails-2-then-ok: renewed on the third attempt 2022-04-10, expiry still 2023-04-15", async () => {
    const { events, domains } = await story(dialect, scenario({ card: "fails-2-then-ok" }));
    expect(datesOf(events, "payment.failed", "d1")).toEqual(["2022-03-31", "2022-04-05"]);
    expect(eventsOf(events, "payment.succeeded", "d1")).toMatchObject([
      { at: "2022-04-10T14:00:00.000Z", attempt: 3, amount: { amount: 2000, currency: "USD" } },
    ]);
    expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
      { at: "2022-04-10T14:00:00.000Z", expiresAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(datesOf(events, "invoice.issued", "d1")).toEqual(["2022-03-31"]);
    expect(eventsOf(events, "domain.expired", "d1")).toEqual([]);
    expect(domains.d1?.expiresAt).toBe("2023-04-15T14:00:00.000Z");
  });

  describe("the owner steps in during the attempts", () => {
    const cardOk = { at: "2022-04-02T10:00:00Z", do: "set-card", customer: "c1", card: "ok" };

    it("new card 2022-04-02: the scheduled attempt of 04-05 pays, no attempt after it", async () => {
      const { events } = await story(dialect, scenario({ card: "declined", actions: [cardOk] }));
      expect(datesOf(events, "payment.failed", "d1")).toEqual(["2022-03-31"]);
      expect(eventsOf(events, "payment.succeeded", "d1")).toMatchObject([
        { at: "2022-04-05T14:00:00.000Z", attempt: 2 },
      ]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { expiresAt: "2023-04-15T14:00:00.000Z" },
      ]);
      expect(eventsOf(events, "domain.expired", "d1")).toEqual([]);
    });

    it("pays the open invoice 2022-04-03: renewed at once, the attempt of 04-05 never happens", async () => {
      const { events } = await story(
        dialect,
        scenario({
          card: "declined",
          actions: [cardOk, { at: "2022-04-03T10:00:00Z", do: "pay-invoice", service: "d1" }],
        }),
      );
      expect(datesOf(events, "payment.failed", "d1")).toEqual(["2022-03-31"]);
      expect(paymentsOf(events, "d1")).toEqual(["2022-04-03 2000 USD"]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { at: "2022-04-03T10:00:00.000Z", expiresAt: "2023-04-15T14:00:00.000Z" },
      ]);
      expect(
        eventsOf(events, "payment.failed", "d1").concat(eventsOf(events, "payment.succeeded", "d1")),
      ).toHaveLength(2);
    });
  });

  describe("reactivation during grace", () => {
    const reactivatedOn = (at: string, until = "2022-07-01T00:00:00Z") =>
      scenario({
        card: "declined",
        until,
        actions: [
          { at: "2022-04-30T10:00:00Z", do: "set-card", customer: "c1", card: "ok" },
          { at, do: "reactivate", service: "d1" },
        ],
      });

    it("2022-05-01: reactivated at the normal price, keeping the original cycle (2023-04-15), never released", async () => {
      const { events, domains, statuses } = await story(dialect, reactivatedOn("2022-05-01T10:00:00Z"));
      expect(
        timelineOf(events, "d1", [
          "domain.expired",
          "domain.reactivated",
          "domain.renewed",
          "domain.released",
        ]),
      ).toEqual(["2022-04-15 domain.expired", "2022-05-01 domain.reactivated", "2022-05-01 domain.renewed"]);
      expect(eventsOf(events, "domain.reactivated", "d1")).toMatchObject([
        { at: "2022-05-01T10:00:00.000Z", expiresAt: "2023-04-15T14:00:00.000Z" },
      ]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { expiresAt: "2023-04-15T14:00:00.000Z", amount: { amount: 2000, currency: "USD" } },
      ]);
      expect(paymentsOf(events, "d1")).toEqual(["2022-05-01 2000 USD"]);
      expect(statuses.d1).toBe("active");
      expect(domains.d1).toMatchObject({ expiresAt: "2023-04-15T14:00:00.000Z", siteConnected: true });
    });

    it("2023-03-31: the year after a reactivation, the charge follows the original cycle again", async () => {
      const { events } = await story(dialect, reactivatedOn("2022-05-01T10:00:00Z", "2023-05-01T00:00:00Z"));
      expect(paymentsOf(events, "d1")).toEqual(["2022-05-01 2000 USD", "2023-03-31 2000 USD"]);
      expect(eventsOf(events, "domain.renewed", "d1").map((e) => e.expiresAt)).toEqual([
        "2023-04-15T14:00:00.000Z",
        "2024-04-15T14:00:00.000Z",
      ]);
      expect(datesOf(events, "domain.expired", "d1")).toEqual(["2022-04-15"]);
    });

    it("a reactivation declined on 2022-05-01 can be tried again with a new card on 2022-05-03, charged once", async () => {
      const { events, invoices } = await story(
        dialect,
        scenario({
          card: "declined",
          actions: [
            { at: "2022-05-01T10:00:00Z", do: "reactivate", service: "d1" },
            { at: "2022-05-02T10:00:00Z", do: "set-card", customer: "c1", card: "ok" },
            { at: "2022-05-03T10:00:00Z", do: "reactivate", service: "d1" },
          ],
        }),
      );
      expect(invoices.filter((i) => i.purpose === "reactivation")).toMatchObject([
        { status: "paid", total: 2000 },
      ]);
      expect(paymentsOf(events, "d1")).toEqual(["2022-05-03 2000 USD"]);
      expect(eventsOf(events, "domain.reactivated", "d1")).toMatchObject([
        { at: "2022-05-03T10:00:00.000Z", expiresAt: "2023-04-15T14:00:00.000Z" },
      ]);
      expect(eventsOf(events, "domain.released", "d1")).toEqual([]);
    });

    it("2022-06-14: the last day of grace still reactivates", async () => {
      const { events, statuses } = await story(dialect, reactivatedOn("2022-06-14T20:00:00Z"));
      expect(datesOf(events, "domain.reactivated", "d1")).toEqual(["2022-06-14"]);
      expect(eventsOf(events, "domain.released", "d1")).toEqual([]);
      expect(statuses.d1).toBe("active");
    });

    it("2022-06-15: once released, reactivation is refused and nothing is charged", async () => {
      const { events, refusals } = await story(dialect, reactivatedOn("2022-06-15T15:00:00Z"));
      expect(datesOf(events, "domain.released", "d1")).toEqual(["2022-06-15"]);
      expect(refusals).toEqual(["2022-06-15T15:00:00.000Z reactivate: not-in-grace"]);
      expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
      expect(eventsOf(events, "domain.reactivated", "d1")).toEqual([]);
    });
  });
});
