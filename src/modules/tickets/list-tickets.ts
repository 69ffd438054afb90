/**
 * Read-only queries for the requests (tickets) pages: a customer's requests, one request with its
 * replies, and the records a new request may quote. Always scoped to one customer: another
 * customer's request is NOT_FOUND, and their invoices and services are never listed.
 */
import { AppError } from "../../domain/app-error.js";
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";
import { TICKET_KINDS } from "./open-ticket.js";

export type TicketKind = (typeof TICKET_KINDS)[number];

export function isTicketKind(value: unknown): value is TicketKind {
  return typeof value === "string" && (TICKET_KINDS as readonly string[]).includes(value);
}

export interface TicketSummary {
  id: number;
  kind: string;
  subject: string;
  status: string;
  createdAt: Instant;
  /** The latest of: opened, last reply, closed. */
  updatedAt: Instant;
}

/** The customer's requests, newest first. */
export async function listTickets(db: Db | Tx, customerId: string): Promise<TicketSummary[]> {
  const rows = await db
    .selectFrom("tickets")
    .select(["id", "kind", "subject", "status", "created_at", "closed_at"])
    .select((eb) =>
      eb
        .selectFrom("ticket_replies")
        .select((r) => r.fn.max("ticket_replies.created_at").as("last"))
        .whereRef("ticket_replies.ticket_id", "=", "tickets.id")
        .as("last_reply_at"),
    )
    .where("customer_id", "=", customerId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: Math.max(
      row.created_at,
      row.closed_at ?? 0,
      row.last_reply_at === null || row.last_reply_at === undefined ? 0 : Number(row.last_reply_at),
    ),
  }));
}

export interface TicketReply {
  id: number;
  /** `customer`, or the staff team that answered (`billing`, `support`). */
  author: string;
  body: string;
  createdAt: Instant;
}

export interface TicketDetail {
  id: number;
  kind: string;
  subject: string;
  body: string;
  status: string;
  createdAt: Instant;
  closedAt: Instant | null;
  invoice: { id: number; total: Money; status: string } | null;
  service: { id: string; kind: string; label: string } | null;
  replies: TicketReply[];
}

/** Throws NOT_FOUND unless the request exists and belongs to this customer. */
export async function assertTicketOwner(db: Db | Tx, customerId: string, ticketId: number): Promise<void> {
  const row = await db
    .selectFrom("tickets")
    .select("customer_id")
    .where("id", "=", ticketId)
    .executeTakeFirst();
  if (row?.customer_id !== customerId) throw new AppError("NOT_FOUND", "Request not found.");
}

/** One of the customer's requests with its linked records and replies in order; NOT_FOUND otherwise. */
export async function findTicket(db: Db | Tx, customerId: string, ticketId: number): Promise<TicketDetail> {
  const ticket = await db
    .selectFrom("tickets")
    .selectAll()
    .where("id", "=", ticketId)
    .where("customer_id", "=", customerId)
    .executeTakeFirst();
  if (!ticket) throw new AppError("NOT_FOUND", "Request not found.");
  const invoice =
    ticket.invoice_id === null
      ? undefined
      : await db
          .selectFrom("invoices")
          .select(["id", "total", "currency", "status"])
          .where("id", "=", ticket.invoice_id)
          .where("customer_id", "=", customerId)
          .executeTakeFirst();
  const service =
    ticket.service_id === null
      ? undefined
      : await db
          .selectFrom("services")
          .select(["id", "kind", "label"])
          .where("id", "=", ticket.service_id)
          .where("customer_id", "=", customerId)
          .executeTakeFirst();
  const replies = await db
    .selectFrom("ticket_replies")
    .select(["id", "author", "body", "created_at"])
    .where("ticket_id", "=", ticketId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return {
    id: ticket.id,
    kind: ticket.kind,
    subject: ticket.subject,
    body: ticket.body,
    status: ticket.status,
    createdAt: ticket.created_at,
    closedAt: ticket.closed_at,
    invoice: invoice
      ? {
          id: invoice.id,
          total: { amount: invoice.total, currency: invoice.currency },
          status: invoice.status,
        }
      : null,
    service: service ?? null,
    replies: replies.map((r) => ({ id: r.id, author: r.author, body: r.body, createdAt: r.created_at })),
  };
}

export interface InvoiceChoice {
  id: number;
  total: Money;
  status: string;
}

export interface ServiceChoice {
  id: string;
  kind: string;
  label: string;
}

export interface TicketFormChoices {
  /** Every invoice of the customer, newest first (an adjustment may concern any of them). */
  invoices: InvoiceChoice[];
  /** Services with a pending or completed cancellation: a refund comes after a cancellation. */
  refundable: (ServiceChoice & { cancellation: "pending" | "done" })[];
  /** Domains that still exist at the registry and could be deleted. */
  domains: ServiceChoice[];
  /** Every service id of the customer, to tell "not eligible" (400) from "not yours" (404). */
  serviceIds: string[];
}

const GONE_DOMAIN_STATUSES = ["deleted", "released", "transferred-out"];

export async function ticketFormChoices(db: Db | Tx, customerId: string): Promise<TicketFormChoices> {
  const invoices = await db
    .selectFrom("invoices")
    .select(["id", "total", "currency", "status"])
    .where("customer_id", "=", customerId)
    .orderBy("issued_at", "desc")
    .orderBy("id", "desc")
    .execute();
  const services = await db
    .selectFrom("services")
    .select(["id", "kind", "label", "status"])
    .where("customer_id", "=", customerId)
    .orderBy("label")
    .orderBy("id")
    .execute();
  const cancellations = await db
    .selectFrom("cancellation_requests")
    .innerJoin("services", "services.id", "cancellation_requests.service_id")
    .select(["cancellation_requests.service_id", "cancellation_requests.status"])
    .where("services.customer_id", "=", customerId)
    .where("cancellation_requests.status", "in", ["pending", "done"])
    .execute();
  const cancellationOf = new Map<string, "pending" | "done">();
  for (const c of cancellations) {
    if (cancellationOf.get(c.service_id) !== "done")
      cancellationOf.set(c.service_id, c.status === "done" ? "done" : "pending");
  }
  const refundable: TicketFormChoices["refundable"] = [];
  for (const s of services) {
    const cancellation = s.status === "cancelled" ? "done" : cancellationOf.get(s.id);
    if (s.kind !== "domain" && cancellation)
      refundable.push({ id: s.id, kind: s.kind, label: s.label, cancellation });
  }
  return {
    invoices: invoices.map((i) => ({
      id: i.id,
      total: { amount: i.total, currency: i.currency },
      status: i.status,
    })),
    refundable,
    domains: services
      .filter((s) => s.kind === "domain" && !GONE_DOMAIN_STATUSES.includes(s.status))
      .map((s) => ({ id: s.id, kind: s.kind, label: s.label })),
    serviceIds: services.map((s) => s.id),
  };
}
