/**
 * Invoice lines by service: voiding a service's open invoices and previewing auto-renew off read
 * the lines of a service, which without this index scanned every line of every invoice.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("invoice_lines_service").on("invoice_lines").column("service_id").execute();
}
