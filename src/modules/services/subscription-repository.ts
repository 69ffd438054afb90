/** Subscriptions (hosting, SSL, apps) as records, and the facts their lifecycle decides on. */
import type {
  CancellationWhen,
  Plan,
  SubscriptionFacts,
  SubscriptionStatus,
} from "../../domain/subscription-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";
import { pendingPaymentSince } from "../domains/domain-repository.js";
import { periodInvoiceFacts } from "../invoices/invoice-repository.js";

export interface SubscriptionRecord {
  serviceId: string;
  customerId: string;
  kind: string;
  label: string;
  status: SubscriptionStatus;
  plan: Plan;
  price: number;
  currency: string;
  anchorAt: Instant;
  termsSinceAnchor: number;
  termEndsAt: Instant;
}

export async function findSubscription(db: Db | Tx, serviceId: string): Promise<SubscriptionRecord | null> {
  const row = await db
    .selectFrom("subscriptions")
    .innerJoin("services", "services.id", "subscriptions.service_id")
    .selectAll("subscriptions")
    .select(["services.customer_id", "services.status", "services.kind", "services.label"])
    .where("subscriptions.service_id", "=", serviceId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    serviceId: row.service_id,
    customerId: row.customer_id,
    kind: row.kind,
    label: row.label,
    status: row.status as SubscriptionStatus,
    plan: row.plan as Plan,
    price: row.price,
    currency: row.currency,
    anchorAt: row.anchor_at,
    termsSinceAnchor: row.terms_since_anchor,
    termEndsAt: row.term_ends_at,
  };
}

export interface PendingCancellation {
  id: number;
  when: CancellationWhen;
  effectiveAt: Instant;
  reason: string;
  requestedAt: Instant;
  stopDomainIds: string[];
}

export async function findPendingCancellation(
  db: Db | Tx,
  serviceId: string,
): Promise<PendingCancellation | null> {
  const row = await db
    .selectFrom("cancellation_requests")
    .selectAll()
    .where("service_id", "=", serviceId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    when: row.mode as CancellationWhen,
    effectiveAt: row.effective_at,
    reason: row.reason,
    requestedAt: row.requested_at,
    stopDomainIds: JSON.parse(row.stop_domain_ids),
  };
}

export async function loadSubscriptionFacts(db: Db, sub: SubscriptionRecord): Promise<SubscriptionFacts> {
  const cancellation = await findPendingCancellation(db, sub.serviceId);
  return {
    status: sub.status,
    termEndsAt: sub.termEndsAt,
    pendingCancellation: cancellation
      ? { when: cancellation.when, effectiveAt: cancellation.effectiveAt }
      : null,
    renewal: await periodInvoiceFacts(db, sub.serviceId, ["renewal"], sub.termEndsAt),
    pendingPaymentSince: await pendingPaymentSince(db, sub.serviceId),
  };
}
