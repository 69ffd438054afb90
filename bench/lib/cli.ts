/** What every benchmark shares: its options, its sanity checks and its one line of JSON. */
import { execSync } from "node:child_process";
import { parseArgs } from "node:util";
import type { BenchDialect } from "./store.js";

export interface BenchArgs {
  db: BenchDialect;
  services: number;
  values: Record<string, string | boolean | undefined>;
}

/**
 * `--db sqlite|postgres` and `--services N` (the size by default; `1e5` and `100_000` are
 * accepted); extra string options are declared by each benchmark.
 */
export function parseBenchArgs(defaults: { services: number }, extra: string[] = []): BenchArgs {
  const { values } = parseArgs({
    options: {
      db: { type: "string", default: "sqlite" },
      services: { type: "string" },
      ...Object.fromEntries(extra.map((name) => [name, { type: "string" as const }])),
    },
    allowPositionals: false,
  });
  if (values.db !== "sqlite" && values.db !== "postgres")
    fail(`--db must be sqlite or postgres (got ${values.db})`);
  return {
    db: values.db,
    services: values.services === undefined ? defaults.services : parseCount(String(values.services)),
    values,
  };
}

export function parseCount(text: string): number {
  const value = Number(text.replaceAll("_", ""));
  if (!Number.isInteger(value) || value < 0) fail(`expected a whole number, got "${text}"`);
  return value;
}

export function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

/** A benchmark that did not do its work must not print a speed: stop with the reason. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) fail(`sanity check failed: ${message}`);
}

/** Progress goes to stderr so stdout stays one line of JSON. */
export function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** The commit measured, with `+` when src/ had uncommitted changes: figures name their code. */
function measuredCommit(): string {
  try {
    const head = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
    const dirty = execSync("git status --porcelain -- src", { encoding: "utf8" }).trim() !== "";
    return dirty ? `${head}+` : head;
  } catch {
    return "unknown";
  }
}

/** Read when the benchmark starts: the code it loaded, not what was committed while it ran. */
const COMMIT = measuredCommit();

export function printResult(result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...result, commit: COMMIT, at: new Date().toISOString() })}\n`);
}

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
