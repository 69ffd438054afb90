/**
 * Jobs the workers run on a schedule rather than per service (issue 10: reconciliation). One row
 * per job: when it is next due, and the lease of the worker running it, claimed the way services
 * are (a guarded update), so two workers never run it at once and a worker that dies mid-run
 * leaves it to another once its lease has passed. Survives restarts, unlike a worker's memory.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("scheduled_jobs")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("next_run_at", "bigint", (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "bigint")
    .addColumn("last_started_at", "bigint")
    .addColumn("last_finished_at", "bigint")
    .execute();
}
