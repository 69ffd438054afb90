/**
 * One engine run at instant `now`: claim due services in batches (leases, SKIP LOCKED on
 * PostgreSQL), bring each up to date, record failures on the run without stopping the others.
 */
import { performance } from "node:perf_hooks";
import { addHours, addMinutes, type Instant } from "../domain/time.js";
import type { Db, Deps, Tx } from "../modules/deps.js";
import { processBatch, type RetriedGroup } from "./process-batch.js";

export interface RunOptions {
  worker?: string;
  batchSize?: number;
  leaseMinutes?: number;
  /**
   * `false` for a simulation's runs (tenure simulate): no run record unless a step fails, and no
   * alarm queries, which a replay on its own in-memory database never reads. Same engine otherwise.
   */
  record?: boolean;
}

export interface RunFailure {
  service: string;
  step: string;
  error: string;
  /** The gateway did not answer about money in flight: retried with a back-off, not a defect. */
  awaitsGateway: boolean;
}

/** A charge sent to the gateway whose outcome is still unknown after the alarm delay. */
export interface UnresolvedCharge {
  idempotencyKey: string;
  invoice: number;
  customer: string;
  since: Instant;
}

export interface RunReport {
  runId: number;
  now: Instant;
  stepsApplied: number;
  servicesProcessed: number;
  failures: RunFailure[];
  /** Groups whose batched step failed and that were then brought up to date one service at a time. */
  retriedGroups: RetriedGroup[];
  /**
   * Needs a person: charges the gateway has not confirmed either way for too long, and refunds it
   * refused or has not confirmed for as long (money owed back to a customer).
   */
  alarms: { unresolvedCharges: UnresolvedCharge[]; unresolvedRefunds: UnresolvedRefund[] };
}

/** A refund the gateway refused, or left unconfirmed past the alarm delay. */
export interface UnresolvedRefund {
  idempotencyKey: string;
  invoice: number;
  customer: string;
  status: "pending" | "failed";
  since: Instant;
}

export async function findUnresolvedRefunds(deps: Deps, now: Instant): Promise<UnresolvedRefund[]> {
  const rows = await deps.db
    .selectFrom("refunds")
    .select(["idempotency_key", "invoice_id", "customer_id", "created_at", "status"])
    .where((eb) =>
      eb.or([
        eb("status", "=", "failed"),
        eb.and([
          eb("status", "=", "pending"),
          eb("created_at", "<=", addHours(now, -deps.policies.billing.pendingChargeAlarmHours)),
        ]),
      ]),
    )
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    idempotencyKey: r.idempotency_key,
    invoice: r.invoice_id,
    customer: r.customer_id,
    status: r.status === "failed" ? "failed" : "pending",
    since: r.created_at,
  }));
}

export async function findUnresolvedCharges(deps: Deps, now: Instant): Promise<UnresolvedCharge[]> {
  const rows = await deps.db
    .selectFrom("payments")
    .select(["idempotency_key", "invoice_id", "customer_id", "created_at"])
    .where("status", "=", "pending")
    .where("created_at", "<=", addHours(now, -deps.policies.billing.pendingChargeAlarmHours))
    .orderBy("created_at")
    .execute();
  return rows.map((r) => ({
    idempotencyKey: r.idempotency_key,
    invoice: r.invoice_id,
    customer: r.customer_id,
    since: r.created_at,
  }));
}

/**
 * Marks up to `limit` due services as leased by this worker and returns their ids, earliest due
 * first. One statement (the lease is taken by the claim itself): on PostgreSQL the rows another
 * worker is claiming at the same moment are skipped, not waited for.
 */
export async function claimDueServices(
  deps: Deps,
  now: Instant,
  worker: string,
  limit: number,
  leaseMinutes: number,
): Promise<string[]> {
  const rows = await deps.db
    .updateTable("services")
    .set({ lease_owner: worker, lease_until: addMinutes(now, leaseMinutes) })
    .where("id", "in", (eb) => {
      let due = eb
        .selectFrom("services")
        .select("id")
        .where("next_due_at", "<=", now)
        .where((w) => w.or([w("lease_until", "is", null), w("lease_until", "<=", now)]))
        .orderBy("next_due_at")
        .orderBy("id")
        .limit(limit);
      if (deps.dialect === "postgres") due = due.forUpdate().skipLocked();
      return due;
    })
    .returning(["id", "next_due_at"])
    .execute();
  // RETURNING follows no order: the batch is processed earliest due first, as claimed.
  return rows
    .sort((a, b) => Number(a.next_due_at) - Number(b.next_due_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => r.id);
}

/** Waits longer after each consecutive failure of the same service, up to an hour. */
function retryDelayMinutes(failures: number): number {
  return Math.min(60, 2 ** Math.max(0, failures - 1));
}

/** Opens an engine run's record (running, nothing applied yet) and returns its id. */
export async function startEngineRun(db: Db | Tx, worker: string, now: Instant): Promise<number> {
  const run = await db
    .insertInto("engine_runs")
    .values({
      worker,
      now_at: now,
      started_at: now,
      finished_at: null,
      status: "running",
      steps_applied: 0,
      services_failed: 0,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return Number(run.id);
}

export async function runEngine(deps: Deps, now: Instant, options: RunOptions = {}): Promise<RunReport> {
  const worker = options.worker ?? "engine";
  const batchSize = options.batchSize ?? 500;
  const leaseMinutes = options.leaseMinutes ?? 10;
  const record = options.record ?? true;
  const startRun = () => startEngineRun(deps.db, worker, now);
  let runId: number | null = record ? await startRun() : null;
  const startedMs = performance.now();
  const report: RunReport = {
    runId: runId ?? 0,
    now,
    stepsApplied: 0,
    servicesProcessed: 0,
    failures: [],
    retriedGroups: [],
    alarms: { unresolvedCharges: [], unresolvedRefunds: [] },
  };
  for (;;) {
    const ids = await claimDueServices(deps, now, worker, batchSize, leaseMinutes);
    if (ids.length === 0) break;
    const { results, retried } = await processBatch(deps, ids, now);
    report.retriedGroups.push(...retried);
    for (const id of ids) {
      const result = results.get(id);
      report.stepsApplied += result?.steps ?? 0;
      report.servicesProcessed += 1;
      if (result?.failure) {
        const { step, message, awaitsGateway } = result.failure;
        report.failures.push({ service: id, step, error: message, awaitsGateway });
        // A failure is recorded against a run, even in a simulation (its back-off reads it).
        runId ??= await startRun();
        report.runId = runId;
        await recordFailure(deps, runId, id, step, message, now);
      }
    }
  }
  if (record) {
    report.alarms.unresolvedCharges = await findUnresolvedCharges(deps, now);
    report.alarms.unresolvedRefunds = await findUnresolvedRefunds(deps, now);
  }
  if (runId === null) return report;
  await deps.db
    .updateTable("engine_runs")
    .set({
      // The run is stamped with its logical instant; the wall time it took is added to it.
      finished_at: now + Math.round(performance.now() - startedMs),
      status: report.failures.length > 0 ? "failures" : "ok",
      steps_applied: report.stepsApplied,
      services_failed: report.failures.length,
    })
    .where("id", "=", runId)
    .execute();
  return report;
}

/** Records a failed step against the service (back-off, last error) and on the run; also for a staff retry. */
export async function recordFailure(
  deps: Deps,
  runId: number,
  serviceId: string,
  step: string,
  error: string,
  now: Instant,
) {
  const service = await deps.db
    .selectFrom("services")
    .select("failure_count")
    .where("id", "=", serviceId)
    .executeTakeFirst();
  const failures = (service?.failure_count ?? 0) + 1;
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("engine_failures")
      .values({ run_id: runId, service_id: serviceId, step, error, at: now })
      .execute();
    // Still due, but not before the back-off: a broken service must not starve the others.
    await tx
      .updateTable("services")
      .set({
        failure_count: failures,
        // A StepFailure's message already starts with its step: it is not written twice.
        last_error: error.startsWith(`${step}: `) ? error : `${step}: ${error}`,
        next_due_at: addMinutes(now, retryDelayMinutes(failures)),
        lease_owner: null,
        lease_until: null,
      })
      .where("id", "=", serviceId)
      .execute();
  });
}
