/**
 * Seed 004's prices: free first year then the standard price; legacy free domains (registered
 * before 2015-03-05) renew free while their site stays on a yearly USD plan, and become paid in
 * the five cases of the seed; price locks for .family, .life, .ninja, .photography registered
 * before 2021-01-11.
 */
import { describe, expect, it } from "vitest";
import { DIALECTS } from "../support/stores.js";
import { datesOf, eventsOf, paymentsOf, story, timelineOf } from "./story.js";

const LEGACY = "2014-06-01T00:00:00Z";

type Json = Record<string, unknown>;

const site = (extra: Json = {}): Json => ({
  id: "site1",
  customer: "c1",
  kind: "hosting",
  plan: "yearly",
  price: 19200,
  startedAt: LEGACY,
  ...extra,
});

const legacyDomain = (extra: Json = {}): Json => ({
  id: "d1",
  customer: "c1",
  kind: "domain",
  name: "legacy.com",
  registrar: "squarespace-domains",
  registeredAt: LEGACY,
  renewalPrice: 2000,
  site: "site1",
  offer: "legacy-free",
  ...extra,
});

function legacyStory(options: {
  services?: Json[];
  actions?: Json[];
  until?: string;
  card?: string;
  start?: string;
  tldPrices?: Json;
}) {
  return {
    start: options.start ?? LEGACY,
    until: options.until ?? "2015-07-01T00:00:00Z",
    customers: [{ id: "c1", locale: "en", currency: "USD", card: options.card ?? "ok" }],
    ...(options.tldPrices ? { tldPrices: options.tldPrices } : {}),
    services: options.services ?? [site(), legacyDomain()],
    actions: options.actions ?? [],
  };
}

describe.each(DIALECTS)("domain pricing (%s)", (dialect) => {
  describe("free first year (registered from 2015-03-05)", () => {
    const freeDomain = (renewalPrice: number, tldPrices?: Json) => ({
      start: "2021-04-15T14:00:00Z",
      until: "2022-07-01T00:00:00Z",
      customers: [{ id: "c1", locale: "en", currency: "USD", card: "ok" }],
      ...(tldPrices ? { tldPrices } : {}),
      services: [
        {
          id: "site1",
          customer: "c1",
          kind: "hosting",
          plan: "yearly",
          price: 19200,
          startedAt: "2021-04-15T14:00:00Z",
        },
        {
          id: "d1",
          customer: "c1",
          kind: "domain",
          name: "free.com",
          registrar: "squarespace-domains",
          registeredAt: "2021-04-15T14:00:00Z",
          renewalPrice,
          site: "site1",
          offer: "free-first-year",
        },
      ],
    });

    it("2022-03-31: after the free year the domain renews at its standard price, 20.00 USD", async () => {
      const { events } = await story(dialect, freeDomain(2000));
      expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { expiresAt: "2023-04-15T14:00:00.000Z", amount: { amount: 2000, currency: "USD" } },
      ]);
    });

    it("2022-03-31: the free year paid nothing, the renewal costs the public .com price", async () => {
      const { events } = await story(dialect, freeDomain(0, { com: { USD: 2000 } }));
      expect(paymentsOf(events, "d1")).toEqual(["2022-03-31 2000 USD"]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { amount: { amount: 2000, currency: "USD" }, basis: "public-price" },
      ]);
    });
  });

  describe("legacy free domain (registered 2014-06-01, site yearly in USD)", () => {
    it("2015-05-17 and 2016-05-17: renewed free, no invoice, no payment, while the site stays yearly", async () => {
      const { events, invoices } = await story(dialect, legacyStory({ until: "2016-07-01T00:00:00Z" }));
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { at: "2015-05-17T00:00:00.000Z", expiresAt: "2016-06-01T00:00:00.000Z", amount: { amount: 0 } },
        { at: "2016-05-17T00:00:00.000Z", expiresAt: "2017-06-01T00:00:00.000Z", amount: { amount: 0 } },
      ]);
      expect(eventsOf(events, "domain.renewed", "d1").map((e) => e.basis)).toEqual([
        "legacy-free",
        "legacy-free",
      ]);
      expect(invoices.filter((i) => i.service === "d1")).toEqual([]);
      expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
      expect(eventsOf(events, "payment.failed", "d1")).toEqual([]);
      expect(paymentsOf(events, "site1")).toEqual(["2015-06-01 19200 USD", "2016-06-01 19200 USD"]);
    });

    it("2014-07-01: its auto-renew switch cannot be touched while the offer applies", async () => {
      const { events, refusals, domains } = await story(
        dialect,
        legacyStory({
          until: "2014-08-01T00:00:00Z",
          actions: [
            { at: "2014-07-01T00:00:00Z", do: "set-auto-renew", service: "d1", on: true },
            { at: "2014-07-02T00:00:00Z", do: "set-auto-renew", service: "d1", on: false },
          ],
        }),
      );
      expect(refusals).toEqual([
        "2014-07-01T00:00:00.000Z set-auto-renew: legacy-free-renews-automatically",
        "2014-07-02T00:00:00.000Z set-auto-renew: legacy-free-renews-automatically",
      ]);
      expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toEqual([]);
      expect(domains.d1?.autoRenew).toBe(true);
    });

    it("case 1, site moved to a monthly plan on 2014-09-01: the renewal of 2015-05-17 is charged 20.00 USD", async () => {
      const { events } = await story(
        dialect,
        legacyStory({
          actions: [{ at: "2014-09-01T00:00:00Z", do: "change-plan", service: "site1", plan: "monthly" }],
        }),
      );
      expect(paymentsOf(events, "d1")).toEqual(["2015-05-17 2000 USD"]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { expiresAt: "2016-06-01T00:00:00.000Z", amount: { amount: 2000, currency: "USD" } },
      ]);
    });

    describe("case 2, the site lapses", () => {
      const cancelled = {
        at: "2015-01-10T00:00:00Z",
        do: "cancel",
        service: "site1",
        when: "immediate",
        reason: "closing",
      };

      it("site cancelled 2015-01-10: on 2015-05-17 auto-renew goes off, nothing is charged, expiry 2015-06-01", async () => {
        const { events, domains } = await story(dialect, legacyStory({ actions: [cancelled] }));
        expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toMatchObject([
          { at: "2015-05-17T00:00:00.000Z", on: false, reason: "legacy-site-lapsed" },
        ]);
        expect(eventsOf(events, "domain.renewed", "d1")).toEqual([]);
        expect(eventsOf(events, "invoice.issued", "d1")).toEqual([]);
        expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
        expect(eventsOf(events, "domain.expired", "d1").map((e) => e.at)).toEqual([
          "2015-06-01T00:00:00.000Z",
        ]);
        expect(domains.d1?.autoRenew).toBe(false);
      });

      it("auto-renew turned on again 2015-05-20: charged the paid price, then every year", async () => {
        const { events } = await story(
          dialect,
          legacyStory({
            until: "2016-07-01T00:00:00Z",
            actions: [
              cancelled,
              { at: "2015-05-20T00:00:00Z", do: "set-auto-renew", service: "d1", on: true },
            ],
          }),
        );
        expect(
          timelineOf(events, "d1", ["domain.auto_renew_changed", "domain.renewed", "domain.expired"]),
        ).toEqual([
          "2015-05-17 domain.auto_renew_changed",
          "2015-05-20 domain.auto_renew_changed",
          "2015-05-20 domain.renewed",
          "2016-05-17 domain.renewed",
        ]);
        expect(paymentsOf(events, "d1")).toEqual(["2015-05-20 2000 USD", "2016-05-17 2000 USD"]);
        expect(eventsOf(events, "domain.renewed", "d1").map((e) => e.expiresAt)).toEqual([
          "2016-06-01T00:00:00.000Z",
          "2017-06-01T00:00:00.000Z",
        ]);
      });

      it("site terminated for non-payment 2015-03-31: the legacy domain lapses with it", async () => {
        const { events } = await story(
          dialect,
          legacyStory({
            start: "2014-03-01T00:00:00Z",
            card: "declined",
            services: [site({ startedAt: "2014-03-01T00:00:00Z" }), legacyDomain()],
          }),
        );
        expect(datesOf(events, "service.terminated", "site1")).toEqual(["2015-03-31"]);
        expect(eventsOf(events, "domain.auto_renew_changed", "d1")).toMatchObject([
          { at: "2015-05-17T00:00:00.000Z", on: false, reason: "legacy-site-lapsed" },
        ]);
        expect(eventsOf(events, "payment.failed", "d1")).toEqual([]);
        expect(eventsOf(events, "domain.renewed", "d1")).toEqual([]);
        expect(datesOf(events, "domain.expired", "d1")).toEqual(["2015-06-01"]);
      });
    });

    it("case 3, moved 2014-09-01 to a site that already has a free domain: charged 20.00 USD", async () => {
      const { events } = await story(
        dialect,
        legacyStory({
          services: [
            site(),
            site({ id: "site2" }),
            legacyDomain(),
            legacyDomain({ id: "d2", name: "other.com", site: "site2" }),
          ],
          actions: [{ at: "2014-09-01T00:00:00Z", do: "move-domain", service: "d1", site: "site2" }],
        }),
      );
      expect(paymentsOf(events, "d1")).toEqual(["2015-05-17 2000 USD"]);
      // The site's own free domain keeps its offer.
      expect(eventsOf(events, "domain.renewed", "d2")).toMatchObject([
        { amount: { amount: 0 }, basis: "legacy-free" },
      ]);
      expect(eventsOf(events, "payment.succeeded", "d2")).toEqual([]);
    });

    it("case 4, moved 2014-09-01 to a site billed in CAD: charged the CAD price, in CAD", async () => {
      const { events, invoices } = await story(
        dialect,
        legacyStory({
          tldPrices: { com: { USD: 2000, CAD: 2600 } },
          services: [site(), site({ id: "site2", currency: "CAD", price: 25000 }), legacyDomain()],
          actions: [{ at: "2014-09-01T00:00:00Z", do: "move-domain", service: "d1", site: "site2" }],
        }),
      );
      expect(paymentsOf(events, "d1")).toEqual(["2015-05-17 2600 CAD"]);
      expect(invoices.filter((i) => i.service === "d1")).toMatchObject([
        { total: 2600, currency: "CAD", status: "paid" },
      ]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { amount: { amount: 2600, currency: "CAD" } },
      ]);
    });

    it("case 5, the offer never moves: a regular domain moved onto the legacy site still pays", async () => {
      const { events } = await story(
        dialect,
        legacyStory({
          services: [
            site(),
            legacyDomain(),
            legacyDomain({ id: "d2", name: "regular.com", site: null, offer: null }),
          ],
          actions: [{ at: "2014-09-01T00:00:00Z", do: "move-domain", service: "d2", site: "site1" }],
        }),
      );
      expect(paymentsOf(events, "d2")).toEqual(["2015-05-17 2000 USD"]);
      expect(eventsOf(events, "domain.renewed", "d1")).toMatchObject([
        { amount: { amount: 0 }, basis: "legacy-free" },
      ]);
      expect(eventsOf(events, "payment.succeeded", "d1")).toEqual([]);
    });
  });

  describe("price locks", () => {
    const lifeDomains = {
      start: "2020-06-01T00:00:00Z",
      until: "2022-07-01T00:00:00Z",
      customers: [{ id: "c1", locale: "en", currency: "USD", card: "ok" }],
      tldPrices: { life: { USD: 3500 } },
      services: [
        {
          id: "old",
          customer: "c1",
          kind: "domain",
          name: "old.life",
          registrar: "squarespace-domains",
          registeredAt: "2020-06-01T00:00:00Z",
          renewalPrice: 2500,
        },
        {
          id: "new",
          customer: "c1",
          kind: "domain",
          name: "new.life",
          registrar: "squarespace-domains",
          registeredAt: "2021-02-01T00:00:00Z",
          renewalPrice: 2500,
        },
      ],
    };

    it(".life registered 2020-06-01 (before 2021-01-11) renews at the 25.00 it paid, every year", async () => {
      const { events } = await story(dialect, lifeDomains);
      expect(paymentsOf(events, "old")).toEqual(["2021-05-17 2500 USD", "2022-05-17 2500 USD"]);
      expect(eventsOf(events, "domain.renewed", "old").map((e) => e.basis)).toEqual([
        "price-lock",
        "price-lock",
      ]);
    });

    it(".life registered 2021-02-01 (after 2021-01-11) renews at the public 35.00", async () => {
      const { events } = await story(dialect, lifeDomains);
      expect(paymentsOf(events, "new")).toEqual(["2022-01-17 3500 USD"]);
      expect(eventsOf(events, "domain.renewed", "new")).toMatchObject([
        { expiresAt: "2023-02-01T00:00:00.000Z", basis: "public-price" },
      ]);
    });
  });
});
