/**
 * Reconciliation on the policy's schedule, shared by every worker: the next run's instant lives in
 * `scheduled_jobs` (migration 0020), and a worker runs it only after claiming it with a guarded
 * update (due, and no live lease), the way the engine claims services. Two workers at the same
 * instant: one runs, the other sees the claim taken. A worker that dies mid-run leaves its lease;
 * once `leaseMinutes` have passed another one takes the run over. The instant is the caller's
 * clock, read once.
 */
import { addMinutes, type Instant } from "../../domain/time.js";
import type { Db, Deps } from "../deps.js";
import { type ReconcileOptions, type ReconciliationReport, runReconciliation } from "./reconcile.js";

export const RECONCILIATION_JOB = "reconciliation";

/**
 * Claims the job if it is due at `now` (or at once, `onDemand`) and nobody holds it: true when
 * this worker should run it.
 */
export async function claimScheduledJob(
  db: Db,
  job: string,
  now: Instant,
  worker: string,
  leaseMinutes: number,
  onDemand = false,
): Promise<boolean> {
  // First sight of the job: due at once, as a fresh installation's first reconciliation.
  await db
    .insertInto("scheduled_jobs")
    .values({ name: job, next_run_at: now, lease_owner: null, lease_until: null })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
  const claimed = await db
    .updateTable("scheduled_jobs")
    .set({ lease_owner: worker, lease_until: addMinutes(now, leaseMinutes), last_started_at: now })
    .where("name", "=", job)
    .$if(!onDemand, (qb) => qb.where("next_run_at", "<=", now))
    .where((eb) => eb.or([eb("lease_until", "is", null), eb("lease_until", "<=", now)]))
    .executeTakeFirst();
  return Number(claimed.numUpdatedRows) === 1;
}

/** Ends this worker's run: the next one is due `everyMinutes` after this one's instant. */
export async function finishScheduledJob(
  db: Db,
  job: string,
  now: Instant,
  worker: string,
  everyMinutes: number,
): Promise<void> {
  await db
    .updateTable("scheduled_jobs")
    .set({
      next_run_at: addMinutes(now, everyMinutes),
      lease_owner: null,
      lease_until: null,
      last_finished_at: now,
    })
    .where("name", "=", job)
    .where("lease_owner", "=", worker)
    .execute();
}

/** When the job is next due (null: never claimed yet, so due at once). */
export async function nextScheduledRun(db: Db, job: string): Promise<Instant | null> {
  const row = await db
    .selectFrom("scheduled_jobs")
    .select("next_run_at")
    .where("name", "=", job)
    .executeTakeFirst();
  return row ? Number(row.next_run_at) : null;
}

/**
 * Runs reconciliation if it is due at `now` and this worker claims it; null when it was not due,
 * switched off (`everyMinutes` 0), or another worker holds it. A failed run still moves the next
 * one a whole interval on (a registry that is down is not asked again at every tick) and throws.
 */
export async function reconcileIfDue(
  deps: Deps,
  now: Instant,
  worker: string,
  options: ReconcileOptions = {},
): Promise<ReconciliationReport | null> {
  if (deps.policies.reconciliation.everyMinutes === 0) return null;
  return claimedRun(deps, now, worker, options, false);
}

/**
 * `tenure reconcile`: a run now, whatever the schedule says, but under the same claim, so it never
 * runs beside a worker's scheduled run (null: a worker holds it; try again after its lease). The
 * next scheduled run then comes a whole interval after this one.
 */
export async function reconcileNow(
  deps: Deps,
  now: Instant,
  worker: string,
  options: ReconcileOptions = {},
): Promise<ReconciliationReport | null> {
  return claimedRun(deps, now, worker, options, true);
}

/** Claims the run (due, or at once `onDemand`), runs it, and always sets the next one. */
async function claimedRun(
  deps: Deps,
  now: Instant,
  worker: string,
  options: ReconcileOptions,
  onDemand: boolean,
): Promise<ReconciliationReport | null> {
  const { everyMinutes, leaseMinutes } = deps.policies.reconciliation;
  if (!(await claimScheduledJob(deps.db, RECONCILIATION_JOB, now, worker, leaseMinutes, onDemand)))
    return null;
  try {
    return await runReconciliation(deps, now, options);
  } finally {
    await finishScheduledJob(deps.db, RECONCILIATION_JOB, now, worker, everyMinutes);
  }
}
