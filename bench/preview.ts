/**
 * Benchmark 6, the back office's preview (issue 9): "what happens tomorrow" on a book of N
 * services (default 1,000,000), under 5 seconds. The floor, measured in the same run on the same
 * database, is a bare read of the same rows (the services due before the horizon, with their
 * subscription or domain row), no facts and no rules; the preview's time is reported with its
 * ratio to it. `npm run bench:preview -- --db sqlite|postgres [--services N] [--days 1]`
 */
import { performance } from "node:perf_hooks";
import { readInChunks } from "../src/db/chunks.js";
import { previewHorizon } from "../src/domain/preview.js";
import { dueServiceIds, readPreview } from "../src/modules/preview/read-preview.js";
import { BOOK_AS_OF } from "./lib/book-days.js";
import { check, median, parseBenchArgs, parseCount, printResult, progress, round } from "./lib/cli.js";
import { generateBook } from "./lib/generator.js";
import { benchDeps, openBenchStore, recreateBenchDatabase } from "./lib/store.js";

const TARGET_SECONDS = 5;
const RUNS = 3;

const args = parseBenchArgs({ services: 1_000_000 }, ["days"]);
const days = parseCount(String(args.values.days ?? "1"));
check(days >= 1 && days <= 90, "--days must be from 1 to 90");

const url = await recreateBenchDatabase(args.db, "preview");
const store = openBenchStore(url);
progress(`generating ${args.services} services on ${args.db}`);
const generated = performance.now();
const book = await generateBook(store, {
  services: args.services,
  asOf: BOOK_AS_OF,
  onProgress: (n) => n % 100_000 < 4 && progress(`  ${n} services`),
});
const generateSeconds = (performance.now() - generated) / 1000;
const deps = benchDeps(store);
const until = previewHorizon(BOOK_AS_OF, days);

/** The floor: the same rows read with no facts and no rules (ids through the due index, then the rows). */
async function floor(): Promise<number> {
  const ids = await dueServiceIds(deps, until);
  let rows = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const read = await readInChunks(chunk, (keys) =>
      store.db
        .selectFrom("services")
        .leftJoin("subscriptions", "subscriptions.service_id", "services.id")
        .leftJoin("domains", "domains.service_id", "services.id")
        .selectAll()
        .where("services.id", "in", keys)
        .execute(),
    );
    rows += read.length;
  }
  return rows;
}

// Alternated, and the median of each: both see the same cache state on a shared machine.
const floorTimes: number[] = [];
const previewTimes: number[] = [];
let floorRows = 0;
let preview: Awaited<ReturnType<typeof readPreview>> | null = null;
for (let run = 0; run < RUNS; run++) {
  progress(`run ${run + 1}/${RUNS}: floor, then the preview of ${days} day(s)`);
  let started = performance.now();
  floorRows = await floor();
  floorTimes.push((performance.now() - started) / 1000);
  started = performance.now();
  preview = await readPreview(deps, { now: BOOK_AS_OF, days });
  previewTimes.push((performance.now() - started) / 1000);
}
check(preview !== null, "the preview did not run");
const counts = preview.totals.counts;
const items = Object.values(counts).reduce((a, b) => a + b, 0);
check(floorRows > 0, "no service due in the horizon: the book is empty");
check(preview.totals.services > 0 && items > 0, "the preview found nothing to do");
check(preview.undecidable.length === 0, `${preview.undecidable.length} services could not be decided`);
const seconds = median(previewTimes);
const floorSeconds = median(floorTimes);
await store.close();

printResult({
  bench: "preview",
  dialect: args.db,
  services: args.services,
  customers: book.customers,
  generateSeconds: round(generateSeconds, 1),
  days,
  dueServices: floorRows,
  servicesWithWork: preview.totals.services,
  items,
  charges: counts.charge,
  notices: counts.notice,
  chargedByCurrency: preview.totals.charged,
  seconds: round(seconds),
  floorSeconds: round(floorSeconds),
  previewToFloorRatio: round(seconds / floorSeconds, 1),
  targetSeconds: TARGET_SECONDS,
  met: seconds <= TARGET_SECONDS,
});
