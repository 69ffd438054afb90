/**
 * A customer's version: a number that changes whenever anything shown of the customer changes,
 * kept by the database's own triggers (migration 0024), so the page cache can trust it whoever
 * wrote the change and on whichever web node it is read.
 */
import { sql } from "kysely";
import type { Db, Deps } from "../deps.js";

/** The version now; null for a customer that does not exist. */
export async function customerVersion(
  deps: Pick<Deps, "db" | "dialect">,
  customerId: string,
): Promise<number | null> {
  if (deps.dialect === "sqlite") {
    const row = await deps.db
      .selectFrom("customer_versions")
      .select("version")
      .where("customer_id", "=", customerId)
      .executeTakeFirst();
    return row ? Number(row.version) : null;
  }
  // The changes not folded yet count too: their number only grows as writers commit.
  const row = await deps.db
    .selectFrom("customers")
    .select(
      sql<string>`customers.version + (SELECT count(*) FROM customer_changes c WHERE c.customer_id = customers.id)`.as(
        "version",
      ),
    )
    .where("id", "=", customerId)
    .executeTakeFirst();
  return row ? Number(row.version) : null;
}

/** Only one compaction at a time (two would lock customers' rows in different orders). */
const COMPACTION_LOCK = 0x7e_4e_00_24;

/**
 * PostgreSQL: folds the change rows into `customers.version` in one statement (deleted and added
 * together, so every version keeps its value), keeping the table small. A no-op on SQLite.
 * Returns the number of rows folded.
 */
export async function compactCustomerChanges(
  deps: Pick<Deps, "db" | "dialect">,
  db: Db = deps.db,
): Promise<number> {
  if (deps.dialect === "sqlite") return 0;
  return db.transaction().execute(async (tx) => {
    const locked = await sql<{
      locked: boolean;
    }>`SELECT pg_try_advisory_xact_lock(${COMPACTION_LOCK}) AS locked`.execute(tx);
    if (!locked.rows[0]?.locked) return 0;
    // Folding is not a change of what the customer sees: the customers' trigger skips it (0026).
    await sql`SELECT set_config('tenure.compacting', 'on', true)`.execute(tx);
    const folded = await sql<{ folded: string }>`
      WITH gone AS (DELETE FROM customer_changes RETURNING customer_id),
        counted AS (SELECT customer_id, count(*) AS n FROM gone GROUP BY customer_id),
        bumped AS (
          UPDATE customers SET version = customers.version + counted.n
          FROM counted WHERE customers.id = counted.customer_id RETURNING counted.n)
      SELECT coalesce(sum(n), 0) AS folded FROM bumped`.execute(tx);
    return Number(folded.rows[0]?.folded ?? 0);
  });
}
