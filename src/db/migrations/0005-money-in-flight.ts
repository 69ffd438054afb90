/**
 * Money in flight (issue 8): a void never races a charge, an invoice is never both voided and
 * paid, and a charge that lands on an invoice being voided is refunded.
 *
 * - `invoices.void_requested_at` / `void_reason`: a void asked for while a charge is pending waits
 *   for that charge's outcome, then happens (and a charge that succeeded is refunded).
 * - `refunds`: two-phase like payments (pending row under a deterministic key, then the gateway).
 * - The rules are the database's own too, so no code path (nor a hand-written UPDATE) can break
 *   them: CHECK-like triggers on SQLite (its ALTER TABLE cannot add a CHECK), a CHECK constraint
 *   and trigger functions on PostgreSQL.
 */
import { type Kysely, sql } from "kysely";
import type { DialectName } from "../database.js";
import { notNull, withSerialId } from "./0001-initial.js";

const BOTH = "invoice cannot be both void and paid";
const IN_FLIGHT = "invoice cannot be voided while a charge is in flight";
const NOT_OPEN = "cannot charge an invoice that is not open";

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema.alterTable("invoices").addColumn("void_requested_at", "bigint").execute();
  await db.schema.alterTable("invoices").addColumn("void_reason", "text").execute();

  await withSerialId(db.schema.createTable("refunds"), dialect)
    .addColumn("payment_id", "bigint", (c) => c.notNull().references("payments.id"))
    .addColumn("invoice_id", "bigint", (c) => c.notNull().references("invoices.id"))
    .addColumn("customer_id", "text", notNull)
    .addColumn("idempotency_key", "text", (c) => c.notNull().unique())
    .addColumn("amount", "bigint", notNull)
    .addColumn("currency", "text", notNull)
    .addColumn("status", "text", notNull)
    .addColumn("reason", "text", notNull)
    .addColumn("requested_by", "text", notNull)
    .addColumn("gateway_ref", "text")
    .addColumn("failure_code", "text")
    .addColumn("created_at", "bigint", notNull)
    .addColumn("resolved_at", "bigint")
    .execute();
  await db.schema.createIndex("refunds_payment").on("refunds").column("payment_id").execute();
  await db.schema.createIndex("refunds_invoice").on("refunds").column("invoice_id").execute();

  const isVoidAndPaid = `(NEW.status = 'void' AND (NEW.paid_at IS NOT NULL OR NEW.amount_paid <> 0))
      OR (NEW.status = 'paid' AND NEW.voided_at IS NOT NULL)`;
  const hasChargeInFlight = `EXISTS (SELECT 1 FROM payments WHERE payments.invoice_id = NEW.id AND payments.status = 'pending')`;
  const isChargeable = `EXISTS (SELECT 1 FROM invoices WHERE invoices.id = NEW.invoice_id
      AND invoices.status = 'open' AND invoices.void_requested_at IS NULL)`;

  if (dialect === "sqlite") {
    for (const event of ["INSERT", "UPDATE"]) {
      await sql
        .raw(`CREATE TRIGGER invoices_never_void_and_paid_${event.toLowerCase()} BEFORE ${event} ON invoices
          WHEN ${isVoidAndPaid}
          BEGIN SELECT RAISE(ABORT, '${BOTH}'); END`)
        .execute(db);
    }
    await sql
      .raw(`CREATE TRIGGER invoices_no_void_in_flight BEFORE UPDATE OF status ON invoices
        WHEN NEW.status = 'void' AND OLD.status <> 'void' AND ${hasChargeInFlight}
        BEGIN SELECT RAISE(ABORT, '${IN_FLIGHT}'); END`)
      .execute(db);
    await sql
      .raw(`CREATE TRIGGER payments_only_open_invoices BEFORE INSERT ON payments
        WHEN NEW.status = 'pending' AND NOT ${isChargeable}
        BEGIN SELECT RAISE(ABORT, '${NOT_OPEN}'); END`)
      .execute(db);
    return;
  }

  await sql
    .raw(`ALTER TABLE invoices ADD CONSTRAINT invoice_cannot_be_both_void_and_paid CHECK (NOT (
      (status = 'void' AND (paid_at IS NOT NULL OR amount_paid <> 0))
      OR (status = 'paid' AND voided_at IS NOT NULL)))`)
    .execute(db);
  // A CHECK's own message names the constraint; the name says the rule.
  await sql
    .raw(`CREATE FUNCTION invoices_no_void_in_flight() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'void' AND OLD.status <> 'void' AND ${hasChargeInFlight} THEN
          RAISE EXCEPTION '${IN_FLIGHT}';
        END IF;
        RETURN NEW;
      END $$`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER invoices_no_void_in_flight BEFORE UPDATE OF status ON invoices
      FOR EACH ROW EXECUTE FUNCTION invoices_no_void_in_flight()`)
    .execute(db);
  await sql
    .raw(`CREATE FUNCTION payments_only_open_invoices() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.status = 'pending' AND NOT ${isChargeable} THEN
          RAISE EXCEPTION '${NOT_OPEN}';
        END IF;
        RETURN NEW;
      END $$`)
    .execute(db);
  await sql
    .raw(`CREATE TRIGGER payments_only_open_invoices BEFORE INSERT ON payments
      FOR EACH ROW EXECUTE FUNCTION payments_only_open_invoices()`)
    .execute(db);
}
