/**
 * The small SQLite file in which a test adapter keeps its own records, outside Tenure's database,
 * the way a real gateway or registry does. Several processes may share one file: WAL lets them
 * read while one writes, busy_timeout makes writers queue instead of failing, and every change is
 * one immediate transaction. Without a file the ledger lives in memory (most tests).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";

export type Ledger = SQLite.Database;

export function openLedger(file: string | undefined, schema: string): Ledger {
  if (file) mkdirSync(dirname(file), { recursive: true });
  const db = new SQLite(file ?? ":memory:");
  db.pragma("busy_timeout = 10000");
  if (file) {
    db.pragma("journal_mode = WAL");
    // The ledger is the other party's truth (the bank's books): a commit survives power loss.
    db.pragma("synchronous = FULL");
  }
  db.exec(schema);
  return db;
}

/** Runs `fn` in one BEGIN IMMEDIATE transaction: the write lock is taken before anything is read. */
export function atomically<T>(db: Ledger, fn: () => T): T {
  return db.transaction(fn).immediate();
}
