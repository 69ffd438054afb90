/**
 * One-time form tokens (src/http/form-tokens.ts): a form that creates something carries a token;
 * the first post with it claims the row (primary key), a repeated or concurrent post finds it and
 * is sent where the first one went. (Rows are not purged yet: a few per created request.)
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("form_submissions")
    .addColumn("token", "text", (c) => c.primaryKey())
    .addColumn("customer_id", "text", (c) => c.notNull())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("location", "text")
    .execute();
}
