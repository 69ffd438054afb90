/**
 * A refund staff make from a request (back office): a full or partial refund of one of the
 * customer's payments, through the gateway port, two-phase like every refund (refund-payment.ts).
 *
 * Exactly once: the key is derived from the payment and the refund's rank on it,
 * `refund:<charge key>:staff-<n>`, where n is fixed by the confirmation page (the number of refunds
 * the payment had then, plus one). Posting the same confirmation twice (a double click, a retry
 * after a timeout) names the same key, finds the refund already there and only settles it; a
 * confirmation made stale by another refund meanwhile is refused and shown again. The amount can
 * never exceed what was paid minus what was refunded (pending refunds included): checked here
 * with the maximum, and again by insertPendingRefunds under the payment's row lock.
 */
import { AppError } from "../../domain/app-error.js";
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import { GatewayUnavailableError } from "../../providers/payments/payment-gateway.js";
import { type Db, type Deps, inTransaction, reach, type Tx } from "../deps.js";
import { completeRefunds, insertPendingRefunds } from "../payments/refund-payment.js";
import { markDue } from "../services/mark-due.js";
import { actorMark, recordAudit, type StaffActor } from "../staff/audit-log.js";
import { lockTicket } from "./staff-tickets.js";

/** The request kinds a refund may be made from. */
export const REFUND_TICKET_KINDS = ["refund", "invoice-adjustment"];

export interface RefundablePayment {
  id: number;
  invoiceId: number;
  amount: Money;
  /** Refunded or being refunded (pending) so far. */
  refunded: number;
  /** The most that can still be given back. */
  max: number;
  createdAt: Instant;
  /** The rank of the next refund on this payment: the confirmation's `seq`. */
  nextSeq: number;
}

/** The customer's payments that took money, newest first, with what each can still give back. */
export async function refundablePayments(db: Db | Tx, customerId: string): Promise<RefundablePayment[]> {
  const payments = await db
    .selectFrom("payments")
    .select(["id", "invoice_id", "amount", "currency", "created_at"])
    .where("customer_id", "=", customerId)
    .where("status", "in", ["succeeded", "unapplied"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  if (payments.length === 0) return [];
  const refunds = await db
    .selectFrom("refunds")
    .select(["payment_id", "amount", "status"])
    .where(
      "payment_id",
      "in",
      payments.map((p) => p.id),
    )
    .execute();
  return payments.map((p) => {
    const mine = refunds.filter((r) => Number(r.payment_id) === Number(p.id));
    const refunded = mine
      .filter((r) => r.status === "pending" || r.status === "succeeded")
      .reduce((sum, r) => sum + Number(r.amount), 0);
    return {
      id: Number(p.id),
      invoiceId: Number(p.invoice_id),
      amount: { amount: Number(p.amount), currency: p.currency },
      refunded,
      max: Math.max(0, Number(p.amount) - refunded),
      createdAt: Number(p.created_at),
      nextSeq: mine.length + 1,
    };
  });
}

export interface RefundView {
  id: number;
  paymentId: number;
  invoiceId: number;
  amount: Money;
  status: string;
  reason: string;
  requestedBy: string;
  failureCode: string | null;
  createdAt: Instant;
  resolvedAt: Instant | null;
}

/** Every refund on the customer's payments, newest first (pending ones can be checked again). */
export async function refundsOfCustomer(db: Db | Tx, customerId: string): Promise<RefundView[]> {
  const rows = await db
    .selectFrom("refunds")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    paymentId: Number(r.payment_id),
    invoiceId: Number(r.invoice_id),
    amount: { amount: Number(r.amount), currency: r.currency },
    status: r.status,
    reason: r.reason,
    requestedBy: r.requested_by,
    failureCode: r.failure_code,
    createdAt: Number(r.created_at),
    resolvedAt: r.resolved_at === null ? null : Number(r.resolved_at),
  }));
}

export interface TicketRefundRequest {
  ticketId: number;
  paymentId: number;
  /** Minor units. */
  amount: number;
  reason: string;
  /** From the confirmation page (RefundablePayment.nextSeq then). */
  seq: number;
}

export type TicketRefundResult =
  | { kind: "succeeded"; refundId: number; invoiceId: number; amount: Money }
  /** The gateway did not answer: the refund stays pending under its key, settled by the next look-up. */
  | { kind: "pending"; refundId: number; invoiceId: number; amount: Money }
  | { kind: "failed"; refundId: number; invoiceId: number; amount: Money; code: string }
  | { kind: "exceeds"; max: Money }
  /** Another refund was made on this payment since the confirmation page: confirm again. */
  | { kind: "stale" }
  | { kind: "not-open" }
  | { kind: "wrong-kind" };

export function staffRefundKey(chargeKey: string, seq: number): string {
  return `refund:${chargeKey}:staff-${seq}`;
}

/** What the confirmation page shows, and what the confirmed post checks again. */
export async function refundablePayment(
  db: Db | Tx,
  customerId: string,
  paymentId: number,
): Promise<RefundablePayment | null> {
  return (await refundablePayments(db, customerId)).find((p) => p.id === paymentId) ?? null;
}

export async function refundFromTicket(
  deps: Deps,
  actor: StaffActor,
  request: TicketRefundRequest,
  now: Instant,
): Promise<TicketRefundResult> {
  const decided = await inTransaction(deps, "staff-refund", async (tx) => {
    const ticket = await lockTicket(deps, tx, request.ticketId);
    if (!REFUND_TICKET_KINDS.includes(ticket.kind)) return { kind: "wrong-kind" } as const;
    if (ticket.status !== "open") return { kind: "not-open" } as const;
    let paymentQuery = tx
      .selectFrom("payments")
      .innerJoin("invoices", "invoices.id", "payments.invoice_id")
      .select([
        "payments.id",
        "payments.invoice_id",
        "payments.customer_id",
        "payments.amount",
        "payments.currency",
        "payments.status",
        "payments.idempotency_key",
        "invoices.service_id",
      ])
      .where("payments.id", "=", request.paymentId);
    if (deps.dialect === "postgres") paymentQuery = paymentQuery.forUpdate();
    const payment = await paymentQuery.executeTakeFirst();
    if (payment?.customer_id !== ticket.customer_id) throw new AppError("NOT_FOUND", "Payment not found.");
    const key = staffRefundKey(payment.idempotency_key, request.seq);
    const existing = await tx
      .selectFrom("refunds")
      .select(["id", "payment_id", "amount"])
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
    const amount = { amount: request.amount, currency: payment.currency };
    if (existing) {
      // The same confirmation posted again: the same refund, settled (not repeated) below.
      const isSame = Number(existing.payment_id) === payment.id && Number(existing.amount) === request.amount;
      return isSame
        ? ({
            kind: "known",
            refundId: Number(existing.id),
            invoiceId: Number(payment.invoice_id),
            amount,
          } as const)
        : ({ kind: "stale" } as const);
    }
    const refundable = await refundablePayment(tx, ticket.customer_id, payment.id);
    if (!refundable || refundable.nextSeq !== request.seq) return { kind: "stale" } as const;
    if (request.amount <= 0 || request.amount > refundable.max)
      return { kind: "exceeds", max: { amount: refundable.max, currency: payment.currency } } as const;
    const [refundId] = await insertPendingRefunds(
      tx,
      [
        {
          paymentId: payment.id,
          amount: request.amount,
          reason: request.reason,
          requestedBy: actorMark(actor),
          key,
        },
      ],
      now,
    );
    if (refundId === undefined) throw new Error("refund not inserted");
    // If this process stops before the gateway answers, the engine settles it (resolve-payment).
    if (payment.service_id !== null) await markDue(tx, payment.service_id, now);
    await tx.updateTable("tickets").set({ updated_at: now }).where("id", "=", request.ticketId).execute();
    await recordAudit(tx, actor, now, {
      action: "payment.refund-requested",
      objectType: "ticket",
      objectId: String(request.ticketId),
      customerId: ticket.customer_id,
      reason: request.reason,
      after: {
        refund: refundId,
        payment: payment.id,
        invoice: Number(payment.invoice_id),
        amount: request.amount,
        currency: payment.currency,
      },
    });
    return { kind: "known", refundId, invoiceId: Number(payment.invoice_id), amount } as const;
  });
  if (decided.kind !== "known") return decided;
  reach(deps, "refund:pending-committed");
  return settleRefund(deps, decided.refundId, now);
}

/** Asks the gateway about a pending refund (same key: looked up first) and says where it stands. */
export async function settleRefund(deps: Deps, refundId: number, now: Instant): Promise<TicketRefundResult> {
  try {
    await completeRefunds(deps, [refundId], now);
  } catch (error) {
    if (!(error instanceof GatewayUnavailableError)) throw error;
  }
  const row = await deps.db
    .selectFrom("refunds")
    .select(["id", "invoice_id", "amount", "currency", "status", "failure_code"])
    .where("id", "=", refundId)
    .executeTakeFirstOrThrow();
  const view = {
    refundId: Number(row.id),
    invoiceId: Number(row.invoice_id),
    amount: { amount: Number(row.amount), currency: row.currency },
  };
  if (row.status === "succeeded") return { kind: "succeeded", ...view };
  if (row.status === "failed") return { kind: "failed", ...view, code: row.failure_code ?? "error" };
  return { kind: "pending", ...view };
}
