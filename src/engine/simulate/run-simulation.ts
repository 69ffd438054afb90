/**
 * Runs the real engine on an in-memory SQLite database with a virtual clock, from `start` to
 * `until`: jumps to the next instant at which a service has work or an action is scripted, runs
 * the engine there, applies the actions, and returns every event of the catalog in time order.
 */

import { openStore, type Store } from "../../db/database.js";
import { migrateToLatest } from "../../db/migrate.js";
import { AppError } from "../../domain/app-error.js";
import { resolvePolicies } from "../../domain/policies.js";
import type { Seller } from "../../domain/seller.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import { setBillingAddress, setTaxExemption } from "../../modules/customers/billing-address.js";
import { createCustomer, setCard } from "../../modules/customers/customer-repository.js";
import type { Deps } from "../../modules/deps.js";
import { importDomain } from "../../modules/domains/import-domain.js";
import { moveDomain } from "../../modules/domains/move-domain.js";
import { reactivateDomain } from "../../modules/domains/reactivate-domain.js";
import { requestTransferOut } from "../../modules/domains/request-transfer-out.js";
import { setAutoRenew } from "../../modules/domains/set-auto-renew.js";
import { verifyDomainEmail } from "../../modules/domains/verify-domain-email.js";
import { listEvents, type StoredEvent } from "../../modules/events/record-event.js";
import { findOpenInvoiceOf, payInvoice } from "../../modules/invoices/pay-invoice.js";
import { changePlan } from "../../modules/services/change-plan.js";
import { importSubscription } from "../../modules/services/import-subscription.js";
import { requestCancellation } from "../../modules/services/request-cancellation.js";
import { withdrawCancellation } from "../../modules/services/withdraw-cancellation.js";
import { TestGateway } from "../../providers/payments/test-gateway.js";
import { TestRegistrar } from "../../providers/registrar/test-registrar.js";
import { AdvanceError, advanceTo } from "../advance.js";
import type { Scenario, ScenarioAction } from "./scenario-schema.js";

export interface SimulationResult {
  events: StoredEvent[];
  /** Actions the product refused (not cancellable, transfer locked…), as a person would read them. */
  refusals: string[];
  gateway: TestGateway;
  registrar: TestRegistrar;
}

/**
 * How much work one simulation may do. The scenario's span and size are bounded by its schema, but
 * 1000 monthly services over 50 years would still be millions of events (about a millisecond
 * each): the run stops with the limit said instead. The ten-year, 20-service benchmark makes about
 * 3,500 events; 50 years of 25 monthly plans fit.
 */
export const MAX_SIMULATION_EVENTS = 100_000;
/** Engine runs (instants visited): each costs a few queries even when nothing happens at it. */
export const MAX_SIMULATION_RUNS = 100_000;

export interface SimulationLimits {
  maxEvents: number;
  maxRuns: number;
}

/** The scenario needs more work than the limits allow: an input to shorten, not an engine failure. */
export class SimulationLimitError extends Error {}

export interface SimulationOptions {
  /** A fresh, empty store to run on (tests pass PostgreSQL); default: in-memory SQLite, closed after. */
  store?: Store;
  /** Lower limits (tests); default MAX_SIMULATION_EVENTS and MAX_SIMULATION_RUNS. */
  limits?: Partial<SimulationLimits>;
}

export async function runSimulation(
  scenario: Scenario,
  options: SimulationOptions = {},
): Promise<SimulationResult> {
  const policies = resolvePolicies(scenario.policies, "policies");
  if (!policies.ok) throw new AppError("INVALID_INPUT", policies.errors.join("\n"));
  const store = options.store ?? openStore("sqlite::memory:");
  try {
    await migrateToLatest(store);
    const gateway = new TestGateway();
    const registrar = new TestRegistrar();
    const deps: Deps = {
      db: store.db,
      dialect: store.dialect,
      policies: policies.policies,
      gateway,
      registrarFor: () => registrar,
      ...(scenario.seller ? { seller: simulatedSeller(scenario.seller) } : {}),
    };
    await loadScenario(deps, scenario, registrar);
    const refusals: string[] = [];
    const actions = [...scenario.actions].sort((a, b) => a.at - b.at);
    const limits: SimulationLimits = {
      maxEvents: options.limits?.maxEvents ?? MAX_SIMULATION_EVENTS,
      maxRuns: options.limits?.maxRuns ?? MAX_SIMULATION_RUNS,
    };
    let next = 0;
    let runs = 0;
    await advanceTo(
      deps,
      scenario.start,
      scenario.until,
      {
        nextAt: () => actions[next]?.at ?? null,
        applyAt: async (at) => {
          runs += 1;
          await checkLimits(deps, limits, runs, at);
          while (next < actions.length && actions[next]!.at <= at) {
            const action = actions[next]!;
            const refusal = await applyScenarioAction(deps, action, at);
            if (refusal) refusals.push(`${formatInstant(at)} ${action.do}: ${refusal}`);
            next += 1;
          }
        },
      },
      // A replay needs no run records or alarm queries (issue 14): the same engine without them.
      { record: false },
    );
    return { events: await listEvents(deps.db, { until: scenario.until }), refusals, gateway, registrar };
  } finally {
    if (!options.store) await store.close();
  }
}

/** A scenario's seller: its tax location, and placeholders for what a simulation never prints. */
export function simulatedSeller(seller: NonNullable<Scenario["seller"]>): Seller {
  return {
    legalName: seller.legalName ?? "Simulated seller",
    address: seller.address ?? ["(simulation)"],
    country: seller.country,
    ...(seller.province ? { province: seller.province } : {}),
    taxNumbers: seller.taxNumbers ?? [],
    supportEmail: seller.supportEmail ?? "billing@example.test",
    ...(seller.name ? { name: seller.name } : {}),
  };
}

/** Called after each engine run: the events so far are counted by their ids (cheap at any size). */
async function checkLimits(deps: Deps, limits: SimulationLimits, runs: number, at: Instant): Promise<void> {
  const row = await deps.db
    .selectFrom("events")
    .select((eb) => eb.fn.max("id").as("last"))
    .executeTakeFirst();
  const events = Number(row?.last ?? 0);
  const by = `by ${formatInstant(at)}`;
  if (events > limits.maxEvents) {
    throw new SimulationLimitError(
      `more than ${limits.maxEvents} events ${by} (MAX_SIMULATION_EVENTS); bring until closer or simulate fewer services`,
    );
  }
  if (runs > limits.maxRuns) {
    throw new SimulationLimitError(
      `more than ${limits.maxRuns} engine runs ${by} (MAX_SIMULATION_RUNS); bring until closer or simulate fewer services`,
    );
  }
}

/**
 * An action whose use case throws an AppError (an unexpected outcome with a stable code, not a
 * refusal) stops the simulation with the instant, the action and the reason, as a failed step does.
 */
async function applyScenarioAction(deps: Deps, action: ScenarioAction, at: Instant): Promise<string | null> {
  try {
    return await applyAction(deps, action, at);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const target = "service" in action ? action.service : action.customer;
    throw new AdvanceError(`${formatInstant(at)}: ${action.do} ${target} failed: ${error.message}`, {
      cause: error,
    });
  }
}

export async function loadScenario(deps: Deps, scenario: Scenario, registrar: TestRegistrar): Promise<void> {
  const currencies = new Map<string, string>();
  for (const c of scenario.customers) {
    await createCustomer(
      deps.db,
      {
        id: c.id,
        email: c.email ?? `${c.id}@example.test`,
        name: c.name ?? c.id,
        locale: c.locale,
        currency: c.currency,
        timeZone: c.timeZone ?? "UTC",
      },
      scenario.start,
    );
    await setCard(deps, c.id, c.card);
    if (c.billingAddress) {
      await setBillingAddress(deps, c.id, c.billingAddress, scenario.start);
      if (c.billingAddress.taxExempt)
        await setTaxExemption(
          deps,
          c.id,
          { exempt: true, reason: c.billingAddress.taxExemptReason },
          scenario.start,
        );
    }
    currencies.set(c.id, c.currency);
  }
  for (const [tld, prices] of Object.entries(scenario.tldPrices)) {
    for (const [currency, amount] of Object.entries(prices)) {
      await deps.db.insertInto("tld_prices").values({ tld, currency, renew_amount: amount }).execute();
    }
  }
  const siteCurrency = new Map<string, string>();
  for (const s of scenario.services) {
    if (s.kind === "domain") continue;
    const currency = s.currency ?? currencies.get(s.customer) ?? "USD";
    siteCurrency.set(s.id, currency);
    await importSubscription(deps, {
      id: s.id,
      customerId: s.customer,
      kind: s.kind,
      label: s.label ?? `${s.kind} ${s.id}`,
      plan: s.plan,
      price: s.price,
      currency,
      startedAt: s.startedAt,
    });
  }
  for (const s of scenario.services) {
    if (s.kind !== "domain") continue;
    const currency = (s.site && siteCurrency.get(s.site)) || currencies.get(s.customer) || "USD";
    const { expiresAt } = await importDomain(deps, {
      id: s.id,
      customerId: s.customer,
      name: s.name,
      registrar: s.registrar,
      registeredAt: s.registeredAt,
      years: s.years,
      autoRenew: s.autoRenew,
      emailVerified: s.emailVerified,
      siteServiceId: s.site,
      offer: s.offer,
      recordedPrice: { amount: s.renewalPrice, currency },
    });
    registrar.register(s.name.toLowerCase(), expiresAt);
  }
}

/** Applies one scripted action; returns why the product refused it, or null. */
export async function applyAction(deps: Deps, action: ScenarioAction, now: Instant): Promise<string | null> {
  switch (action.do) {
    case "verify-email":
      await verifyDomainEmail(deps, { serviceId: action.service }, now);
      return null;
    case "set-auto-renew": {
      const result = await setAutoRenew(deps, { serviceId: action.service, on: action.on }, now);
      return result.ok ? null : result.reason;
    }
    case "set-card":
      await setCard(deps, action.customer, action.card);
      return null;
    case "reactivate": {
      const result = await reactivateDomain(deps, { serviceId: action.service }, now);
      return result.ok ? null : result.reason;
    }
    case "pay-invoice": {
      const invoiceId = await findOpenInvoiceOf(deps, action.service);
      if (invoiceId === null) return `no open invoice for ${action.service}`;
      const result = await payInvoice(deps, { invoiceId }, now);
      return result.ok ? null : result.reason;
    }
    case "cancel": {
      const result = await requestCancellation(
        deps,
        {
          serviceId: action.service,
          requestedBy: "simulate",
          request: { when: action.when, reason: action.reason, stopDomainRenewal: action.stopDomainRenewal },
        },
        now,
      );
      return result.ok ? null : result.reason;
    }
    case "withdraw-cancellation": {
      const result = await withdrawCancellation(deps, { serviceId: action.service }, now);
      return result.ok ? null : result.reason;
    }
    case "request-transfer-out": {
      const result = await requestTransferOut(deps, { serviceId: action.service }, now);
      return result.ok ? null : result.reason;
    }
    case "change-plan": {
      const result = await changePlan(
        deps,
        {
          serviceId: action.service,
          plan: action.plan,
          ...(action.price !== undefined ? { price: action.price } : {}),
        },
        now,
      );
      return result.ok ? null : `${result.reason} (invoice ${result.invoice})`;
    }
    case "move-domain":
      await moveDomain(deps, { serviceId: action.service, siteId: action.site }, now);
      return null;
  }
}
