/**
 * Check now (back office, issue 9): asks the gateway about a charge whose outcome is unknown, by
 * its key, and settles it through the engine's own path (completeCharges: look up the key; a key
 * the gateway never received is sent under that same key, so it can never be charged twice; a
 * charge for an invoice being voided is only looked up, never sent). Audited with its answer.
 */
import type { Instant } from "../../domain/time.js";
import type { ChargeOutcome } from "../../providers/payments/payment-gateway.js";
import { type Deps, inTransaction } from "../deps.js";
import { completeCharges } from "../payments/charge-invoice.js";
import { recordAudit, type StaffActor } from "../staff/audit-log.js";

export type CheckResult =
  | { kind: "not-found" }
  | { kind: "not-pending"; status: string }
  | {
      kind: "checked";
      /** What the gateway said about the key before anything was sent: null, it never received it. */
      lookup: ChargeOutcome | null;
      /** The payment's status once settled (`pending` when the gateway did not answer). */
      status: string;
      invoiceId: number;
      amount: number;
      currency: string;
      /** The gateway could not be reached: the payment stays pending, the engine asks again. */
      unreachable: string | null;
    };

export async function checkPendingCharge(
  deps: Deps,
  paymentId: number,
  now: Instant,
  actor: StaffActor,
): Promise<CheckResult> {
  const payment = await deps.db
    .selectFrom("payments")
    .select(["id", "idempotency_key", "status", "invoice_id", "customer_id", "amount", "currency"])
    .where("id", "=", paymentId)
    .executeTakeFirst();
  if (!payment) return { kind: "not-found" };
  if (payment.status !== "pending") return { kind: "not-pending", status: payment.status };
  let lookup: ChargeOutcome | null = null;
  let unreachable: string | null = null;
  try {
    lookup = await deps.gateway.lookup(payment.idempotency_key);
    await completeCharges(deps, [paymentId], now);
  } catch (error) {
    unreachable = error instanceof Error ? error.message : String(error);
  }
  const after = await deps.db
    .selectFrom("payments")
    .select("status")
    .where("id", "=", paymentId)
    .executeTakeFirstOrThrow();
  await inTransaction(deps, "automation:check-charge", (tx) =>
    recordAudit(tx, actor, now, {
      action: "payment.checked",
      objectType: "payment",
      objectId: String(paymentId),
      customerId: payment.customer_id,
      before: { status: "pending", gatewayAnswer: null },
      after: {
        status: after.status,
        gatewayAnswer: unreachable ? "unreachable" : (lookup?.status ?? "never-received"),
      },
    }),
  );
  return {
    kind: "checked",
    lookup,
    status: after.status,
    invoiceId: Number(payment.invoice_id),
    amount: payment.amount,
    currency: payment.currency,
    unreachable,
  };
}
