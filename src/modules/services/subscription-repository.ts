/** Subscriptions (hosting, SSL, apps) as records, and the facts their lifecycle decides on. */

import { chunks } from "../../db/chunks.js";
import type { InvoiceStatus } from "../../domain/invoice-rules.js";
import type {
  CancellationWhen,
  Plan,
  SubscriptionFacts,
  SubscriptionStatus,
} from "../../domain/subscription-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";

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
  return (await findSubscriptions(db, [serviceId])).get(serviceId) ?? null;
}

/** The subscriptions among these services (an engine batch), by service id. */
export async function findSubscriptions(
  db: Db | Tx,
  serviceIds: string[],
): Promise<Map<string, SubscriptionRecord>> {
  const subs = new Map<string, SubscriptionRecord>();
  for (const ids of chunks(serviceIds, 500)) {
    const rows = await db
      .selectFrom("subscriptions")
      .innerJoin("services", "services.id", "subscriptions.service_id")
      .selectAll("subscriptions")
      .select(["services.customer_id", "services.status", "services.kind", "services.label"])
      .where("subscriptions.service_id", "in", ids)
      .execute();
    for (const row of rows) {
      subs.set(row.service_id, {
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
      });
    }
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
  const cancellations = new Map<string, { when: CancellationWhen; effectiveAt: Instant }>();
  const renewals = new Map<
    string,
    { id: number; status: string; issued_at: Instant; paid_at: Instant | null; voided_at: Instant | null }
  >();
  const attempts = new Map<number, { n: number; last: Instant | null }>();
  const pendingSince = new Map<string, Instant>();
  for (const batch of chunks(subs, 500)) {
    const ids = batch.map((sub) => sub.serviceId);
    for (const row of await db
      .selectFrom("cancellation_requests")
      .select(["service_id", "mode", "effective_at"])
      .where("service_id", "in", ids)
      .where("status", "=", "pending")
      .execute()) {
      cancellations.set(row.service_id, {
        when: row.mode as CancellationWhen,
        effectiveAt: row.effective_at,
      });
    }
    // Only the current period's invoices: joined on the subscription's term end.
    const invoices = await db
      .selectFrom("invoices")
      .innerJoin("subscriptions", (join) =>
        join
          .onRef("subscriptions.service_id", "=", "invoices.service_id")
          .onRef("subscriptions.term_ends_at", "=", "invoices.period_start_at"),
      )
      .select([
        "invoices.id",
        "invoices.service_id",
        "invoices.status",
        "invoices.issued_at",
        "invoices.paid_at",
        "invoices.voided_at",
      ])
      .where("invoices.service_id", "in", ids)
      .where("invoices.purpose", "=", "renewal")
      .execute();
    for (const row of invoices) {
      if (row.service_id === null) continue;
      const latest = renewals.get(row.service_id);
      if (!latest || row.id > latest.id) renewals.set(row.service_id, row);
    }
    const latestIds = batch.flatMap((sub) => {
      const latest = renewals.get(sub.serviceId);
      return latest ? [latest.id] : [];
    });
    if (latestIds.length > 0) {
      for (const row of await db
        .selectFrom("payments")
        .select((eb) => ["invoice_id", eb.fn.countAll<number>().as("n"), eb.fn.max("created_at").as("last")])
        .where("invoice_id", "in", latestIds)
        .groupBy("invoice_id")
        .execute()) {
        attempts.set(row.invoice_id, { n: Number(row.n), last: row.last === null ? null : Number(row.last) });
      }
    }
    for (const row of await db
      .selectFrom("payments")
      .innerJoin("invoices", "invoices.id", "payments.invoice_id")
      .select((eb) => ["invoices.service_id", eb.fn.min("payments.created_at").as("since")])
      .where("invoices.service_id", "in", ids)
      .where("payments.status", "=", "pending")
      .groupBy("invoices.service_id")
      .execute()) {
      if (row.service_id !== null && row.since !== null) pendingSince.set(row.service_id, Number(row.since));
    }
  }
  const facts = new Map<string, SubscriptionFacts>();
  for (const sub of subs) {
    const renewal = renewals.get(sub.serviceId);
    const tries = renewal ? attempts.get(renewal.id) : undefined;
    facts.set(sub.serviceId, {
      status: sub.status,
      termEndsAt: sub.termEndsAt,
      pendingCancellation: cancellations.get(sub.serviceId) ?? null,
      renewal: renewal
        ? {
            id: renewal.id,
            status: renewal.status as InvoiceStatus,
            issuedAt: renewal.issued_at,
            paidAt: renewal.paid_at,
            voidedAt: renewal.voided_at,
            attempts: tries?.n ?? 0,
            lastAttemptAt: tries?.last ?? null,
          }
        : null,
      pendingPaymentSince: pendingSince.get(sub.serviceId) ?? null,
    });
  }
  return facts;
}
