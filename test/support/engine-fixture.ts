/** A store with the engine's dependencies and a few builders, for integration tests on any dialect. */
import { defaultPolicies, type Policies } from "../../src/domain/policies.js";
import { DEMO_SELLER } from "../../src/domain/seller.js";
import { parseInstant } from "../../src/domain/time.js";
import { createCustomer, setCard } from "../../src/modules/customers/customer-repository.js";
import type { Deps } from "../../src/modules/deps.js";
import { importDomain } from "../../src/modules/domains/import-domain.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import type { Registrar } from "../../src/providers/registrar/registrar.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { createTestStore, type TestDialect, type TestStore } from "./stores.js";

export function at(text: string): number {
  const instant = parseInstant(text);
  if (instant === null) throw new Error(`bad instant ${text}`);
  return instant;
}

export interface Fixture {
  store: TestStore;
  deps: Deps;
  gateway: TestGateway;
  registrar: TestRegistrar;
  addCustomer(id: string, card: string, locale?: "fr-CA" | "en"): Promise<void>;
  addDomain(
    id: string,
    customer: string,
    name: string,
    registeredAt: string,
    extra?: { autoRenew?: boolean },
  ): Promise<void>;
  addHosting(id: string, customer: string, startedAt: string, plan?: "monthly" | "yearly"): Promise<void>;
  /** Replace the registrar the engine talks to (to make it fail). */
  useRegistrar(registrar: Registrar): void;
  dispose(): Promise<void>;
}

export async function createFixture(
  dialect: TestDialect,
  policies: Policies = defaultPolicies(),
): Promise<Fixture> {
  const store = await createTestStore(dialect);
  const gateway = new TestGateway();
  const registrar = new TestRegistrar();
  let current: Registrar = registrar;
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    policies,
    gateway,
    registrarFor: () => current,
    seller: DEMO_SELLER,
  };
  return {
    store,
    deps,
    gateway,
    registrar,
    async addCustomer(id, card, locale = "en") {
      await createCustomer(
        deps.db,
        { id, email: `${id}@example.test`, name: id, locale, currency: "USD", timeZone: "UTC" },
        at("2020-01-01"),
      );
      await setCard(deps, id, card);
    },
    async addDomain(id, customer, name, registeredAt, extra = {}) {
      const { expiresAt } = await importDomain(deps, {
        id,
        customerId: customer,
        name,
        registrar: "squarespace-domains",
        registeredAt: at(registeredAt),
        years: 1,
        autoRenew: extra.autoRenew ?? true,
        emailVerified: true,
        siteServiceId: null,
        offer: null,
        recordedPrice: { amount: 2000, currency: "USD" },
      });
      registrar.register(name, expiresAt);
    },
    async addHosting(id, customer, startedAt, plan = "yearly") {
      await importSubscription(deps, {
        id,
        customerId: customer,
        kind: "hosting",
        label: `Hosting ${id}`,
        plan,
        price: plan === "yearly" ? 19200 : 1600,
        currency: "USD",
        startedAt: at(startedAt),
      });
    },
    useRegistrar(registrar) {
      current = registrar;
    },
    dispose: () => store.dispose(),
  };
}

/** Everything the engine wrote, counted by kind: two equal snapshots mean nothing changed. */
export async function snapshot(deps: Deps) {
  const count = async (table: "events" | "invoices" | "payments" | "notices") => {
    const row = await deps.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const services = await deps.db
    .selectFrom("services")
    .select(["id", "status", "next_due_at"])
    .orderBy("id")
    .execute();
  return {
    events: await count("events"),
    invoices: await count("invoices"),
    payments: await count("payments"),
    notices: await count("notices"),
    services,
  };
}

export async function eventTypes(deps: Deps, service?: string): Promise<string[]> {
  let query = deps.db.selectFrom("events").select("type").orderBy("at").orderBy("id");
  if (service) query = query.where("service_id", "=", service);
  return (await query.execute()).map((e) => e.type);
}
