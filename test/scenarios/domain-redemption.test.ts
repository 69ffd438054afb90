/**
 * The gtld-registry profile (ICANN practice): after 30 days of grace the name enters the 30-day
 * redemption period, where restoring it costs the renewal plus the restore fee (80.00 USD), then
 * 5 days of pending delete before release. Expiry warnings go out 30 and 7 days before expiry.
 */
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../support/stores.js";
import { datesOf, eventsOf, noticesOf, paymentsOf, story, timelineOf } from "./story.js";

const REGISTERED = "2021-04-15T14:00:00Z";

function scenario(actions: unknown[] = []) {
  return {
    start: REGISTERED,
    until: "2022-08-01T00:00:00Z",
    customers: [{ id: "c1", locale: "en", currency: "USD", card: "declined" }],
    services: [
      {
        id: "d1",
        customer: "c1",
        kind: "domain",
        name: "example.org",
        registrar: "gtld-registry",
        registeredAt: REGISTERED,
        renewalPrice: 2000,
      },
    ],
    actions,
  };
}

const cardOk = { at: "2022-04-30T10:00:00Z", do: "set-card", customer: "c1", card: "ok" };
const reactivate = (at: string) => ({ at, do: "reactivate", service: "d1" });

const LIFE = [
  "domain.expired",
  "domain.redemption_started",
  "domain.restored",
  "domain.reactivated",
  "domain.released",
];

describe.each(DIALECTS)("gTLD redemption (%s)", (dialect) => {
  it("never paid: expiry 2022-04-15, redemption 2022-05-16, pending delete 2022-06-15, released 2022-06-20", async () => {
    const { events, statuses, registrar } = await story(dialect, scenario());
    expect(datesOf(events, "payment.failed", "d1")).toEqual(["2022-03-31", "2022-04-05", "2022-04-10"]);
    expect(timelineOf(events, "d1", LIFE)).toEqual([
      "2022-04-15 domain.expired",
      "2022-05-16 domain.redemption_started",
      "2022-06-20 domain.released",
    ]);
    expect(eventsOf(events, "domain.expired", "d1")[0]?.graceEndsAt).toBe("2022-05-15T14:00:00.000Z");
    expect(eventsOf(events, "domain.redemption_started", "d1")).toMatchObject([
      {
        at: "2022-05-16T14:00:00.000Z",
        until: "2022-06-15T14:00:00.000Z",
        restoreFee: { amount: 8000, currency: "USD" },
      },
    ]);
    expect(eventsOf(events, "domain.released", "d1").map((e) => e.at)).toEqual(["2022-06-20T14:00:00.000Z"]);
    expect(statuses.d1).toBe("released");
    expect(await registrar.info("example.org")).toBeNull();
  });

  it("ICANN warnings 30 and 7 days before expiry go out even with auto-renew on", async () => {
    const { events } = await story(dialect, scenario());
    expect(noticesOf(events, "d1").filter((n) => n.endsWith("expiry-warning"))).toEqual([
      "2022-03-16 expiry-warning",
      "2022-04-08 expiry-warning",
    ]);
    expect(noticesOf(events, "d1")).toContain("2022-04-15 domain-expired");
  });

  it("2022-05-25, in redemption: restored for the renewal plus the 80.00 USD restore fee, cycle kept", async () => {
    const { events, invoices, statuses, domains } = await story(
      dialect,
      scenario([cardOk, reactivate("2022-05-25T10:00:00Z")]),
    );
    expect(timelineOf(events, "d1", LIFE)).toEqual([
      "2022-04-15 domain.expired",
      "2022-05-16 domain.redemption_started",
      "2022-05-25 domain.restored",
    ]);
    expect(invoices.filter((i) => i.purpose === "restore")).toMatchObject([
      { service: "d1", status: "paid", total: 10000, currency: "USD" },
    ]);
    expect(paymentsOf(events, "d1")).toEqual(["2022-05-25 10000 USD"]);
    expect(eventsOf(events, "domain.restored", "d1")).toMatchObject([
      { expiresAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
      { at: "2022-05-25T10:00:00.000Z", expiresAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(statuses.d1).toBe("active");
    expect(domains.d1?.expiresAt).toBe("2023-04-15T14:00:00.000Z");
  });

  it("2022-05-01, still in grace: reactivated at the normal price, no restore fee", async () => {
    const { events, invoices } = await story(dialect, scenario([cardOk, reactivate("2022-05-01T10:00:00Z")]));
    expect(timelineOf(events, "d1", LIFE)).toEqual([
      "2022-04-15 domain.expired",
      "2022-05-01 domain.reactivated",
    ]);
    expect(paymentsOf(events, "d1")).toEqual(["2022-05-01 2000 USD"]);
    expect(invoices.filter((i) => i.purpose === "restore")).toEqual([]);
    expect(eventsOf(events, "domain.redemption_started", "d1")).toEqual([]);
  });

  it("2022-06-17, in pending delete: nothing can be restored, the name is released 2022-06-20", async () => {
    const { events, refusals } = await story(dialect, scenario([cardOk, reactivate("2022-06-17T10:00:00Z")]));
    expect(refusals).toEqual(["2022-06-17T10:00:00.000Z reactivate: not-in-grace"]);
    expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
    expect(datesOf(events, "domain.released", "d1")).toEqual(["2022-06-20"]);
  });
});
