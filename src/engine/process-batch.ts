/**
 * Brings a claimed batch of services up to `now`, set-based: the subscriptions' facts are read
 * for the whole batch with a handful of queries, each service's next step is decided purely, and
 * the two steps that make a busy day (issuing renewal invoices, charging them) are applied to all
 * the services that need them at once, with multi-row writes and concurrent gateway calls. Rarer
 * steps, and domains (each a conversation with a registrar), go one service at a time.
 * Exactly once rests on the same keys as the single path: a batch that fails half-way is retried
 * service by service, and every write it had committed is recognised.
 */
import { nextSubscriptionStep, type SubscriptionStep } from "../domain/subscription-lifecycle.js";
import type { Instant } from "../domain/time.js";
import { type Deps, reach } from "../modules/deps.js";
import {
  findSubscriptions,
  loadSubscriptionFactsOf,
  type SubscriptionRecord,
} from "../modules/services/subscription-repository.js";
import { MAX_STEPS_PER_SERVICE, processService, releaseServices, StepFailure } from "./process-service.js";
import { applySubscriptionStep, chargeRenewalInvoices, issueRenewalInvoices } from "./subscription-steps.js";

/** Per service: how many steps were applied, or the failure that stopped it. */
export type ServiceResult = { steps: number } | { steps: number; failure: { step: string; message: string } };

function failureOf(error: unknown): { step: string; message: string } {
  return {
    step: error instanceof StepFailure ? error.step : "plan",
    message: error instanceof Error ? error.message : String(error),
  };
}

/** A step applied to a group at once that failed, and was then retried one service at a time. */
export interface RetriedGroup {
  step: string;
  services: number;
  error: string;
}

export async function processBatch(
  deps: Deps,
  serviceIds: string[],
  now: Instant,
): Promise<{ results: Map<string, ServiceResult>; retried: RetriedGroup[] }> {
  const results = new Map<string, ServiceResult>();
  const retried: RetriedGroup[] = [];
  const applied = new Map<string, number>();
  const one = async (id: string) => {
    try {
      results.set(id, { steps: (applied.get(id) ?? 0) + (await processService(deps, id, now)) });
    } catch (error) {
      results.set(id, { steps: applied.get(id) ?? 0, failure: failureOf(error) });
    }
  };

  let subs = await findSubscriptions(deps.db, serviceIds);
  for (const id of serviceIds) if (!subs.has(id)) await one(id);
  const nextDue = new Map<string, Instant | null>();
  let active = [...subs.values()];
  while (active.length > 0) {
    const facts = await loadSubscriptionFactsOf(deps.db, active);
    const issue: SubscriptionRecord[] = [];
    const charge: { sub: SubscriptionRecord; step: Extract<SubscriptionStep, { kind: "charge" }> }[] = [];
    const others: { sub: SubscriptionRecord; step: SubscriptionStep }[] = [];
    for (const sub of active) {
      const fact = facts.get(sub.serviceId);
      const step = fact ? nextSubscriptionStep(fact, deps.policies.billing) : null;
      if (step === null || step.at > now) {
        nextDue.set(sub.serviceId, step?.at ?? null);
      } else if ((applied.get(sub.serviceId) ?? 0) >= MAX_STEPS_PER_SERVICE) {
        const failure = failureOf(new StepFailure(step.kind, new Error("too many steps in one run")));
        results.set(sub.serviceId, { steps: applied.get(sub.serviceId) ?? 0, failure });
      } else if (step.kind === "issue-invoice") issue.push(sub);
      else if (step.kind === "charge") charge.push({ sub, step });
      else others.push({ sub, step });
    }
    const count = (id: string) => applied.set(id, (applied.get(id) ?? 0) + 1);
    // A group that fails as a whole is retried one service at a time, so that one bad service
    // is recorded against itself and the others go on.
    const group = async (step: string, members: SubscriptionRecord[], apply: () => Promise<void>) => {
      if (members.length === 0) return;
      try {
        await apply();
        for (const sub of members) count(sub.serviceId);
        reach(deps, "step:applied");
      } catch (error) {
        retried.push({ step, services: members.length, error: failureOf(error).message });
        for (const sub of members) await one(sub.serviceId);
      }
    };
    await group("issue-invoice", issue, () => issueRenewalInvoices(deps, issue, now));
    await group(
      "charge",
      charge.map((c) => c.sub),
      () =>
        chargeRenewalInvoices(
          deps,
          charge.map((c) => ({ invoiceId: c.step.invoiceId, attempt: c.step.attempt })),
          now,
        ),
    );
    for (const { sub, step } of others) {
      try {
        await applySubscriptionStep(deps, sub, step, now);
        count(sub.serviceId);
        reach(deps, "step:applied");
      } catch (error) {
        results.set(sub.serviceId, {
          steps: applied.get(sub.serviceId) ?? 0,
          failure: failureOf(new StepFailure(step.kind, error)),
        });
      }
    }
    const stillActive = active.filter((sub) => !nextDue.has(sub.serviceId) && !results.has(sub.serviceId));
    // A step changes the subscription itself (term, status): read it again for the next round.
    subs = await findSubscriptions(
      deps.db,
      stillActive.map((sub) => sub.serviceId),
    );
    active = stillActive.flatMap((sub) => {
      const fresh = subs.get(sub.serviceId);
      return fresh ? [fresh] : [];
    });
  }
  await releaseServices(deps, nextDue);
  for (const id of nextDue.keys()) results.set(id, { steps: applied.get(id) ?? 0 });
  return { results, retried };
}
