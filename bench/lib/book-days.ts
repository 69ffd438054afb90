/**
 * Shared by the daily and memory benchmarks: generate a book of N services, then replay days on it
 * in a separate worker process (the engine's real memory, not the generator's), checking after
 * each day that everything due was done without an engine failure.
 */
import { performance } from "node:perf_hooks";
import { DAY, parseInstant } from "../../src/domain/time.js";
import { check, progress } from "./cli.js";
import { type BookSummary, generateBook } from "./generator.js";
import { type BenchDialect, openBenchStore, recreateBenchDatabase } from "./store.js";
import { type RunFigures, startEngineWorker } from "./workers.js";

export const BOOK_AS_OF = parseInstant("2025-01-01T00:00:00Z")!;

/**
 * A generated book has nothing in flight (no open invoice, no retry pending), so its first two
 * weeks would have no charges. It is generated this many days earlier and brought up to date by
 * one catch-up run (timed apart), so the measured days are ordinary days in a steady state
 * (retries included). The memory benchmark can shorten it: it measures the peak, not the days.
 */
export const WARMUP_DAYS = 15;

export interface BookDays {
  book: BookSummary;
  generateSeconds: number;
  days: RunFigures[];
  warmup: RunFigures;
  workerPeakRssKiB: number;
}

export async function replayBookDays(
  dialect: BenchDialect,
  services: number,
  days: number,
  warmupDays = WARMUP_DAYS,
): Promise<BookDays> {
  const url = await recreateBenchDatabase(dialect, "book");
  const store = openBenchStore(url);
  progress(`generating ${services} services on ${dialect}`);
  const started = performance.now();
  const book = await generateBook(store, {
    services,
    asOf: BOOK_AS_OF - warmupDays * DAY,
    onProgress: (n) => n % 100_000 < 4 && progress(`  ${n} services`),
  });
  const generateSeconds = (performance.now() - started) / 1000;
  check(book.earliestDueAt > BOOK_AS_OF - warmupDays * DAY, "the book has work due before its own instant");
  progress(`generated in ${generateSeconds.toFixed(1)} s; replaying ${days} day(s) in a worker process`);

  const worker = await startEngineWorker(url, {}, "bench-daily");
  const instants = Array.from({ length: days + 1 }, (_, i) => BOOK_AS_OF + i * DAY);
  worker.send({ type: "run", instants });
  const result = await worker.done;
  const [warmup, ...measured] = result.runs;
  check(warmup !== undefined && warmup.failures === 0, `catch-up run failed: ${warmup?.firstFailure}`);
  for (const day of measured) {
    check(day.failures === 0, `engine failures on ${new Date(day.now).toISOString()}: ${day.firstFailure}`);
    check(day.steps > 0 && day.services > 0, `no work done on ${new Date(day.now).toISOString()}`);
  }
  const last = measured.at(-1) ?? warmup;
  const stillDue = await store.db
    .selectFrom("services")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("next_due_at", "<=", last.now)
    .executeTakeFirstOrThrow();
  check(Number(stillDue.n) === 0, `${stillDue.n} services still due after the last day`);
  const paid = await store.db
    .selectFrom("invoices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("status", "=", "paid")
    .executeTakeFirstOrThrow();
  // Charges start once the first invoices issued during the replay fall due (14 days on).
  if (warmupDays + days > 15) check(Number(paid.n) > 0, "no invoice was paid");
  await store.close();
  return { book, generateSeconds, days: measured, warmup, workerPeakRssKiB: result.peakRssKiB };
}
