/**
 * Reconciliation (issue 10): what the registry or the gateway says that Tenure's records do not,
 * kept for staff instead of written blindly. One row per difference seen (`kind` domain or
 * payment, the `subject` it is about, the `field`, Tenure's value and theirs, the `rule` that
 * flagged it); `status` open, accepted (automatically or by staff) or rejected, with who and why.
 * The same difference is recorded once: a rejected one is not flagged again until theirs changes.
 */
import type { Kysely } from "kysely";
import type { DialectName } from "../database.js";
import { notNull, withSerialId } from "./0001-initial.js";

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await withSerialId(db.schema.createTable("drift"), dialect)
    .addColumn("kind", "text", notNull)
    .addColumn("subject", "text", notNull)
    .addColumn("field", "text", notNull)
    .addColumn("ours", "text", notNull)
    .addColumn("theirs", "text", notNull)
    .addColumn("rule", "text", notNull)
    .addColumn("registrar", "text")
    .addColumn("service_id", "text")
    .addColumn("customer_id", "text")
    .addColumn("payment_id", "integer")
    .addColumn("status", "text", (c) => c.notNull().defaultTo("open"))
    .addColumn("detected_at", "bigint", notNull)
    .addColumn("decided_at", "bigint")
    .addColumn("decided_by", "text")
    .addColumn("decision_reason", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createIndex("drift_once")
    .on("drift")
    .columns(["kind", "subject", "field", "theirs"])
    .unique()
    .execute();
  await db.schema.createIndex("drift_status").on("drift").columns(["status", "detected_at"]).execute();
}
