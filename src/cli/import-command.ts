/**
 * `tenure import FILE|DIR [--dry-run] [--at INSTANT]` and `tenure export DIR [--force]`
 * (docs/import.md). Problems go to stderr one per line (`file:line: field: message`), exit 2,
 * nothing written; the summary is one JSON line on stdout; progress goes to stderr.
 */
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { Instant } from "../domain/time.js";
import type { Deps } from "../modules/deps.js";
import { BOOK_FILE } from "../modules/import-export/book-format.js";
import { exportBook } from "../modules/import-export/export-book.js";
import { type ImportProgress, importBook } from "../modules/import-export/import-book.js";
import { type BookSource, BookSourceError, findBookSource } from "../modules/import-export/read-book.js";
import { type CommandIo, InputError, UsageError } from "./command-io.js";

/** On a terminal the count is redrawn in place often; in a log, one line per this many records. */
const PROGRESS_EVERY_TTY = 10_000;
const PROGRESS_EVERY_LOG = 100_000;

export async function findImportSource(path: string | undefined): Promise<BookSource> {
  if (path === undefined) throw new UsageError("import: give the book's file or folder (tenure import FILE)");
  try {
    return await findBookSource(path);
  } catch (error) {
    if (error instanceof BookSourceError) throw new InputError(error.message);
    throw error;
  }
}

export async function importCommand(
  deps: Deps,
  source: BookSource,
  options: { dryRun: boolean; now: Instant; isTty: boolean },
  io: CommandIo,
): Promise<number> {
  const onProgress = (p: ImportProgress) => {
    const words = `${p.phase === "checking" ? "checked" : options.dryRun ? "tried" : "wrote"} ${p.records} records`;
    io.err(options.isTty ? `\r${words}` : `${words}\n`);
  };
  const outcome = await importBook(deps, source, {
    now: options.now,
    dryRun: options.dryRun,
    onProgress,
    progressEvery: options.isTty ? PROGRESS_EVERY_TTY : PROGRESS_EVERY_LOG,
  });
  if (options.isTty) io.err("\n");
  if (!outcome.ok) {
    for (const p of outcome.problems) io.err(`${p.file}:${p.line}: ${p.field}: ${p.message}\n`);
    io.err(`tenure: ${outcome.problems.length} problem(s); nothing was written\n`);
    return 2;
  }
  io.out(`${JSON.stringify(outcome)}\n`);
  if (outcome.dueAtOnce > 0) {
    io.err(
      `${outcome.dueAtOnce} service(s) have a renewal invoice or charge due at the first engine run: close their open invoices in the previous system (docs/import.md)\n`,
    );
  }
  return 0;
}

export async function checkExportTarget(dir: string | undefined, force: boolean): Promise<string> {
  if (dir === undefined)
    throw new UsageError("export: give the folder to write the book in (tenure export DIR)");
  const file = join(dir, BOOK_FILE);
  const exists = await access(file).then(
    () => true,
    () => false,
  );
  if (exists && !force) throw new InputError(`${file} exists: give --force to replace it`);
  return dir;
}

export async function exportCommand(deps: Deps, dir: string, now: Instant, io: CommandIo): Promise<number> {
  const result = await exportBook(deps.db, dir, now);
  io.out(`${JSON.stringify(result)}\n`);
  return 0;
}
