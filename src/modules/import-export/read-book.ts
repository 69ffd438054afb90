/**
 * Reads a book line by line, streaming (a million services do not sit in memory): each record
 * parsed and validated, or its problems with the file, the line and the field. Read twice by the
 * import: once to check everything, once to write.
 */
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { parse as parseCsv } from "csv-parse";
import type { z } from "zod";
import {
  BOOK_FILE,
  type BookRecord,
  CSV_COLUMNS,
  csvColumnOf,
  csvRowToRecord,
  csvTableOf,
  headerSchema,
  RECORD_ORDER,
  type RecordType,
  recordSchema,
} from "./book-format.js";

export interface BookProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

export type ReadItem =
  | { ok: true; file: string; line: number; record: BookRecord }
  /** `type` and `id` when the record names them, so what refers to a wrong record is not reported too. */
  | { ok: false; problems: BookProblem[]; type?: RecordType; id?: string };

/** What a path names: a book file, one CSV table, or a folder holding either. */
export interface BookSource {
  files: { path: string; kind: "jsonl" | RecordType }[];
}

export class BookSourceError extends Error {}

export async function findBookSource(path: string): Promise<BookSource> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new BookSourceError(`${path}: no such file or folder`);
  }
  if (info.isDirectory()) {
    const names = await readdir(path);
    if (names.includes(BOOK_FILE)) return { files: [{ path: join(path, BOOK_FILE), kind: "jsonl" }] };
    const tables = RECORD_ORDER.flatMap((type) =>
      names
        .filter((name) => csvTableOf(name) === type)
        .sort()
        .map((name) => ({ path: join(path, name), kind: type })),
    );
    if (tables.length === 0)
      throw new BookSourceError(
        `${path}: no ${BOOK_FILE} and no customers.csv, subscriptions.csv or domains.csv in this folder`,
      );
    return { files: tables };
  }
  if (path.endsWith(".csv")) {
    const type = csvTableOf(basename(path));
    if (type === null)
      throw new BookSourceError(
        `${path}: a CSV file's name says its table: …customers.csv, …subscriptions.csv or …domains.csv`,
      );
    return { files: [{ path, kind: type }] };
  }
  return { files: [{ path, kind: "jsonl" }] };
}

function problemsOf(error: z.ZodError, file: string, line: number, type: RecordType | null, isCsv: boolean) {
  return error.issues.flatMap((issue): BookProblem[] => {
    const path = issue.path.map(String).join(".");
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [null];
    return keys.map((key) => {
      const field = [path, key].filter(Boolean).join(".") || "(record)";
      return {
        file,
        line,
        field: isCsv && type ? csvColumnOf(type, field) : field,
        message: key === null ? issue.message : "unknown field",
      };
    });
  });
}

/** Every record of the source in order, checking that the order is customers, subscriptions, domains. */
export async function* readBook(source: BookSource): AsyncGenerator<ReadItem> {
  let lastType = 0;
  for (const file of source.files) {
    const items = file.kind === "jsonl" ? readJsonLines(file.path) : readCsv(file.path, file.kind);
    for await (const item of items) {
      if (item.ok) {
        const rank = RECORD_ORDER.indexOf(item.record.type);
        if (rank < lastType) {
          yield {
            ok: false,
            problems: [
              {
                file: item.file,
                line: item.line,
                field: "type",
                message: `a ${item.record.type} after the ${RECORD_ORDER[lastType]}s: customers come first, then subscriptions, then domains`,
              },
            ],
          };
          continue;
        }
        lastType = rank;
      }
      yield item;
    }
  }
}

async function* readJsonLines(path: string): AsyncGenerator<ReadItem> {
  const file = basename(path);
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let number = 0;
  let hasHeader = false;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      yield {
        ok: false,
        problems: [
          { file, line: number, field: "(line)", message: `not valid JSON: ${(error as Error).message}` },
        ],
      };
      continue;
    }
    if (!hasHeader) {
      hasHeader = true;
      const header = headerSchema.safeParse(value);
      if (!header.success) {
        yield {
          ok: false,
          problems: [
            {
              file,
              line: number,
              field: "format",
              message: 'the first line is the header {"format":"tenure-book","version":1}',
            },
          ],
        };
      }
      continue;
    }
    const parsed = recordSchema.safeParse(value);
    if (parsed.success) yield { ok: true, file, line: number, record: parsed.data };
    else yield failure(problemsOf(parsed.error, file, number, typeOf(value), false), value);
  }
  if (!hasHeader) {
    yield {
      ok: false,
      problems: [{ file, line: 1, field: "format", message: "an empty file: no header and no record" }],
    };
  }
}

function failure(problems: BookProblem[], value: unknown): ReadItem {
  const type = typeOf(value);
  const id = (value as { id?: unknown } | null)?.id;
  return {
    ok: false,
    problems,
    ...(type ? { type } : {}),
    ...(typeof id === "string" && id !== "" ? { id } : {}),
  };
}

function typeOf(value: unknown): RecordType | null {
  const type = (value as { type?: unknown } | null)?.type;
  return RECORD_ORDER.find((t) => t === type) ?? null;
}

async function* readCsv(path: string, type: RecordType): AsyncGenerator<ReadItem> {
  const file = basename(path);
  const expected: readonly string[] = CSV_COLUMNS[type];
  const parser = createReadStream(path).pipe(
    parseCsv({
      columns: true,
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }),
  );
  let checkedHeader = false;
  try {
    for await (const row of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      if (!checkedHeader) {
        checkedHeader = true;
        const unknown = Object.keys(row.record).filter((column) => !expected.includes(column));
        if (unknown.length > 0) {
          yield {
            ok: false,
            problems: unknown.map((column) => ({ file, line: 1, field: column, message: "unknown column" })),
          };
          return;
        }
      }
      const line = row.info.lines;
      const parsed = recordSchema.safeParse(csvRowToRecord(type, row.record));
      if (parsed.success) yield { ok: true, file, line, record: parsed.data };
      else yield failure(problemsOf(parsed.error, file, line, type, true), { type, id: row.record.id });
    }
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 0;
    yield {
      ok: false,
      problems: [{ file, line, field: "(line)", message: `not valid CSV: ${(error as Error).message}` }],
    };
  }
}
