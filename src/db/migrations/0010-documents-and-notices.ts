/**
 * What documents and notices say (issues 11, 12 and 14):
 * - products and services carry a name in each language (`name_en`, `name_fr`), backfilled from
 *   the one name they had;
 * - an invoice line stores what it is (`kind`) and what it is about (`params`, JSON), worded in the
 *   reader's language at display; older lines keep their `description` and have neither;
 * - a notice stores its template's parameters (`params`, JSON, everything decided when it was
 *   queued) and is rendered at delivery: `subject`, `text_body` and `html_body` become nullable,
 *   kept for the rows written before. SQLite cannot drop a NOT NULL, so there the table is rebuilt
 *   (same columns, ids and indexes).
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "../database.js";

const NOTICE_COLUMNS = [
  "id",
  "notice_key",
  "customer_id",
  "service_id",
  "template",
  "locale",
  "to_address",
  "subject",
  "text_body",
  "html_body",
  "status",
  "attempts",
  "created_at",
  "sent_at",
  "last_error",
];

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  for (const table of ["products", "services"]) {
    await db.schema.alterTable(table).addColumn("name_en", "text").execute();
    await db.schema.alterTable(table).addColumn("name_fr", "text").execute();
  }
  await sql`update products set name_en = name, name_fr = name`.execute(db);
  await sql`update services set name_en = label, name_fr = label`.execute(db);

  await db.schema.alterTable("invoice_lines").addColumn("kind", "text").execute();
  await db.schema.alterTable("invoice_lines").addColumn("params", "text").execute();

  if (dialect === "postgres") {
    await db.schema.alterTable("notices").addColumn("params", "text").execute();
    for (const column of ["subject", "text_body", "html_body"]) {
      await db.schema
        .alterTable("notices")
        .alterColumn(column, (c) => c.dropNotNull())
        .execute();
    }
    return;
  }
  await db.schema
    .createTable("notices_0010")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("notice_key", "text", (c) => c.notNull().unique())
    .addColumn("customer_id", "text", (c) => c.notNull())
    .addColumn("service_id", "text")
    .addColumn("template", "text", (c) => c.notNull())
    .addColumn("locale", "text", (c) => c.notNull())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("subject", "text")
    .addColumn("text_body", "text")
    .addColumn("html_body", "text")
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("sent_at", "bigint")
    .addColumn("last_error", "text")
    .addColumn("params", "text")
    .execute();
  const columns = sql.join(NOTICE_COLUMNS.map((c) => sql.ref(c)));
  await sql`insert into notices_0010 (${columns}) select ${columns} from notices`.execute(db);
  await db.schema.dropTable("notices").execute();
  await sql`alter table notices_0010 rename to notices`.execute(db);
  await db.schema.createIndex("notices_status").on("notices").columns(["status", "id"]).execute();
  await db.schema.createIndex("notices_service").on("notices").column("service_id").execute();
  await db.schema.createIndex("notices_customer").on("notices").columns(["customer_id", "id"]).execute();
}
