/**
 * Benchmark 2, the peak day: N monthly hosting services (default 200,000) due on one day, each
 * invoiced, charged and sent its receipt by worker processes (default: 1 on SQLite, a single
 * writer; 2 on PostgreSQL, sharing the work through leases and SKIP LOCKED). Then the floor (the
 * same rows in plain batched SQL) on the same book, and the ratio between the two.
 * `npm run bench:peak -- --db sqlite|postgres [--services N] [--workers N] [--floor no]`
 */
import { performance } from "node:perf_hooks";
import { measureFloor } from "./floor.js";
import { check, parseBenchArgs, parseCount, printResult, progress, round } from "./lib/cli.js";
import { checkPeakDone, PEAK_POLICIES, PEAK_RUN_AT, preparePeakBook } from "./lib/peak-book.js";
import { startEngineWorker } from "./lib/workers.js";

const args = parseBenchArgs({ services: 200_000 }, ["workers", "floor"]);
const workerCount = parseCount(String(args.values.workers ?? (args.db === "sqlite" ? "1" : "2")));
const { url, store, generateSeconds } = await preparePeakBook(args.db, args.services);

progress(`starting ${workerCount} worker process(es)`);
const workers = await Promise.all(
  Array.from({ length: workerCount }, (_, i) => startEngineWorker(url, PEAK_POLICIES, `peak-${i + 1}`)),
);
const started = performance.now();
for (const worker of workers) worker.send({ type: "run", instants: [PEAK_RUN_AT] });
const results = await Promise.all(workers.map((w) => w.done));
const seconds = (performance.now() - started) / 1000;
const runs = results.flatMap((r) => r.runs);
check(
  runs.every((r) => r.failures === 0),
  `engine failures: ${runs.find((r) => r.failures > 0)?.firstFailure}`,
);
check(
  runs.reduce((sum, r) => sum + r.services, 0) === args.services,
  "the workers did not process every peak service exactly once",
);
await checkPeakDone(store, args.services, "engine");
await store.close();
const servicesPerSecond = args.services / seconds;
const target = args.db === "sqlite" ? 10_000 : 5_000;

const floor = args.values.floor === "no" ? null : await measureFloor(args.db, args.services);
const ratio = floor ? floor.servicesPerSecond / servicesPerSecond : null;
printResult({
  bench: "peak",
  dialect: args.db,
  services: args.services,
  workers: workerCount,
  generateSeconds: round(generateSeconds, 1),
  seconds: round(seconds, 2),
  servicesPerSecond: Math.round(servicesPerSecond),
  perWorker: runs.map((r) => r.services),
  workerPeakRssMiB: results.map((r) => round(r.peakRssKiB / 1024, 1)),
  target,
  met: servicesPerSecond >= target,
  floorSeconds: floor ? round(floor.seconds, 2) : null,
  floorServicesPerSecond: floor ? Math.round(floor.servicesPerSecond) : null,
  engineToFloorRatio: ratio === null ? null : round(ratio, 1),
  ratioTarget: 3,
  ratioMet: ratio === null ? null : ratio <= 3,
});
