/**
 * Credit notes: the document that says money was given back on an invoice (`refund`, written in
 * the same transaction as the refund's settlement, once the gateway said it succeeded: a pending
 * refund has none), or that an open invoice was lowered by staff (`adjustment`: a line removed or
 * reduced, the invoice's total already recomputed). Each references its invoice; a refund has at
 * most one (unique `refund_id`), so a settlement replayed after a crash or a double answer adds
 * none.
 */
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";

export type CreditNoteKind = "refund" | "adjustment";

export interface CreditNote {
  id: number;
  invoiceId: number;
  kind: CreditNoteKind;
  refundId: number | null;
  amount: Money;
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
}

/** In the caller's transaction; a second note for the same refund is not written (false). */
export async function recordCreditNote(tx: Tx, note: NewCreditNote, at: Instant): Promise<boolean> {
  if (note.refundId !== null) {
    const existing = await tx
      .selectFrom("credit_notes")
      .select("id")
      .where("refund_id", "=", note.refundId)
      .executeTakeFirst();
    if (existing) return false;
  }
  await tx
    .insertInto("credit_notes")
    .values({
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
    invoiceId: Number(row.invoice_id),
    kind: row.kind === "adjustment" ? "adjustment" : "refund",
    refundId: row.refund_id === null ? null : Number(row.refund_id),
    amount: { amount: Number(row.amount), currency: row.currency },
    reason: row.reason,
    createdBy: row.created_by,
    createdAt: Number(row.created_at),
  }));
}
