/** Subscriptions (hosting, SSL, apps) as records, and the facts their lifecycle decides on. */

import { readInChunks } from "../../db/chunks.js";
import type {
  CancellationWhen,
  Plan,
  SubscriptionFacts,
  SubscriptionStatus,
} from "../../domain/subscription-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";
import { pendingPaymentSinceOf, periodInvoiceFactsOf } from "../invoices/invoice-repository.js";

export interface SubscriptionRecord {
  serviceId: string;
  customerId: string;
  kind: string;
  label: string;
  /** Its name in each language (migration 0010); the label where a row has none. */
  nameEn?: string | null;
  nameFr?: string | null;
  status: SubscriptionStatus;
  plan: Plan;
  price: number;
  currency: string;
  anchorAt: Instant;
  termsSinceAnchor: number;
  termEndsAt: Instant;
}

export async function findSubscription(db: Db | Tx, serviceId: string): Promise<SubscriptionRecord | null> {
  return (await findSubscriptions(db, [serviceId])).get(serviceId) ?? null;
}

/** The subscriptions among these services (an engine batch), by service id. */
export async function findSubscriptions(
  db: Db | Tx,
  serviceIds: string[],
): Promise<Map<string, SubscriptionRecord>> {
  const subs = new Map<string, SubscriptionRecord>();
  const rows = await readInChunks(serviceIds, (ids) =>
    db
      .selectFrom("subscriptions")
      .innerJoin("services", "services.id", "subscriptions.service_id")
      .selectAll("subscriptions")
      .select([
        "services.customer_id",
        "services.status",
        "services.kind",
        "services.label",
        "services.name_en",
        "services.name_fr",
      ])
      .where("subscriptions.service_id", "in", ids)
      .execute(),
  );
  for (const row of rows) {
    subs.set(row.service_id, {
      serviceId: row.service_id,
      customerId: row.customer_id,
      kind: row.kind,
      label: row.label,
      nameEn: row.name_en,
      nameFr: row.name_fr,
      status: row.status as SubscriptionStatus,
      plan: row.plan as Plan,
      price: row.price,
      currency: row.currency,
      anchorAt: row.anchor_at,
      termsSinceAnchor: row.terms_since_anchor,
      termEndsAt: row.term_ends_at,
    });
  }
  return subs;
}

export interface PendingCancellation {
  id: number;
  when: CancellationWhen;
  effectiveAt: Instant;
  reason: string;
  requestedAt: Instant;
  stopDomainIds: string[];
  /** The staff member who asked for it to be carried out now (back office), if one did. */
  carriedOutBy: string | null;
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
    carriedOutBy: row.carried_out_by,
  };
}

export async function loadSubscriptionFacts(db: Db, sub: SubscriptionRecord): Promise<SubscriptionFacts> {
  const facts = (await loadSubscriptionFactsOf(db, [sub])).get(sub.serviceId);
  if (!facts) throw new Error(`no facts for ${sub.serviceId}`);
  return facts;
}

/**
 * The lifecycle facts of many subscriptions with a handful of set-based reads (an engine batch):
 * pending cancellation, the latest renewal invoice of the current period with its attempts, and
 * the oldest charge still waiting for its outcome.
 */
export async function loadSubscriptionFactsOf(
  db: Db,
  subs: SubscriptionRecord[],
): Promise<Map<string, SubscriptionFacts>> {
  const ids = subs.map((sub) => sub.serviceId);
  const cancellations = new Map<string, { when: CancellationWhen; effectiveAt: Instant }>();
  const rows = await readInChunks(ids, (batch) =>
    db
      .selectFrom("cancellation_requests")
      .select(["service_id", "mode", "effective_at"])
      .where("service_id", "in", batch)
      .where("status", "=", "pending")
      .execute(),
  );
  for (const row of rows)
    cancellations.set(row.service_id, {
      when: row.mode as CancellationWhen,
      effectiveAt: row.effective_at,
    });
  const renewals = await periodInvoiceFactsOf(
    db,
    subs.map((sub) => ({ serviceId: sub.serviceId, periodStartAt: sub.termEndsAt })),
    ["renewal"],
  );
  const pendingSince = await pendingPaymentSinceOf(db, ids);
  const facts = new Map<string, SubscriptionFacts>();
  for (const sub of subs) {
    facts.set(sub.serviceId, {
      status: sub.status,
      termEndsAt: sub.termEndsAt,
      pendingCancellation: cancellations.get(sub.serviceId) ?? null,
      renewal: renewals.get(sub.serviceId) ?? null,
      pendingPaymentSince: pendingSince.get(sub.serviceId) ?? null,
    });
  }
  return facts;
}
