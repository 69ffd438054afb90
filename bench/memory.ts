/**
 * Benchmark 3, memory: the peak resident memory (VmHWM) of a worker process running the engine
 * over a book of N services (default 1,000,000) for one ordinary day, or `--days N`.
 * `npm run bench:memory -- --db sqlite|postgres [--services N] [--days 1]`
 */

import { replayBookDays } from "./lib/book-days.js";
import { parseBenchArgs, parseCount, printResult, round } from "./lib/cli.js";

const args = parseBenchArgs({ services: 1_000_000 }, ["days", "warmup-days"]);
const days = parseCount(String(args.values.days ?? "1"));
const warmupDays = parseCount(String(args.values["warmup-days"] ?? "1"));
const result = await replayBookDays(args.db, args.services, days, warmupDays);
const peakMiB = result.workerPeakRssKiB / 1024;

printResult({
  bench: "memory",
  dialect: args.db,
  services: args.services,
  days,
  warmupDays,
  steps: result.days.reduce((sum, d) => sum + d.steps, 0),
  servicesProcessed: result.days.reduce((sum, d) => sum + d.services, 0),
  workerPeakRssMiB: round(peakMiB, 1),
  targetMiB: 512,
  met: peakMiB < 512,
});
