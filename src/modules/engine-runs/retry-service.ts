/**
 * Retry now (back office, issue 9): brings one service up to date at once instead of at the end
 * of its back-off, through the engine's own one-service path (applyDueSteps), under the lease the
 * batch uses: a service a worker holds is not touched (the page says so), and a worker never claims
 * one held by a retry. The retry is an engine run of its own (worker `staff:<email>`), with its
 * failure recorded against the service as any run records it; audited in the claim's transaction.
 */
import { addMinutes, type Instant } from "../../domain/time.js";
import { applyDueSteps, StepFailure } from "../../engine/process-service.js";
import { recordFailure, startEngineRun } from "../../engine/run-engine.js";
import { type Deps, inTransaction } from "../deps.js";
import { actorMark, recordAudit, type StaffActor } from "../staff/audit-log.js";

/** As long as a worker's lease (run-engine.ts): a retry that dies frees the service after it. */
const RETRY_LEASE_MINUTES = 10;

export interface RetryCharge {
  invoiceId: number;
  amount: number;
  currency: string;
  status: string;
}

export type RetryResult =
  | { kind: "not-found" }
  | { kind: "busy"; leasedUntil: Instant }
  | { kind: "done"; runId: number; steps: number; charges: RetryCharge[] }
  | { kind: "failed"; runId: number; step: string; error: string; charges: RetryCharge[] };

export async function retryServiceNow(
  deps: Deps,
  serviceId: string,
  now: Instant,
  actor: StaffActor,
): Promise<RetryResult> {
  const worker = actorMark(actor);
  const claim = await inTransaction(deps, "automation:retry", async (tx) => {
    let query = tx
      .selectFrom("services")
      .select(["id", "customer_id", "failure_count", "last_error", "lease_until"])
      .where("id", "=", serviceId);
    // Waits for a worker claiming it right now, then sees its lease (the batch uses SKIP LOCKED).
    if (deps.dialect === "postgres") query = query.forUpdate();
    const service = await query.executeTakeFirst();
    if (!service) return { kind: "not-found" as const };
    if (service.lease_until !== null && Number(service.lease_until) > now)
      return { kind: "busy" as const, leasedUntil: Number(service.lease_until) };
    await tx
      .updateTable("services")
      .set({ lease_owner: worker, lease_until: addMinutes(now, RETRY_LEASE_MINUTES) })
      .where("id", "=", serviceId)
      .execute();
    const runId = await startEngineRun(tx, worker, now);
    await recordAudit(tx, actor, now, {
      action: "service.retried",
      objectType: "service",
      objectId: serviceId,
      customerId: service.customer_id,
      before: { failureCount: service.failure_count, lastError: service.last_error, run: null },
      after: { run: runId },
    });
    return { kind: "claimed" as const, runId };
  });
  if (claim.kind !== "claimed") return claim;

  const started = performance.now();
  let steps = 0;
  let failure: { step: string; error: string } | null = null;
  try {
    steps = await applyDueSteps(deps, serviceId, now);
  } catch (error) {
    const step = error instanceof StepFailure ? error.step : "plan";
    const message = error instanceof Error ? error.message : String(error);
    // The run records `step: cause` (as the engine does); the page says the step once.
    failure = { step, error: message.startsWith(`${step}: `) ? message.slice(step.length + 2) : message };
    await recordFailure(deps, claim.runId, serviceId, step, message, now);
  }
  await deps.db
    .updateTable("engine_runs")
    .set({
      finished_at: now + Math.round(performance.now() - started),
      status: failure ? "failures" : "ok",
      steps_applied: steps,
      services_failed: failure ? 1 : 0,
    })
    .where("id", "=", claim.runId)
    .execute();
  const charges = await chargesMadeAt(deps, serviceId, now);
  return failure
    ? { kind: "failed", runId: claim.runId, ...failure, charges }
    : { kind: "done", runId: claim.runId, steps, charges };
}

/** The charges of this service's invoices made or settled at `now` (what the retry did with money). */
async function chargesMadeAt(deps: Deps, serviceId: string, now: Instant): Promise<RetryCharge[]> {
  const rows = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select(["payments.invoice_id", "payments.amount", "payments.currency", "payments.status"])
    .where("invoices.service_id", "=", serviceId)
    .where((eb) => eb.or([eb("payments.created_at", "=", now), eb("payments.resolved_at", "=", now)]))
    .orderBy("payments.id")
    .execute();
  return rows.map((r) => ({
    invoiceId: Number(r.invoice_id),
    amount: r.amount,
    currency: r.currency,
    status: r.status,
  }));
}
