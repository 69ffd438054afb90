/**
 * What the automation did and what it is stuck on (back office, issue 9): engine runs newest
 * first with their failures, services whose last step failed, charges and refunds the gateway has
 * not settled, and the facts of the health line.
 */
import { type AutomationHealth, automationHealth } from "../../domain/automation-health.js";
import { addHours, type Instant } from "../../domain/time.js";
import { findUnresolvedRefunds, type UnresolvedRefund } from "../../engine/run-engine.js";
import type { Db, Deps } from "../deps.js";

export interface EngineRun {
  id: number;
  worker: string;
  /** The run's logical instant (what it brought services up to). */
  nowAt: Instant;
  finishedAt: Instant | null;
  /** Wall time it took, in milliseconds; null while running (or if it never finished). */
  durationMs: number | null;
  status: string;
  stepsApplied: number;
  servicesFailed: number;
}

export interface RunFailureLine {
  id: number;
  serviceId: string;
  label: string | null;
  customerId: string | null;
  step: string;
  error: string;
  at: Instant;
}

function toRun(row: {
  id: number;
  worker: string;
  now_at: number;
  started_at: number;
  finished_at: number | null;
  status: string;
  steps_applied: number;
  services_failed: number;
}): EngineRun {
  return {
    id: Number(row.id),
    worker: row.worker,
    nowAt: Number(row.now_at),
    finishedAt: row.finished_at === null ? null : Number(row.finished_at),
    durationMs: row.finished_at === null ? null : Number(row.finished_at) - Number(row.started_at),
    status: row.status,
    stepsApplied: row.steps_applied,
    servicesFailed: row.services_failed,
  };
}

export const RUNS_PER_PAGE = 20;

/** One page of runs, newest first (by id: runs are numbered as they start). */
export async function listRuns(db: Db, page: number): Promise<{ runs: EngineRun[]; total: number }> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom("engine_runs")
      .selectAll()
      .orderBy("id", "desc")
      .limit(RUNS_PER_PAGE)
      .offset((page - 1) * RUNS_PER_PAGE)
      .execute(),
    db
      .selectFrom("engine_runs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow(),
  ]);
  return { runs: rows.map(toRun), total: Number(count.n) };
}

export async function findRun(db: Db, id: number): Promise<EngineRun | null> {
  const row = await db.selectFrom("engine_runs").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toRun(row) : null;
}

export async function runFailures(db: Db, runId: number): Promise<RunFailureLine[]> {
  const rows = await db
    .selectFrom("engine_failures")
    .leftJoin("services", "services.id", "engine_failures.service_id")
    .select([
      "engine_failures.id",
      "engine_failures.service_id",
      "engine_failures.step",
      "engine_failures.error",
      "engine_failures.at",
      "services.label",
      "services.customer_id",
    ])
    .where("engine_failures.run_id", "=", runId)
    .orderBy("engine_failures.id")
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    serviceId: r.service_id,
    label: r.label,
    customerId: r.customer_id,
    step: r.step,
    error: r.error,
    at: Number(r.at),
  }));
}

export interface FailingService {
  id: string;
  customerId: string;
  label: string;
  kind: string;
  status: string;
  failureCount: number;
  lastError: string | null;
  /** When the engine tries it again by itself (its back-off). */
  nextDueAt: Instant | null;
  /** Leased by a worker right now (being processed): a retry would wait. */
  leasedUntil: Instant | null;
}

function toFailing(r: {
  id: string;
  customer_id: string;
  label: string;
  kind: string;
  status: string;
  failure_count: number;
  last_error: string | null;
  next_due_at: number | null;
  lease_until: number | null;
}): FailingService {
  return {
    id: r.id,
    customerId: r.customer_id,
    label: r.label,
    kind: r.kind,
    status: r.status,
    failureCount: r.failure_count,
    lastError: r.last_error,
    nextDueAt: r.next_due_at === null ? null : Number(r.next_due_at),
    leasedUntil: r.lease_until === null ? null : Number(r.lease_until),
  };
}

const FAILING_COLUMNS = [
  "id",
  "customer_id",
  "label",
  "kind",
  "status",
  "failure_count",
  "last_error",
  "next_due_at",
  "lease_until",
] as const;

/** Services whose last step failed (most failures first), at most `limit`. */
export async function listFailingServices(db: Db, limit = 200): Promise<FailingService[]> {
  const rows = await db
    .selectFrom("services")
    .select(FAILING_COLUMNS)
    .where("failure_count", ">", 0)
    .orderBy("failure_count", "desc")
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map(toFailing);
}

export async function findServiceState(db: Db, id: string): Promise<FailingService | null> {
  const row = await db.selectFrom("services").select(FAILING_COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? toFailing(row) : null;
}

/** The step a service last failed at (its latest recorded failure), or null. */
export async function lastFailedStep(db: Db, serviceId: string): Promise<string | null> {
  const row = await db
    .selectFrom("engine_failures")
    .select("step")
    .where("service_id", "=", serviceId)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.step ?? null;
}

export interface PendingCharge {
  paymentId: number;
  idempotencyKey: string;
  invoiceId: number;
  customerId: string;
  customerName: string;
  amount: number;
  currency: string;
  attempt: number;
  since: Instant;
  /** Past the alarm delay (pendingChargeAlarmHours): reported by every run. */
  isAlarm: boolean;
}

/** Every charge still waiting for the gateway's outcome, oldest first. */
export async function listPendingCharges(deps: Deps, now: Instant, limit = 200): Promise<PendingCharge[]> {
  const alarmBefore = addHours(now, -deps.policies.billing.pendingChargeAlarmHours);
  const rows = await deps.db
    .selectFrom("payments")
    .innerJoin("customers", "customers.id", "payments.customer_id")
    .select([
      "payments.id",
      "payments.idempotency_key",
      "payments.invoice_id",
      "payments.customer_id",
      "customers.name",
      "payments.amount",
      "payments.currency",
      "payments.attempt",
      "payments.created_at",
    ])
    .where("payments.status", "=", "pending")
    .orderBy("payments.created_at")
    .orderBy("payments.id")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    paymentId: Number(r.id),
    idempotencyKey: r.idempotency_key,
    invoiceId: Number(r.invoice_id),
    customerId: r.customer_id,
    customerName: r.name,
    amount: r.amount,
    currency: r.currency,
    attempt: r.attempt,
    since: Number(r.created_at),
    isAlarm: Number(r.created_at) <= alarmBefore,
  }));
}

export async function findPendingCharge(deps: Deps, paymentId: number, now: Instant) {
  const rows = await deps.db
    .selectFrom("payments")
    .innerJoin("customers", "customers.id", "payments.customer_id")
    .select([
      "payments.id",
      "payments.idempotency_key",
      "payments.invoice_id",
      "payments.customer_id",
      "customers.name",
      "payments.amount",
      "payments.currency",
      "payments.attempt",
      "payments.created_at",
      "payments.status",
    ])
    .where("payments.id", "=", paymentId)
    .execute();
  const r = rows[0];
  if (!r) return null;
  const alarmBefore = addHours(now, -deps.policies.billing.pendingChargeAlarmHours);
  return {
    paymentId: Number(r.id),
    idempotencyKey: r.idempotency_key,
    invoiceId: Number(r.invoice_id),
    customerId: r.customer_id,
    customerName: r.name,
    amount: r.amount,
    currency: r.currency,
    attempt: r.attempt,
    since: Number(r.created_at),
    isAlarm: Number(r.created_at) <= alarmBefore,
    status: r.status,
  };
}

export type { UnresolvedRefund };

export async function listUnresolvedRefunds(deps: Deps, now: Instant): Promise<UnresolvedRefund[]> {
  return findUnresolvedRefunds(deps, now);
}

/** The health line's facts, read in a few small queries (partial indexes, migration 0008). */
export async function readAutomationHealth(
  deps: Deps,
  now: Instant,
  workerIntervalMs: number,
): Promise<AutomationHealth> {
  const db = deps.db;
  const alarmBefore = addHours(now, -deps.policies.billing.pendingChargeAlarmHours);
  const [last, failures, charges, refunds] = await Promise.all([
    db
      .selectFrom("engine_runs")
      .select("now_at")
      .where("status", "in", ["ok", "failures"])
      .where("finished_at", "is not", null)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst(),
    db.selectFrom("services").select("failure_count").where("failure_count", ">", 0).execute(),
    db
      .selectFrom("payments")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("status", "=", "pending")
      .where("created_at", "<=", alarmBefore)
      .executeTakeFirstOrThrow(),
    findUnresolvedRefunds(deps, now),
  ]);
  return automationHealth(
    {
      now,
      workerIntervalMs,
      lastCompletedRunAt: last ? Number(last.now_at) : null,
      failureCounts: failures.map((f) => f.failure_count),
      unresolvedCharges: Number(charges.n),
      unresolvedRefunds: refunds.length,
    },
    deps.policies.automation,
  );
}
