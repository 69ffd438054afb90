/**
 * Back office: a staff member sends a customer the link to pay one open invoice (the client area's
 * invoice page, where the customer signs in and pays it). A notice of the outbox like any other,
 * in the customer's language, with its `notice.sent` event naming the staff member and the audit
 * line, in one transaction. Keyed by the invoice, the staff member and the page they confirmed on:
 * a second click or a retried post sends nothing more.
 */
import { AppError } from "../../domain/app-error.js";
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import { type Deps, inTransaction } from "../deps.js";
import { queueNotice } from "../notifications/queue-notice.js";
import { actorMark, recordAudit, type StaffActor } from "../staff/audit-log.js";

export interface OpenInvoice {
  id: number;
  customerId: string;
  about: string;
  /** What is still owed on it. */
  balance: Money;
  dueAt: Instant;
}

/** The customer's invoice if it can still be paid; NOT_FOUND when it is not theirs. */
export async function findPayableInvoice(
  deps: Deps,
  customerId: string,
  invoiceId: number,
): Promise<OpenInvoice | null> {
  const row = await deps.db
    .selectFrom("invoices")
    .leftJoin("services", "services.id", "invoices.service_id")
    .select([
      "invoices.id",
      "invoices.customer_id",
      "invoices.status",
      "invoices.void_requested_at",
      "invoices.total",
      "invoices.amount_paid",
      "invoices.currency",
      "invoices.due_at",
      "services.label",
    ])
    .where("invoices.id", "=", invoiceId)
    .executeTakeFirst();
  if (!row || row.customer_id !== customerId) throw new AppError("NOT_FOUND", "Invoice not found.");
  if (row.status !== "open" || row.void_requested_at !== null) return null;
  return {
    id: row.id,
    customerId: row.customer_id,
    about: row.label ?? `#${row.id}`,
    balance: { amount: row.total - row.amount_paid, currency: row.currency },
    dueAt: row.due_at,
  };
}

export type PaymentLinkResult =
  | { ok: true; queued: boolean; invoice: OpenInvoice }
  | { ok: false; reason: "not-open" };

export async function sendPaymentLink(
  deps: Deps,
  input: {
    customerId: string;
    invoiceId: number;
    /** The client area's public address (links in e-mails). */
    baseUrl: string;
    actor: StaffActor;
    reason: string;
    /** The instant the confirmation page was shown: one link per invoice, staff member and page. */
    requestKey: string;
  },
  now: Instant,
): Promise<PaymentLinkResult> {
  const invoice = await findPayableInvoice(deps, input.customerId, input.invoiceId);
  if (!invoice) return { ok: false, reason: "not-open" };
  const link = `${input.baseUrl.replace(/\/$/, "")}/invoices/${invoice.id}`;
  const queued = await inTransaction(deps, "payment-link", async (tx) => {
    const isNew = await queueNotice(tx, now, {
      template: "payment-link",
      customerId: invoice.customerId,
      serviceId: null,
      marker: `invoice-${invoice.id}:${input.actor.id}:${input.requestKey}`,
      about: invoice.about,
      data: { invoiceNumber: invoice.id, amount: invoice.balance, dueAt: invoice.dueAt, link },
      by: actorMark(input.actor),
    });
    if (!isNew) return false;
    await recordAudit(tx, input.actor, now, {
      action: "invoice.payment_link_sent",
      objectType: "invoice",
      objectId: String(invoice.id),
      customerId: invoice.customerId,
      reason: input.reason,
      after: { notice: "payment-link", amount: invoice.balance.amount, currency: invoice.balance.currency },
    });
    return true;
  });
  return { ok: true, queued, invoice };
}
