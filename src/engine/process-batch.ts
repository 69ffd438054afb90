/**
 * Brings a claimed batch of services up to `now`, set-based: the facts of the whole batch are
 * read with a handful of queries per round, each service's next step is decided purely, and the
 * steps that make a busy day (issuing subscriptions' renewal invoices, charging renewals) are
 * applied to all the services that need them at once, with multi-row writes and concurrent gateway
 * calls. Other steps (registrar renewals, notices, suspensions…) are applied one service at a
 * time. Exactly once rests on the same keys as the single path: a group that fails half-way is
 * retried service by service, and every write it had committed is recognised.
 */
import { nextDomainStep } from "../domain/domain-lifecycle.js";
import { nextSubscriptionStep, type SubscriptionStep } from "../domain/subscription-lifecycle.js";
import type { Instant } from "../domain/time.js";
import { type Deps, reach, registrarPolicy } from "../modules/deps.js";
import { findDomains, loadDomainFactsOf } from "../modules/domains/domain-repository.js";
import {
  findSubscriptions,
  loadSubscriptionFactsOf,
  type SubscriptionRecord,
} from "../modules/services/subscription-repository.js";
import { GatewayUnavailableError } from "../providers/payments/payment-gateway.js";
import { applyDomainStep, chargeDomainRenewals } from "./domain-steps.js";
import {
  applyDueSteps,
  MAX_STEPS_PER_SERVICE,
  PLAN_STEP,
  releaseServices,
  StepFailure,
} from "./process-service.js";
import { applySubscriptionStep, chargeRenewalInvoices, issueRenewalInvoices } from "./subscription-steps.js";

/** Per service: how many steps were applied, or the failure that stopped it. */
export type ServiceResult = { steps: number; failure?: StepFailureInfo };

/** What a failed step says; `awaitsGateway` when it is money in flight the gateway has not confirmed. */
export interface StepFailureInfo {
  step: string;
  message: string;
  awaitsGateway: boolean;
}

/** A step applied to a group at once that failed, and was then retried one service at a time. */
export interface RetriedGroup {
  step: string;
  services: number;
  error: string;
}

function failureOf(error: unknown): StepFailureInfo {
  return {
    step: error instanceof StepFailure ? error.step : PLAN_STEP,
    message: error instanceof Error ? error.message : String(error),
    awaitsGateway: error instanceof StepFailure && error.cause instanceof GatewayUnavailableError,
  };
}

type ChargeStep = Extract<SubscriptionStep, { kind: "charge" }>;

export async function processBatch(
  deps: Deps,
  serviceIds: string[],
  now: Instant,
): Promise<{ results: Map<string, ServiceResult>; retried: RetriedGroup[] }> {
  const results = new Map<string, ServiceResult>();
  const retried: RetriedGroup[] = [];
  const applied = new Map<string, number>();
  const nextDue = new Map<string, Instant | null>();
  const stepsOf = (id: string) => applied.get(id) ?? 0;
  const count = (id: string) => applied.set(id, stepsOf(id) + 1);
  const fail = (id: string, error: unknown) =>
    results.set(id, { steps: stepsOf(id), failure: failureOf(error) });
  const isOpen = (id: string) => !nextDue.has(id) && !results.has(id);
  /** The one-service path: for what a batch could not read or apply, and services of no known kind. */
  const one = async (id: string) => {
    try {
      results.set(id, { steps: stepsOf(id) + (await applyDueSteps(deps, id, now)) });
    } catch (error) {
      fail(id, error);
    }
  };
  /** Decides one service's next step: null when it is done for now (or failed). */
  const decide = <S extends { kind: string; at: Instant }>(id: string, step: S | null): S | null => {
    if (step === null || step.at > now) {
      nextDue.set(id, step?.at ?? null);
      return null;
    }
    if (stepsOf(id) >= MAX_STEPS_PER_SERVICE) {
      fail(id, new StepFailure(step.kind, new Error("too many steps in one run")));
      return null;
    }
    return step;
  };
  const applyOne = async (id: string, kind: string, apply: () => Promise<void>) => {
    try {
      await apply();
      count(id);
      reach(deps, "step:applied");
    } catch (error) {
      fail(id, new StepFailure(kind, error));
    }
  };

  // A group that fails as a whole is retried one service at a time, so that one bad service is
  // recorded against itself and the others go on.
  const group = async (step: string, ids: string[], apply: () => Promise<void>) => {
    if (ids.length === 0) return;
    try {
      await apply();
      for (const id of ids) count(id);
      reach(deps, "step:applied");
    } catch (error) {
      retried.push({ step, services: ids.length, error: failureOf(error).message });
      for (const id of ids) await one(id);
    }
  };

  let subs: SubscriptionRecord[] = [];
  let domainIds: string[] = [];
  try {
    const found = await findSubscriptions(deps.db, serviceIds);
    subs = [...found.values()];
    domainIds = serviceIds.filter((id) => !found.has(id));
  } catch {
    for (const id of serviceIds) await one(id);
    return { results, retried };
  }

  // Subscriptions: the busy steps in groups, the rest one by one.
  while (subs.length > 0) {
    let facts: Awaited<ReturnType<typeof loadSubscriptionFactsOf>>;
    try {
      facts = await loadSubscriptionFactsOf(deps.db, subs);
    } catch {
      for (const sub of subs) await one(sub.serviceId);
      break;
    }
    const issue: SubscriptionRecord[] = [];
    const charge: { sub: SubscriptionRecord; step: ChargeStep }[] = [];
    const others: { sub: SubscriptionRecord; step: SubscriptionStep }[] = [];
    for (const sub of subs) {
      const fact = facts.get(sub.serviceId);
      const step = decide(sub.serviceId, fact ? nextSubscriptionStep(fact, deps.policies.billing) : null);
      if (step?.kind === "issue-invoice") issue.push(sub);
      else if (step?.kind === "charge") charge.push({ sub, step });
      else if (step) others.push({ sub, step });
    }
    await group(
      "issue-invoice",
      issue.map((sub) => sub.serviceId),
      () => issueRenewalInvoices(deps, issue, now),
    );
    const charges = charge.map((c) => ({ invoiceId: c.step.invoiceId, attempt: c.step.attempt }));
    await group(
      "charge",
      charge.map((c) => c.sub.serviceId),
      () => chargeRenewalInvoices(deps, charges, now),
    );
    for (const { sub, step } of others)
      await applyOne(sub.serviceId, step.kind, () => applySubscriptionStep(deps, sub, step, now));
    // A step changes the subscription itself (term, status): read the open ones again.
    const open = subs.filter((sub) => isOpen(sub.serviceId)).map((sub) => sub.serviceId);
    const fresh = open.length === 0 ? new Map() : await findSubscriptions(deps.db, open);
    for (const id of open) if (!fresh.has(id)) await one(id);
    subs = [...fresh.values()];
  }

  // Domains: facts read together, steps applied one by one (each talks to its registrar).
  let domains = domainIds.length === 0 ? new Map() : await findDomains(deps.db, domainIds);
  for (const id of domainIds) if (!domains.has(id)) await one(id);
  while (domains.size > 0) {
    let loaded: Awaited<ReturnType<typeof loadDomainFactsOf>>;
    try {
      loaded = await loadDomainFactsOf(deps, [...domains.values()]);
    } catch {
      for (const id of domains.keys()) await one(id);
      break;
    }
    const charges: Parameters<typeof chargeDomainRenewals>[1] = [];
    for (const domain of domains.values()) {
      const fact = loaded.facts.get(domain.serviceId);
      let step: ReturnType<typeof nextDomainStep>;
      try {
        if (!fact) throw loaded.errors.get(domain.serviceId) ?? new Error(`no facts for ${domain.serviceId}`);
        step = decide(domain.serviceId, nextDomainStep(fact, registrarPolicy(deps, domain.registrar), now));
      } catch (error) {
        fail(domain.serviceId, error);
        continue;
      }
      if (!step || !fact) continue;
      // Renewal charges together (the busy domain step); the rest one by one, in batch order.
      if (step.kind === "charge") charges.push({ domain, facts: fact, step });
      else {
        const decided = step;
        await applyOne(domain.serviceId, decided.kind, () =>
          applyDomainStep(deps, domain, fact, decided, now),
        );
      }
    }
    await group(
      "charge",
      charges.map((c) => c.domain.serviceId),
      () => chargeDomainRenewals(deps, charges, now),
    );
    const open = [...domains.keys()].filter(isOpen);
    domains = open.length === 0 ? new Map() : await findDomains(deps.db, open);
    for (const id of open) if (!domains.has(id)) await one(id);
  }

  await releaseServices(deps, nextDue);
  for (const id of nextDue.keys()) results.set(id, { steps: stepsOf(id) });
  return { results, retried };
}
