/**
 * Benchmark 5, simulate: ten years of one customer with 20 services (10 domains over three
 * registrars, 5 hosting plans, 3 SSL certificates, 2 apps; a declined card for two weeks, a
 * cancellation, auto-renew turned off), replayed by the real engine on in-memory SQLite, as
 * `tenure simulate bench/scenarios/ten-years-20-services.json` does. The first run in a fresh
 * process is reported, and the median of the next runs.
 * `npm run bench:simulate [-- --runs 5]`
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { runSimulation } from "../src/engine/simulate/run-simulation.js";
import { scenarioSchema } from "../src/engine/simulate/scenario-schema.js";
import { check, median, parseCount, printResult, round } from "./lib/cli.js";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = parseCount(values.runs ?? "5");
const file = new URL("./scenarios/ten-years-20-services.json", import.meta.url);

async function simulateOnce() {
  const started = performance.now();
  // Parsing is part of what `tenure simulate` does: it is timed too.
  const scenario = scenarioSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const result = await runSimulation(scenario);
  const seconds = (performance.now() - started) / 1000;
  const count = (type: string) => result.events.filter((e) => e.type === type).length;
  // Nine domains renew every year (the tenth stops in 2024), the yearly plans too: a run that
  // skipped work could not reach these counts.
  check(count("domain.renewed") >= 85, `only ${count("domain.renewed")} domain renewals in ten years`);
  check(count("service.renewed") >= 300, `only ${count("service.renewed")} subscription renewals`);
  check(count("payment.failed") > 0, "the declined card never failed a charge");
  return { seconds, events: result.events.length };
}

const first = await simulateOnce();
const next: number[] = [];
for (let i = 0; i < runs; i += 1) next.push((await simulateOnce()).seconds);
const warm = median(next);

printResult({
  bench: "simulate",
  dialect: "sqlite",
  customerServices: 20,
  years: 10,
  events: first.events,
  firstRunSeconds: round(first.seconds),
  medianRunSeconds: round(warm),
  runs,
  targetSeconds: 1,
  met: first.seconds < 1,
});
