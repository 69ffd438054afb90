/** Records an existing subscription (first term paid), as at its start. */
import { type Plan, termEnd } from "../../domain/subscription-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import type { Deps } from "../deps.js";
import { recordEvent } from "../events/record-event.js";

export const SUBSCRIPTION_KINDS = ["hosting", "ssl", "app"] as const;
export type SubscriptionKind = (typeof SUBSCRIPTION_KINDS)[number];

export interface ImportSubscriptionInput {
  id: string;
  customerId: string;
  kind: SubscriptionKind;
  label: string;
  plan: Plan;
  price: number;
  currency: string;
  startedAt: Instant;
  productId?: string | null;
}

export async function importSubscription(
  deps: Deps,
  input: ImportSubscriptionInput,
): Promise<{ termEndsAt: Instant }> {
  const termEndsAt = termEnd(input.startedAt, 1, input.plan);
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("services")
      .values({
        id: input.id,
        customer_id: input.customerId,
        kind: input.kind,
        label: input.label,
        status: "active",
        created_at: input.startedAt,
        next_due_at: input.startedAt,
        lease_owner: null,
        lease_until: null,
        failure_count: 0,
        last_error: null,
      })
      .execute();
    await tx
      .insertInto("subscriptions")
      .values({
        service_id: input.id,
        product_id: input.productId ?? null,
        plan: input.plan,
        price: input.price,
        currency: input.currency,
        started_at: input.startedAt,
        anchor_at: input.startedAt,
        terms_since_anchor: 1,
        term_ends_at: termEndsAt,
      })
      .execute();
    await recordEvent(
      tx,
      "service.activated",
      input.startedAt,
      { customer: input.customerId, service: input.id },
      { plan: input.plan },
    );
  });
  return { termEndsAt };
}
