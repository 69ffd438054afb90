import type { Kysely } from "kysely";
import type { DialectName } from "../database.js";

/** Logins, server-side sessions, password reset links and ticket replies for the client area. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable("accounts")
    .addColumn("customer_id", "text", (c) => c.primaryKey().references("customers.id"))
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("totp_secret", "text")
    .addColumn("totp_enabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("sessions")
    .addColumn("sid", "text", (c) => c.primaryKey())
    .addColumn("customer_id", "text")
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_expiry").on("sessions").column("expires_at").execute();
  await db.schema.createIndex("sessions_customer").on("sessions").column("customer_id").execute();
  await db.schema
    .createTable("password_resets")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("customer_id", "text", (c) => c.notNull().references("customers.id"))
    .addColumn("expires_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  const replies = db.schema.createTable("ticket_replies");
  await (dialect === "sqlite"
    ? replies.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    : replies.addColumn("id", "bigserial", (c) => c.primaryKey())
  )
    .addColumn("ticket_id", "bigint", (c) => c.notNull().references("tickets.id"))
    .addColumn("author", "text", (c) => c.notNull())
    .addColumn("body", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("ticket_replies_ticket").on("ticket_replies").column("ticket_id").execute();
}
