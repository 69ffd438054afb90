/**
 * Benchmark 1, the daily run: a book of N services (default 1,000,000), then 30 consecutive days
 * replayed by a worker process, one engine run per day at midnight (finding the due work included).
 * `npm run bench:daily -- --db sqlite|postgres [--services N] [--days 30]`
 */

import { replayBookDays } from "./lib/book-days.js";
import { median, parseBenchArgs, parseCount, printResult, round } from "./lib/cli.js";

const args = parseBenchArgs({ services: 1_000_000 }, ["days", "warmup-days"]);
const days = parseCount(String(args.values.days ?? "30"));
const warmupDays = parseCount(String(args.values["warmup-days"] ?? "15"));
const result = await replayBookDays(args.db, args.services, days, warmupDays);
const seconds = result.days.map((d) => d.seconds);
const medianDay = median(seconds);

printResult({
  bench: "daily",
  dialect: args.db,
  services: args.services,
  customers: result.book.customers,
  generateSeconds: round(result.generateSeconds, 1),
  warmupSeconds: round(result.warmup.seconds, 1),
  days,
  warmupDays,
  firstDaySeconds: round(seconds[0]!),
  medianDaySeconds: round(medianDay),
  maxDaySeconds: round(Math.max(...seconds)),
  totalSeconds: round(
    seconds.reduce((a, b) => a + b, 0),
    1,
  ),
  medianStepsPerDay: median(result.days.map((d) => d.steps)),
  medianServicesPerDay: median(result.days.map((d) => d.services)),
  stepsPerSecond: Math.round(
    result.days.reduce((sum, d) => sum + d.steps, 0) / seconds.reduce((a, b) => a + b, 0),
  ),
  workerPeakRssMiB: round(result.workerPeakRssKiB / 1024, 1),
  targetDaySeconds: 3,
  met: medianDay <= 3,
});
