/**
 * Credit notes: the document that says money was given back on an invoice (`refund`, written in
 * the same transaction as the refund's settlement, once the gateway said it succeeded: a pending
 * refund has none), or that an open invoice was lowered by staff (`adjustment`: a line removed or
 * reduced, the invoice's total already recomputed). Each references its invoice; a refund has at
 * most one (unique `refund_id`), so a settlement replayed after a crash or a double answer adds
 * none.
 *
 * A credit note is a numbered document of its own series (`CN-000007`, docs/taxes.md), its number
 * taken in the transaction that writes it; it says how much of the credit is tax given back, per
 * tax of the invoice (in proportion to the invoice's total, or exactly what an adjustment removed).
 */
import type { Money } from "../../domain/money.js";
import { DEFAULT_NUMBERING, type NumberingPolicy } from "../../domain/numbering.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";
import { takeDocumentNumbers } from "../invoices/document-numbers.js";

/** One tax of a credit note: what it gives back of one tax of the invoice. */
export interface CreditNoteTax {
  code: string;
  jurisdiction: string;
  rate: number;
  /** The part of the invoice's taxable base credited. */
  base: number;
  amount: number;
}

export type CreditNoteKind = "refund" | "adjustment";

export interface CreditNote {
  id: number;
  /** The document number (`CN-000007`); a note written before migration 0009 is numbered by its id. */
  number: string;
  invoiceId: number;
  kind: CreditNoteKind;
  refundId: number | null;
  amount: Money;
  /** The credit before taxes, and the taxes given back (their sum is `amount`). */
  subtotal: Money;
  taxes: CreditNoteTax[];
  reason: string;
  createdBy: string;
  createdAt: Instant;
}

export interface NewCreditNote {
  invoiceId: number;
  customerId: string;
  refundId: number | null;
  kind: CreditNoteKind;
  amount: Money;
  reason: string;
  /** `engine`, or `staff:<email>`. */
  createdBy: string;
  /** The taxes given back, when known exactly (an adjustment); else in proportion to the invoice. */
  taxes?: CreditNoteTax[];
}

/** `amount × part / whole`, rounded half up, in exact integer arithmetic. */
function share(amount: number, part: number, whole: number): number {
  if (whole === 0) return 0;
  const numerator = BigInt(amount) * BigInt(part) * 2n + BigInt(whole);
  return Number(numerator / (BigInt(whole) * 2n));
}

/** The taxes of a credit of `amount` on an invoice, in proportion to its total (a refund). */
async function proportionalTaxes(tx: Tx, invoiceId: number, amount: number): Promise<CreditNoteTax[]> {
  const invoice = await tx
    .selectFrom("invoices")
    .select(["total", "subtotal"])
    .where("id", "=", invoiceId)
    .executeTakeFirst();
  if (!invoice || Number(invoice.total) <= 0) return [];
  const total = Number(invoice.total);
  const credited = Math.min(amount, total);
  const taxes = await tx
    .selectFrom("invoice_taxes")
    .select(["code", "jurisdiction", "rate", "base", "amount"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("id")
    .execute();
  return taxes.map((tax) => ({
    code: tax.code,
    jurisdiction: tax.jurisdiction,
    rate: Number(tax.rate),
    base: share(credited, Number(tax.base), total),
    amount: share(credited, Number(tax.amount), total),
  }));
}

/**
 * In the caller's transaction, with its number; a second note for the same refund is not written
 * (false).
 */
export async function recordCreditNote(
  tx: Tx,
  note: NewCreditNote,
  at: Instant,
  numbering: NumberingPolicy = DEFAULT_NUMBERING,
): Promise<boolean> {
  if (note.refundId !== null) {
    const existing = await tx
      .selectFrom("credit_notes")
      .select("id")
      .where("refund_id", "=", note.refundId)
      .executeTakeFirst();
    if (existing) return false;
  }
  const taxes = note.taxes ?? (await proportionalTaxes(tx, note.invoiceId, note.amount.amount));
  const taxAmount = taxes.reduce((sum, tax) => sum + tax.amount, 0);
  const [number] = await takeDocumentNumbers(tx, "credit-note", 1, numbering);
  await tx
    .insertInto("credit_notes")
    .values({
      number: number ?? null,
      subtotal: note.amount.amount - taxAmount,
      taxes: JSON.stringify(taxes),
      invoice_id: note.invoiceId,
      customer_id: note.customerId,
      refund_id: note.refundId,
      kind: note.kind,
      amount: note.amount.amount,
      currency: note.amount.currency,
      reason: note.reason,
      created_by: note.createdBy,
      created_at: at,
    })
    .execute();
  return true;
}

/**
 * The credit notes of one invoice, oldest first; with `customerId`, only if the invoice is that
 * customer's (the client area never shows another customer's).
 */
export async function creditNotesOf(
  db: Db | Tx,
  invoiceId: number,
  customerId?: string,
): Promise<CreditNote[]> {
  let query = db.selectFrom("credit_notes").selectAll().where("invoice_id", "=", invoiceId);
  if (customerId !== undefined) query = query.where("customer_id", "=", customerId);
  const rows = await query.orderBy("created_at").orderBy("id").execute();
  return rows.map((row) => ({
    id: Number(row.id),
    number: row.number ?? String(row.id),
    invoiceId: Number(row.invoice_id),
    kind: row.kind === "adjustment" ? "adjustment" : "refund",
    refundId: row.refund_id === null ? null : Number(row.refund_id),
    amount: { amount: Number(row.amount), currency: row.currency },
    subtotal: { amount: Number(row.subtotal ?? row.amount), currency: row.currency },
    taxes: parseTaxes(row.taxes),
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  }));
}

export function parseTaxes(json: string | null | undefined): CreditNoteTax[] {
  if (!json) return [];
  try {
    const parsed = JSON.parse(json) as CreditNoteTax[];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}
