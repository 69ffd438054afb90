/**
 * The worker loop: every interval, read the clock once, run the engine at that instant, deliver
 * the outbox, and log what happened. Failures are logged loudly and the loop carries on.
 */
import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import { purgeExpiredLogins } from "../modules/accounts/purge-expired.js";
import { purgeIdempotency } from "../modules/api-keys/api-keys.js";
import { compactCustomerChanges } from "../modules/customers/customer-versions.js";
import type { Deps } from "../modules/deps.js";
import { deliverPendingNotices } from "../modules/notifications/deliver-notices.js";
import { reconcileIfDue } from "../modules/reconciliation/schedule.js";
import { deliverWebhooks } from "../modules/webhooks/webhooks.js";
import type { Mailer } from "../providers/mailer/mailer.js";
import { runEngine } from "./run-engine.js";

export interface WorkerOptions {
  deps: Deps;
  clock: Clock;
  mailer: Mailer | null;
  logger: Logger;
  intervalMs: number;
  worker: string;
  signal: AbortSignal;
}

export async function runWorkerOnce(options: Omit<WorkerOptions, "intervalMs" | "signal">) {
  const now = options.clock.now();
  const report = await runEngine(options.deps, now, { worker: options.worker });
  const delivery = options.mailer
    ? await deliverPendingNotices(options.deps.db, options.mailer, now, { seller: options.deps.seller })
    : null;
  await purgeExpiredLogins(options.deps.db, now);
  await purgeIdempotency(options.deps.db, now);
  await compactCustomerChanges(options.deps);
  // Webhooks go out after the commits that recorded their events (the outbox, docs/api.md).
  const webhookPolicy = options.deps.policies.webhooks;
  const webhooks = await deliverWebhooks(options.deps.db, now, webhookPolicy);
  if (webhooks.disabled.length > 0) {
    options.logger.error(
      { endpoints: webhooks.disabled },
      `webhook endpoints failing for ${webhookPolicy.disableAfterDays} days were disabled: see /admin/webhooks`,
    );
  }
  const log = {
    runId: report.runId,
    steps: report.stepsApplied,
    services: report.servicesProcessed,
    delivery,
  };
  if (report.alarms.unresolvedCharges.length > 0) {
    options.logger.error(
      { ...log, unresolvedCharges: report.alarms.unresolvedCharges },
      "charges with an unknown outcome: check them in the gateway's dashboard",
    );
  }
  if (report.alarms.unresolvedRefunds.length > 0) {
    options.logger.error(
      { ...log, unresolvedRefunds: report.alarms.unresolvedRefunds },
      "refunds refused or unconfirmed by the gateway: the customers are owed this money",
    );
  }
  if (report.retriedGroups.length > 0)
    options.logger.warn(
      { ...log, retriedGroups: report.retriedGroups },
      "batched steps failed and were retried one by one",
    );
  if (report.failures.length > 0)
    options.logger.error({ ...log, failures: report.failures }, "engine run had failures");
  else if (report.stepsApplied > 0 || (delivery && delivery.sent + delivery.failed > 0))
    options.logger.info(log, "engine run");
  return report;
}

export async function runWorker(options: WorkerOptions): Promise<void> {
  while (!options.signal.aborted) {
    try {
      await runWorkerOnce(options);
    } catch (error) {
      // The run itself failed (database down…): say so and try again at the next tick.
      options.logger.error({ err: error }, "engine run failed");
    }
    // Reconciliation on the policy's schedule, due in the database and claimed by one worker
    // (schedule.ts; reconciliation.everyMinutes, 0: only `tenure reconcile`).
    try {
      const report = await reconcileIfDue(options.deps, options.clock.now(), options.worker);
      if (report) options.logger.info({ ...report }, "reconciliation run");
    } catch (error) {
      options.logger.error({ err: error }, "reconciliation failed");
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.intervalMs);
      options.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
