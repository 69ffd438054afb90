/**
 * Two-phase charging (DESIGN.md, Exactly once): commit a pending payment under the key
 * `charge:<invoice>:<attempt>`, call the gateway with that key, then record the outcome. A pending
 * payment left by a crash is resolved by asking the gateway about the same key, never by charging
 * under a new one.
 */
import { nextRetryAt } from "../../domain/invoice-rules.js";
import { addDays, formatInstant, type Instant } from "../../domain/time.js";
import type { ChargeOutcome } from "../../providers/payments/payment-gateway.js";
import { type Db, type Deps, inTransaction, reach, registrarPolicy, type Tx } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { findInvoice, type InvoiceRow, invoiceIdentity } from "../invoices/invoice-repository.js";
import { queueNotice } from "../notifications/queue-notice.js";
import { markDue } from "../services/mark-due.js";
import { renewSubscriptionTerm } from "../services/renew-subscription-term.js";

/** `charge:<invoice identity>:<attempt>`: stable across restores (see invoiceIdentity). */
export function chargeKey(invoiceIdentityKey: string, attempt: number): string {
  return `charge:${invoiceIdentityKey}:${attempt}`;
}

/** Phase 1, in the caller's transaction: the pending payment row. Returns its id (existing or new). */
export async function insertPendingPayment(
  tx: Tx,
  invoiceId: number,
  attempt: number,
  at: Instant,
): Promise<number> {
  const invoice = await tx
    .selectFrom("invoices")
    .select(["id", "issue_key", "customer_id", "total", "amount_paid", "currency"])
    .where("id", "=", invoiceId)
    .executeTakeFirstOrThrow();
  const key = chargeKey(invoiceIdentity(invoice), attempt);
  await tx
    .insertInto("payments")
    .values({
      invoice_id: invoiceId,
      customer_id: invoice.customer_id,
      attempt,
      idempotency_key: key,
      amount: invoice.total - invoice.amount_paid,
      currency: invoice.currency,
      status: "pending",
      gateway_ref: null,
      failure_code: null,
      created_at: at,
      resolved_at: null,
    })
    .onConflict((oc) => oc.column("idempotency_key").doNothing())
    .execute();
  const row = await tx
    .selectFrom("payments")
    .select("id")
    .where("idempotency_key", "=", key)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Phases 2 and 3: ask the gateway under the payment's key and record what it says. */
export async function completeCharge(
  deps: Deps,
  paymentId: number,
  now: Instant,
): Promise<ChargeOutcome | null> {
  const payment = await deps.db
    .selectFrom("payments")
    .innerJoin("customers", "customers.id", "payments.customer_id")
    .select([
      "payments.status",
      "payments.idempotency_key as key",
      "payments.amount",
      "payments.currency",
      "payments.invoice_id as invoiceId",
      "customers.card_token as token",
    ])
    .where("payments.id", "=", paymentId)
    .executeTakeFirstOrThrow();
  if (payment.status !== "pending") return null;
  let outcome: ChargeOutcome;
  if (payment.token === null) {
    outcome = { status: "failed", code: "no-card-on-file", message: "No card on file." };
  } else {
    outcome =
      (await deps.gateway.lookup(payment.key)) ??
      (await deps.gateway.charge({
        idempotencyKey: payment.key,
        token: payment.token,
        amount: payment.amount,
        currency: payment.currency,
        description: `Invoice ${payment.invoiceId}`,
      }));
  }
  reach(deps, "charge:gateway-answered");
  await settlePayment(deps, paymentId, outcome, now);
  return outcome;
}

/** The invoice's charge still waiting for its outcome, if any. */
export async function findPendingPayment(db: Db | Tx, invoiceId: number): Promise<number | null> {
  const row = await db
    .selectFrom("payments")
    .select("id")
    .where("invoice_id", "=", invoiceId)
    .where("status", "=", "pending")
    .orderBy("id")
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * Charges an open invoice now, as its next attempt (the customer's "Pay", a reactivation). If an
 * earlier attempt is still pending, that one is resolved instead: a second click never becomes a
 * second charge under a new key.
 */
export async function chargeInvoiceNow(
  deps: Deps,
  invoiceId: number,
  now: Instant,
): Promise<ChargeOutcome | null> {
  // Checked and decided under a lock on the invoice, so clicks racing each other see each
  // other's pending charge instead of each opening a new attempt (SQLite serialises writers).
  const decision = await inTransaction(deps, "pending-payment", async (tx) => {
    let query = tx.selectFrom("invoices").select("status").where("id", "=", invoiceId);
    if (deps.dialect === "postgres") query = query.forUpdate();
    const invoice = await query.executeTakeFirst();
    if (invoice?.status !== "open") return { kind: "not-open" as const };
    const pending = await findPendingPayment(tx, invoiceId);
    if (pending !== null) return { kind: "pending" as const, paymentId: pending };
    const attempts = await tx
      .selectFrom("payments")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("invoice_id", "=", invoiceId)
      .executeTakeFirstOrThrow();
    const paymentId = await insertPendingPayment(tx, invoiceId, Number(attempts.n) + 1, now);
    return { kind: "new" as const, paymentId };
  });
  if (decision.kind === "not-open") return null;
  if (decision.kind === "new") reach(deps, "charge:pending-committed");
  return completeCharge(deps, decision.paymentId, now);
}

/** Resolves every payment of a service still waiting for its outcome. */
export async function resolvePendingPayments(deps: Deps, serviceId: string, now: Instant): Promise<void> {
  const pending = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select("payments.id")
    .where("invoices.service_id", "=", serviceId)
    .where("payments.status", "=", "pending")
    .orderBy("payments.id")
    .execute();
  for (const payment of pending) await completeCharge(deps, payment.id, now);
}

async function nextAttemptFor(deps: Deps, tx: Tx, invoice: InvoiceRow, attempts: number, failedAt: Instant) {
  if (invoice.purpose !== "renewal" || invoice.serviceId === null || invoice.periodStartAt === null)
    return null;
  const domain = await tx
    .selectFrom("domains")
    .select("registrar")
    .where("service_id", "=", invoice.serviceId)
    .executeTakeFirst();
  if (domain) {
    return nextRetryAt(attempts, failedAt, registrarPolicy(deps, domain.registrar), invoice.periodStartAt);
  }
  const billing = deps.policies.billing;
  return nextRetryAt(
    attempts,
    failedAt,
    billing,
    addDays(invoice.periodStartAt, billing.terminateAfterDaysOverdue),
  );
}

async function describeService(tx: Tx, serviceId: string | null): Promise<string> {
  if (serviceId === null) return "";
  const service = await tx
    .selectFrom("services")
    .select("label")
    .where("id", "=", serviceId)
    .executeTakeFirst();
  return service?.label ?? serviceId;
}

export async function settlePayment(deps: Deps, paymentId: number, outcome: ChargeOutcome, now: Instant) {
  await inTransaction(deps, "settle-payment", async (tx) => {
    const settled = await tx
      .updateTable("payments")
      .set({
        status: outcome.status,
        gateway_ref: outcome.status === "succeeded" ? outcome.reference : null,
        failure_code: outcome.status === "failed" ? outcome.code : null,
        resolved_at: now,
      })
      .where("id", "=", paymentId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (Number(settled.numUpdatedRows) === 0) return;
    const payment = await tx
      .selectFrom("payments")
      .selectAll()
      .where("id", "=", paymentId)
      .executeTakeFirstOrThrow();
    const invoice = await findInvoice(tx, payment.invoice_id);
    if (!invoice) throw new Error(`payment ${paymentId} has no invoice`);
    const refs = { customer: invoice.customerId, service: invoice.serviceId };
    const amount = { amount: payment.amount, currency: payment.currency };
    // What follows a payment (renewal, retry) is the engine's: make sure it looks at the service now.
    if (invoice.serviceId) await markDue(tx, invoice.serviceId, now);
    const about = await describeService(tx, invoice.serviceId);
    if (outcome.status === "succeeded") {
      const paid = invoice.amountPaid + payment.amount;
      const isPaid = paid >= invoice.total.amount;
      await tx
        .updateTable("invoices")
        .set({ amount_paid: paid, status: isPaid ? "paid" : "open", paid_at: isPaid ? now : null })
        .where("id", "=", invoice.id)
        .execute();
      await recordEvent(tx, "payment.succeeded", now, refs, {
        invoice: invoice.id,
        amount,
        attempt: payment.attempt,
      });
      if (!isPaid) return;
      await recordEvent(tx, "invoice.paid", now, refs, { invoice: invoice.id, amount: invoice.total });
      await queueNotice(tx, now, {
        template: "payment-receipt",
        customerId: invoice.customerId,
        serviceId: invoice.serviceId,
        marker: invoice.identity,
        about,
        data: { invoiceNumber: invoice.id, amount: invoice.total, paidAt: now },
      });
      if (invoice.purpose === "renewal") await renewSubscriptionTerm(tx, invoice.id, now);
      return;
    }
    const nextAttemptAt = await nextAttemptFor(deps, tx, invoice, payment.attempt, payment.created_at);
    await recordEvent(tx, "payment.failed", now, refs, {
      invoice: invoice.id,
      amount,
      attempt: payment.attempt,
      reason: outcome.code,
      ...(nextAttemptAt !== null ? { nextAttemptAt: formatInstant(nextAttemptAt) } : {}),
    });
    await queueNotice(tx, now, {
      template: "payment-failed",
      customerId: invoice.customerId,
      serviceId: invoice.serviceId,
      marker: `${invoice.identity}#attempt-${payment.attempt}`,
      about,
      data: {
        invoiceNumber: invoice.id,
        amount,
        attempt: payment.attempt,
        reason: outcome.code,
        nextAttemptAt,
      },
    });
  });
  reach(deps, "charge:settled");
}
