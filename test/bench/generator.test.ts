/**
 * The benchmark book must be one the engine accepts as if the import use cases had written it:
 * nothing due at the instant it is generated for, then renewals, charges (some failing) and
 * notices as days pass, and never an engine failure. Otherwise a benchmark would time nothing.
 */
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { generateBook } from "../../bench/lib/generator.js";
import { benchDeps } from "../../bench/lib/store.js";
import { resolvePolicies } from "../../src/domain/policies.js";
import { DAY, parseInstant } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { createTestStore, DIALECTS, type TestStore } from "../support/stores.js";

const AS_OF = parseInstant("2025-01-01T00:00:00Z")!;

async function countWhere(store: TestStore, table: string, column: string, value: string) {
  const result = await sql<{ n: number | string }>`
    select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(store.db);
  return Number(result.rows[0]?.n);
}

describe.each(DIALECTS)("benchmark book on %s", (dialect) => {
  let store: TestStore;
  afterEach(async () => {
    await store?.dispose();
  });

  it("is up to date when generated, then renews and charges day after day without a failure", async () => {
    store = await createTestStore(dialect);
    const summary = await generateBook(store, { services: 500, asOf: AS_OF, seed: 7 });
    expect(summary.services).toBe(500);
    expect(summary.domains).toBeGreaterThan(250);
    expect(summary.hosting).toBeGreaterThan(100);
    expect(summary.failingCustomers).toBeGreaterThan(0);
    expect(summary.earliestDueAt).toBeGreaterThan(AS_OF);

    const deps = benchDeps(store);
    expect((await runEngine(deps, AS_OF)).stepsApplied).toBe(0);
    let steps = 0;
    for (const days of [1, 7, 30, 90, 200, 370]) {
      const now = AS_OF + days * DAY;
      const report = await runEngine(deps, now);
      expect(report.failures).toEqual([]);
      steps += report.stepsApplied;
      const stillDue = await store.db
        .selectFrom("services")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("next_due_at", "<=", now)
        .executeTakeFirstOrThrow();
      expect(Number(stillDue.n)).toBe(0);
    }
    expect(steps).toBeGreaterThan(1000);
    expect(await countWhere(store, "invoices", "status", "paid")).toBeGreaterThan(400);
    expect(await countWhere(store, "payments", "status", "failed")).toBeGreaterThan(0);
    expect(await countWhere(store, "notices", "template", "renewal-upcoming")).toBeGreaterThan(20);
    expect(deps.registrar.renewals).toBeGreaterThan(200);
  });

  it("puts every peak service's invoice, charge and receipt on the peak day", async () => {
    store = await createTestStore(dialect);
    const day = parseInstant("2025-03-15T00:00:00Z")!;
    const result = resolvePolicies({ billing: { invoiceDaysBefore: 0 } });
    if (!result.ok) throw new Error(result.errors.join("; "));
    const summary = await generateBook(store, {
      services: 0,
      asOf: day,
      peak: { services: 120, day },
      policies: result.policies,
    });
    expect(summary.peakServices).toBe(120);
    const deps = benchDeps(store, result.policies);
    expect((await runEngine(deps, day)).stepsApplied).toBe(0);
    const report = await runEngine(deps, day + DAY);
    expect(report.failures).toEqual([]);
    expect(report.servicesProcessed).toBe(120);
    expect(await countWhere(store, "invoices", "status", "paid")).toBe(120);
    expect(await countWhere(store, "notices", "template", "payment-receipt")).toBe(120);
    expect(deps.gateway.successfulCharges()).toHaveLength(120);
  });
});
