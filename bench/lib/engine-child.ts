/**
 * A worker process for the benchmarks: opens the bench database, waits for its orders over IPC,
 * runs the real engine (runEngine) at the instants it is given, and answers with each run's
 * figures and its own peak memory (VmHWM). Started by bench/lib/workers.ts, never by hand.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { resolvePolicies } from "../../src/domain/policies.js";
import { DAY } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { compactCustomerChanges } from "../../src/modules/customers/customer-versions.js";
import { benchDeps, openBenchStore } from "./store.js";
import type { ChildOrder, ChildReply, RunFigures } from "./workers.js";

const [url, policiesJson, worker] = process.argv.slice(2);
if (!url || !policiesJson || !worker) throw new Error("usage: engine-child URL POLICIES_JSON WORKER");
const policies = resolvePolicies(JSON.parse(policiesJson));
if (!policies.ok) throw new Error(policies.errors.join("; "));
const store = openBenchStore(url);
const deps = benchDeps(store, policies.policies);
let stopRequested = false;
const runErrors: string[] = [];

function peakRssKiB(): number {
  const status = readFileSync("/proc/self/status", "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? process.resourceUsage().maxRSS);
}

async function runAt(now: number): Promise<RunFigures> {
  const started = performance.now();
  const report = await runEngine(deps, now, { worker });
  const seconds = (performance.now() - started) / 1000;
  // What the worker does after each run (src/engine/worker.ts); not part of the run's time.
  await compactCustomerChanges(deps);
  return {
    now,
    seconds,
    steps: report.stepsApplied,
    services: report.servicesProcessed,
    failures: report.failures.length,
    firstFailure: report.failures[0] ? JSON.stringify(report.failures[0]) : null,
  };
}

function reply(message: ChildReply): void {
  process.send?.(message);
}

process.on("message", async (order: ChildOrder) => {
  if (order.type === "stop") {
    stopRequested = true;
    return;
  }
  const runs: RunFigures[] = [];
  if (order.type === "run") {
    for (const now of order.instants) runs.push(await runAt(now));
  } else {
    // Day after day until told to stop: the writes that go on while the client area is measured.
    // Like the real worker loop, a run that throws is counted and the next tick tries again.
    for (let now = order.from; !stopRequested; now += DAY) {
      // On SQLite every query is synchronous: without this the run never yields to the event loop
      // and the "stop" order would never be read.
      await new Promise((resolve) => setImmediate(resolve));
      try {
        runs.push(await runAt(now));
      } catch (error) {
        runErrors.push(error instanceof Error ? error.message : String(error));
        now -= DAY;
      }
    }
  }
  reply({
    type: "done",
    runs,
    runErrors,
    peakRssKiB: peakRssKiB(),
    gatewayCharges: deps.gateway.allCharges().length,
  });
  await store.close();
  process.disconnect?.();
});

reply({ type: "ready" });
