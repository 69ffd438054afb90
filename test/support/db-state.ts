/**
 * Every business row of the database (all tables but sessions and engine bookkeeping), to prove a
 * request changed nothing: two equal states mean no record was written. Rows are JSON lines sorted
 * per table, so a difference reads as a diff of the rows concerned.
 */
import type { Db } from "../../src/modules/deps.js";

export const STATE_TABLES = [
  "customers",
  "accounts",
  "password_resets",
  "services",
  "subscriptions",
  "domains",
  "cancellation_requests",
  "invoices",
  "invoice_lines",
  "payments",
  "tickets",
  "ticket_replies",
  "notices",
  "events",
  "refunds",
  "credit_notes",
  "staff",
  "audit_log",
] as const;

export type StateTable = (typeof STATE_TABLES)[number];
type Row = Record<string, unknown>;
export type DatabaseState = Record<StateTable, Row[]>;

const line = (row: Row) =>
  JSON.stringify(row, (_key, value) => (typeof value === "bigint" ? `${value}` : value));

export async function databaseState(db: Db): Promise<DatabaseState> {
  const state = {} as DatabaseState;
  for (const table of STATE_TABLES) {
    // One query shape for every table; the rows are compared as plain records.
    const rows = (await db
      .selectFrom(table as "events")
      .selectAll()
      .execute()) as unknown as Row[];
    state[table] = rows.sort((a, b) => line(a).localeCompare(line(b)));
  }
  return state;
}

/** Only the rows that belong to one customer (through its services, invoices and requests). */
export function ownedBy(state: DatabaseState, customerId: string): DatabaseState {
  const services = new Set(state.services.filter((r) => r.customer_id === customerId).map((r) => r.id));
  const invoices = new Set(state.invoices.filter((r) => r.customer_id === customerId).map((r) => `${r.id}`));
  const tickets = new Set(state.tickets.filter((r) => r.customer_id === customerId).map((r) => `${r.id}`));
  const byCustomer = (r: Row) => r.customer_id === customerId;
  const byService = (r: Row) => services.has(r.service_id);
  return {
    customers: state.customers.filter((r) => r.id === customerId),
    accounts: state.accounts.filter(byCustomer),
    password_resets: state.password_resets.filter(byCustomer),
    services: state.services.filter(byCustomer),
    subscriptions: state.subscriptions.filter(byService),
    domains: state.domains.filter(byService),
    cancellation_requests: state.cancellation_requests.filter(byService),
    invoices: state.invoices.filter(byCustomer),
    invoice_lines: state.invoice_lines.filter((r) => invoices.has(`${r.invoice_id}`)),
    payments: state.payments.filter(byCustomer),
    tickets: state.tickets.filter(byCustomer),
    ticket_replies: state.ticket_replies.filter((r) => tickets.has(`${r.ticket_id}`)),
    notices: state.notices.filter(byCustomer),
    events: state.events.filter(byCustomer),
    refunds: state.refunds.filter(byCustomer),
    credit_notes: state.credit_notes.filter(byCustomer),
    // Staff and their audit lines belong to no customer; an action on this one is in its lines.
    staff: [],
    audit_log: state.audit_log.filter(byCustomer),
  };
}

/** The tables whose rows differ between two states, for a readable failure message. */
export function changedTables(before: DatabaseState, after: DatabaseState): StateTable[] {
  return STATE_TABLES.filter(
    (t) => JSON.stringify(before[t].map(line)) !== JSON.stringify(after[t].map(line)),
  );
}
