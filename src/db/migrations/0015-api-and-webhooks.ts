/**
 * The JSON API and signed webhooks (issue 13, docs/api.md):
 *
 * - `api_keys`: keys an admin created, stored as the SHA-256 of a 256-bit random secret (the key
 *   itself is shown once), with their scopes, an optional customer they are restricted to, their
 *   last use and their revocation.
 * - `api_idempotency`: the first response to a POST under an `Idempotency-Key`, per API key; the row
 *   is inserted before the request runs, so a second request with the same key finds it (the lock).
 * - `webhook_endpoints`, `webhook_deliveries`, `webhook_attempts`: the outbox. A trigger on `events`
 *   writes one delivery row per subscribed endpoint in the transaction of the event itself, so a
 *   delivery exists exactly when its event committed; the worker sends them afterwards.
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "../database.js";
import { notNull, withSerialId } from "./0001-initial.js";

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("name", "text", notNull)
    .addColumn("prefix", "text", notNull)
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("scopes", "text", notNull)
    .addColumn("customer_id", "text")
    .addColumn("created_at", "bigint", notNull)
    .addColumn("created_by", "text", notNull)
    .addColumn("last_used_at", "bigint")
    .addColumn("revoked_at", "bigint")
    .execute();

  await db.schema
    .createTable("api_idempotency")
    .addColumn("api_key_id", "text", notNull)
    .addColumn("idempotency_key", "text", notNull)
    .addColumn("request_hash", "text", notNull)
    .addColumn("created_at", "bigint", notNull)
    .addColumn("status_code", "integer")
    .addColumn("response_body", "text")
    .addPrimaryKeyConstraint("api_idempotency_pk", ["api_key_id", "idempotency_key"])
    .execute();
  await db.schema.createIndex("api_idempotency_created").on("api_idempotency").column("created_at").execute();

  await db.schema
    .createTable("webhook_endpoints")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("url", "text", notNull)
    .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
    /** `*` for every event of the catalog, else a comma-separated list of event types. */
    .addColumn("event_types", "text", notNull)
    .addColumn("secret", "text", notNull)
    .addColumn("created_at", "bigint", notNull)
    .addColumn("disabled_at", "bigint")
    .addColumn("disabled_reason", "text")
    .execute();

  await withSerialId(db.schema.createTable("webhook_deliveries"), dialect)
    .addColumn("endpoint_id", "text", notNull)
    .addColumn("event_id", "bigint", notNull)
    /** pending | succeeded */
    .addColumn("status", "text", notNull)
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "bigint", notNull)
    .addColumn("first_failed_at", "bigint")
    .addColumn("delivered_at", "bigint")
    .addColumn("created_at", "bigint", notNull)
    .addUniqueConstraint("webhook_deliveries_once", ["endpoint_id", "event_id"])
    .execute();
  await db.schema
    .createIndex("webhook_deliveries_pending")
    .on("webhook_deliveries")
    .columns(["endpoint_id", "event_id"])
    .where(sql.ref("status"), "=", "pending")
    .execute();

  await withSerialId(db.schema.createTable("webhook_attempts"), dialect)
    .addColumn("delivery_id", "bigint", notNull)
    .addColumn("at", "bigint", notNull)
    .addColumn("ok", "integer", notNull)
    .addColumn("status_code", "integer")
    .addColumn("error", "text")
    .addColumn("response_excerpt", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("replay", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex("webhook_attempts_delivery")
    .on("webhook_attempts")
    .column("delivery_id")
    .execute();

  if (dialect === "sqlite") {
    await sql
      .raw(`CREATE TRIGGER events_webhook_outbox AFTER INSERT ON events
        BEGIN
          INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
          SELECT e.id, NEW.id, 'pending', 0, NEW.at, NEW.at FROM webhook_endpoints e
          WHERE e.disabled_at IS NULL
            AND (e.event_types = '*' OR instr(',' || e.event_types || ',', ',' || NEW.type || ',') > 0);
        END`)
      .execute(db);
    return;
  }
  // A statement-level trigger: the engine inserts events 500 at a time, one fan-out per insert.
  await sql
    .raw(`CREATE FUNCTION events_webhook_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
        SELECT e.id, n.id, 'pending', 0, n.at, n.at FROM new_events n CROSS JOIN webhook_endpoints e
        WHERE e.disabled_at IS NULL
          AND (e.event_types = '*' OR position(',' || n.type || ',' in ',' || e.event_types || ',') > 0)
        ORDER BY n.id;
        RETURN NULL;
      END $$`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER events_webhook_outbox AFTER INSERT ON events
      REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION events_webhook_outbox()`)
    .execute(db);
}
