/**
 * What a verified Stripe webhook means for Tenure's books. Each event names the pending payment by
 * the key Tenure gave its PaymentIntent (`metadata.tenure_key`) and goes through the same
 * settlement as the engine's own answer (settlePayments): a payment already settled is left alone,
 * so the redirect, the webhook and the engine may arrive in any order and pay the invoice once.
 */
import type Stripe from "stripe";
import type { Instant } from "../../domain/time.js";
import { mapDecline } from "../../providers/payments/stripe-gateway.js";
import type { Deps } from "../deps.js";
import { settlePayments } from "./charge-invoice.js";
import { completeRefunds } from "./refund-payment.js";

export type ReconcileResult =
  | { kind: "settled"; paymentId: number }
  | { kind: "refunds-checked"; refunds: number }
  | { kind: "disputed"; paymentId: number | null }
  | { kind: "ignored"; reason: string };

async function paymentByKey(deps: Deps, key: string | undefined) {
  if (!key) return null;
  return (
    (await deps.db
      .selectFrom("payments")
      .select(["id", "status"])
      .where("idempotency_key", "=", key)
      .executeTakeFirst()) ?? null
  );
}

export async function reconcileStripeEvent(
  deps: Deps,
  event: Stripe.Event,
  now: Instant,
): Promise<ReconcileResult> {
  if (event.type === "payment_intent.succeeded" || event.type === "payment_intent.payment_failed") {
    const intent = event.data.object;
    const payment = await paymentByKey(deps, intent.metadata?.tenure_key);
    if (!payment) return { kind: "ignored", reason: "no Tenure payment has this key" };
    const error = intent.last_payment_error;
    await settlePayments(
      deps,
      [
        {
          paymentId: payment.id,
          outcome:
            event.type === "payment_intent.succeeded"
              ? { status: "succeeded", reference: intent.id }
              : {
                  status: "failed",
                  code: error ? mapDecline(error) : "declined",
                  message: error?.message ?? "Declined.",
                },
        },
      ],
      now,
    );
    return { kind: "settled", paymentId: payment.id };
  }
  if (event.type === "charge.refunded") {
    const charge = event.data.object;
    const intentId =
      typeof charge.payment_intent === "string" ? charge.payment_intent : charge.payment_intent?.id;
    if (!intentId) return { kind: "ignored", reason: "charge without a PaymentIntent" };
    // Tenure's own refunds of this payment still waiting for their answer: asked about now, by key.
    const pending = await deps.db
      .selectFrom("refunds")
      .innerJoin("payments", "payments.id", "refunds.payment_id")
      .select("refunds.id")
      .where("payments.gateway_ref", "=", intentId)
      .where("refunds.status", "=", "pending")
      .execute();
    if (pending.length > 0)
      await completeRefunds(
        deps,
        pending.map((r) => r.id),
        now,
      );
    return { kind: "refunds-checked", refunds: pending.length };
  }
  if (event.type === "charge.dispute.created") {
    const dispute = event.data.object;
    const intentId =
      typeof dispute.payment_intent === "string"
        ? dispute.payment_intent
        : (dispute.payment_intent?.id ?? null);
    const payment = intentId
      ? await deps.db
          .selectFrom("payments")
          .select("id")
          .where("gateway_ref", "=", intentId)
          .executeTakeFirst()
      : undefined;
    return { kind: "disputed", paymentId: payment?.id ?? null };
  }
  return { kind: "ignored", reason: `event ${event.type} is not used` };
}
