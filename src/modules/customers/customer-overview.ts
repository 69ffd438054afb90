/**
 * Back office: everything about one customer on one page — profile, services with their next
 * step, domains, invoices, payments with their refunds, notices sent with their delivery, requests,
 * what happened (events) and what staff did (audit). Read-only; the newest first, bounded.
 */
import { AppError } from "../../domain/app-error.js";
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import type { Deps } from "../deps.js";
import { type InvoiceSummary, listInvoices } from "../invoices/list-invoices.js";
import { storedNoticeSubject } from "../notifications/stored-notices.js";
import { type Dashboard, loadDashboard } from "../services/list-services.js";
import { type AuditLine, listAudit } from "../staff/audit-log.js";
import { listTickets, type TicketSummary } from "../tickets/list-tickets.js";
import { buildTimeline, type PlannedEntry } from "../timeline/build-timeline.js";
import { type CustomerRecord, findCustomer } from "./customer-repository.js";

/** How many of each list the page shows (the newest). */
export const OVERVIEW_LIMIT = 100;
/** Services whose next step is computed (each is a few reads). */
const NEXT_STEPS_FOR = 50;

export interface PaymentLine {
  id: number;
  invoiceId: number;
  attempt: number;
  amount: Money;
  status: string;
  failureCode: string | null;
  createdAt: Instant;
  resolvedAt: Instant | null;
  refunds: {
    id: number;
    amount: Money;
    status: string;
    reason: string;
    requestedBy: string;
    createdAt: Instant;
  }[];
}

export interface NoticeLine {
  id: number;
  template: string;
  to: string;
  subject: string;
  /** queued (in the outbox), sent, failed (gave up after its attempts). */
  /** `skipped`: due before the book was imported (docs/import.md), never sent by Tenure. */
  status: "queued" | "sent" | "failed" | "skipped";
  attempts: number;
  lastError: string | null;
  createdAt: Instant;
  sentAt: Instant | null;
}

export interface EventLine {
  id: number;
  at: Instant;
  type: string;
  serviceId: string | null;
  details: Record<string, unknown>;
}

export interface CustomerOverview {
  customer: CustomerRecord & { createdAt: Instant };
  dashboard: Dashboard;
  /** The next planned step of each service (by service id), from the timeline's rules. */
  nextSteps: Map<string, PlannedEntry | null>;
  invoices: InvoiceSummary[];
  payments: PaymentLine[];
  notices: NoticeLine[];
  tickets: TicketSummary[];
  events: EventLine[];
  audit: AuditLine[];
}

function noticeStatus(status: string): NoticeLine["status"] {
  if (status === "sent") return "sent";
  if (status === "failed") return "failed";
  if (status === "skipped") return "skipped";
  return "queued";
}

export async function loadCustomerOverview(
  deps: Deps,
  customerId: string,
  now: Instant,
): Promise<CustomerOverview> {
  const db = deps.db;
  const customer = await findCustomer(db, customerId);
  if (!customer) throw new AppError("NOT_FOUND", "Customer not found.");
  const created = await db
    .selectFrom("customers")
    .select("created_at")
    .where("id", "=", customerId)
    .executeTakeFirstOrThrow();

  const dashboard = await loadDashboard(deps, customerId, now);
  const nextSteps = new Map<string, PlannedEntry | null>();
  const serviceIds = [
    ...dashboard.subscriptions.map((s) => s.serviceId),
    ...dashboard.domains.map((d) => d.serviceId),
  ];
  for (const serviceId of serviceIds.slice(0, NEXT_STEPS_FOR)) {
    try {
      const timeline = await buildTimeline(deps, serviceId, now);
      nextSteps.set(serviceId, timeline.next[0] ?? null);
    } catch {
      // A service whose next step cannot be decided (no price in its currency) shows none here;
      // the automation page names its failure.
      nextSteps.set(serviceId, null);
    }
  }

  const invoices = (await listInvoices(db, customerId)).slice(0, OVERVIEW_LIMIT);

  const paymentRows = await db
    .selectFrom("payments")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("id", "desc")
    .limit(OVERVIEW_LIMIT)
    .execute();
  const refundRows =
    paymentRows.length === 0
      ? []
      : await db
          .selectFrom("refunds")
          .selectAll()
          .where(
            "payment_id",
            "in",
            paymentRows.map((p) => p.id),
          )
          .orderBy("id")
          .execute();
  const payments: PaymentLine[] = paymentRows.map((row) => ({
    id: row.id,
    invoiceId: row.invoice_id,
    attempt: row.attempt,
    amount: { amount: row.amount, currency: row.currency },
    status: row.status,
    failureCode: row.failure_code,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
    refunds: refundRows
      .filter((r) => r.payment_id === row.id)
      .map((r) => ({
        id: r.id,
        amount: { amount: r.amount, currency: r.currency },
        status: r.status,
        reason: r.reason,
        requestedBy: r.requested_by,
        createdAt: r.created_at,
      })),
  }));

  const noticeRows = await db
    .selectFrom("notices")
    .select([
      "id",
      "template",
      "to_address",
      "locale",
      "params",
      "subject",
      "text_body",
      "html_body",
      "status",
      "attempts",
      "last_error",
      "created_at",
      "sent_at",
    ])
    .where("customer_id", "=", customerId)
    .orderBy("id", "desc")
    .limit(OVERVIEW_LIMIT)
    .execute();
  const notices: NoticeLine[] = noticeRows.map((row) => ({
    id: row.id,
    template: row.template,
    to: row.to_address,
    subject: storedNoticeSubject(row),
    status: noticeStatus(row.status),
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    sentAt: row.sent_at,
  }));

  const tickets = (await listTickets(db, customerId)).slice(0, OVERVIEW_LIMIT);

  const eventRows = await db
    .selectFrom("events")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("id", "desc")
    .limit(OVERVIEW_LIMIT)
    .execute();
  const events: EventLine[] = eventRows.map((row) => ({
    id: row.id,
    at: row.at,
    type: row.type,
    serviceId: row.service_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
  }));

  const audit = await listAudit(db, { customerId, limit: OVERVIEW_LIMIT });

  return {
    customer: { ...customer, createdAt: created.created_at },
    dashboard,
    nextSteps,
    invoices,
    payments,
    notices,
    tickets,
    events,
    audit,
  };
}

/** The totals of these invoices, for a result that names each one with its amount. */
export async function invoiceTotals(db: Deps["db"], ids: number[]): Promise<Map<number, Money>> {
  const totals = new Map<number, Money>();
  if (ids.length === 0) return totals;
  const rows = await db
    .selectFrom("invoices")
    .select(["id", "total", "currency"])
    .where("id", "in", ids)
    .execute();
  for (const row of rows) totals.set(row.id, { amount: row.total, currency: row.currency });
  return totals;
}
