/**
 * Scenario stories: runs a scenario through `tenure simulate`'s engine on one database (as
 * test/support/scenario.ts does), keeps what a host operator would look at afterwards (the
 * domains, services, invoices, the gateway's ledger and the registry), and checks the invariants
 * every story must keep: at most one successful payment per invoice, no notice sent twice, and no
 * money taken without its `payment.succeeded` event.
 */
import { expect } from "vitest";
import { formatInstant } from "../../src/domain/time.js";
import { toWireEvent } from "../../src/engine/simulate/format-events.js";
import { runSimulation } from "../../src/engine/simulate/run-simulation.js";
import { scenarioSchema } from "../../src/engine/simulate/scenario-schema.js";
import type { LedgerEntry } from "../../src/providers/payments/test-gateway.js";
import type { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import type { WireEvent } from "../support/scenario.js";
import { createTestStore, type TestDialect } from "../support/stores.js";

export { datesOf, noticesOf, type WireEvent } from "../support/scenario.js";

export interface DomainState {
  status: string;
  siteConnected: boolean;
  autoRenew: boolean;
  expiresAt: string;
  site: string | null;
}

export interface InvoiceState {
  id: number;
  service: string | null;
  purpose: string;
  status: string;
  total: number;
  currency: string;
  amountPaid: number;
}

export interface Story {
  events: WireEvent[];
  refusals: string[];
  /** Status of every service at `until` (active, suspended, expired, cancelled…). */
  statuses: Record<string, string>;
  domains: Record<string, DomainState>;
  invoices: InvoiceState[];
  /** Every charge the gateway took money for. */
  charges: LedgerEntry[];
  registrar: TestRegistrar;
}

export async function story(dialect: TestDialect, scenario: unknown): Promise<Story> {
  const store = await createTestStore(dialect);
  try {
    const result = await runSimulation(scenarioSchema.parse(scenario), { store });
    const events = result.events.map((e) => toWireEvent(e) as WireEvent);
    const services = await store.db.selectFrom("services").select(["id", "status"]).execute();
    const domains = await store.db
      .selectFrom("domains")
      .innerJoin("services", "services.id", "domains.service_id")
      .select([
        "domains.service_id as id",
        "services.status",
        "domains.site_connected",
        "domains.auto_renew",
        "domains.expires_at",
        "domains.site_service_id",
      ])
      .execute();
    const invoices = await store.db.selectFrom("invoices").selectAll().orderBy("id").execute();
    const told: Story = {
      events,
      refusals: result.refusals,
      statuses: Object.fromEntries(services.map((s) => [s.id, s.status])),
      domains: Object.fromEntries(
        domains.map((d) => [
          d.id,
          {
            status: d.status,
            siteConnected: Number(d.site_connected) === 1,
            autoRenew: Number(d.auto_renew) === 1,
            expiresAt: formatInstant(Number(d.expires_at)),
            site: d.site_service_id,
          },
        ]),
      ),
      invoices: invoices.map((i) => ({
        id: i.id,
        service: i.service_id,
        purpose: i.purpose,
        status: i.status,
        total: i.total,
        currency: i.currency,
        amountPaid: i.amount_paid,
      })),
      charges: result.gateway.successfulCharges(),
      registrar: result.registrar,
    };
    expectInvariants(told);
    return told;
  } finally {
    await store.dispose();
  }
}

/** What no story may ever show, whatever its rules: a double charge or a notice sent twice. */
export function expectInvariants(told: Story): void {
  const succeeded = told.events.filter((e) => e.type === "payment.succeeded");
  const perInvoice = new Map<unknown, number>();
  for (const e of succeeded) perInvoice.set(e.invoice, (perInvoice.get(e.invoice) ?? 0) + 1);
  for (const [invoice, count] of perInvoice) {
    expect(count, `payments succeeded for invoice ${String(invoice)}`).toBe(1);
  }
  expect(told.charges.length, "charges taken by the gateway vs payment.succeeded events").toBe(
    succeeded.length,
  );
  const keys = told.events
    .filter((e) => e.type === "notice.sent")
    .map((e) => `${String(e.template)}|${e.service ?? "-"}|${e.at.slice(0, 10)}`);
  expect(
    keys.filter((key, i) => keys.indexOf(key) !== i),
    "notices sent twice",
  ).toEqual([]);
}

/** Events of one type (and service). */
export function eventsOf(events: WireEvent[], type: string, service?: string): WireEvent[] {
  return events.filter((e) => e.type === type && (service === undefined || e.service === service));
}

/** Events of one service, as `YYYY-MM-DD type`, for the whole story at a glance. */
export function timelineOf(events: WireEvent[], service: string, types?: string[]): string[] {
  return events
    .filter((e) => e.service === service && (types === undefined || types.includes(e.type)))
    .map((e) => `${e.at.slice(0, 10)} ${e.type}${e.type === "notice.sent" ? ` ${String(e.template)}` : ""}`);
}

/** Amounts charged for a service: `YYYY-MM-DD amount CUR`. */
export function paymentsOf(events: WireEvent[], service: string): string[] {
  return eventsOf(events, "payment.succeeded", service).map((e) => {
    const amount = e.amount as { amount: number; currency: string };
    return `${e.at.slice(0, 10)} ${amount.amount} ${amount.currency}`;
  });
}
