/**
 * A service whose next step cannot even be decided (a domain on a site billed in a currency its TLD
 * has no price in) is a failed step of that service: recorded on the run and on the service,
 * retried later, and the other services of the same run carry on.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { moveDomain } from "../../src/modules/domains/move-domain.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import { at, createFixture, eventTypes, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("a service whose step cannot be decided (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "moved.example", "2021-04-15T14:00:00Z");
    await f.addDomain("d2", "c1", "fine.example", "2021-04-15T14:00:00Z");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    // A site billed in euros: .example has no public price in EUR, and d1's price is in USD.
    await importSubscription(f.deps, {
      id: "site-eur",
      customerId: "c1",
      kind: "hosting",
      label: "Site in euros",
      plan: "yearly",
      price: 18000,
      currency: "EUR",
      startedAt: at("2021-04-15T14:00:00Z"),
    });
    await runEngine(f.deps, at("2021-04-15T14:00:00Z"));
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("moving the domain there is done; the engine's follow-up does not throw at the customer", async () => {
    await expect(
      moveDomain(f.deps, { serviceId: "d1", siteId: "site-eur" }, at("2021-06-01T00:00:00Z")),
    ).resolves.toEqual({ legacyOfferLost: null });
    const domain = await f.deps.db
      .selectFrom("domains")
      .select("site_service_id")
      .where("service_id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(domain.site_service_id).toBe("site-eur");
  });

  it("the next run records it as a failed step of that service, and renews the others", async () => {
    await moveDomain(f.deps, { serviceId: "d1", siteId: "site-eur" }, at("2021-06-01T00:00:00Z")).catch(
      () => {},
    );
    const report = await runEngine(f.deps, at("2022-04-15T14:00:00Z"));
    expect(report.failures).toEqual([
      {
        service: "d1",
        step: "plan",
        error: expect.stringContaining(
          ".example has no public price in EUR and the recorded price is in USD",
        ),
        awaitsGateway: false,
      },
    ]);
    expect(await eventTypes(f.deps, "d2")).toContain("domain.renewed");
    expect(await eventTypes(f.deps, "h1")).toContain("service.renewed");
    expect(await eventTypes(f.deps, "d1")).not.toContain("domain.renewed");

    const failures = await f.deps.db.selectFrom("engine_failures").selectAll().execute();
    expect(failures).toEqual([
      expect.objectContaining({ run_id: report.runId, service_id: "d1", step: "plan" }),
    ]);
    const d1 = await f.deps.db
      .selectFrom("services")
      .select(["last_error", "failure_count", "next_due_at"])
      .where("id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(d1.last_error).toContain("no public price in EUR");
    expect(d1.failure_count).toBe(1);
    // Retried after a back-off, not given up.
    expect(d1.next_due_at).toBeGreaterThan(at("2022-04-15T14:00:00Z"));
  });

  it("a price in EUR set by staff lets the next run renew it", async () => {
    await moveDomain(f.deps, { serviceId: "d1", siteId: "site-eur" }, at("2021-06-01T00:00:00Z")).catch(
      () => {},
    );
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    await f.deps.db
      .insertInto("tld_prices")
      .values({ tld: "example", currency: "EUR", renew_amount: 1800 })
      .execute();
    const retry = await runEngine(f.deps, at("2022-03-31T14:10:00Z"));
    expect(retry.failures).toEqual([]);
    expect(await eventTypes(f.deps, "d1")).toContain("domain.renewed");
  });
});
