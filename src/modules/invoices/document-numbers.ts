/**
 * Document numbers from the `document_series` counters (docs/taxes.md, "Numbering"). A counter is
 * taken with one UPDATE in the transaction that writes the documents: on PostgreSQL the row lock
 * makes concurrent issuers wait for each other's commit, SQLite has one writer; a transaction that
 * rolls back gives its numbers back, so none is skipped, and none is given twice.
 */
import {
  DEFAULT_NUMBERING,
  type DocumentSeries,
  formatDocumentNumber,
  type NumberingPolicy,
} from "../../domain/numbering.js";
import type { Db, Tx } from "../deps.js";

/** Takes `count` consecutive numbers of the series; returns them formatted, in order. */
export async function takeDocumentNumbers(
  tx: Tx,
  series: DocumentSeries,
  count: number,
  policy: NumberingPolicy = DEFAULT_NUMBERING,
): Promise<string[]> {
  if (count <= 0) return [];
  const row = await tx
    .updateTable("document_series")
    .set((eb) => ({ next_number: eb("next_number", "+", count) }))
    .where("series", "=", series)
    .returning("next_number")
    .executeTakeFirst();
  if (!row) throw new Error(`document series "${series}" has no counter (migration 0009)`);
  const first = Number(row.next_number) - count;
  return Array.from({ length: count }, (_, i) => formatDocumentNumber(policy, series, first + i));
}

/** The next number a series will give (the counter), for the numbering command and its checks. */
export async function nextDocumentNumber(db: Db | Tx, series: DocumentSeries): Promise<number> {
  const row = await db
    .selectFrom("document_series")
    .select("next_number")
    .where("series", "=", series)
    .executeTakeFirst();
  if (!row) throw new Error(`document series "${series}" has no counter (migration 0009)`);
  return Number(row.next_number);
}

export type BumpResult =
  | { ok: true; series: DocumentSeries; from: number; to: number }
  | { ok: false; reason: "not-forward"; next: number };

/**
 * After restoring an older backup: numbers given after the backup were already sent to customers,
 * so the counter must move past the last one sent (`to` is the next number to give). Only forward:
 * a counter is never moved back, which could give a number twice.
 */
export async function bumpDocumentSeries(db: Db, series: DocumentSeries, to: number): Promise<BumpResult> {
  return db.transaction().execute(async (tx) => {
    const next = await nextDocumentNumber(tx, series);
    if (to <= next) return { ok: false, reason: "not-forward", next };
    await tx
      .updateTable("document_series")
      .set({ next_number: to })
      .where("series", "=", series)
      .where("next_number", "=", next)
      .execute();
    return { ok: true, series, from: next, to };
  });
}
