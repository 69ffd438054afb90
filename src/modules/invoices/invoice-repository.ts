/** Invoices and their lines: issue, read as lifecycle facts, void. */
import type { InvoiceStatus, PeriodInvoiceFacts, VoidabilityFacts } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";
import { recordEvent } from "../events/record-event.js";

/**
 * What names an invoice in keys that leave the database (gateway idempotency keys, notice keys):
 * its issue key, derived from the decision that issued it, never its number. A number comes from
 * the database's counter, which a restore or a point-in-time recovery rolls back, so it can be
 * given to another invoice; the issue key cannot.
 */
export function invoiceIdentity(row: { id: number; issue_key: string | null }): string {
  return row.issue_key ?? `invoice-${row.id}`;
}

export type InvoicePurpose = "renewal" | "reactivation" | "restore" | "manual";

export interface NewInvoiceLine {
  serviceId: string | null;
  description: string;
  amount: number;
  periodStartAt: Instant | null;
  periodEndAt: Instant | null;
}

export interface NewInvoice {
  customerId: string;
  /** Deterministic key of the decision issuing it; a second issue under the same key is a no-op. */
  issueKey: string;
  serviceId: string | null;
  purpose: InvoicePurpose;
  periodStartAt: Instant | null;
  currency: string;
  issuedAt: Instant;
  dueAt: Instant;
  lines: NewInvoiceLine[];
}

/** Issues an invoice and records `invoice.issued`; returns its number, or null if the key was used. */
export async function issueInvoice(tx: Tx, invoice: NewInvoice): Promise<number | null> {
  const total = invoice.lines.reduce((sum, line) => sum + line.amount, 0);
  const row = await tx
    .insertInto("invoices")
    .values({
      customer_id: invoice.customerId,
      issue_key: invoice.issueKey,
      service_id: invoice.serviceId,
      purpose: invoice.purpose,
      period_start_at: invoice.periodStartAt,
      currency: invoice.currency,
      total,
      amount_paid: 0,
      status: "open",
      issued_at: invoice.issuedAt,
      due_at: invoice.dueAt,
      paid_at: null,
      voided_at: null,
    })
    .onConflict((oc) => oc.column("issue_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!row) return null;
  await tx
    .insertInto("invoice_lines")
    .values(
      invoice.lines.map((line) => ({
        invoice_id: row.id,
        service_id: line.serviceId,
        description: line.description,
        amount: line.amount,
        period_start_at: line.periodStartAt,
        period_end_at: line.periodEndAt,
      })),
    )
    .execute();
  await recordEvent(
    tx,
    "invoice.issued",
    invoice.issuedAt,
    { customer: invoice.customerId, service: invoice.serviceId },
    {
      invoice: row.id,
      amount: { amount: total, currency: invoice.currency },
      dueAt: formatInstant(invoice.dueAt),
    },
  );
  return row.id;
}

/** How many invoices were issued for this purpose and period: the suffix of the next issue key. */
export async function countPeriodInvoices(
  db: Db | Tx,
  serviceId: string,
  purposes: InvoicePurpose[],
  periodStartAt: Instant,
): Promise<number> {
  const row = await db
    .selectFrom("invoices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("service_id", "=", serviceId)
    .where("purpose", "in", purposes)
    .where("period_start_at", "=", periodStartAt)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The latest invoice of these purposes for one period of a service, with its charge attempts. */
export async function periodInvoiceFacts(
  db: Db | Tx,
  serviceId: string,
  purposes: InvoicePurpose[],
  periodStartAt: Instant,
): Promise<PeriodInvoiceFacts | null> {
  const invoice = await db
    .selectFrom("invoices")
    .select(["id", "status", "issued_at", "paid_at", "voided_at"])
    .where("service_id", "=", serviceId)
    .where("purpose", "in", purposes)
    .where("period_start_at", "=", periodStartAt)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  if (!invoice) return null;
  const attempts = await db
    .selectFrom("payments")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.max("created_at").as("last")])
    .where("invoice_id", "=", invoice.id)
    .executeTakeFirstOrThrow();
  return {
    id: invoice.id,
    status: invoice.status as InvoiceStatus,
    issuedAt: invoice.issued_at,
    paidAt: invoice.paid_at,
    voidedAt: invoice.voided_at,
    attempts: Number(attempts.n),
    lastAttemptAt: attempts.last === null ? null : Number(attempts.last),
  };
}

export interface InvoiceRow {
  id: number;
  /** Stable identity of the invoice (see invoiceIdentity). */
  identity: string;
  customerId: string;
  serviceId: string | null;
  purpose: InvoicePurpose;
  periodStartAt: Instant | null;
  status: InvoiceStatus;
  total: Money;
  amountPaid: number;
}

export async function findInvoice(db: Db | Tx, invoiceId: number): Promise<InvoiceRow | null> {
  const row = await db.selectFrom("invoices").selectAll().where("id", "=", invoiceId).executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    identity: invoiceIdentity(row),
    customerId: row.customer_id,
    serviceId: row.service_id,
    purpose: row.purpose as InvoicePurpose,
    periodStartAt: row.period_start_at,
    status: row.status as InvoiceStatus,
    total: { amount: row.total, currency: row.currency },
    amountPaid: row.amount_paid,
  };
}

/** Open invoices with a line for any of these services, with what decides whether they can be voided. */
export async function openInvoicesFor(
  tx: Tx,
  serviceIds: string[],
): Promise<(VoidabilityFacts & { id: number; identity: string; customerId: string; total: Money })[]> {
  if (serviceIds.length === 0) return [];
  const invoices = await tx
    .selectFrom("invoices")
    .selectAll()
    .where("status", "=", "open")
    .where("id", "in", (eb) =>
      eb.selectFrom("invoice_lines").select("invoice_id").where("service_id", "in", serviceIds),
    )
    .orderBy("id")
    .execute();
  const result = [];
  for (const invoice of invoices) {
    const lines = await tx
      .selectFrom("invoice_lines")
      .select("service_id")
      .where("invoice_id", "=", invoice.id)
      .execute();
    result.push({
      id: invoice.id,
      identity: invoiceIdentity(invoice),
      customerId: invoice.customer_id,
      status: invoice.status as InvoiceStatus,
      amountPaid: invoice.amount_paid,
      total: { amount: invoice.total, currency: invoice.currency },
      lineServiceIds: lines.map((line) => line.service_id),
    });
  }
  return result;
}

/** Voids an open invoice and records `invoice.voided`; false if it was no longer open. */
export async function voidInvoice(tx: Tx, invoiceId: number, at: Instant, reason: string): Promise<boolean> {
  const updated = await tx
    .updateTable("invoices")
    .set({ status: "void", voided_at: at })
    .where("id", "=", invoiceId)
    .where("status", "=", "open")
    .where("amount_paid", "=", 0)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  const invoice = await findInvoice(tx, invoiceId);
  if (!invoice) return false;
  await recordEvent(
    tx,
    "invoice.voided",
    at,
    { customer: invoice.customerId, service: invoice.serviceId },
    { invoice: invoiceId, amount: invoice.total, reason },
  );
  return true;
}
