/**
 * Refunds, two-phase like charges (DESIGN.md, Exactly once): commit a pending refund under a
 * deterministic key, ask the gateway under that key (looking it up first, so a retry after a crash
 * or a lost answer never refunds twice), then record the outcome with `payment.refunded` and a
 * notice. The total refunded on a payment can never exceed it: checked here, and by the gateway.
 *
 * A refund that succeeded gets its credit note (credit-notes.ts) in the same transaction that
 * records the gateway's answer; a pending one has none yet. A refund left pending (the gateway
 * slow, timing out, or the process stopped after asking) is settled by the next look-up under the
 * same key: the engine's `resolve-payment` step for a service's invoices (pendingPaymentSinceOf
 * counts pending refunds, and staff refunds mark the service due), or staff's "check now" on the
 * request's page (back office). A gateway that answers twice is harmless: the UPDATE only settles a
 * pending row, and the credit note is unique per refund.
 */
import { PostgresAdapter } from "kysely";
import { readInChunks } from "../../db/chunks.js";
import type { Instant } from "../../domain/time.js";
import { GatewayUnavailableError, type RefundOutcome } from "../../providers/payments/payment-gateway.js";
import { type Db, type Deps, inTransaction, reach, type Tx } from "../deps.js";
import { type NewEvent, newEvent, recordEvents } from "../events/record-event.js";
import { type NoticeRequest, queueNotices } from "../notifications/queue-notice.js";
import { recordCreditNote } from "./credit-notes.js";

export interface NewRefund {
  paymentId: number;
  amount: number;
  /** `invoice-voided`, `invoice-already-paid`, or what staff typed. */
  reason: string;
  /** `engine`, or the staff member who asked. */
  requestedBy: string;
  /** Deterministic: a second request under the same key is the same refund. */
  key: string;
}

/**
 * Phase 1, in the caller's transaction; ids in the order asked (an existing refund under the same
 * key is found, not repeated). Refuses a refund that would take the payment's refunds past it.
 */
export async function insertPendingRefunds(tx: Tx, refunds: NewRefund[], at: Instant): Promise<number[]> {
  const ids: number[] = [];
  for (const refund of refunds) {
    const existing = await tx
      .selectFrom("refunds")
      .select("id")
      .where("idempotency_key", "=", refund.key)
      .executeTakeFirst();
    if (existing) {
      ids.push(existing.id);
      continue;
    }
    // The payment's row lock (PostgreSQL; SQLite has one writer at a time): two refunds of one
    // payment under different keys are checked against the limit one after the other.
    let paymentQuery = tx
      .selectFrom("payments")
      .select(["id", "invoice_id", "customer_id", "amount", "currency", "status"])
      .where("id", "=", refund.paymentId);
    if (tx.getExecutor().adapter instanceof PostgresAdapter) paymentQuery = paymentQuery.forUpdate();
    const payment = await paymentQuery.executeTakeFirstOrThrow();
    const already = await tx
      .selectFrom("refunds")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount"), eb.lit(0)).as("n"))
      .where("payment_id", "=", payment.id)
      .where("status", "in", ["pending", "succeeded"])
      .executeTakeFirstOrThrow();
    const isRefundable = payment.status === "succeeded" || payment.status === "unapplied";
    if (!isRefundable || refund.amount <= 0 || Number(already.n) + refund.amount > payment.amount) {
      throw new Error(`refund of ${refund.amount} exceeds what payment ${payment.id} can give back`);
    }
    const row = await tx
      .insertInto("refunds")
      .values({
        payment_id: payment.id,
        invoice_id: payment.invoice_id,
        customer_id: payment.customer_id,
        idempotency_key: refund.key,
        amount: refund.amount,
        currency: payment.currency,
        status: "pending",
        reason: refund.reason,
        requested_by: refund.requestedBy,
        gateway_ref: null,
        failure_code: null,
        created_at: at,
        resolved_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

/** Pending refunds of a service's invoices: what a crash or a lost answer left unsettled. */
export async function pendingRefundsOf(db: Db | Tx, serviceId: string): Promise<number[]> {
  const rows = await db
    .selectFrom("refunds")
    .innerJoin("invoices", "invoices.id", "refunds.invoice_id")
    .select("refunds.id")
    .where("invoices.service_id", "=", serviceId)
    .where("refunds.status", "=", "pending")
    .orderBy("refunds.id")
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Phases 2 and 3: for each pending refund, the gateway's answer under its key (looked up first),
 * then one transaction records them. A gateway error leaves the refund pending, to be asked again.
 */
export async function completeRefunds(deps: Deps, refundIds: number[], now: Instant): Promise<void> {
  const rows = await readInChunks(refundIds, (ids) =>
    deps.db
      .selectFrom("refunds")
      .innerJoin("payments", "payments.id", "refunds.payment_id")
      .innerJoin("invoices", "invoices.id", "refunds.invoice_id")
      .leftJoin("services", "services.id", "invoices.service_id")
      .select([
        "services.label",
        "refunds.id",
        "refunds.idempotency_key as key",
        "refunds.amount",
        "refunds.currency",
        "refunds.reason",
        "refunds.status",
        "refunds.customer_id as customerId",
        "refunds.invoice_id as invoiceId",
        "refunds.payment_id as paymentId",
        "refunds.requested_by as requestedBy",
        "payments.idempotency_key as chargeKey",
        "invoices.service_id as serviceId",
      ])
      .where("refunds.id", "in", ids)
      .orderBy("refunds.id")
      .execute(),
  );
  const answers: { refund: (typeof rows)[number]; outcome: RefundOutcome }[] = [];
  let error: unknown = null;
  for (const refund of rows) {
    if (refund.status !== "pending") continue;
    try {
      const outcome =
        (await deps.gateway.lookupRefund(refund.key)) ??
        (await deps.gateway.refund({
          idempotencyKey: refund.key,
          chargeKey: refund.chargeKey,
          amount: refund.amount,
          currency: refund.currency,
          reason: refund.reason,
        }));
      answers.push({ refund, outcome });
      reach(deps, "refund:gateway-answered");
    } catch (caught) {
      error = caught;
      break;
    }
  }
  if (answers.length > 0) {
    await inTransaction(deps, "settle-refund", async (tx) => {
      const events: NewEvent[] = [];
      // biome-ignore lint/suspicious/noExplicitAny: each notice is typed by its own template
      const notices: NoticeRequest<any>[] = [];
      for (const { refund, outcome } of answers) {
        const updated = await tx
          .updateTable("refunds")
          .set({
            status: outcome.status,
            gateway_ref: outcome.status === "succeeded" ? outcome.reference : null,
            failure_code: outcome.status === "failed" ? outcome.code : null,
            resolved_at: now,
          })
          .where("id", "=", refund.id)
          .where("status", "=", "pending")
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0 || outcome.status !== "succeeded") continue;
        const amount = { amount: refund.amount, currency: refund.currency };
        await recordCreditNote(
          tx,
          {
            invoiceId: refund.invoiceId,
            customerId: refund.customerId,
            refundId: refund.id,
            kind: "refund",
            amount,
            reason: refund.reason,
            createdBy: refund.requestedBy,
          },
          now,
          deps.policies.numbering,
        );
        events.push(
          newEvent(
            "payment.refunded",
            now,
            { customer: refund.customerId, service: refund.serviceId },
            {
              invoice: refund.invoiceId,
              amount,
              payment: refund.paymentId,
              refund: refund.id,
              reason: refund.reason,
              ...(refund.requestedBy !== "engine" ? { by: refund.requestedBy } : {}),
            },
          ),
        );
        notices.push({
          template: "payment-refunded",
          customerId: refund.customerId,
          serviceId: refund.serviceId,
          marker: refund.key,
          about: refund.label ?? "",
          data: { invoiceNumber: refund.invoiceId, amount, reason: refund.reason, refundedAt: now },
        });
      }
      await recordEvents(tx, events);
      await queueNotices(tx, now, notices);
    });
    reach(deps, "refund:settled");
  }
  if (error !== null) throw new GatewayUnavailableError(error);
}
