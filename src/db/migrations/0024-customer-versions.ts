/**
 * A version per customer that changes whenever anything the client area shows of that customer
 * changes, whoever writes it (a page, the engine, the back office, the API, an import): the page
 * cache (src/http/page-cache.ts) keys its entries on it, so a page is never served stale. The
 * database keeps it, with triggers, so no write path can forget it and every web node agrees.
 *
 * - SQLite has one writer at a time: a row trigger adds one to `customers.version`.
 * - PostgreSQL writers run concurrently, and a row lock on `customers` taken in every transaction
 *   would make two engine workers wait for (or deadlock on) each other. Statement triggers append
 *   one row per customer touched to `customer_changes` instead (no lock shared between writers);
 *   the version is `customers.version` plus the count of that customer's rows, which only ever
 *   grows as transactions commit, in whatever order. The engine folds the rows into
 *   `customers.version` in one statement from time to time (compactCustomerChanges), which keeps
 *   the sum.
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "../database.js";
import { withSerialId } from "./0001-initial.js";

/** How each table's row leads to its customer: a column, or through its service, invoice or ticket. */
export const TRACKED: Array<{
  table: string;
  via: "customer_id" | "service_id" | "invoice_id" | "ticket_id";
}> = [
  { table: "services", via: "customer_id" },
  { table: "invoices", via: "customer_id" },
  { table: "payments", via: "customer_id" },
  { table: "refunds", via: "customer_id" },
  { table: "credit_notes", via: "customer_id" },
  { table: "tickets", via: "customer_id" },
  { table: "notices", via: "customer_id" },
  { table: "events", via: "customer_id" },
  { table: "accounts", via: "customer_id" },
  { table: "drift", via: "customer_id" },
  { table: "subscriptions", via: "service_id" },
  { table: "domains", via: "service_id" },
  { table: "cancellation_requests", via: "service_id" },
  { table: "engine_failures", via: "service_id" },
  { table: "invoice_lines", via: "invoice_id" },
  { table: "invoice_taxes", via: "invoice_id" },
  { table: "ticket_replies", via: "ticket_id" },
];

const OWNER_TABLE = { service_id: "services", invoice_id: "invoices", ticket_id: "tickets" } as const;

/** The customer of a row named `row` (NEW, OLD or a transition table's alias), as SQL. */
export function customerOf(via: (typeof TRACKED)[number]["via"], row: string): string {
  if (via === "customer_id") return `${row}.customer_id`;
  return `(SELECT o.customer_id FROM ${OWNER_TABLE[via]} o WHERE o.id = ${row}.${via})`;
}

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable("customers")
    .addColumn("version", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
  if (dialect === "sqlite") {
    for (const { table, via } of TRACKED) {
      for (const [event, rows] of [
        ["INSERT", ["NEW"]],
        ["UPDATE", ["NEW", "OLD"]],
        ["DELETE", ["OLD"]],
      ] as const) {
        const customers = rows.map((row) => customerOf(via, row)).join(", ");
        await sql
          .raw(`CREATE TRIGGER customer_version_${table}_${event.toLowerCase()} AFTER ${event} ON ${table}
            BEGIN UPDATE customers SET version = version + 1 WHERE id IN (${customers}); END`)
          .execute(db);
      }
    }
    // The customer's own row (name, language, card, billing address…); not the bump itself.
    await sql
      .raw(`CREATE TRIGGER customer_version_customers_update AFTER UPDATE ON customers
        WHEN NEW.version = OLD.version
        BEGIN UPDATE customers SET version = version + 1 WHERE id = NEW.id; END`)
      .execute(db);
    return;
  }

  await withSerialId(db.schema.createTable("customer_changes"), dialect)
    .addColumn("customer_id", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("customer_changes_by_customer")
    .on("customer_changes")
    .column("customer_id")
    .execute();
  const tables = [...TRACKED, { table: "customers", via: "id" as const }];
  for (const { table, via } of tables) {
    for (const [event, transitions] of [
      ["INSERT", ["new_rows"]],
      ["UPDATE", ["new_rows", "old_rows"]],
      ["DELETE", ["old_rows"]],
    ] as const) {
      const name = `customer_version_${table}_${event.toLowerCase()}`;
      const selects = transitions
        .map((t) => `SELECT ${via === "id" ? "r.id" : customerOf(via, "r")} FROM ${t} r`)
        .join(" UNION ");
      const referencing = transitions
        .map((t) => `${t === "new_rows" ? "NEW" : "OLD"} TABLE AS ${t}`)
        .join(" ");
      // A bump of the version by compaction is not a change of what the customer sees.
      const skip =
        table === "customers" && event === "UPDATE"
          ? "IF NOT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.version = o.version) THEN RETURN NULL; END IF;"
          : "";
      await sql
        .raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN ${skip}
            INSERT INTO customer_changes (customer_id)
              SELECT DISTINCT c FROM (${selects}) AS touched (c) WHERE c IS NOT NULL;
            RETURN NULL;
          END $$`)
        .execute(db);
      await sql
        .raw(`CREATE TRIGGER ${name} AFTER ${event} ON ${table}
          REFERENCING ${referencing} FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`)
        .execute(db);
    }
  }
}
