/**
 * The back office's automation page (issue 9) reads, on a book of a million services: the failures
 * of one run, a service's latest failure, the services whose last step failed and the charges still
 * waiting for the gateway. Partial indexes keep the last two to the few rows they are about.
 */
import { type Kysely, sql } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("engine_failures_run").on("engine_failures").column("run_id").execute();
  await db.schema
    .createIndex("engine_failures_service")
    .on("engine_failures")
    .columns(["service_id", "id"])
    .execute();
  await db.schema
    .createIndex("services_failing")
    .on("services")
    .column("failure_count")
    .where(sql.ref("failure_count"), ">", 0)
    .execute();
  await db.schema
    .createIndex("payments_pending")
    .on("payments")
    .column("created_at")
    .where(sql.ref("status"), "=", "pending")
    .execute();
}
