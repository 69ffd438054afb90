/**
 * `record: false` (tenure simulate's runs, issue 14): the same engine without the run record and
 * the alarm queries — the same steps applied, no `engine_runs` row for a run that went well, and a
 * failed step still recorded against a run and its service (its back-off depends on it).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { moveDomain } from "../../src/modules/domains/move-domain.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import { at, createFixture, eventTypes, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("engine runs without their record (%s)", (dialect) => {
  let f: Fixture;
  const runRows = async () => (await f.deps.db.selectFrom("engine_runs").select("id").execute()).length;
  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "moved.example", "2021-04-15T14:00:00Z");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
  });
  afterEach(() => f.dispose());

  it("apply the same steps and leave no run row when nothing failed", async () => {
    const report = await runEngine(f.deps, at("2022-04-15T14:00:00Z"), { record: false });
    expect(report.stepsApplied).toBeGreaterThan(0);
    expect(report.failures).toEqual([]);
    expect(await eventTypes(f.deps, "d1")).toContain("domain.renewed");
    expect(await eventTypes(f.deps, "h1")).toContain("service.renewed");
    expect(await runRows()).toBe(0);
    // A recorded run of the same kind does leave its row.
    await runEngine(f.deps, at("2022-05-15T14:00:00Z"));
    expect(await runRows()).toBe(1);
  });

  it("still record a failed step against a run and its service", async () => {
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
    await moveDomain(f.deps, { serviceId: "d1", siteId: "site-eur" }, at("2021-06-01T00:00:00Z")).catch(
      () => {},
    );
    const report = await runEngine(f.deps, at("2022-04-15T14:00:00Z"), { record: false });
    expect(report.failures.map((x) => x.service)).toEqual(["d1"]);
    expect(report.runId).toBeGreaterThan(0);
    const failures = await f.deps.db.selectFrom("engine_failures").select(["run_id", "service_id"]).execute();
    expect(failures).toEqual([{ run_id: report.runId, service_id: "d1" }]);
    const run = await f.deps.db
      .selectFrom("engine_runs")
      .select(["status", "services_failed"])
      .where("id", "=", report.runId)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ status: "failures", services_failed: 1 });
  });
});
