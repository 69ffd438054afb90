/**
 * The floor of benchmark 2: the peak day's row writes in plain batched SQL, no logic.
 * `npm run bench:floor -- --db sqlite|postgres [--services 200000]`
 */
import { performance } from "node:perf_hooks";
import { parseBenchArgs, printResult, progress, round } from "./lib/cli.js";
import { runFloor } from "./lib/floor.js";
import { checkPeakDone, PEAK_RUN_AT, preparePeakBook } from "./lib/peak-book.js";
import type { BenchDialect } from "./lib/store.js";

export async function measureFloor(dialect: BenchDialect, services: number) {
  const { store } = await preparePeakBook(dialect, services);
  progress("floor: writing the peak day's rows with plain batched SQL");
  const started = performance.now();
  const written = await runFloor(store.db, PEAK_RUN_AT);
  const seconds = (performance.now() - started) / 1000;
  await checkPeakDone(store, services, "floor");
  await store.close();
  return { written, seconds, servicesPerSecond: written / seconds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = parseBenchArgs({ services: 200_000 });
  const floor = await measureFloor(args.db, args.services);
  printResult({
    bench: "floor",
    dialect: args.db,
    services: args.services,
    seconds: round(floor.seconds, 2),
    servicesPerSecond: Math.round(floor.servicesPerSecond),
  });
}
