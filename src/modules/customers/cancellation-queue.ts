/**
 * Back office: the cancellation queue — every pending request with its customer, service, mode,
 * reason and dates; an immediate one is promised within `billing.immediateCancellationHours` of
 * its request (seed 000: 24 h), so the queue shows the time left and which are late. And the
 * reasons report: requests by reason category and month (UTC).
 */
import {
  lastMonths,
  monthStart,
  type ReasonReport,
  reasonReport,
} from "../../domain/cancellation-reasons.js";
import type { BillingPolicy } from "../../domain/policies.js";
import type { CancellationWhen } from "../../domain/subscription-lifecycle.js";
import { addHours, type Instant } from "../../domain/time.js";
import type { Db, Deps } from "../deps.js";

export const QUEUE_LIMIT = 500;

export interface QueuedCancellation {
  id: number;
  serviceId: string;
  serviceLabel: string;
  serviceStatus: string;
  customerId: string;
  customerName: string;
  mode: CancellationWhen;
  reason: string;
  requestedAt: Instant;
  requestedBy: string;
  effectiveAt: Instant;
  /** A staff member already asked for it now; the engine is settling money in flight first. */
  carriedOutBy: string | null;
  /** Immediate only: when its window ends, and whether that is past. */
  dueBy: Instant | null;
  late: boolean;
}

export interface CancellationRequestView extends QueuedCancellation {
  status: string;
  closedAt: Instant | null;
}

/** When an immediate request's promised window ends; null for one at the end of the term. */
export function immediateDueBy(mode: string, requestedAt: Instant, policy: BillingPolicy): Instant | null {
  return mode === "immediate" ? addHours(requestedAt, policy.immediateCancellationHours) : null;
}

function selectRequests(db: Db) {
  return db
    .selectFrom("cancellation_requests")
    .innerJoin("services", "services.id", "cancellation_requests.service_id")
    .innerJoin("customers", "customers.id", "services.customer_id")
    .select([
      "cancellation_requests.id",
      "cancellation_requests.service_id",
      "cancellation_requests.mode",
      "cancellation_requests.reason",
      "cancellation_requests.status",
      "cancellation_requests.requested_at",
      "cancellation_requests.requested_by",
      "cancellation_requests.effective_at",
      "cancellation_requests.closed_at",
      "cancellation_requests.carried_out_by",
      "services.label",
      "services.status as service_status",
      "services.customer_id",
      "customers.name as customer_name",
    ]);
}

type RequestRow = Awaited<ReturnType<ReturnType<typeof selectRequests>["execute"]>>[number];

function viewOf(row: RequestRow, policy: BillingPolicy, now: Instant): CancellationRequestView {
  const dueBy = immediateDueBy(row.mode, row.requested_at, policy);
  return {
    id: row.id,
    serviceId: row.service_id,
    serviceLabel: row.label,
    serviceStatus: row.service_status,
    customerId: row.customer_id,
    customerName: row.customer_name,
    mode: row.mode as CancellationWhen,
    reason: row.reason,
    requestedAt: row.requested_at,
    requestedBy: row.requested_by,
    effectiveAt: row.effective_at,
    carriedOutBy: row.carried_out_by,
    dueBy,
    late: row.status === "pending" && dueBy !== null && now > dueBy,
    status: row.status,
    closedAt: row.closed_at,
  };
}

/** Pending requests, late ones first, then by when they take effect. */
export async function listPendingCancellations(deps: Deps, now: Instant): Promise<QueuedCancellation[]> {
  const rows = await selectRequests(deps.db)
    .where("cancellation_requests.status", "=", "pending")
    .orderBy("cancellation_requests.requested_at")
    .orderBy("cancellation_requests.id")
    .limit(QUEUE_LIMIT)
    .execute();
  const views = rows.map((row) => viewOf(row, deps.policies.billing, now));
  return views.sort(
    (a, b) =>
      Number(b.late) - Number(a.late) ||
      (a.dueBy ?? a.effectiveAt) - (b.dueBy ?? b.effectiveAt) ||
      a.id - b.id,
  );
}

export async function findCancellationRequest(
  deps: Deps,
  id: number,
  now: Instant,
): Promise<CancellationRequestView | null> {
  const row = await selectRequests(deps.db).where("cancellation_requests.id", "=", id).executeTakeFirst();
  return row ? viewOf(row, deps.policies.billing, now) : null;
}

/** Requests of the last `months` months (this one included) by reason category and month, UTC. */
export async function cancellationReasons(db: Db, now: Instant, months: number): Promise<ReasonReport> {
  const rows = await db
    .selectFrom("cancellation_requests")
    .select(["reason", "requested_at"])
    .where("requested_at", ">=", monthStart(now, months - 1))
    .execute();
  return reasonReport(
    rows.map((row) => ({ reason: row.reason, requestedAt: Number(row.requested_at) })),
    lastMonths(now, months),
  );
}
