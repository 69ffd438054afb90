/**
 * The back office (issue 9): staff accounts, the append-only audit log, ticket assignment, credit
 * notes for refunds and adjustments, and the per-domain overrides staff may grant.
 *
 * - `staff`: separate from customers' `accounts` (a staff member is not a customer); a generated
 *   one-time password is changed at first sign-in (`must_change_password`).
 * - `audit_log`: every staff action. The application has no UPDATE or DELETE for it, and the
 *   database refuses both (triggers on either engine), so a bug or a hand-written query cannot
 *   rewrite history either.
 * - `sessions.staff_id`: disabling a staff member ends their sessions.
 * - `domains.grace_extension_days`, `restore_fee_waived`, `transfer_lock_lifted_at`: overrides
 *   read by the pure domain rules, each set only through an audited staff action.
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "../database.js";
import { notNull, withSerialId } from "./0001-initial.js";

const APPEND_ONLY = "the audit log is append-only";

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable("staff")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", notNull)
    .addColumn("role", "text", notNull)
    .addColumn("locale", "text", (c) => c.notNull().defaultTo("en"))
    .addColumn("password_hash", "text", notNull)
    .addColumn("must_change_password", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("totp_secret", "text")
    .addColumn("totp_enabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("totp_last_step", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("disabled_at", "bigint")
    .addColumn("last_sign_in_at", "bigint")
    .addColumn("created_at", "bigint", notNull)
    .execute();

  await withSerialId(db.schema.createTable("audit_log"), dialect)
    .addColumn("at", "bigint", notNull)
    .addColumn("staff_id", "text", notNull)
    .addColumn("staff_email", "text", notNull)
    .addColumn("role", "text", notNull)
    .addColumn("action", "text", notNull)
    .addColumn("object_type", "text", notNull)
    .addColumn("object_id", "text", notNull)
    .addColumn("customer_id", "text")
    .addColumn("reason", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("before_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("after_json", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("client_address", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createIndex("audit_log_object")
    .on("audit_log")
    .columns(["object_type", "object_id"])
    .execute();
  await db.schema.createIndex("audit_log_customer").on("audit_log").column("customer_id").execute();
  await db.schema.createIndex("audit_log_at").on("audit_log").column("at").execute();

  await db.schema.alterTable("sessions").addColumn("staff_id", "text").execute();
  await db.schema.alterTable("tickets").addColumn("assigned_staff_id", "text").execute();
  await db.schema.alterTable("tickets").addColumn("updated_at", "bigint").execute();
  await db.schema.alterTable("ticket_replies").addColumn("staff_id", "text").execute();

  await withSerialId(db.schema.createTable("credit_notes"), dialect)
    .addColumn("invoice_id", "bigint", (c) => c.notNull().references("invoices.id"))
    .addColumn("customer_id", "text", notNull)
    .addColumn("refund_id", "bigint", (c) => c.references("refunds.id").unique())
    .addColumn("kind", "text", notNull)
    .addColumn("amount", "bigint", notNull)
    .addColumn("currency", "text", notNull)
    .addColumn("reason", "text", notNull)
    .addColumn("created_by", "text", notNull)
    .addColumn("created_at", "bigint", notNull)
    .execute();
  await db.schema.createIndex("credit_notes_invoice").on("credit_notes").column("invoice_id").execute();

  await db.schema
    .alterTable("domains")
    .addColumn("grace_extension_days", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("domains")
    .addColumn("restore_fee_waived", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("domains").addColumn("transfer_lock_lifted_at", "bigint").execute();

  if (dialect === "sqlite") {
    for (const event of ["UPDATE", "DELETE"]) {
      await sql
        .raw(`CREATE TRIGGER audit_log_append_only_${event.toLowerCase()} BEFORE ${event} ON audit_log
          BEGIN SELECT RAISE(ABORT, '${APPEND_ONLY}'); END`)
        .execute(db);
    }
    return;
  }
  await sql
    .raw(`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '${APPEND_ONLY}'; END $$`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`)
    .execute(db);
}
