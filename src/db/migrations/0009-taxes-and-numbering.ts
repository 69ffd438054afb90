/**
 * Taxes and document numbers (issue 12, docs/taxes.md).
 *
 * - `customers.billing_*`, `tax_exempt`, `tax_exempt_reason`: the billing address that decides the
 *   customer's tax location (null: none given yet, not taxed by default).
 * - `invoices.subtotal`, `tax_total`, `tax_note` and `invoice_taxes` (one row per tax of an
 *   invoice: code, jurisdiction, rate in parts per 100,000, base, amount); `invoice_lines.taxes`
 *   (JSON, the line's share). An invoice written before keeps no tax: its subtotal is its total.
 * - `document_series(series, next_number)`: the counters of invoice and credit-note numbers, taken
 *   in the issuing transaction; `invoices.number` and `credit_notes.number` (unique). Documents
 *   written before are numbered by their id (what the pages showed as their number), with the
 *   default prefixes, and each counter starts after the highest id.
 * - `credit_notes.subtotal` and `taxes` (JSON): the part of a credit that gives tax back.
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "../database.js";
import { notNull, withSerialId } from "./0001-initial.js";

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  for (const column of [
    "billing_country",
    "billing_province",
    "billing_postal_code",
    "billing_business_name",
    "billing_vat_number",
    "tax_exempt_reason",
  ]) {
    await db.schema.alterTable("customers").addColumn(column, "text").execute();
  }
  await db.schema
    .alterTable("customers")
    .addColumn("tax_exempt", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .alterTable("invoices")
    .addColumn("subtotal", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable("invoices")
    .addColumn("tax_total", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("invoices").addColumn("tax_note", "text").execute();
  await db.schema.alterTable("invoices").addColumn("number", "text").execute();
  await sql`update invoices set subtotal = total`.execute(db);
  await db.schema
    .alterTable("invoice_lines")
    .addColumn("taxes", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();

  await withSerialId(db.schema.createTable("invoice_taxes"), dialect)
    .addColumn("invoice_id", "bigint", (c) => c.notNull().references("invoices.id"))
    .addColumn("code", "text", notNull)
    .addColumn("jurisdiction", "text", notNull)
    .addColumn("rate", "integer", notNull)
    .addColumn("base", "bigint", notNull)
    .addColumn("amount", "bigint", notNull)
    .execute();
  await db.schema.createIndex("invoice_taxes_invoice").on("invoice_taxes").column("invoice_id").execute();

  await db.schema.alterTable("credit_notes").addColumn("number", "text").execute();
  await db.schema.alterTable("credit_notes").addColumn("subtotal", "bigint").execute();
  await db.schema
    .alterTable("credit_notes")
    .addColumn("taxes", "text", (c) => c.notNull().defaultTo("[]"))
    .execute();

  await db.schema
    .createTable("document_series")
    .addColumn("series", "text", (c) => c.primaryKey())
    .addColumn("next_number", "bigint", notNull)
    .execute();

  const padded = (prefix: string) =>
    dialect === "sqlite"
      ? sql.raw(`'${prefix}' || substr('000000' || id, -6)`)
      : sql.raw(`'${prefix}' || lpad(id::text, 6, '0')`);
  await sql`update invoices set number = ${padded("INV-")}`.execute(db);
  await sql`update credit_notes set number = ${padded("CN-")}, subtotal = amount`.execute(db);
  await sql`insert into document_series (series, next_number)
    select 'invoice', coalesce(max(id), 0) + 1 from invoices`.execute(db);
  await sql`insert into document_series (series, next_number)
    select 'credit-note', coalesce(max(id), 0) + 1 from credit_notes`.execute(db);
  await db.schema.createIndex("invoices_number").on("invoices").column("number").unique().execute();
  await db.schema.createIndex("credit_notes_number").on("credit_notes").column("number").unique().execute();
  await db.schema.createIndex("invoices_paid_at").on("invoices").column("paid_at").execute();
}
