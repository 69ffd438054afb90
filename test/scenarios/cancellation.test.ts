/**
 * Seed 000: a hosting plan (yearly, term ending 2022-04-15 14:00 UTC, renewal invoice due
 * 2022-04-01) is cancelled from the client area with a short reason, immediately or at the end of
 * the contract, optionally stopping the renewal of its domain; a pending cancellation can be
 * withdrawn until it takes effect.
 */
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../support/stores.js";
import { datesOf, eventsOf, noticesOf, paymentsOf, story, timelineOf } from "./story.js";

const STARTED = "2021-04-15T14:00:00Z";

function scenario(actions: unknown[], options: { until?: string; withDomain?: boolean } = {}) {
  return {
    start: STARTED,
    until: options.until ?? "2022-06-01T00:00:00Z",
    customers: [{ id: "c1", locale: "fr-CA", currency: "USD", card: "ok" }],
    services: [
      { id: "site1", customer: "c1", kind: "hosting", plan: "yearly", price: 19200, startedAt: STARTED },
      ...(options.withDomain
        ? [
            {
              id: "d1",
              customer: "c1",
              kind: "domain",
              name: "example.com",
              registrar: "squarespace-domains",
              registeredAt: STARTED,
              renewalPrice: 2000,
              site: "site1",
            },
          ]
        : []),
    ],
    actions,
  };
}

const cancel = (at: string, when: "immediate" | "end-of-term", extra: Record<string, unknown> = {}) => ({
  at,
  do: "cancel",
  service: "site1",
  when,
  reason: "Moving to another host",
  ...extra,
});
const withdraw = (at: string) => ({ at, do: "withdraw-cancellation", service: "site1" });

const LIFE = [
  "service.cancellation_requested",
  "service.cancellation_withdrawn",
  "invoice.issued",
  "invoice.voided",
  "payment.succeeded",
  "service.renewed",
  "service.cancelled",
];

describe.each(DIALECTS)("cancellation (%s)", (dialect) => {
  it("2022-03-01 end-of-term: no renewal invoice is ever issued, cancelled 2022-04-15 at the term's end", async () => {
    const { events, charges, statuses } = await story(
      dialect,
      scenario([cancel("2022-03-01T10:00:00Z", "end-of-term")], { until: "2023-06-01T00:00:00Z" }),
    );
    expect(eventsOf(events, "service.cancellation_requested", "site1")).toMatchObject([
      {
        at: "2022-03-01T10:00:00.000Z",
        when: "end-of-term",
        effectiveAt: "2022-04-15T14:00:00.000Z",
        reason: "Moving to another host",
      },
    ]);
    expect(noticesOf(events, "site1")).toEqual(["2022-03-01 cancellation-confirmed"]);
    expect(eventsOf(events, "invoice.issued", "site1")).toEqual([]);
    expect(charges).toEqual([]);
    expect(eventsOf(events, "service.cancelled", "site1")).toMatchObject([
      { at: "2022-04-15T14:00:00.000Z", when: "end-of-term" },
    ]);
    expect(statuses.site1).toBe("cancelled");
  });

  it("2022-04-05 end-of-term, after the invoice of 2022-04-01: that invoice is voided, nothing is charged", async () => {
    const { events, invoices } = await story(
      dialect,
      scenario([cancel("2022-04-05T10:00:00Z", "end-of-term")]),
    );
    expect(timelineOf(events, "site1", LIFE)).toEqual([
      "2022-04-01 invoice.issued",
      "2022-04-05 service.cancellation_requested",
      "2022-04-05 invoice.voided",
      "2022-04-15 service.cancelled",
    ]);
    expect(eventsOf(events, "invoice.voided", "site1")).toMatchObject([
      { at: "2022-04-05T10:00:00.000Z", reason: "cancellation-requested", amount: { amount: 19200 } },
    ]);
    expect(invoices.map((i) => i.status)).toEqual(["void"]);
    expect(eventsOf(events, "payment.succeeded", "site1")).toEqual([]);
    expect(eventsOf(events, "payment.failed", "site1")).toEqual([]);
  });

  it("2021-09-10 immediate: carried out 4 hours after the request (billing.immediateCancellationAfterHours), the same day", async () => {
    const { events, statuses } = await story(
      dialect,
      scenario([cancel("2021-09-10T10:00:00Z", "immediate")]),
    );
    expect(eventsOf(events, "service.cancellation_requested", "site1")).toMatchObject([
      { when: "immediate", effectiveAt: "2021-09-10T14:00:00.000Z" },
    ]);
    expect(eventsOf(events, "service.cancelled", "site1")).toMatchObject([
      { at: "2021-09-10T14:00:00.000Z", when: "immediate" },
    ]);
    expect(noticesOf(events, "site1")).toEqual(["2021-09-10 cancellation-confirmed"]);
    expect(eventsOf(events, "invoice.issued", "site1")).toEqual([]);
    expect(statuses.site1).toBe("cancelled");
  });

  it("2021-09-10 immediate, withdrawn 2 hours later: a real window, the service is never cancelled", async () => {
    const { events, statuses, refusals } = await story(
      dialect,
      scenario([cancel("2021-09-10T10:00:00Z", "immediate"), withdraw("2021-09-10T12:00:00Z")], {
        until: "2021-12-01T00:00:00Z",
      }),
    );
    expect(refusals).toEqual([]);
    expect(timelineOf(events, "site1", LIFE)).toEqual([
      "2021-09-10 service.cancellation_requested",
      "2021-09-10 service.cancellation_withdrawn",
    ]);
    expect(statuses.site1).toBe("active");
  });

  it("2021-09-10 immediate, withdrawal tried once it is carried out (4 hours later): refused", async () => {
    const { events, statuses, refusals } = await story(
      dialect,
      scenario([cancel("2021-09-10T10:00:00Z", "immediate"), withdraw("2021-09-10T14:00:00Z")], {
        until: "2021-12-01T00:00:00Z",
      }),
    );
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/^2021-09-10T14:00:00\.000Z withdraw-cancellation: /);
    expect(eventsOf(events, "service.cancelled", "site1")).toMatchObject([
      { at: "2021-09-10T14:00:00.000Z" },
    ]);
    expect(statuses.site1).toBe("cancelled");
  });

  it("withdrawn 2022-04-10, before it takes effect: billing resumes with a new invoice, charged 2022-04-15", async () => {
    const { events, statuses } = await story(
      dialect,
      scenario([cancel("2022-04-05T10:00:00Z", "end-of-term"), withdraw("2022-04-10T10:00:00Z")]),
    );
    expect(timelineOf(events, "site1", LIFE)).toEqual([
      "2022-04-01 invoice.issued",
      "2022-04-05 service.cancellation_requested",
      "2022-04-05 invoice.voided",
      "2022-04-10 service.cancellation_withdrawn",
      "2022-04-10 invoice.issued",
      "2022-04-15 payment.succeeded",
      "2022-04-15 service.renewed",
    ]);
    const [voided, reissued] = [
      eventsOf(events, "invoice.voided", "site1")[0],
      eventsOf(events, "invoice.issued", "site1")[1],
    ];
    expect(reissued?.invoice).not.toBe(voided?.invoice);
    expect(paymentsOf(events, "site1")).toEqual(["2022-04-15 19200 USD"]);
    expect(eventsOf(events, "payment.succeeded", "site1")[0]?.invoice).toBe(reissued?.invoice);
    expect(eventsOf(events, "service.renewed", "site1")).toMatchObject([
      { termEndsAt: "2023-04-15T14:00:00.000Z" },
    ]);
    expect(eventsOf(events, "service.cancelled", "site1")).toEqual([]);
    expect(statuses.site1).toBe("active");
  });

  it("withdrawn 2022-03-10, before the invoice date: the renewal invoice comes on 2022-04-01 as usual", async () => {
    const { events } = await story(
      dialect,
      scenario([cancel("2022-03-01T10:00:00Z", "end-of-term"), withdraw("2022-03-10T10:00:00Z")]),
    );
    expect(datesOf(events, "invoice.issued", "site1")).toEqual(["2022-04-01"]);
    expect(paymentsOf(events, "site1")).toEqual(["2022-04-15 19200 USD"]);
    expect(eventsOf(events, "service.cancelled", "site1")).toEqual([]);
  });

  it("withdrawn 2022-04-20, after it took effect: refused, the service stays cancelled", async () => {
    const { events, refusals, statuses } = await story(
      dialect,
      scenario([cancel("2022-03-05T10:00:00Z", "end-of-term"), withdraw("2022-04-20T10:00:00Z")]),
    );
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(/^2022-04-20T10:00:00\.000Z withdraw-cancellation: /);
    expect(eventsOf(events, "service.cancellation_withdrawn", "site1")).toEqual([]);
    expect(datesOf(events, "service.cancelled", "site1")).toEqual(["2022-04-15"]);
    expect(statuses.site1).toBe("cancelled");
  });

  it("stopDomainRenewal: the linked domain's auto-renew goes off, it is not charged and expires 2022-04-15", async () => {
    const { events, charges, statuses } = await story(
      dialect,
      scenario([cancel("2022-03-01T10:00:00Z", "end-of-term", { stopDomainRenewal: ["d1"] })], {
        withDomain: true,
        until: "2022-07-01T00:00:00Z",
      }),
    );
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toMatchObject([
      { at: "2022-03-01T10:00:00.000Z", on: false },
    ]);
    expect(eventsOf(events, "invoice.issued", "d1")).toEqual([]);
    expect(charges).toEqual([]);
    expect(noticesOf(events, "d1")).toEqual(["2022-03-16 expiry-warning", "2022-04-15 domain-expired"]);
    expect(datesOf(events, "domain.expired", "d1")).toEqual(["2022-04-15"]);
    expect(datesOf(events, "service.cancelled", "site1")).toEqual(["2022-04-15"]);
    expect(statuses.d1).toBe("released");
  });

  it("withdrawn 2022-03-10: the domain whose renewal the request stopped renews again on 2022-03-31", async () => {
    const { events } = await story(
      dialect,
      scenario(
        [
          cancel("2022-03-01T10:00:00Z", "end-of-term", { stopDomainRenewal: ["d1"] }),
          withdraw("2022-03-10T10:00:00Z"),
        ],
        { withDomain: true },
      ),
    );
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toMatchObject([
      { at: "2022-03-01T10:00:00.000Z", on: false, reason: "service-cancellation" },
      { at: "2022-03-10T10:00:00.000Z", on: true, reason: "cancellation-withdrawn" },
    ]);
    expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
  });

  it("withdrawn: a domain the customer had switched off on their own before the request stays off", async () => {
    const { events } = await story(
      dialect,
      scenario(
        [
          { at: "2022-02-20T10:00:00Z", do: "set-auto-renew", service: "d1", on: false },
          cancel("2022-03-01T10:00:00Z", "end-of-term", { stopDomainRenewal: ["d1"] }),
          withdraw("2022-03-10T10:00:00Z"),
        ],
        { withDomain: true },
      ),
    );
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toMatchObject([
      { on: false, reason: "customer" },
    ]);
    expect(paymentsOf(events, "d1")).toEqual([]);
  });

  it("without stopDomainRenewal the domain is left alone and renews on 2022-03-31", async () => {
    const { events } = await story(
      dialect,
      scenario([cancel("2022-03-01T10:00:00Z", "end-of-term")], { withDomain: true }),
    );
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toEqual([]);
    expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
  });

  it("stopDomainRenewal names a domain that is not registered with this service: the request is refused", async () => {
    const s = scenario([cancel("2022-03-01T10:00:00Z", "end-of-term", { stopDomainRenewal: ["d1"] })], {
      withDomain: true,
    });
    const detached = {
      ...s,
      services: s.services.map((svc) => (svc.id === "d1" ? { ...svc, site: null } : svc)),
    };
    const { events, refusals } = await story(dialect, detached);
    expect(refusals).toEqual(["2022-03-01T10:00:00.000Z cancel: domain-not-linked"]);
    expect(eventsOf(events, "service.cancellation_requested", "site1")).toEqual([]);
    expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toEqual([]);
  });

  it("SSL and apps are cancelled the same way: an app's monthly term ends 2022-03-20, no invoice on 03-06", async () => {
    const { events, statuses } = await story(dialect, {
      start: "2022-01-20T09:00:00Z",
      until: "2022-05-01T00:00:00Z",
      customers: [{ id: "c1", locale: "en", currency: "USD", card: "ok" }],
      services: [
        {
          id: "ssl1",
          customer: "c1",
          kind: "ssl",
          plan: "yearly",
          price: 4900,
          startedAt: "2022-01-20T09:00:00Z",
        },
        {
          id: "app1",
          customer: "c1",
          kind: "app",
          plan: "monthly",
          price: 900,
          startedAt: "2022-01-20T09:00:00Z",
        },
      ],
      actions: [
        {
          at: "2022-03-01T10:00:00Z",
          do: "cancel",
          service: "app1",
          when: "end-of-term",
          reason: "Not needed",
        },
        {
          at: "2022-03-01T10:00:00Z",
          do: "cancel",
          service: "ssl1",
          when: "immediate",
          reason: "Not needed",
        },
      ],
    });
    expect(paymentsOf(events, "app1")).toEqual(["2022-02-20 900 USD"]);
    expect(datesOf(events, "invoice.issued", "app1")).toEqual(["2022-02-06"]);
    expect(eventsOf(events, "service.cancelled", "app1")).toMatchObject([{ at: "2022-03-20T09:00:00.000Z" }]);
    expect(eventsOf(events, "service.cancelled", "ssl1")).toMatchObject([{ at: "2022-03-01T14:00:00.000Z" }]);
    expect(statuses).toMatchObject({ app1: "cancelled", ssl1: "cancelled" });
  });

  it("suspended for non-payment, cancelled immediately 2022-04-22: invoice voided, no more attempts, never terminated", async () => {
    const s = scenario([cancel("2022-04-22T10:00:00Z", "immediate")]);
    const { events, statuses } = await story(dialect, {
      ...s,
      customers: [{ ...s.customers[0], card: "declined" }],
    });
    expect(datesOf(events, "payment.failed", "site1")).toEqual(["2022-04-15", "2022-04-18", "2022-04-21"]);
    expect(timelineOf(events, "site1", [...LIFE, "service.suspended", "service.terminated"])).toEqual([
      "2022-04-01 invoice.issued",
      "2022-04-20 service.suspended",
      "2022-04-22 service.cancellation_requested",
      "2022-04-22 invoice.voided",
      "2022-04-22 service.cancelled",
    ]);
    expect(statuses.site1).toBe("cancelled");
  });

  it("a second request while one is pending is refused", async () => {
    const { events, refusals } = await story(
      dialect,
      scenario([cancel("2022-03-01T10:00:00Z", "end-of-term"), cancel("2022-03-02T10:00:00Z", "immediate")]),
    );
    expect(refusals).toEqual(["2022-03-02T10:00:00.000Z cancel: already-pending"]);
    expect(eventsOf(events, "service.cancelled", "site1")).toMatchObject([
      { at: "2022-04-15T14:00:00.000Z" },
    ]);
  });

  it("a blank reason is refused: the scenario run stops with the field named", async () => {
    await expect(
      story(dialect, scenario([cancel("2022-03-01T10:00:00Z", "end-of-term", { reason: "   " })])),
    ).rejects.toThrow(/reason: a short reason is required/);
  });
});
