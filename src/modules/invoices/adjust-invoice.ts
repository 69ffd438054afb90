/**
 * Staff adjust an open invoice (back office, an invoice-adjustment request): void it through the
 * one void path (voidInvoice, which defers while a charge is in flight), or remove or change one of
 * its lines with a reason. The total is recomputed from the lines in the same transaction; a line
 * removed or lowered leaves a credit note (kind `adjustment`) for the amount taken off, so the
 * invoice's page and its history say why the total moved. A paid or void invoice is never edited
 * (src/domain/invoice-adjustment.ts); a paid one is refunded instead.
 */
import { AppError } from "../../domain/app-error.js";
import {
  type AdjustmentRefusal,
  decideLineAdjustment,
  editRefusal,
} from "../../domain/invoice-adjustment.js";
import type { InvoiceStatus } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import { type ApplicableTax, computeTaxes, type TaxCode, type TaxPolicy } from "../../domain/taxes.js";
import type { Instant } from "../../domain/time.js";
import { type Db, type Deps, inTransaction, type Tx } from "../deps.js";
import { lockInvoices } from "../payments/charge-invoice.js";
import { type CreditNoteTax, recordCreditNote } from "../payments/credit-notes.js";
import { actorMark, recordAudit, type StaffActor } from "../staff/audit-log.js";
import { voidInvoice } from "./invoice-repository.js";

export type InvoiceAdjustment =
  | { kind: "void" }
  | { kind: "remove-line"; lineId: number }
  | { kind: "change-line"; lineId: number; description: string; amount: number };

export type AdjustInvoiceResult =
  | { ok: true; kind: "voided"; invoiceId: number; total: Money }
  | { ok: true; kind: "void-deferred"; invoiceId: number; total: Money }
  | {
      ok: true;
      kind: "line-removed" | "line-changed";
      invoiceId: number;
      total: Money;
      previousTotal: Money;
      credited: Money | null;
    }
  | { ok: false; reason: AdjustmentRefusal | "partly-paid" };

export interface AdjustableInvoiceView {
  id: number;
  customerId: string;
  status: InvoiceStatus;
  total: Money;
  amountPaid: number;
  isMoneyInFlight: boolean;
  lines: { id: number; description: string; amount: number; serviceId: string | null }[];
}

async function isMoneyInFlight(db: Db | Tx, invoiceId: number): Promise<boolean> {
  const pending = await db
    .selectFrom("payments")
    .select("id")
    .where("invoice_id", "=", invoiceId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return pending !== undefined;
}

/** An invoice with its lines as the adjustment form shows them; null when there is none. */
export async function adjustableInvoice(
  db: Db | Tx,
  invoiceId: number,
): Promise<AdjustableInvoiceView | null> {
  const invoice = await db.selectFrom("invoices").selectAll().where("id", "=", invoiceId).executeTakeFirst();
  if (!invoice) return null;
  const lines = await db
    .selectFrom("invoice_lines")
    .select(["id", "description", "amount", "service_id"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("id")
    .execute();
  return {
    id: Number(invoice.id),
    customerId: invoice.customer_id,
    status: invoice.status as InvoiceStatus,
    total: { amount: Number(invoice.total), currency: invoice.currency },
    amountPaid: Number(invoice.amount_paid),
    isMoneyInFlight: invoice.void_requested_at !== null || (await isMoneyInFlight(db, invoiceId)),
    lines: lines.map((l) => ({
      id: Number(l.id),
      description: l.description,
      amount: Number(l.amount),
      serviceId: l.service_id,
    })),
  };
}

/**
 * Adjusts one of `customerId`'s invoices (NOT_FOUND for anyone else's), audited against the
 * request it was asked from. Everything, the audit line included, commits together.
 */
export async function adjustInvoice(
  deps: Deps,
  actor: StaffActor,
  input: {
    invoiceId: number;
    customerId: string;
    ticketId: number;
    reason: string;
    change: InvoiceAdjustment;
  },
  now: Instant,
): Promise<AdjustInvoiceResult> {
  return inTransaction(deps, "invoice-adjust", async (tx) => {
    const [locked] = await lockInvoices(deps, tx, [input.invoiceId]);
    if (locked?.customer_id !== input.customerId) throw new AppError("NOT_FOUND", "Invoice not found.");
    const invoice = await adjustableInvoice(tx, input.invoiceId);
    if (!invoice) throw new AppError("NOT_FOUND", "Invoice not found.");
    const audit = (action: string, before: Record<string, string | number | null>, after: typeof before) =>
      recordAudit(tx, actor, now, {
        action,
        objectType: "invoice",
        objectId: String(invoice.id),
        customerId: invoice.customerId,
        reason: input.reason,
        // The request it was asked from (only in `after`, so the line keeps it).
        before,
        after: { ...after, ticket: input.ticketId },
      });

    if (input.change.kind === "void") {
      const refused = editRefusal(invoice);
      if (refused) return { ok: false, reason: refused };
      if (invoice.amountPaid > 0) return { ok: false, reason: "partly-paid" };
      const result = await voidInvoice(tx, invoice.id, now, input.reason);
      if (result === "not-open") return { ok: false, reason: "void" };
      await audit(
        "invoice.voided",
        { status: "open" },
        { status: result === "voided" ? "void" : "void-requested" },
      );
      return {
        ok: true,
        kind: result === "voided" ? "voided" : "void-deferred",
        invoiceId: invoice.id,
        total: invoice.total,
      };
    }

    const change = input.change;
    const decision = decideLineAdjustment(invoice, change);
    if (!decision.ok) return { ok: false, reason: decision.reason };
    const line = invoice.lines.find((l) => l.id === change.lineId);
    if (!line) return { ok: false, reason: "no-such-line" };
    if (change.kind === "remove-line") {
      await tx
        .deleteFrom("invoice_lines")
        .where("id", "=", line.id)
        .where("invoice_id", "=", invoice.id)
        .execute();
    } else {
      await tx
        .updateTable("invoice_lines")
        .set({ description: change.description, amount: change.amount })
        .where("id", "=", line.id)
        .where("invoice_id", "=", invoice.id)
        .execute();
    }
    const retaxed = await retaxInvoice(tx, invoice.id, deps.policies.taxes.rounding);
    const updated = await tx
      .updateTable("invoices")
      .set({ total: retaxed.total, subtotal: retaxed.subtotal, tax_total: retaxed.taxTotal })
      .where("id", "=", invoice.id)
      .where("status", "=", "open")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0)
      throw new Error(`invoice ${invoice.id} changed under the adjustment`);
    const currency = invoice.total.currency;
    const lowered = invoice.total.amount - retaxed.total;
    const credited = lowered > 0 ? { amount: lowered, currency } : null;
    if (credited) {
      await recordCreditNote(
        tx,
        {
          invoiceId: invoice.id,
          customerId: invoice.customerId,
          refundId: null,
          kind: "adjustment",
          amount: credited,
          reason: input.reason,
          createdBy: actorMark(actor),
          taxes: retaxed.given,
        },
        now,
        deps.policies.numbering,
      );
    }
    await audit(
      change.kind === "remove-line" ? "invoice.line-removed" : "invoice.line-changed",
      { line: line.id, description: line.description, amount: line.amount, total: decision.oldTotal },
      change.kind === "remove-line"
        ? { line: line.id, description: null, amount: null, total: decision.newTotal }
        : { line: line.id, description: change.description, amount: change.amount, total: decision.newTotal },
    );
    return {
      ok: true,
      kind: change.kind === "remove-line" ? "line-removed" : "line-changed",
      invoiceId: invoice.id,
      total: { amount: retaxed.total, currency },
      previousTotal: invoice.total,
      credited,
    };
  });
}

/**
 * After a line was removed or changed: the invoice's taxes computed again on its lines, at the
 * rates it was issued with (an adjustment never moves an invoice to another rate or jurisdiction),
 * written back per line and per tax; returns the new totals and the taxes the change gave back.
 */
async function retaxInvoice(tx: Tx, invoiceId: number, rounding: TaxPolicy["rounding"]) {
  const before = await tx
    .selectFrom("invoice_taxes")
    .select(["id", "code", "jurisdiction", "rate", "base", "amount"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("id")
    .execute();
  const lines = await tx
    .selectFrom("invoice_lines")
    .select(["id", "amount"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("id")
    .execute();
  const applicable: ApplicableTax[] = before.map((t) => ({
    code: t.code as TaxCode,
    rate: Number(t.rate),
    jurisdiction: t.jurisdiction,
  }));
  const taxed = computeTaxes(
    lines.map((l) => Number(l.amount)),
    applicable,
    rounding,
  );
  if (before.length > 0) {
    for (const [i, line] of lines.entries()) {
      await tx
        .updateTable("invoice_lines")
        .set({ taxes: JSON.stringify(taxed.lines[i]?.taxes ?? []) })
        .where("id", "=", line.id)
        .execute();
    }
    for (const [i, row] of before.entries()) {
      const now = taxed.taxes[i];
      await tx
        .updateTable("invoice_taxes")
        .set({ base: now?.base ?? 0, amount: now?.amount ?? 0 })
        .where("id", "=", row.id)
        .execute();
    }
  }
  const given: CreditNoteTax[] = before.map((row, i) => ({
    code: row.code,
    jurisdiction: row.jurisdiction,
    rate: Number(row.rate),
    base: Number(row.base) - (taxed.taxes[i]?.base ?? 0),
    amount: Number(row.amount) - (taxed.taxes[i]?.amount ?? 0),
  }));
  return { ...taxed, given };
}
