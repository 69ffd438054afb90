/**
 * Read-only queries behind the billing pages: a customer's invoices, one invoice with its lines
 * and charge attempts, and the open invoices already past due. Another customer's invoice is
 * NOT_FOUND, exactly like one that does not exist.
 */
import { AppError } from "../../domain/app-error.js";
import type { InvoiceStatus } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import type { Locale } from "../../views/notices/notice-types.js";
import { describeStoredLine } from "../../views/wording.js";
import type { Db } from "../deps.js";

export interface InvoiceSummary {
  id: number;
  /** The document number (`INV-000123`); the id for a row written without one. Ids stay in URLs. */
  number: string;
  status: InvoiceStatus;
  issuedAt: Instant;
  dueAt: Instant;
  paidAt: Instant | null;
  voidedAt: Instant | null;
  total: Money;
  /** Before taxes; the total when the invoice has none. */
  subtotal: Money;
  paid: Money;
  /** What is still owed (zero once paid or voided). */
  balance: Money;
  /** The descriptions of its lines, in order. */
  lineDescriptions: string[];
}

export interface InvoiceLineView {
  description: string;
  periodStartAt: Instant | null;
  periodEndAt: Instant | null;
  amount: Money;
  /** The line's taxes (its share, under per-invoice rounding). */
  taxes: InvoiceTaxView[];
}

/** One tax: its code (GST, HST, QST, PST, VAT; `taxName` words it per language), rate, base, amount. */
export interface InvoiceTaxView {
  code: string;
  jurisdiction: string;
  /** Parts per 100,000 (9975 = 9.975 %; `formatRate`). */
  rate: number;
  base: Money;
  amount: Money;
}

/**
 * `refunded` / `refunding`: the bank took the money while the invoice was being voided, and it is
 * (being) given back; `cancelled`: never sent, the invoice was voided first.
 */
export type PaymentAttemptResult =
  | "succeeded"
  | "failed"
  | "pending"
  | "cancelled"
  | "refunded"
  | "refunding";

export interface PaymentAttemptView {
  attempt: number;
  at: Instant;
  result: PaymentAttemptResult;
  /** The gateway's reason for a failure: declined, insufficient-funds, expired, no-card-on-file, error. */
  failureCode: string | null;
  amount: Money;
}

export interface InvoiceDetail extends InvoiceSummary {
  customerId: string;
  lines: InvoiceLineView[];
  /** Per tax, in the order issued; empty when none applied. */
  taxes: InvoiceTaxView[];
  /** `reverse-charge`: the invoice says "Reverse charge" / "Autoliquidation" (EU business customer). */
  taxNote: string | null;
  attempts: PaymentAttemptView[];
}

type InvoiceRow = {
  id: number;
  customer_id: string;
  status: string;
  issued_at: number;
  due_at: number;
  paid_at: number | null;
  voided_at: number | null;
  total: number;
  amount_paid: number;
  currency: string;
  number: string | null;
  subtotal: number;
};

function summaryOf(row: InvoiceRow, lineDescriptions: string[]): InvoiceSummary {
  const status = row.status as InvoiceStatus;
  const owed = status === "open" ? Math.max(0, row.total - row.amount_paid) : 0;
  return {
    id: row.id,
    number: row.number ?? String(row.id),
    status,
    issuedAt: Number(row.issued_at),
    dueAt: Number(row.due_at),
    paidAt: row.paid_at === null ? null : Number(row.paid_at),
    voidedAt: row.voided_at === null ? null : Number(row.voided_at),
    total: { amount: Number(row.total), currency: row.currency },
    subtotal: { amount: Number(row.subtotal), currency: row.currency },
    paid: { amount: Number(row.amount_paid), currency: row.currency },
    balance: { amount: owed, currency: row.currency },
    lineDescriptions,
  };
}

const INVOICE_COLUMNS = [
  "id",
  "customer_id",
  "status",
  "issued_at",
  "due_at",
  "paid_at",
  "voided_at",
  "total",
  "amount_paid",
  "currency",
  "number",
  "subtotal",
] as const;

/** Lines are worded in `locale` (src/views/wording.ts); without one, as stored (English). */
async function descriptionsOf(db: Db, invoiceIds: number[], locale?: Locale): Promise<Map<number, string[]>> {
  const byInvoice = new Map<number, string[]>();
  if (invoiceIds.length === 0) return byInvoice;
  const lines = await db
    .selectFrom("invoice_lines")
    .select(["invoice_id", "description", "kind", "params"])
    .where("invoice_id", "in", invoiceIds)
    .orderBy("invoice_id")
    .orderBy("id")
    .execute();
  for (const line of lines) {
    const list = byInvoice.get(line.invoice_id) ?? [];
    list.push(locale ? describeStoredLine(line, locale) : line.description);
    byInvoice.set(line.invoice_id, list);
  }
  return byInvoice;
}

/** The customer's invoices, newest first. */
export async function listInvoices(db: Db, customerId: string, locale?: Locale): Promise<InvoiceSummary[]> {
  const rows = await db
    .selectFrom("invoices")
    .select(INVOICE_COLUMNS)
    .where("customer_id", "=", customerId)
    .orderBy("issued_at", "desc")
    .orderBy("id", "desc")
    .execute();
  const descriptions = await descriptionsOf(
    db,
    rows.map((row) => row.id),
    locale,
  );
  return rows.map((row) => summaryOf(row, descriptions.get(row.id) ?? []));
}

/** The customer's open invoices whose due date has passed at `now`, oldest first. */
export async function listPastDueInvoices(
  db: Db,
  customerId: string,
  now: Instant,
  locale?: Locale,
): Promise<InvoiceSummary[]> {
  const rows = await db
    .selectFrom("invoices")
    .select(INVOICE_COLUMNS)
    .where("customer_id", "=", customerId)
    .where("status", "=", "open")
    .where("due_at", "<=", now)
    .orderBy("due_at")
    .orderBy("id")
    .execute();
  const descriptions = await descriptionsOf(
    db,
    rows.map((row) => row.id),
    locale,
  );
  return rows.map((row) => summaryOf(row, descriptions.get(row.id) ?? []));
}

/** One of the customer's invoices with its lines and charge attempts; NOT_FOUND for anyone else's. */
export async function getInvoiceDetail(
  db: Db,
  customerId: string,
  invoiceId: number,
  locale?: Locale,
): Promise<InvoiceDetail> {
  const row = await db
    .selectFrom("invoices")
    .select(INVOICE_COLUMNS)
    .where("id", "=", invoiceId)
    .where("customer_id", "=", customerId)
    .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "Invoice not found.", `invoice ${invoiceId} of ${customerId}`);
  const lines = await db
    .selectFrom("invoice_lines")
    .select(["description", "kind", "params", "period_start_at", "period_end_at", "amount", "taxes"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("id")
    .execute();
  const payments = await db
    .selectFrom("payments")
    .select((eb) => [
      "attempt",
      "created_at",
      "status",
      "failure_code",
      "amount",
      "currency",
      eb
        .selectFrom("refunds")
        .select(eb.fn.countAll<number>().as("n"))
        .whereRef("refunds.payment_id", "=", "payments.id")
        .where("refunds.status", "=", "succeeded")
        .as("refunds"),
    ])
    .where("invoice_id", "=", invoiceId)
    .orderBy("attempt")
    .orderBy("id")
    .execute();
  return {
    ...summaryOf(
      row,
      lines.map((line) => (locale ? describeStoredLine(line, locale) : line.description)),
    ),
    customerId: row.customer_id,
    lines: lines.map((line) => ({
      description: locale ? describeStoredLine(line, locale) : line.description,
      periodStartAt: line.period_start_at === null ? null : Number(line.period_start_at),
      periodEndAt: line.period_end_at === null ? null : Number(line.period_end_at),
      amount: { amount: Number(line.amount), currency: row.currency },
      taxes: taxViews(line.taxes, row.currency),
    })),
    taxes: (
      await db
        .selectFrom("invoice_taxes")
        .select(["code", "jurisdiction", "rate", "base", "amount"])
        .where("invoice_id", "=", invoiceId)
        .orderBy("id")
        .execute()
    ).map((tax) => ({
      code: tax.code,
      jurisdiction: tax.jurisdiction,
      rate: Number(tax.rate),
      base: { amount: Number(tax.base), currency: row.currency },
      amount: { amount: Number(tax.amount), currency: row.currency },
    })),
    taxNote:
      (await db.selectFrom("invoices").select("tax_note").where("id", "=", invoiceId).executeTakeFirst())
        ?.tax_note ?? null,
    attempts: payments.map((payment) => ({
      attempt: Number(payment.attempt),
      at: Number(payment.created_at),
      result: attemptResultOf(payment.status, Number(payment.refunds ?? 0)),
      failureCode: payment.failure_code,
      amount: { amount: Number(payment.amount), currency: payment.currency },
    })),
  };
}

function attemptResultOf(status: string, refunds: number): PaymentAttemptResult {
  if (status === "succeeded" || status === "failed" || status === "cancelled") return status;
  if (status === "unapplied") return refunds > 0 ? "refunded" : "refunding";
  return "pending";
}

function taxViews(json: string | null, currency: string): InvoiceTaxView[] {
  let parsed: { code: string; jurisdiction: string; rate: number; base: number; amount: number }[] = [];
  try {
    parsed = JSON.parse(json ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.map((tax) => ({
    code: tax.code,
    jurisdiction: tax.jurisdiction,
    rate: Number(tax.rate),
    base: { amount: Number(tax.base), currency },
    amount: { amount: Number(tax.amount), currency },
  }));
}
