/**
 * Exactly once, proven by interruption: the same story is replayed once per fault point, each
 * time crashing at that point (a throw that aborts the step, its transaction rolled back), then
 * restarting a minute later. Whatever the point, the gateway's ledger, the registry, the invoices,
 * the notices and the events must come out exactly as in the uninterrupted run: nothing
 * duplicated, nothing lost.
 */
import { describe, expect, it } from "vitest";
import { resolvePolicies } from "../../src/domain/policies.js";
import { addMinutes, type Instant } from "../../src/domain/time.js";
import { nextDueAt } from "../../src/engine/advance.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { applyAction, loadScenario } from "../../src/engine/simulate/run-simulation.js";
import { type Scenario, scenarioSchema } from "../../src/engine/simulate/scenario-schema.js";
import type { Deps, FaultPoints } from "../../src/modules/deps.js";
import type { ChargeRequest } from "../../src/providers/payments/payment-gateway.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { CountingFaults, CrashAt, InjectedCrash } from "../support/faults.js";
import { createTestStore, DIALECTS, type TestDialect } from "../support/stores.js";

const story = scenarioSchema.parse({
  start: "2021-04-15T14:00:00Z",
  until: "2022-07-01T00:00:00Z",
  customers: [
    { id: "alice", locale: "fr-CA", currency: "USD", card: "fails-1-then-ok" },
    { id: "bob", locale: "en", currency: "USD", card: "declined" },
  ],
  services: [
    {
      id: "site",
      customer: "alice",
      kind: "hosting",
      plan: "yearly",
      price: 19200,
      startedAt: "2021-04-15T14:00:00Z",
    },
    {
      id: "mail",
      customer: "alice",
      kind: "app",
      plan: "monthly",
      price: 900,
      startedAt: "2021-12-20T10:00:00Z",
    },
    {
      id: "shop",
      customer: "alice",
      kind: "domain",
      name: "shop.example",
      registrar: "squarespace-domains",
      registeredAt: "2021-04-15T14:00:00Z",
      renewalPrice: 2000,
      emailVerified: false,
      site: "site",
    },
    {
      id: "blog",
      customer: "bob",
      kind: "domain",
      name: "blog.example",
      registrar: "tucows",
      registeredAt: "2021-03-01T09:00:00Z",
      renewalPrice: 1500,
    },
    {
      id: "lapse",
      customer: "bob",
      kind: "domain",
      name: "lapse.example",
      registrar: "squarespace-domains",
      registeredAt: "2021-03-20T09:00:00Z",
      renewalPrice: 1500,
    },
  ],
  actions: [
    { at: "2021-04-20T08:00:00Z", do: "verify-email", service: "shop" },
    {
      at: "2022-02-01T12:00:00Z",
      do: "cancel",
      service: "mail",
      when: "end-of-term",
      reason: "Too expensive",
    },
    { at: "2022-03-26T12:00:00Z", do: "set-card", customer: "bob", card: "ok" },
    { at: "2022-03-30T12:00:00Z", do: "reactivate", service: "lapse" },
  ],
});

interface Outcome {
  ledger: string[];
  renewals: string[];
  invoices: string[];
  notices: string[];
  events: string[];
  services: string[];
}

function sorted(values: string[]): string[] {
  return [...values].sort();
}

async function outcomeOf(deps: Deps, gateway: TestGateway, registrar: TestRegistrar): Promise<Outcome> {
  const payments = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select([
      "payments.idempotency_key as key",
      "invoices.service_id as service",
      "invoices.period_start_at as period",
    ])
    .execute();
  const byKey = new Map(payments.map((p) => [p.key, `${p.service}@${p.period}`]));
  const invoices = await deps.db.selectFrom("invoices").selectAll().execute();
  const notices = await deps.db.selectFrom("notices").select(["template", "service_id"]).execute();
  const events = await deps.db.selectFrom("events").select(["type", "service_id"]).execute();
  const services = await deps.db.selectFrom("services").select(["id", "status"]).execute();
  const domains = await deps.db.selectFrom("domains").select(["service_id", "expires_at"]).execute();
  return {
    // What the gateway took money for, by what it was for (invoice numbers may differ between runs).
    ledger: sorted(gateway.successfulCharges().map((c) => `${byKey.get(c.idempotencyKey)}:${c.amount}`)),
    renewals: sorted(registrar.renewals.map((r) => `${r.name}:${r.from}->${r.to}`)),
    invoices: sorted(
      invoices.map((i) => `${i.service_id}@${i.period_start_at}:${i.purpose}:${i.status}:${i.total}`),
    ),
    notices: sorted(notices.map((n) => `${n.template}:${n.service_id}`)),
    events: sorted(events.map((e) => `${e.type}:${e.service_id}`)),
    services: sorted([
      ...services.map((s) => `${s.id}:${s.status}`),
      ...domains.map((d) => `${d.service_id}:expires ${d.expires_at}`),
    ]),
  };
}

function isInjected(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof InjectedCrash) return true;
  return false;
}

/**
 * Negative control: a gateway integration that forgets the idempotency key when it resolves a
 * pending charge, as a naive implementation would. The harness must catch the double charge.
 */
class ForgetfulGateway extends TestGateway {
  private calls = 0;
  override async lookup(): Promise<null> {
    return null;
  }
  override async charge(request: ChargeRequest) {
    this.calls += 1;
    return super.charge({ ...request, idempotencyKey: `${request.idempotencyKey}#${this.calls}` });
  }
}

/** Runs the story; after a crash the engine is simply run again a minute later, as after a restart. */
async function runStory(
  dialect: TestDialect,
  scenario: Scenario,
  faults: FaultPoints,
  gateway: TestGateway = new TestGateway(),
) {
  const store = await createTestStore(dialect);
  try {
    const policies = resolvePolicies(scenario.policies);
    if (!policies.ok) throw new Error(policies.errors.join());
    const registrar = new TestRegistrar();
    const deps: Deps = { ...store, policies: policies.policies, gateway, registrarFor: () => registrar };
    await loadScenario(deps, scenario, registrar);
    deps.faults = faults;
    const actions = [...scenario.actions];
    let crashes = 0;
    for (let guard = 0; guard < 10_000; guard += 1) {
      const due = await nextDueAt(deps);
      const candidates = [due, actions[0]?.at ?? null].filter((t): t is Instant => t !== null);
      if (candidates.length === 0) break;
      const at = Math.max(scenario.start, Math.min(...candidates));
      if (at > scenario.until) break;
      const report = await runEngine(deps, at);
      // A crash inside a batched step aborts it; the engine then retries those services one by one.
      for (const failure of [...report.failures, ...report.retriedGroups]) {
        if (!failure.error.includes("injected crash"))
          throw new Error(`${"service" in failure ? failure.service : failure.step}: ${failure.error}`);
        crashes += 1;
      }
      while (actions[0] && actions[0].at <= at) {
        try {
          await applyAction(deps, actions[0], at);
        } catch (error) {
          if (!isInjected(error)) throw error;
          crashes += 1;
          // The customer sees an error and tries again a minute later.
          actions[0] = { ...actions[0], at: addMinutes(at, 1) };
          continue;
        }
        actions.shift();
      }
    }
    return { outcome: await outcomeOf(deps, gateway, registrar), crashes, gateway };
  } finally {
    await store.dispose();
  }
}

describe.each(DIALECTS)("a run interrupted at any step changes nothing in the end (%s)", (dialect) => {
  it(
    "crashing once at each fault point, then restarting, duplicates and loses nothing",
    async () => {
      const counting = new CountingFaults();
      const baseline = await runStory(dialect, story, counting);
      const points = counting.points.length;
      // The story must exercise the money path, the registry and the transactions it is meant to test.
      for (const point of [
        "charge:pending-committed",
        "charge:gateway-answered",
        "registrar:renewed",
        "tx:settle-payment",
      ]) {
        expect(counting.points).toContain(point);
      }
      expect(baseline.outcome.ledger.length).toBeGreaterThanOrEqual(4);
      for (let n = 1; n <= points; n += 1) {
        const crash = new CrashAt(n);
        const run = await runStory(dialect, story, crash);
        expect(run.crashes, `crash #${n} at ${crash.crashedAt}`).toBe(1);
        expect(run.outcome, `crash #${n} at ${crash.crashedAt}`).toEqual(baseline.outcome);
        // At most one successful charge per idempotency key and per invoice, in the gateway's own ledger.
        const keys = run.gateway.successfulCharges().map((c) => c.idempotencyKey.replace(/:\d+$/, ""));
        expect(new Set(keys).size, `crash #${n}: an invoice was charged twice`).toBe(keys.length);
      }
    },
    15 * 60_000,
  );

  it("detects the double charge of a gateway integration that forgets idempotency keys (negative control)", async () => {
    const baseline = await runStory(dialect, story, new CountingFaults());
    const points = new CountingFaults();
    await runStory(dialect, story, points, new ForgetfulGateway());
    const answered = points.points.flatMap((p, i) => (p === "charge:gateway-answered" ? [i + 1] : []));
    expect(answered.length).toBeGreaterThan(0);
    // A crash right after a successful charge makes the forgetful resolution charge a second time.
    const ledgers: number[] = [];
    for (const n of answered) {
      const broken = await runStory(dialect, story, new CrashAt(n), new ForgetfulGateway());
      ledgers.push(broken.outcome.ledger.length);
    }
    expect(Math.max(...ledgers)).toBeGreaterThan(baseline.outcome.ledger.length);
  });
});
