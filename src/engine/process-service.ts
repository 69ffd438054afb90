/**
 * Brings one service up to `now`: ask the pure lifecycle for the next step, apply it if due, ask
 * again, until the next step lies in the future; then record when that is (the due index).
 */
import { chunks, KEYS_PER_STATEMENT } from "../db/chunks.js";
import { nextDomainStep } from "../domain/domain-lifecycle.js";
import { nextSubscriptionStep } from "../domain/subscription-lifecycle.js";
import type { Instant } from "../domain/time.js";
import { type Deps, reach, registrarPolicy } from "../modules/deps.js";
import { findDomain, loadDomainFacts } from "../modules/domains/domain-repository.js";
import { findSubscription, loadSubscriptionFacts } from "../modules/services/subscription-repository.js";
import { GatewayUnavailableError } from "../providers/payments/payment-gateway.js";
import { applyDomainStep } from "./domain-steps.js";
import { applySubscriptionStep } from "./subscription-steps.js";

/** A service needing more steps than this in one go is looping, not catching up. */
export const MAX_STEPS_PER_SERVICE = 200;

interface Planned {
  kind: string;
  at: Instant;
  apply(): Promise<void>;
}

async function planNext(deps: Deps, serviceId: string, now: Instant): Promise<Planned | null> {
  const domain = await findDomain(deps.db, serviceId);
  if (domain) {
    const facts = await loadDomainFacts(deps, domain);
    const step = nextDomainStep(facts, registrarPolicy(deps, domain.registrar), now);
    return (
      step && { kind: step.kind, at: step.at, apply: () => applyDomainStep(deps, domain, facts, step, now) }
    );
  }
  const sub = await findSubscription(deps.db, serviceId);
  if (!sub) return null;
  const step = nextSubscriptionStep(await loadSubscriptionFacts(deps.db, sub), deps.policies.billing);
  return step && { kind: step.kind, at: step.at, apply: () => applySubscriptionStep(deps, sub, step, now) };
}

/** A step that threw: the run records it against the service and moves on to the others. */
export class StepFailure extends Error {
  constructor(
    readonly step: string,
    cause: unknown,
  ) {
    super(`${step}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The step recorded for a service whose next step cannot be decided (its facts cannot be formed). */
export const PLAN_STEP = "plan";

/**
 * Applies every step due at `now`; returns how many, and sets the service's next due instant. Any
 * failure is a StepFailure naming the step (PLAN_STEP when the next one could not be decided), for
 * the run to record against the service.
 */
export async function applyDueSteps(deps: Deps, serviceId: string, now: Instant): Promise<number> {
  let applied = 0;
  for (;;) {
    let next: Planned | null;
    try {
      next = await planNext(deps, serviceId, now);
    } catch (error) {
      throw new StepFailure(PLAN_STEP, error);
    }
    if (next === null || next.at > now) {
      await releaseServices(deps, new Map([[serviceId, next?.at ?? null]]));
      return applied;
    }
    if (applied >= MAX_STEPS_PER_SERVICE)
      throw new StepFailure(next.kind, new Error("too many steps in one run"));
    try {
      await next.apply();
    } catch (error) {
      throw new StepFailure(next.kind, error);
    }
    applied += 1;
    reach(deps, "step:applied");
  }
}

/**
 * The engine's follow-up to an action (a use case calls it after committing a change that it
 * marked due). A service whose next step cannot be decided — a domain moved to a site billed in a
 * currency its TLD has no price in — does not undo or fail the action, which stands: the service
 * is left due, and the run that follows records the failure against it, retries it with a back-off
 * and carries on with the others, as for any failed step. So is a service whose payment the
 * gateway could not confirm. Any other step that fails while applied is thrown (StepFailure).
 */
export async function processService(deps: Deps, serviceId: string, now: Instant): Promise<number> {
  try {
    return await applyDueSteps(deps, serviceId, now);
  } catch (error) {
    // The gateway not answering leaves money in flight, which the next run settles: the action
    // stands and its answer says the payment awaits the bank.
    const isLeftForTheRun =
      error instanceof StepFailure &&
      (error.step === PLAN_STEP || error.cause instanceof GatewayUnavailableError);
    if (!isLeftForTheRun) throw error;
    await deps.db
      .updateTable("services")
      .set({ next_due_at: now })
      .where("id", "=", serviceId)
      .where((eb) => eb.or([eb("next_due_at", "is", null), eb("next_due_at", ">", now)]))
      .execute();
    return 0;
  }
}

/**
 * Records when each service is next due and gives up its lease. Services due at the same instant
 * (a batch renewed on one day is due again together) share one statement.
 */
export async function releaseServices(deps: Deps, nextDue: Map<string, Instant | null>): Promise<void> {
  const byInstant = new Map<Instant | null, string[]>();
  for (const [id, at] of nextDue) {
    const ids = byInstant.get(at);
    if (ids) ids.push(id);
    else byInstant.set(at, [id]);
  }
  if (byInstant.size === 0) return;
  await deps.db.transaction().execute(async (tx) => {
    for (const [at, serviceIds] of byInstant) {
      for (const ids of chunks(serviceIds, KEYS_PER_STATEMENT)) {
        await tx
          .updateTable("services")
          .set({ next_due_at: at, lease_owner: null, lease_until: null, failure_count: 0, last_error: null })
          .where("id", "in", ids)
          .execute();
      }
    }
  });
}
