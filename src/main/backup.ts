/**
 * Backups and restores of the embedded SQLite store (docs/operations.md). A backup is a consistent
 * copy taken online through SQLite's backup API on a second, read-only connection: the engine and
 * the client area keep writing meanwhile (WAL), and the copy holds every committed transaction up to
 * one instant and nothing of those still open. A restore checks that the file is a Tenure database,
 * brings it up to date with the migrations, and only then replaces the target.
 *
 * PostgreSQL is backed up with PostgreSQL's own tools (pg_dump, base backups and WAL archiving):
 * Tenure does not reimplement them.
 */
import { existsSync, renameSync, rmSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { openStore } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";
import type { Instant } from "../domain/time.js";

/** Kysely's bookkeeping table: its presence is what makes a file a migrated Tenure database. */
export const MIGRATION_TABLE = "kysely_migration";

/** The tables every Tenure database has had since its first migration. */
export const EXPECTED_TABLES = [
  "customers",
  "services",
  "subscriptions",
  "domains",
  "invoices",
  "invoice_lines",
  "payments",
  "notices",
  "events",
  "engine_runs",
] as const;

/** What a backup (or a database about to be restored) holds, read from the file itself. */
export interface DatabaseSummary {
  /** Migrations applied to the file, in order. */
  migrations: string[];
  lastRun: { at: Instant; status: string } | null;
  customers: number;
  services: number;
  invoices: number;
  /** Charges committed as pending whose gateway outcome was not yet recorded ("money in flight"). */
  pendingPayments: number;
}

export type SqliteLocation = { kind: "file"; path: string } | { kind: "memory" } | { kind: "postgres" };

/** Where TENURE_DATABASE_URL points, as far as backups are concerned. */
export function locateDatabase(url: string): SqliteLocation {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { kind: "postgres" };
  const path = url.slice("sqlite:".length);
  return path === ":memory:" ? { kind: "memory" } : { kind: "file", path: resolve(path) };
}

export type BackupResult =
  | { ok: true; path: string; bytes: number; summary: DatabaseSummary }
  | { ok: false; reason: "exists" | "no-database" | "same-file"; message: string };

/**
 * Copies the live database at `source` into `destination`. The copy is written next to the
 * destination under a temporary name and renamed into place, so a failed or interrupted backup
 * never leaves a half-written file where a good one was.
 */
export async function backupSqlite(
  source: string,
  destination: string,
  options: { force?: boolean } = {},
): Promise<BackupResult> {
  const from = resolve(source);
  const to = resolve(destination);
  if (!existsSync(from)) {
    return { ok: false, reason: "no-database", message: `there is no database at ${from} to back up` };
  }
  if (from === to) {
    return { ok: false, reason: "same-file", message: `${to} is the live database itself` };
  }
  if (existsSync(to) && !options.force) {
    return { ok: false, reason: "exists", message: `${to} already exists (--force replaces it)` };
  }
  await mkdir(dirname(to), { recursive: true });
  const temp = `${to}.partial-${process.pid}`;
  removeDatabaseFiles(temp);
  const live = new SQLite(from, { readonly: true, fileMustExist: true });
  try {
    live.pragma("busy_timeout = 5000");
    // After a first empty step, copy every page in one step: one read snapshot of the WAL, so a
    // busy engine cannot make the backup restart over and over.
    await live.backup(temp, { progress: () => 0x7fffffff });
  } catch (error) {
    removeDatabaseFiles(temp);
    throw error;
  } finally {
    live.close();
  }
  let summary: DatabaseSummary;
  const copy = new SQLite(temp, { fileMustExist: true });
  try {
    const check = copy.pragma("quick_check", { simple: true });
    if (check !== "ok") throw new Error(`the copy failed its integrity check: ${String(check)}`);
    // A backup is one self-contained file: no write-ahead log beside it.
    copy.pragma("journal_mode = DELETE");
    summary = summarize(copy);
  } catch (error) {
    copy.close();
    removeDatabaseFiles(temp);
    throw error;
  }
  copy.close();
  if (existsSync(to) && !options.force) {
    removeDatabaseFiles(temp);
    return { ok: false, reason: "exists", message: `${to} already exists (--force replaces it)` };
  }
  renameSync(temp, to);
  return { ok: true, path: to, bytes: statSync(to).size, summary };
}

export type InspectRefusal = "missing" | "not-sqlite" | "not-tenure" | "damaged";

export type InspectResult =
  | { ok: true; summary: DatabaseSummary }
  | { ok: false; reason: InspectRefusal; message: string };

/** Whether `file` is a Tenure database (migration table and the expected tables), and what it holds. */
export function inspectDatabaseFile(file: string): InspectResult {
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile()) {
    return { ok: false, reason: "missing", message: `${path}: no such file` };
  }
  let db: SQLite.Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    return { ok: false, reason: "not-sqlite", message: `${path}: cannot open it (${describe(error)})` };
  }
  try {
    let tables: Set<string>;
    try {
      tables = new Set(
        db
          .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
          .all()
          .map((row) => (row as { name: string }).name),
      );
    } catch (error) {
      return {
        ok: false,
        reason: "not-sqlite",
        message: `${path}: not a SQLite database (${describe(error)})`,
      };
    }
    const missing = [MIGRATION_TABLE, ...EXPECTED_TABLES].filter((t) => !tables.has(t));
    if (missing.length > 0) {
      return {
        ok: false,
        reason: "not-tenure",
        message: `${path}: not a Tenure database (missing ${missing.map((t) => `"${t}"`).join(", ")})`,
      };
    }
    const check = db.pragma("quick_check", { simple: true });
    if (check !== "ok") {
      return {
        ok: false,
        reason: "damaged",
        message: `${path}: failed its integrity check (${String(check)})`,
      };
    }
    return { ok: true, summary: summarize(db) };
  } finally {
    db.close();
  }
}

export type RestoreResult =
  | {
      ok: true;
      path: string;
      /** What the backup held, before the migrations. */
      summary: DatabaseSummary;
      /** Migrations this version applied to bring the backup up to date. */
      migrated: string[];
      replaced: boolean;
    }
  | { ok: false; reason: InspectRefusal | "exists" | "in-use" | "same-file" | "newer"; message: string };

/**
 * Replaces the database at `target` with the backup `file`. The backup is copied beside the target
 * and migrated there first; the target (and its write-ahead log, which belongs to the old file) is
 * only replaced once the copy is known good.
 */
export async function restoreSqlite(
  file: string,
  target: string,
  options: { force?: boolean } = {},
): Promise<RestoreResult> {
  const from = resolve(file);
  const to = resolve(target);
  if (from === to) return { ok: false, reason: "same-file", message: `${from} is the database itself` };
  const inspected = inspectDatabaseFile(from);
  if (!inspected.ok) return inspected;
  const exists = existsSync(to);
  if (exists && !options.force) {
    return {
      ok: false,
      reason: "exists",
      message: `${to} exists: stop Tenure, keep a copy of it if in doubt, and restore with --force`,
    };
  }
  if (exists && isInUse(to)) {
    return {
      ok: false,
      reason: "in-use",
      message: `${to} is open in another process: stop every tenure serve, worker and start first`,
    };
  }
  await mkdir(dirname(to), { recursive: true });
  const temp = `${to}.restoring-${process.pid}`;
  removeDatabaseFiles(temp);
  const source = new SQLite(from, { readonly: true, fileMustExist: true });
  try {
    await source.backup(temp, { progress: () => 0x7fffffff });
  } finally {
    source.close();
  }
  let migrated: string[];
  const store = openStore(`sqlite:${temp}`);
  try {
    migrated = await migrateToLatest(store);
  } catch (error) {
    await store.close();
    removeDatabaseFiles(temp);
    return {
      ok: false,
      reason: "newer",
      message: `${from} cannot be brought up to date by this version of Tenure (${describe(error)})`,
    };
  }
  await store.close();
  // The old file's -wal and -shm would be replayed onto the restored file: they go with it.
  removeDatabaseFiles(to);
  renameSync(temp, to);
  return { ok: true, path: to, summary: inspected.summary, migrated, replaced: exists };
}

/** True when another connection holds the database open (a running serve, worker or start). */
function isInUse(path: string): boolean {
  let probe: SQLite.Database | null = null;
  try {
    probe = new SQLite(path, { fileMustExist: true, timeout: 0 });
    probe.pragma("locking_mode = EXCLUSIVE");
    probe.exec("BEGIN EXCLUSIVE");
    probe.exec("COMMIT");
    return false;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return true;
    // Not a database we can open at all: it is about to be replaced anyway.
    return false;
  } finally {
    probe?.close();
  }
}

function summarize(db: SQLite.Database): DatabaseSummary {
  const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
  const run = db.prepare("SELECT now_at AS at, status FROM engine_runs ORDER BY id DESC LIMIT 1").get() as
    | { at: number; status: string }
    | undefined;
  const migrations = db
    .prepare(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`)
    .all()
    .map((row) => (row as { name: string }).name);
  return {
    migrations,
    lastRun: run ? { at: Number(run.at), status: run.status } : null,
    customers: count("SELECT count(*) AS n FROM customers"),
    services: count("SELECT count(*) AS n FROM services"),
    invoices: count("SELECT count(*) AS n FROM invoices"),
    pendingPayments: count("SELECT count(*) AS n FROM payments WHERE status = 'pending'"),
  };
}

function removeDatabaseFiles(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
