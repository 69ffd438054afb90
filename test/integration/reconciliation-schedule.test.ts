/**
 * Reconciliation's schedule is durable and shared (issue 10): the next run's instant lives in the
 * database, a run is claimed by one worker (two workers at the same instant: one run), a worker
 * that dies mid-run leaves it to another after its lease, the interval is policy data, and each
 * registrar's reads are paced by its own policy (epp.infoPerSecond). Time is the injected clock.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultPolicies, type Policies } from "../../src/domain/policies.js";
import { addMinutes } from "../../src/domain/time.js";
import { runWorker } from "../../src/engine/worker.js";
import { runReconciliation } from "../../src/modules/reconciliation/reconcile.js";
import {
  claimScheduledJob,
  nextScheduledRun,
  RECONCILIATION_JOB,
  reconcileIfDue,
  reconcileNow,
} from "../../src/modules/reconciliation/schedule.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const noWait = async () => undefined;
const T = at("2021-06-01T00:00:00Z");

function withPolicies(f: Fixture, change: (p: Policies) => void): Fixture["deps"] {
  const policies = structuredClone(f.deps.policies);
  change(policies);
  return { ...f.deps, policies };
}

describe.each(DIALECTS)("the reconciliation schedule (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect, defaultPolicies());
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "one.example", "2021-04-15T14:00:00Z");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("two workers at the same instant: one runs it; the next run is due everyMinutes later, for both", async () => {
    const deps = withPolicies(f, (p) => {
      p.reconciliation.everyMinutes = 240;
    });
    const [a, b] = await Promise.all([
      reconcileIfDue(deps, T, "worker-a", { sleep: noWait }),
      reconcileIfDue(deps, T, "worker-b", { sleep: noWait }),
    ]);
    expect([a, b].filter((r) => r !== null)).toHaveLength(1);
    expect((a ?? b)?.domainsChecked).toBe(1);
    expect(await nextScheduledRun(f.deps.db, RECONCILIATION_JOB)).toBe(addMinutes(T, 240));
    // A minute early, neither runs it (a worker restarted meanwhile remembers nothing of its own).
    expect(await reconcileIfDue(deps, addMinutes(T, 239), "worker-b", { sleep: noWait })).toBeNull();
    expect(await reconcileIfDue(deps, addMinutes(T, 239), "worker-c", { sleep: noWait })).toBeNull();
    const later = await Promise.all([
      reconcileIfDue(deps, addMinutes(T, 240), "worker-a", { sleep: noWait }),
      reconcileIfDue(deps, addMinutes(T, 240), "worker-b", { sleep: noWait }),
    ]);
    expect(later.filter((r) => r !== null)).toHaveLength(1);
    expect(await nextScheduledRun(f.deps.db, RECONCILIATION_JOB)).toBe(addMinutes(T, 480));
  });

  it("a worker that died holding the run leaves it to another once its lease has passed", async () => {
    const deps = withPolicies(f, (p) => {
      p.reconciliation.everyMinutes = 60;
      p.reconciliation.leaseMinutes = 30;
    });
    // worker-a claims the run and dies before finishing it.
    expect(await claimScheduledJob(f.deps.db, RECONCILIATION_JOB, T, "worker-a", 30)).toBe(true);
    expect(await reconcileIfDue(deps, addMinutes(T, 29), "worker-b", { sleep: noWait })).toBeNull();
    const report = await reconcileIfDue(deps, addMinutes(T, 30), "worker-b", { sleep: noWait });
    expect(report?.domainsChecked).toBe(1);
    expect(await nextScheduledRun(f.deps.db, RECONCILIATION_JOB)).toBe(addMinutes(T, 90));
  });

  it("on demand (tenure reconcile): runs before it is due, never beside a worker holding it, and moves the schedule on", async () => {
    const deps = withPolicies(f, (p) => {
      p.reconciliation.everyMinutes = 60;
      p.reconciliation.leaseMinutes = 30;
    });
    expect(await reconcileIfDue(deps, T, "worker-a", { sleep: noWait })).not.toBeNull();
    // Not due for another 50 minutes, yet asked for: it runs, and the next one is an hour later.
    const asked = await reconcileNow(deps, addMinutes(T, 10), "cli", { sleep: noWait });
    expect(asked?.domainsChecked).toBe(1);
    expect(await nextScheduledRun(f.deps.db, RECONCILIATION_JOB)).toBe(addMinutes(T, 70));
    // A worker holds the run: the command does not start a second one beside it.
    expect(await claimScheduledJob(f.deps.db, RECONCILIATION_JOB, addMinutes(T, 70), "worker-b", 30)).toBe(
      true,
    );
    expect(await reconcileNow(deps, addMinutes(T, 75), "cli", { sleep: noWait })).toBeNull();
    expect(await reconcileNow(deps, addMinutes(T, 100), "cli", { sleep: noWait })).not.toBeNull();
  });

  it("switched off (everyMinutes 0): no worker runs it", async () => {
    const deps = withPolicies(f, (p) => {
      p.reconciliation.everyMinutes = 0;
    });
    expect(await reconcileIfDue(deps, T, "worker-a", { sleep: noWait })).toBeNull();
    expect(await nextScheduledRun(f.deps.db, RECONCILIATION_JOB)).toBeNull();
  });

  it("worker loops follow the schedule in the database: a restarted loop waits for the next run, two loops run it once", async () => {
    const deps = withPolicies(f, (p) => {
      p.reconciliation.everyMinutes = 60;
    });
    // Two loops at a fixed instant, each for a few ticks; what each logged.
    const runLoops = async (now: number, workers: string[]) => {
      const logged: string[] = [];
      const logger = {
        info: (_: unknown, msg: string) => logged.push(msg),
        warn: () => undefined,
        error: (_: unknown, msg: string) => logged.push(`error: ${msg}`),
      } as unknown as Parameters<typeof runWorker>[0]["logger"];
      const controller = new AbortController();
      let reads = 0;
      const clock = {
        now: () => {
          reads += 1;
          return now;
        },
      };
      const loops = workers.map((worker) =>
        runWorker({ deps, clock, mailer: null, logger, intervalMs: 1, worker, signal: controller.signal }),
      );
      // Each tick reads the clock twice (the engine's run, then the schedule): three ticks each.
      while (reads < workers.length * 6) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await Promise.all(loops);
      return logged;
    };
    expect(await reconcileIfDue(deps, T, "worker-a", { sleep: noWait })).not.toBeNull();
    // A worker (re)started half an hour later knows the last run from the database.
    const early = await runLoops(addMinutes(T, 30), ["worker-b"]);
    expect(early.filter((m) => m === "reconciliation run")).toEqual([]);
    const due = await runLoops(addMinutes(T, 60), ["worker-b", "worker-c"]);
    expect(due.filter((m) => m === "reconciliation run")).toHaveLength(1);
    expect(due.filter((m) => m.startsWith("error"))).toEqual([]);
    expect(await nextScheduledRun(f.deps.db, RECONCILIATION_JOB)).toBe(addMinutes(T, 120));
  });

  it("each registrar's reads are paced by its own policy (epp.infoPerSecond), batch after batch", async () => {
    for (const i of [2, 3, 4, 5]) await f.addDomain(`d${i}`, "c1", `n${i}.example`, "2021-04-15T14:00:00Z");
    for (const i of [6, 7, 8]) await f.addDomain(`d${i}`, "c1", `t${i}.example`, "2021-04-15T14:00:00Z");
    await f.deps.db.updateTable("domains").set({ registrar: "tucows" }).where("name", "like", "t%").execute();
    const epp = (infoPerSecond: number) => ({
      host: "epp.invalid",
      port: 700,
      clientId: "tenure",
      passwordEnv: "EPP_UNUSED",
      poolSize: 2,
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 30_000,
      keepAliveSeconds: 0,
      validateResponses: false,
      infoPerSecond,
    });
    const deps = withPolicies(f, (p) => {
      p.reconciliation.batchSize = 2;
      const squarespace = p.registrars["squarespace-domains"];
      const tucows = p.registrars.tucows;
      if (!squarespace || !tucows) throw new Error("built-in registrars expected");
      squarespace.adapter = "epp";
      squarespace.epp = epp(2);
      tucows.adapter = "epp";
      tucows.epp = epp(4);
    });
    const waits: number[] = [];
    const report = await runReconciliation(deps, T, { sleep: async (ms) => void waits.push(ms) });
    expect(report.domainsChecked).toBe(8);
    // squarespace: 5 names, batches of 2, 2 a second: 1 s before the 2nd and 3rd batches (the
    // last holds one name: 0.5 s); tucows: 3 names at 4 a second: 0.25 s before its 2nd batch.
    expect(waits).toEqual([1000, 500, 250]);
  });
});
