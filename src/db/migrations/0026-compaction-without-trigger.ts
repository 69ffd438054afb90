/**
 * PostgreSQL: the compaction of `customer_changes` into `customers.version` (worker, bulk loads)
 * is told apart from a change of the customer by a transaction-local setting it sets
 * (`tenure.compacting`), instead of by joining the statement's old and new rows: on a large
 * compaction that join of two unindexed transition tables ran for many minutes (200k customers).
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "../database.js";

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== "postgres") return;
  await sql
    .raw(`CREATE OR REPLACE FUNCTION customer_version_customers_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF current_setting('tenure.compacting', true) = 'on' THEN RETURN NULL; END IF;
        INSERT INTO customer_changes (customer_id)
          SELECT DISTINCT c FROM (SELECT r.id FROM new_rows r UNION SELECT r.id FROM old_rows r) AS touched (c)
          WHERE c IS NOT NULL;
        RETURN NULL;
      END $$`)
    .execute(db);
}
