/**
 * Hosting, SSL and apps (seed 000), with the default billing policy: renewal invoice 14 days
 * before the term ends, charge on the due date, retries every 3 days (3 attempts), suspension 5
 * days overdue, termination 30 days overdue; paying while suspended lifts the suspension.
 */
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../support/stores.js";
import { datesOf, eventsOf, noticesOf, paymentsOf, story, timelineOf } from "./story.js";

const STARTED = "2021-04-15T14:00:00Z";

function scenario(options: {
  card: string;
  until?: string;
  actions?: unknown[];
  service?: Record<string, unknown>;
}) {
  return {
    start: options.service?.startedAt ?? STARTED,
    until: options.until ?? "2022-06-01T00:00:00Z",
    customers: [{ id: "c1", locale: "fr-CA", currency: "USD", card: options.card }],
    services: [
      {
        id: "site1",
        customer: "c1",
        kind: "hosting",
        plan: "yearly",
        price: 19200,
        startedAt: STARTED,
        ...options.service,
      },
    ],
    actions: options.actions ?? [],
  };
}

describe.each(DIALECTS)("subscriptions (%s)", (dialect) => {
  it("2022-04-01 the renewal invoice, 2022-04-15 one charge, the term now ends 2023-04-15", async () => {
    const { events, charges } = await story(dialect, scenario({ card: "ok", until: "2022-05-01T00:00:00Z" }));
    expect(eventsOf(events, "invoice.issued", "site1")).toMatchObject([
      {
        at: "2022-04-01T14:00:00.000Z",
        amount: { amount: 19200, currency: "USD" },
        dueAt: "2022-04-15T14:00:00.000Z",
      },
    ]);
    expect(noticesOf(events, "site1")).toEqual(["2022-04-01 invoice-issued", "2022-04-15 payment-receipt"]);
    expect(paymentsOf(events, "site1")).toEqual(["2022-04-15 19200 USD"]);
    expect(eventsOf(events, "payment.succeeded", "site1")[0]?.at).toBe("2022-04-15T14:00:00.000Z");
    expect(eventsOf(events, "service.renewed", "site1")).toMatchObject([
      { at: "2022-04-15T14:00:00.000Z", termEndsAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(charges).toHaveLength(1);
  });

  it("a monthly plan started 2021-01-31 renews on 02-28, 03-31, 04-30, 05-31: anchored, no drift", async () => {
    const { events } = await story(
      dialect,
      scenario({
        card: "ok",
        until: "2021-06-01T00:00:00Z",
        service: { plan: "monthly", price: 1600, startedAt: "2021-01-31T00:00:00Z" },
      }),
    );
    expect(eventsOf(events, "service.renewed", "site1").map((e) => e.termEndsAt)).toEqual([
      "2021-03-31T00:00:00.000Z",
      "2021-04-30T00:00:00.000Z",
      "2021-05-31T00:00:00.000Z",
      "2021-06-30T00:00:00.000Z",
    ]);
    expect(paymentsOf(events, "site1")).toEqual([
      "2021-02-28 1600 USD",
      "2021-03-31 1600 USD",
      "2021-04-30 1600 USD",
      "2021-05-31 1600 USD",
    ]);
    expect(datesOf(events, "invoice.issued", "site1")).toEqual([
      "2021-02-14",
      "2021-03-17",
      "2021-04-16",
      "2021-05-17",
    ]);
  });

  it("declined: attempts 04-15, 04-18, 04-21, suspended 04-20, terminated 05-15 with its invoice voided", async () => {
    const { events, invoices, statuses } = await story(dialect, scenario({ card: "declined" }));
    expect(eventsOf(events, "payment.failed", "site1").map((e) => [e.at.slice(0, 10), e.attempt])).toEqual([
      ["2022-04-15", 1],
      ["2022-04-18", 2],
      ["2022-04-21", 3],
    ]);
    expect(
      timelineOf(events, "site1", [
        "service.suspended",
        "service.unsuspended",
        "invoice.voided",
        "service.terminated",
      ]),
    ).toEqual(["2022-04-20 service.suspended", "2022-05-15 invoice.voided", "2022-05-15 service.terminated"]);
    expect(eventsOf(events, "service.suspended", "site1")[0]?.at).toBe("2022-04-20T14:00:00.000Z");
    expect(eventsOf(events, "service.terminated", "site1")[0]?.at).toBe("2022-05-15T14:00:00.000Z");
    expect(eventsOf(events, "invoice.voided", "site1")).toMatchObject([{ reason: "service-terminated" }]);
    expect(invoices.map((i) => i.status)).toEqual(["void"]);
    expect(statuses.site1).toBe("terminated");
    expect(noticesOf(events, "site1")).toEqual([
      "2022-04-01 invoice-issued",
      "2022-04-15 payment-failed",
      "2022-04-18 payment-failed",
      "2022-04-20 service-suspended",
      "2022-04-21 payment-failed",
      "2022-05-15 service-terminated",
    ]);
  });

  it("suspended, then the customer pays 2022-04-26 with a new card: renewed and unsuspended, never terminated", async () => {
    const { events, statuses } = await story(
      dialect,
      scenario({
        card: "declined",
        actions: [
          { at: "2022-04-25T10:00:00Z", do: "set-card", customer: "c1", card: "ok" },
          { at: "2022-04-26T10:00:00Z", do: "pay-invoice", service: "site1" },
        ],
      }),
    );
    expect(paymentsOf(events, "site1")).toEqual(["2022-04-26 19200 USD"]);
    expect(eventsOf(events, "payment.succeeded", "site1")).toMatchObject([{ attempt: 4 }]);
    expect(
      timelineOf(events, "site1", [
        "service.suspended",
        "service.renewed",
        "service.unsuspended",
        "service.terminated",
      ]),
    ).toEqual([
      "2022-04-20 service.suspended",
      "2022-04-26 service.renewed",
      "2022-04-26 service.unsuspended",
    ]);
    expect(eventsOf(events, "service.renewed", "site1")).toMatchObject([
      { termEndsAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(statuses.site1).toBe("active");
  });

  it("fails-1-then-ok: the retry of 2022-04-18 pays, nothing is suspended", async () => {
    const { events } = await story(dialect, scenario({ card: "fails-1-then-ok" }));
    expect(datesOf(events, "payment.failed", "site1")).toEqual(["2022-04-15"]);
    expect(paymentsOf(events, "site1")).toEqual(["2022-04-18 19200 USD"]);
    expect(eventsOf(events, "service.suspended", "site1")).toEqual([]);
    expect(eventsOf(events, "service.renewed", "site1")).toMatchObject([
      { termEndsAt: "2023-04-15T14:00:00.000Z" },
    ]);
  });
});
