/**
 * Lists in the Stripe style (docs/api.md): `{ object: "list", data, has_more }`, newest first,
 * `limit` 1-100 (default 20), `starting_after` / `ending_before` an object's id.
 */
import { type SelectQueryBuilder, sql } from "kysely";
import { z } from "zod";
import { ApiProblem } from "./problem.js";

export const listQueryShape = {
  limit: z.coerce.number().int().min(1).max(100).default(20).describe("How many objects, 1 to 100."),
  starting_after: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("An object's id: the page that follows it (older objects)."),
  ending_before: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("An object's id: the page that precedes it (newer objects)."),
};

const instant = z.iso.datetime({ offset: true });

/** `created_gte` / `created_lt` style date filters, as ISO 8601 instants. */
export function dateFilters<N extends string>(name: N) {
  return {
    [`${name}_gte`]: instant.optional().describe(`Only objects whose ${name} is at or after this instant.`),
    [`${name}_lt`]: instant.optional().describe(`Only objects whose ${name} is before this instant.`),
  } as { [K in `${N}_gte` | `${N}_lt`]: z.ZodOptional<typeof instant> };
}

export function listOf<T extends z.ZodType>(item: T) {
  return z.strictObject({ object: z.literal("list"), data: z.array(item), has_more: z.boolean() });
}

export interface ListQuery {
  limit: number;
  starting_after?: string | undefined;
  ending_before?: string | undefined;
}

type Cursor = { op: "<" | ">"; value: string | number } | null;

/** Parses a cursor for an integer id; a malformed one is a validation error, not a 500. */
export function intCursor(text: string, field: string): number {
  if (!/^[0-9]{1,15}$/.test(text)) {
    throw new ApiProblem("validation_failed", `${field}: not an id of this list`, {
      errors: [{ field, message: "not an id of this list" }],
    });
  }
  return Number(text);
}

/**
 * Applies the cursor and the order on `column` and reads one row more than asked, to know
 * whether there is more.
 */
export async function paginate<DB, TB extends keyof DB, O, T>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  q: ListQuery,
  numericIds: boolean,
  map: (rows: O[]) => T[] | Promise<T[]>,
): Promise<{ object: "list"; data: T[]; has_more: boolean }> {
  if (q.starting_after !== undefined && q.ending_before !== undefined) {
    throw new ApiProblem("validation_failed", "starting_after and ending_before cannot be used together", {
      errors: [{ field: "ending_before", message: "cannot be used with starting_after" }],
    });
  }
  const cursorOf = (text: string, field: string) => (numericIds ? intCursor(text, field) : text);
  const cursor: Cursor =
    q.starting_after !== undefined
      ? { op: "<", value: cursorOf(q.starting_after, "starting_after") }
      : q.ending_before !== undefined
        ? { op: ">", value: cursorOf(q.ending_before, "ending_before") }
        : null;
  const backwards = cursor?.op === ">";
  let built = query;
  if (cursor) built = built.where(sql.ref(column), cursor.op, cursor.value);
  built = built.orderBy(sql.ref(column), backwards ? "asc" : "desc").limit(q.limit + 1);
  const rows = await built.execute();
  const hasMore = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  if (backwards) page.reverse();
  return { object: "list", data: await map(page), has_more: hasMore };
}
