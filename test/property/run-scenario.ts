/**
 * Runs a generated scenario with the real engine on SQLite, as `tenure simulate` does (see
 * test/scenarios/story.ts), and keeps everything the invariants look at: the events in time order,
 * the final rows (services, domains, invoices, payments, notices) and the gateway's own ledger.
 */
import { runSimulation } from "../../src/engine/simulate/run-simulation.js";
import { scenarioSchema } from "../../src/engine/simulate/scenario-schema.js";
import type { StoredEvent } from "../../src/modules/events/record-event.js";
import type { LedgerEntry } from "../../src/providers/payments/test-gateway.js";
import { createTestStore, type TestDialect } from "../support/stores.js";
import type { GeneratedScenario } from "./scenario-arbitrary.js";

export interface InvoiceRow {
  id: number;
  service: string | null;
  purpose: string;
  periodStartAt: number | null;
  status: string;
  total: number;
  amountPaid: number;
}

export interface PaymentRow {
  invoice: number;
  attempt: number;
  key: string;
  status: string;
  amount: number;
}

export interface DomainRow {
  status: string;
  registrar: string;
  expiresAt: number;
  autoRenew: boolean;
}

export interface Outcome {
  scenario: GeneratedScenario;
  events: StoredEvent[];
  refusals: string[];
  /** Final status of every service. */
  statuses: Record<string, string>;
  domains: Record<string, DomainRow>;
  invoices: InvoiceRow[];
  payments: PaymentRow[];
  /** Every charge the gateway was asked for, with its outcome, under its idempotency key. */
  ledger: LedgerEntry[];
  noticeKeys: string[];
}

export async function runScenario(
  scenario: GeneratedScenario,
  dialect: TestDialect = "sqlite",
): Promise<Outcome> {
  const store = await createTestStore(dialect);
  try {
    const result = await runSimulation(scenarioSchema.parse(scenario), { store });
    const db = store.db;
    const services = await db.selectFrom("services").select(["id", "status"]).execute();
    const domains = await db
      .selectFrom("domains")
      .innerJoin("services", "services.id", "domains.service_id")
      .select([
        "domains.service_id as id",
        "services.status",
        "domains.registrar",
        "domains.expires_at",
        "domains.auto_renew",
      ])
      .execute();
    const invoices = await db.selectFrom("invoices").selectAll().orderBy("id").execute();
    const payments = await db.selectFrom("payments").selectAll().orderBy("id").execute();
    const notices = await db.selectFrom("notices").select("notice_key").execute();
    return {
      scenario,
      events: result.events,
      refusals: result.refusals,
      statuses: Object.fromEntries(services.map((s) => [s.id, s.status])),
      domains: Object.fromEntries(
        domains.map((d) => [
          d.id,
          {
            status: d.status,
            registrar: d.registrar,
            expiresAt: Number(d.expires_at),
            autoRenew: Number(d.auto_renew) === 1,
          },
        ]),
      ),
      invoices: invoices.map((i) => ({
        id: i.id,
        service: i.service_id,
        purpose: i.purpose,
        periodStartAt: i.period_start_at === null ? null : Number(i.period_start_at),
        status: i.status,
        total: i.total,
        amountPaid: i.amount_paid,
      })),
      payments: payments.map((p) => ({
        invoice: p.invoice_id,
        attempt: p.attempt,
        key: p.idempotency_key,
        status: p.status,
        amount: p.amount,
      })),
      ledger: result.gateway.allCharges(),
      noticeKeys: notices.map((n) => n.notice_key),
    };
  } finally {
    await store.dispose();
  }
}
