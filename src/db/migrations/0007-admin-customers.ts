/**
 * The back office's customer page and cancellation queue (issue 9).
 *
 * - `cancellation_requests.carried_out_by`: a pending cancellation that a staff member carries out
 *   before its time records who did (`staff:<email>`), for the `service.cancelled` event the engine
 *   then records, and so that a second click finds it already asked for.
 * - Indexes for what a customer's page reads newest first (their events, notices and payments)
 *   and for the queue (pending requests by date).
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("cancellation_requests").addColumn("carried_out_by", "text").execute();
  await db.schema
    .createIndex("cancellation_requests_status")
    .on("cancellation_requests")
    .columns(["status", "requested_at"])
    .execute();
  await db.schema.createIndex("events_customer").on("events").columns(["customer_id", "id"]).execute();
  await db.schema.createIndex("notices_customer").on("notices").columns(["customer_id", "id"]).execute();
  await db.schema.createIndex("payments_customer").on("payments").columns(["customer_id", "id"]).execute();
}
