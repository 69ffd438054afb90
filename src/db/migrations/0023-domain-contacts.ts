/**
 * Import and export (issue 13): a domain's registrant, admin, tech and billing contacts as the
 * host's previous system knew them, kept as JSON (src/modules/import-export/book-format.ts) so
 * a book exported from Tenure carries them back. Null for a domain registered in Tenure.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("domains").addColumn("contacts", "text").execute();
}
