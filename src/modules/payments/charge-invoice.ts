/**
 * Two-phase charging (DESIGN.md, Exactly once): commit a pending payment under the key
 * `charge:<invoice>:<attempt>`, call the gateway with that key, then record the outcome. A pending
 * payment left by a crash is resolved by asking the gateway about the same key, never by charging
 * under a new one.
 */

import type { Selectable } from "kysely";
import { chunks, KEYS_PER_STATEMENT, readInChunks } from "../../db/chunks.js";
import type { PaymentsTable } from "../../db/schema.js";
import { nextRetryAt } from "../../domain/invoice-rules.js";
import { addDays, formatInstant, type Instant } from "../../domain/time.js";
import { type ChargeOutcome, GatewayUnavailableError } from "../../providers/payments/payment-gateway.js";
import { type Db, type Deps, inTransaction, reach, registrarPolicy, type Tx } from "../deps.js";
import { type NewEvent, newEvent, recordEvents } from "../events/record-event.js";
import {
  findInvoices,
  type InvoiceRow,
  invoiceIdentity,
  voidInvoice,
} from "../invoices/invoice-repository.js";
import { type NoticeRequest, queueNotices } from "../notifications/queue-notice.js";
import { markDueAll } from "../services/mark-due.js";
import { renewSubscriptionTerms } from "../services/renew-subscription-term.js";
import { completeRefunds, insertPendingRefunds, type NewRefund, pendingRefundsOf } from "./refund-payment.js";

type PaymentRow = Selectable<PaymentsTable>;

/** `charge:<invoice identity>:<attempt>`: stable across restores (see invoiceIdentity). */
export function chargeKey(invoiceIdentityKey: string, attempt: number): string {
  return `charge:${invoiceIdentityKey}:${attempt}`;
}

/**
 * Phase 1, in the caller's transaction: the pending payment row. Returns its id (existing or new),
 * or null when the invoice can no longer be charged (paid, voided, or a void is waiting).
 */
export async function insertPendingPayment(
  deps: Deps,
  tx: Tx,
  invoiceId: number,
  attempt: number,
  at: Instant,
): Promise<number | null> {
  const [id] = await insertPendingPayments(deps, tx, [{ invoiceId, attempt }], at);
  return id ?? null;
}

/**
 * Locks these invoices for the rest of the transaction (PostgreSQL; SQLite has one writer at a
 * time): a charge and a void of one invoice are then decided one after the other, never both on
 * a stale read (DESIGN.md, money in flight is settled before any void).
 */
export async function lockInvoices(deps: Deps, tx: Tx, invoiceIds: number[]) {
  return readInChunks([...new Set(invoiceIds)], (ids) => {
    let query = tx
      .selectFrom("invoices")
      .select([
        "id",
        "issue_key",
        "customer_id",
        "total",
        "amount_paid",
        "currency",
        "status",
        "void_requested_at",
      ])
      .where("id", "in", ids);
    if (deps.dialect === "postgres") query = query.orderBy("id").forUpdate();
    return query.execute();
  });
}

/**
 * Phase 1 for many invoices at once (an engine batch); payment ids in the order asked, null for an
 * invoice that can no longer be charged (the database refuses those too).
 */
export async function insertPendingPayments(
  deps: Deps,
  tx: Tx,
  charges: { invoiceId: number; attempt: number }[],
  at: Instant,
): Promise<(number | null)[]> {
  const found = await lockInvoices(
    deps,
    tx,
    charges.map((c) => c.invoiceId),
  );
  const invoices = new Map(
    found
      .filter((invoice) => invoice.status === "open" && invoice.void_requested_at === null)
      .map((invoice) => [invoice.id, invoice]),
  );
  const rows = charges.flatMap((charge) => {
    const invoice = invoices.get(charge.invoiceId);
    if (!invoice) return [];
    return [
      {
        invoice_id: charge.invoiceId,
        customer_id: invoice.customer_id,
        attempt: charge.attempt,
        idempotency_key: chargeKey(invoiceIdentity(invoice), charge.attempt),
        amount: invoice.total - invoice.amount_paid,
        currency: invoice.currency,
        status: "pending",
        gateway_ref: null,
        failure_code: null,
        created_at: at,
        resolved_at: null,
      },
    ];
  });
  const idByKey = new Map<string, number>();
  for (const chunk of chunks(rows, 300)) {
    await tx
      .insertInto("payments")
      .values(chunk)
      .onConflict((oc) => oc.column("idempotency_key").doNothing())
      .execute();
    // Existing rows too: a retried phase 1 finds the payment it committed before.
    const found = await tx
      .selectFrom("payments")
      .select(["id", "idempotency_key"])
      .where(
        "idempotency_key",
        "in",
        chunk.map((row) => row.idempotency_key),
      )
      .execute();
    for (const row of found) idByKey.set(row.idempotency_key, row.id);
  }
  return charges.map((charge) => {
    const invoice = invoices.get(charge.invoiceId);
    if (!invoice) return null;
    const key = chargeKey(invoiceIdentity(invoice), charge.attempt);
    const id = idByKey.get(key);
    if (id === undefined) throw new Error(`payment ${key} was not recorded`);
    return id;
  });
}

/** Phases 2 and 3: ask the gateway under the payment's key and record what it says. */
export async function completeCharge(
  deps: Deps,
  paymentId: number,
  now: Instant,
): Promise<ChargeOutcome | null> {
  const [outcome] = await completeCharges(deps, [paymentId], now);
  return outcome ?? null;
}

/** How many gateway calls an engine batch keeps in flight: a network round trip each. */
const GATEWAY_CONCURRENCY = 16;

/**
 * What settles a pending payment: the gateway's outcome, or `cancelled` when the gateway never
 * received it and its invoice is being voided (it is then not sent at all).
 */
type Settlement = ChargeOutcome | { status: "cancelled" };

/**
 * Phases 2 and 3 for many payments: ask the gateway about each (a few at a time), then record
 * every outcome in one transaction. Payments no longer pending give null. A payment whose invoice
 * is being voided is only looked up, never sent: if the gateway has not seen it, it is cancelled.
 */
export async function completeCharges(
  deps: Deps,
  paymentIds: (number | null)[],
  now: Instant,
): Promise<(ChargeOutcome | null)[]> {
  const payments = new Map<
    number,
    {
      status: string;
      key: string;
      amount: number;
      currency: string;
      invoiceId: number;
      token: string | null;
      isVoiding: boolean;
    }
  >();
  const rows = await readInChunks(
    paymentIds.filter((id) => id !== null),
    (ids) =>
      deps.db
        .selectFrom("payments")
        .innerJoin("customers", "customers.id", "payments.customer_id")
        .innerJoin("invoices", "invoices.id", "payments.invoice_id")
        .select([
          "payments.id",
          "payments.status",
          "payments.idempotency_key as key",
          "payments.amount",
          "payments.currency",
          "payments.invoice_id as invoiceId",
          "customers.card_token as token",
          "invoices.status as invoiceStatus",
          "invoices.void_requested_at as voidRequestedAt",
        ])
        .where("payments.id", "in", ids)
        .execute(),
  );
  for (const row of rows) {
    payments.set(row.id, { ...row, isVoiding: row.invoiceStatus !== "open" || row.voidRequestedAt !== null });
  }
  const outcomes: (Settlement | null)[] = paymentIds.map(() => null);
  let next = 0;
  const errors: unknown[] = [];
  const ask = async () => {
    while (errors.length === 0) {
      const index = next++;
      if (index >= paymentIds.length) return;
      const payment = payments.get(paymentIds[index] ?? -1);
      if (payment?.status !== "pending") continue;
      let outcome: Settlement;
      try {
        outcome =
          (await deps.gateway.lookup(payment.key)) ??
          (payment.isVoiding
            ? { status: "cancelled" }
            : payment.token === null
              ? { status: "failed", code: "no-card-on-file", message: "No card on file." }
              : await deps.gateway.charge({
                  idempotencyKey: payment.key,
                  token: payment.token,
                  amount: payment.amount,
                  currency: payment.currency,
                  description: `Invoice ${payment.invoiceId}`,
                }));
      } catch (error) {
        // The outcome stays unknown: the payment stays pending and is asked about again later.
        errors.push(error);
        return;
      }
      outcomes[index] = outcome;
      reach(deps, "charge:gateway-answered");
    }
  };
  await Promise.all(Array.from({ length: Math.min(GATEWAY_CONCURRENCY, paymentIds.length) }, ask));
  const answered = paymentIds.flatMap((paymentId, i) => {
    const outcome = outcomes[i];
    return outcome && paymentId !== null ? [{ paymentId, outcome }] : [];
  });
  // What the gateway did answer is recorded even when another call failed.
  if (answered.length > 0) await settlePayments(deps, answered, now);
  if (errors.length > 0) throw new GatewayUnavailableError(errors[0]);
  return outcomes.map((outcome) => (outcome === null || outcome.status === "cancelled" ? null : outcome));
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
 * second charge under a new key. Null when there is no outcome to show: the invoice was not open,
 * another click settled it, or the bank has not answered yet (see findPendingPayment).
 */
export async function chargeInvoiceNow(
  deps: Deps,
  invoiceId: number,
  now: Instant,
): Promise<ChargeOutcome | null> {
  // Checked and decided under a lock on the invoice, so clicks racing each other see each
  // other's pending charge instead of each opening a new attempt (SQLite serialises writers).
  const decision = await inTransaction(deps, "pending-payment", async (tx) => {
    let query = tx.selectFrom("invoices").select(["status", "void_requested_at"]).where("id", "=", invoiceId);
    if (deps.dialect === "postgres") query = query.forUpdate();
    const invoice = await query.executeTakeFirst();
    if (invoice?.status !== "open" || invoice.void_requested_at !== null)
      return { kind: "not-open" as const };
    const pending = await findPendingPayment(tx, invoiceId);
    if (pending !== null) return { kind: "pending" as const, paymentId: pending };
    const attempts = await tx
      .selectFrom("payments")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("invoice_id", "=", invoiceId)
      .executeTakeFirstOrThrow();
    const paymentId = await insertPendingPayment(deps, tx, invoiceId, Number(attempts.n) + 1, now);
    return paymentId === null ? { kind: "not-open" as const } : { kind: "new" as const, paymentId };
  });
  if (decision.kind === "not-open") return null;
  if (decision.kind === "new") reach(deps, "charge:pending-committed");
  try {
    return await completeCharge(deps, decision.paymentId, now);
  } catch (error) {
    // The bank has not answered: the payment stays pending and the engine asks again (same key).
    if (error instanceof GatewayUnavailableError) return null;
    throw error;
  }
}

/** Resolves every payment and refund of a service still waiting for its outcome. */
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
  await completeRefunds(deps, await pendingRefundsOf(deps.db, serviceId), now);
}

/** When the next attempt of a failed renewal charge will be, by the service's policy (null: none). */
function nextAttemptFor(
  deps: Deps,
  invoice: InvoiceRow,
  registrars: Map<string, string>,
  attempts: number,
  failedAt: Instant,
) {
  if (invoice.purpose !== "renewal" || invoice.serviceId === null || invoice.periodStartAt === null)
    return null;
  const registrar = registrars.get(invoice.serviceId);
  if (registrar !== undefined) {
    return nextRetryAt(attempts, failedAt, registrarPolicy(deps, registrar), invoice.periodStartAt);
  }
  const billing = deps.policies.billing;
  return nextRetryAt(
    attempts,
    failedAt,
    billing,
    addDays(invoice.periodStartAt, billing.terminateAfterDaysOverdue),
  );
}

/**
 * Phase 3 for many payments, in one transaction: each payment still pending takes its outcome; a
 * success pays the invoice (receipt, renewal of the term), a failure schedules the next attempt
 * (notice). Each service's events keep the order a single settlement would give them.
 *
 * An invoice that can no longer take the money (a void is waiting for this charge, or it was
 * voided or paid meanwhile) never becomes paid: a success there is recorded as `unapplied` and
 * refunded, visibly, and the waiting void is carried out. A success that arrives after the payment
 * was given up (cancelled, or failed and then answered again) is not dropped either.
 */
export async function settlePayments(
  deps: Deps,
  settlements: { paymentId: number; outcome: Settlement }[],
  now: Instant,
) {
  const refundIds = await inTransaction(deps, "settle-payment", async (tx) => {
    const readPayments = async () => {
      const rows = new Map<number, PaymentRow>();
      for (const ids of chunks(
        settlements.map((s) => s.paymentId),
        KEYS_PER_STATEMENT,
      )) {
        for (const row of await tx.selectFrom("payments").selectAll().where("id", "in", ids).execute())
          rows.set(row.id, row);
      }
      return rows;
    };
    const invoiceIds = [...new Set([...(await readPayments()).values()].map((p) => p.invoice_id))];
    // The invoices are locked before anything is decided: a void or another settlement of the same
    // invoice at the same moment waits, and what they committed is read below, not a stale copy.
    await lockInvoices(deps, tx, invoiceIds);
    const payments = await readPayments();
    const invoices = await findInvoices(tx, invoiceIds);
    const settled: { payment: PaymentRow; invoice: InvoiceRow; outcome: Settlement }[] = [];
    for (const item of settlements) {
      const payment = payments.get(item.paymentId);
      const invoice = payment && invoices.get(payment.invoice_id);
      if (!payment || !invoice) throw new Error(`payment ${item.paymentId} has no invoice`);
      const isLateSuccess =
        item.outcome.status === "succeeded" &&
        (payment.status === "cancelled" || payment.status === "failed");
      if (payment.status !== "pending" && !isLateSuccess) continue;
      const isPayable = invoice.status === "open" && invoice.voidRequestedAt === null;
      const { outcome } = item;
      const status = outcome.status === "succeeded" && !isPayable ? "unapplied" : outcome.status;
      const result = await tx
        .updateTable("payments")
        .set({
          status,
          gateway_ref: outcome.status === "succeeded" ? outcome.reference : null,
          failure_code: outcome.status === "failed" ? outcome.code : null,
          resolved_at: now,
        })
        .where("id", "=", payment.id)
        .where("status", "=", payment.status)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) continue;
      payment.status = status;
      settled.push({ payment, invoice, outcome });
    }
    if (settled.length === 0) return [];
    const serviceIds = [
      ...new Set(settled.flatMap(({ invoice }) => (invoice.serviceId ? [invoice.serviceId] : []))),
    ];
    // What follows a payment (renewal, retry) is the engine's: make sure it looks at the services now.
    await markDueAll(tx, serviceIds, now);
    const labels = new Map<string, string>();
    const registrars = new Map<string, string>();
    for (const ids of chunks(serviceIds, KEYS_PER_STATEMENT)) {
      for (const row of await tx
        .selectFrom("services")
        .select(["id", "label"])
        .where("id", "in", ids)
        .execute())
        labels.set(row.id, row.label);
      for (const row of await tx
        .selectFrom("domains")
        .select(["service_id", "registrar"])
        .where("service_id", "in", ids)
        .execute())
        registrars.set(row.service_id, row.registrar);
    }
    const events: NewEvent[] = [];
    // biome-ignore lint/suspicious/noExplicitAny: each notice is typed by its own template
    const notices: NoticeRequest<any>[] = [];
    const renewals: number[] = [];
    const refunds: NewRefund[] = [];
    const voidsToCarryOut = new Set<number>();
    for (const { payment, invoice, outcome } of settled) {
      const refs = { customer: invoice.customerId, service: invoice.serviceId };
      const amount = { amount: payment.amount, currency: payment.currency };
      const about = invoice.serviceId === null ? "" : (labels.get(invoice.serviceId) ?? invoice.serviceId);
      if (invoice.voidRequestedAt !== null && invoice.status === "open") voidsToCarryOut.add(invoice.id);
      if (outcome.status === "cancelled") continue;
      if (outcome.status === "succeeded") {
        events.push(
          newEvent("payment.succeeded", now, refs, { invoice: invoice.id, amount, attempt: payment.attempt }),
        );
        if (payment.status === "unapplied") {
          // The money was taken for an invoice that no longer wants it: it goes back.
          refunds.push({
            paymentId: payment.id,
            amount: payment.amount,
            reason: invoice.status === "paid" ? "invoice-already-paid" : "invoice-voided",
            requestedBy: "engine",
            key: `refund:${payment.idempotency_key}:unapplied`,
          });
          continue;
        }
        const paid = invoice.amountPaid + payment.amount;
        const isPaid = paid >= invoice.total.amount;
        invoice.amountPaid = paid; // a second payment of the same invoice in this batch adds to it
        if (isPaid) invoice.status = "paid";
        await tx
          .updateTable("invoices")
          .set({ amount_paid: paid, status: isPaid ? "paid" : "open", paid_at: isPaid ? now : null })
          .where("id", "=", invoice.id)
          .execute();
        if (!isPaid) continue;
        events.push(newEvent("invoice.paid", now, refs, { invoice: invoice.id, amount: invoice.total }));
        notices.push({
          template: "payment-receipt",
          customerId: invoice.customerId,
          serviceId: invoice.serviceId,
          marker: invoice.identity,
          about,
          data: { invoiceNumber: invoice.id, amount: invoice.total, paidAt: now },
        });
        if (invoice.purpose === "renewal") renewals.push(invoice.id);
        continue;
      }
      const isWanted = invoice.status === "open" && invoice.voidRequestedAt === null;
      const nextAttemptAt = isWanted
        ? nextAttemptFor(deps, invoice, registrars, payment.attempt, payment.created_at)
        : null;
      events.push(
        newEvent("payment.failed", now, refs, {
          invoice: invoice.id,
          amount,
          attempt: payment.attempt,
          reason: outcome.code,
          ...(nextAttemptAt !== null ? { nextAttemptAt: formatInstant(nextAttemptAt) } : {}),
        }),
      );
      // Nobody is asked to fix a card for an invoice that is being voided.
      if (!isWanted) continue;
      notices.push({
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
    }
    // Per service: the payment's events, then its notice, then the renewal it brings.
    await recordEvents(tx, events);
    await queueNotices(tx, now, notices);
    await renewSubscriptionTerms(tx, renewals, now);
    for (const invoiceId of voidsToCarryOut) {
      const invoice = invoices.get(invoiceId);
      if (invoice?.status === "open")
        await voidInvoice(tx, invoiceId, now, invoice.voidReason ?? "void-requested");
    }
    return insertPendingRefunds(tx, refunds, now);
  });
  reach(deps, "charge:settled");
  if (refundIds.length > 0) await completeRefunds(deps, refundIds, now);
}
