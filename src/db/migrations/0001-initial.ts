import { type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely, sql } from "kysely";

import type { DialectName as Dialect } from "../database.js";

/** An integer id the database assigns: rowid on SQLite, bigserial on PostgreSQL. */
export function withSerialId<T extends string>(table: CreateTableBuilder<T, never>, dialect: Dialect) {
  return dialect === "sqlite"
    ? table.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    : table.addColumn("id", "bigserial", (c) => c.primaryKey());
}

export const notNull = (c: ColumnDefinitionBuilder) => c.notNull();

export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("customers")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("email", "text", notNull)
    .addColumn("name", "text", notNull)
    .addColumn("locale", "text", notNull)
    .addColumn("currency", "text", notNull)
    .addColumn("time_zone", "text", notNull)
    .addColumn("card_token", "text")
    .addColumn("card_label", "text")
    .addColumn("created_at", "bigint", notNull)
    .execute();
  await db.schema.createIndex("customers_email").unique().on("customers").column("email").execute();

  await db.schema
    .createTable("tld_prices")
    .addColumn("tld", "text", notNull)
    .addColumn("currency", "text", notNull)
    .addColumn("renew_amount", "bigint", notNull)
    .addPrimaryKeyConstraint("tld_prices_pk", ["tld", "currency"])
    .execute();

  await db.schema
    .createTable("products")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("kind", "text", notNull)
    .addColumn("name", "text", notNull)
    .addColumn("plan", "text", notNull)
    .addColumn("price", "bigint", notNull)
    .addColumn("currency", "text", notNull)
    .execute();

  await db.schema
    .createTable("services")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
    .addColumn("kind", "text", notNull)
    .addColumn("label", "text", notNull)
    .addColumn("status", "text", notNull)
    .addColumn("created_at", "bigint", notNull)
    .addColumn("next_due_at", "bigint")
    .addColumn("lease_owner", "text")
    .addColumn("lease_until", "bigint")
    .addColumn("failure_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .execute();
  // The engine finds due work through this index only (DESIGN.md, Throughput).
  await db.schema.createIndex("services_next_due").on("services").column("next_due_at").execute();
  await db.schema.createIndex("services_customer").on("services").column("customer_id").execute();

  await db.schema
    .createTable("subscriptions")
    .addColumn("service_id", "text", (c) => c.primaryKey().references("services.id"))
    .addColumn("product_id", "text")
    .addColumn("plan", "text", notNull)
    .addColumn("price", "bigint", notNull)
    .addColumn("currency", "text", notNull)
    .addColumn("started_at", "bigint", notNull)
    .addColumn("anchor_at", "bigint", notNull)
    .addColumn("terms_since_anchor", "integer", notNull)
    .addColumn("term_ends_at", "bigint", notNull)
    .execute();

  await db.schema
    .createTable("domains")
    .addColumn("service_id", "text", (c) => c.primaryKey().references("services.id"))
    .addColumn("name", "text", notNull)
    .addColumn("tld", "text", notNull)
    .addColumn("registrar", "text", notNull)
    .addColumn("registered_at", "bigint", notNull)
    .addColumn("lock_start_at", "bigint", notNull)
    .addColumn("expires_at", "bigint", notNull)
    .addColumn("auto_renew", "integer", notNull)
    .addColumn("auto_renew_changed_at", "bigint")
    .addColumn("email_verified", "integer", notNull)
    .addColumn("site_service_id", "text", (c) => c.references("services.id"))
    .addColumn("site_connected", "integer", notNull)
    .addColumn("offer", "text")
    .addColumn("legacy_lost_reason", "text")
    .addColumn("recorded_price", "bigint", notNull)
    .addColumn("recorded_currency", "text", notNull)
    .execute();
  await db.schema.createIndex("domains_site").on("domains").column("site_service_id").execute();

  await withSerialId(db.schema.createTable("cancellation_requests"), dialect)
    .addColumn("service_id", "text", (c) => c.notNull().references("services.id"))
    .addColumn("reason", "text", notNull)
    .addColumn("mode", "text", notNull)
    .addColumn("stop_domain_ids", "text", notNull)
    .addColumn("status", "text", notNull)
    .addColumn("requested_at", "bigint", notNull)
    .addColumn("effective_at", "bigint", notNull)
    .addColumn("requested_by", "text", notNull)
    .addColumn("closed_at", "bigint")
    .execute();
  // At most one pending cancellation per service, whatever races.
  await db.schema
    .createIndex("cancellation_one_pending")
    .unique()
    .on("cancellation_requests")
    .column("service_id")
    .where(sql.ref("status"), "=", "pending")
    .execute();

  await withSerialId(db.schema.createTable("invoices"), dialect)
    .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
    .addColumn("issue_key", "text", (c) => c.unique())
    .addColumn("service_id", "text")
    .addColumn("purpose", "text", notNull)
    .addColumn("period_start_at", "bigint")
    .addColumn("currency", "text", notNull)
    .addColumn("total", "bigint", notNull)
    .addColumn("amount_paid", "bigint", notNull)
    .addColumn("status", "text", notNull)
    .addColumn("issued_at", "bigint", notNull)
    .addColumn("due_at", "bigint", notNull)
    .addColumn("paid_at", "bigint")
    .addColumn("voided_at", "bigint")
    .execute();
  await db.schema
    .createIndex("invoices_service_period")
    .on("invoices")
    .columns(["service_id", "period_start_at"])
    .execute();
  await db.schema.createIndex("invoices_customer").on("invoices").column("customer_id").execute();

  await withSerialId(db.schema.createTable("invoice_lines"), dialect)
    .addColumn("invoice_id", "bigint", (c) => c.notNull().references("invoices.id"))
    .addColumn("service_id", "text")
    .addColumn("description", "text", notNull)
    .addColumn("amount", "bigint", notNull)
    .addColumn("period_start_at", "bigint")
    .addColumn("period_end_at", "bigint")
    .execute();
  await db.schema.createIndex("invoice_lines_invoice").on("invoice_lines").column("invoice_id").execute();

  await withSerialId(db.schema.createTable("payments"), dialect)
    .addColumn("invoice_id", "bigint", (c) => c.notNull().references("invoices.id"))
    .addColumn("customer_id", "text", notNull)
    .addColumn("attempt", "integer", notNull)
    .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
    .addColumn("amount", "bigint", notNull)
    .addColumn("currency", "text", notNull)
    .addColumn("status", "text", notNull)
    .addColumn("gateway_ref", "text")
    .addColumn("failure_code", "text")
    .addColumn("created_at", "bigint", notNull)
    .addColumn("resolved_at", "bigint")
    .execute();
  await db.schema.createIndex("payments_invoice").on("payments").column("invoice_id").execute();
  // One successful charge per invoice, enforced by the database, not merely by the code.
  await db.schema
    .createIndex("payments_one_success")
    .unique()
    .on("payments")
    .column("invoice_id")
    .where(sql.ref("status"), "=", "succeeded")
    .execute();

  await withSerialId(db.schema.createTable("tickets"), dialect)
    .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
    .addColumn("kind", "text", notNull)
    .addColumn("subject", "text", notNull)
    .addColumn("body", "text", notNull)
    .addColumn("status", "text", notNull)
    .addColumn("service_id", "text")
    .addColumn("invoice_id", "bigint")
    .addColumn("opened_by", "text", notNull)
    .addColumn("created_at", "bigint", notNull)
    .addColumn("closed_at", "bigint")
    .execute();

  await withSerialId(db.schema.createTable("notices"), dialect)
    .addColumn("notice_key", "text", (c) => c.notNull().unique())
    .addColumn("customer_id", "text", notNull)
    .addColumn("service_id", "text")
    .addColumn("template", "text", notNull)
    .addColumn("locale", "text", notNull)
    .addColumn("to_address", "text", notNull)
    .addColumn("subject", "text", notNull)
    .addColumn("text_body", "text", notNull)
    .addColumn("html_body", "text", notNull)
    .addColumn("status", "text", notNull)
    .addColumn("attempts", "integer", notNull)
    .addColumn("created_at", "bigint", notNull)
    .addColumn("sent_at", "bigint")
    .addColumn("last_error", "text")
    .execute();
  await db.schema.createIndex("notices_status").on("notices").columns(["status", "id"]).execute();
  await db.schema.createIndex("notices_service").on("notices").column("service_id").execute();

  await withSerialId(db.schema.createTable("events"), dialect)
    .addColumn("at", "bigint", notNull)
    .addColumn("type", "text", notNull)
    .addColumn("customer_id", "text")
    .addColumn("service_id", "text")
    .addColumn("details", "text", notNull)
    .execute();
  await db.schema.createIndex("events_service").on("events").columns(["service_id", "at"]).execute();
  await db.schema.createIndex("events_at").on("events").columns(["at", "id"]).execute();

  await withSerialId(db.schema.createTable("engine_runs"), dialect)
    .addColumn("worker", "text", notNull)
    .addColumn("now_at", "bigint", notNull)
    .addColumn("started_at", "bigint", notNull)
    .addColumn("finished_at", "bigint")
    .addColumn("status", "text", notNull)
    .addColumn("steps_applied", "integer", notNull)
    .addColumn("services_failed", "integer", notNull)
    .execute();

  await withSerialId(db.schema.createTable("engine_failures"), dialect)
    .addColumn("run_id", "bigint", notNull)
    .addColumn("service_id", "text", notNull)
    .addColumn("step", "text", notNull)
    .addColumn("error", "text", notNull)
    .addColumn("at", "bigint", notNull)
    .execute();
}
