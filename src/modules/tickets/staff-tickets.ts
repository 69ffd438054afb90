/**
 * Requests (tickets) as staff see and work them (back office): the list with filters, one request
 * with its customer, linked records and replies, and the staff actions on it: assign, reply (which
 * reaches the customer by e-mail, `ticket-reply`, and in the client area's request page), close and
 * reopen. Each action writes its audit line in the same transaction.
 */
import { AppError } from "../../domain/app-error.js";
import type { Money } from "../../domain/money.js";
import type { Instant } from "../../domain/time.js";
import { type Db, type Deps, inTransaction, type Tx } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { queueNotice } from "../notifications/queue-notice.js";
import { recordAudit, type StaffActor } from "../staff/audit-log.js";
import { replyBodySchema } from "./reply-to-ticket.js";

export const TICKET_STATUSES = ["open", "closed"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface StaffTicketFilter {
  status?: TicketStatus;
  kind?: string;
  /** `me` (with `meId`), `none`, or a staff member's id. */
  assigned?: string;
  meId?: string;
  limit?: number;
}

export interface StaffTicketSummary {
  id: number;
  kind: string;
  subject: string;
  status: string;
  customer: { id: string; name: string; email: string };
  assignee: { id: string; name: string; email: string } | null;
  createdAt: Instant;
  updatedAt: Instant;
}

export async function listStaffTickets(
  db: Db,
  filter: StaffTicketFilter = {},
): Promise<StaffTicketSummary[]> {
  let query = db
    .selectFrom("tickets")
    .innerJoin("customers", "customers.id", "tickets.customer_id")
    .leftJoin("staff", "staff.id", "tickets.assigned_staff_id")
    .select([
      "tickets.id",
      "tickets.kind",
      "tickets.subject",
      "tickets.status",
      "tickets.created_at",
      "tickets.updated_at",
      "tickets.closed_at",
      "customers.id as customer_id",
      "customers.name as customer_name",
      "customers.email as customer_email",
      "staff.id as staff_id",
      "staff.name as staff_name",
      "staff.email as staff_email",
    ])
    .select((eb) =>
      eb
        .selectFrom("ticket_replies")
        .select((r) => r.fn.max("ticket_replies.created_at").as("last"))
        .whereRef("ticket_replies.ticket_id", "=", "tickets.id")
        .as("last_reply_at"),
    );
  if (filter.status) query = query.where("tickets.status", "=", filter.status);
  if (filter.kind) query = query.where("tickets.kind", "=", filter.kind);
  if (filter.assigned === "none") query = query.where("tickets.assigned_staff_id", "is", null);
  else if (filter.assigned === "me") query = query.where("tickets.assigned_staff_id", "=", filter.meId ?? "");
  else if (filter.assigned) query = query.where("tickets.assigned_staff_id", "=", filter.assigned);
  const rows = await query
    .orderBy("tickets.created_at", "desc")
    .orderBy("tickets.id", "desc")
    .limit(filter.limit ?? 200)
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    kind: row.kind,
    subject: row.subject,
    status: row.status,
    customer: { id: row.customer_id, name: row.customer_name, email: row.customer_email },
    assignee:
      row.staff_id === null || row.staff_name === null || row.staff_email === null
        ? null
        : { id: row.staff_id, name: row.staff_name, email: row.staff_email },
    createdAt: Number(row.created_at),
    updatedAt: Math.max(
      Number(row.created_at),
      Number(row.updated_at ?? 0),
      Number(row.closed_at ?? 0),
      row.last_reply_at === null || row.last_reply_at === undefined ? 0 : Number(row.last_reply_at),
    ),
  }));
}

export interface StaffTicketReply {
  id: number;
  /** `customer`, or `staff` (then `staff` names who). */
  author: string;
  staff: { name: string; email: string } | null;
  body: string;
  createdAt: Instant;
}

export interface StaffTicketDetail {
  id: number;
  kind: string;
  subject: string;
  body: string;
  status: string;
  openedBy: string;
  createdAt: Instant;
  closedAt: Instant | null;
  customer: { id: string; name: string; email: string; locale: string; timeZone: string };
  assignee: { id: string; name: string; email: string } | null;
  invoice: { id: number; total: Money; amountPaid: number; status: string } | null;
  service: { id: string; kind: string; label: string; status: string } | null;
  replies: StaffTicketReply[];
}

/** One request, any customer's (staff read every request); NOT_FOUND when there is none. */
export async function findStaffTicket(db: Db | Tx, ticketId: number): Promise<StaffTicketDetail> {
  const ticket = await db.selectFrom("tickets").selectAll().where("id", "=", ticketId).executeTakeFirst();
  if (!ticket) throw new AppError("NOT_FOUND", "Request not found.");
  const customer = await db
    .selectFrom("customers")
    .select(["id", "name", "email", "locale", "time_zone"])
    .where("id", "=", ticket.customer_id)
    .executeTakeFirstOrThrow();
  const assignee =
    ticket.assigned_staff_id === null
      ? undefined
      : await db
          .selectFrom("staff")
          .select(["id", "name", "email"])
          .where("id", "=", ticket.assigned_staff_id)
          .executeTakeFirst();
  const invoice =
    ticket.invoice_id === null
      ? undefined
      : await db
          .selectFrom("invoices")
          .select(["id", "total", "amount_paid", "currency", "status"])
          .where("id", "=", ticket.invoice_id)
          .executeTakeFirst();
  const service =
    ticket.service_id === null
      ? undefined
      : await db
          .selectFrom("services")
          .select(["id", "kind", "label", "status"])
          .where("id", "=", ticket.service_id)
          .executeTakeFirst();
  const replies = await db
    .selectFrom("ticket_replies")
    .leftJoin("staff", "staff.id", "ticket_replies.staff_id")
    .select([
      "ticket_replies.id",
      "ticket_replies.author",
      "ticket_replies.body",
      "ticket_replies.created_at",
      "staff.name as staff_name",
      "staff.email as staff_email",
    ])
    .where("ticket_replies.ticket_id", "=", ticketId)
    .orderBy("ticket_replies.created_at")
    .orderBy("ticket_replies.id")
    .execute();
  return {
    id: Number(ticket.id),
    kind: ticket.kind,
    subject: ticket.subject,
    body: ticket.body,
    status: ticket.status,
    openedBy: ticket.opened_by,
    createdAt: Number(ticket.created_at),
    closedAt: ticket.closed_at === null ? null : Number(ticket.closed_at),
    customer: {
      id: customer.id,
      name: customer.name,
      email: customer.email,
      locale: customer.locale,
      timeZone: customer.time_zone,
    },
    assignee: assignee ?? null,
    invoice: invoice
      ? {
          id: Number(invoice.id),
          total: { amount: Number(invoice.total), currency: invoice.currency },
          amountPaid: Number(invoice.amount_paid),
          status: invoice.status,
        }
      : null,
    service: service ?? null,
    replies: replies.map((r) => ({
      id: Number(r.id),
      author: r.author,
      staff:
        r.staff_name !== null && r.staff_email !== null ? { name: r.staff_name, email: r.staff_email } : null,
      body: r.body,
      createdAt: Number(r.created_at),
    })),
  };
}

/** The request's row, locked for the rest of the transaction (PostgreSQL); NOT_FOUND otherwise. */
export async function lockTicket(deps: Deps, tx: Tx, ticketId: number) {
  let query = tx.selectFrom("tickets").selectAll().where("id", "=", ticketId);
  if (deps.dialect === "postgres") query = query.forUpdate();
  const ticket = await query.executeTakeFirst();
  if (!ticket) throw new AppError("NOT_FOUND", "Request not found.");
  return ticket;
}

/** Assigns the request to a staff member (null: nobody). False when it already was. */
export async function assignTicket(
  deps: Deps,
  actor: StaffActor,
  input: { ticketId: number; staffId: string | null },
  now: Instant,
): Promise<boolean> {
  return inTransaction(deps, "ticket-assign", async (tx) => {
    const ticket = await lockTicket(deps, tx, input.ticketId);
    if (input.staffId !== null) {
      const member = await tx
        .selectFrom("staff")
        .select("id")
        .where("id", "=", input.staffId)
        .where("disabled_at", "is", null)
        .executeTakeFirst();
      if (!member) throw new AppError("INVALID_INPUT", "No such active staff member.");
    }
    if (ticket.assigned_staff_id === input.staffId) return false;
    await tx
      .updateTable("tickets")
      .set({ assigned_staff_id: input.staffId, updated_at: now })
      .where("id", "=", input.ticketId)
      .execute();
    await recordAudit(tx, actor, now, {
      action: "ticket.assigned",
      objectType: "ticket",
      objectId: String(input.ticketId),
      customerId: ticket.customer_id,
      before: { assignedTo: ticket.assigned_staff_id },
      after: { assignedTo: input.staffId },
    });
    return true;
  });
}

export type StaffReplyResult = { ok: true; reply: number } | { ok: false; reason: "closed" };

/**
 * A staff reply: shown in the client area's request page as from the host's team, and e-mailed to
 * the customer (`ticket-reply`, queued in the same transaction; one notice per reply).
 */
export async function replyAsStaff(
  deps: Deps,
  actor: StaffActor,
  input: { ticketId: number; body: string; link: string },
  now: Instant,
  tx?: Tx,
): Promise<StaffReplyResult> {
  const parsed = replyBodySchema.safeParse(input.body);
  if (!parsed.success) throw new AppError("INVALID_INPUT", "A reply needs 3 to 10,000 characters.");
  const body = parsed.data;
  const run = async (t: Tx): Promise<StaffReplyResult> => {
    const ticket = await lockTicket(deps, t, input.ticketId);
    if (ticket.status !== "open") return { ok: false, reason: "closed" };
    const row = await t
      .insertInto("ticket_replies")
      .values({ ticket_id: input.ticketId, author: "staff", staff_id: actor.id, body, created_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.updateTable("tickets").set({ updated_at: now }).where("id", "=", input.ticketId).execute();
    await queueNotice(t, now, {
      template: "ticket-reply",
      customerId: ticket.customer_id,
      serviceId: ticket.service_id,
      marker: `ticket-${ticket.id}-reply-${row.id}`,
      about: ticket.subject,
      data: { ticketNumber: Number(ticket.id), body, link: input.link },
    });
    await recordAudit(t, actor, now, {
      action: "ticket.replied",
      objectType: "ticket",
      objectId: String(input.ticketId),
      customerId: ticket.customer_id,
      after: { reply: Number(row.id) },
    });
    return { ok: true, reply: Number(row.id) };
  };
  return tx ? run(tx) : inTransaction(deps, "ticket-reply", run);
}

/** Closes an open request (`ticket.closed`); false when it was closed already. */
export async function closeTicketAsStaff(
  deps: Deps,
  actor: StaffActor,
  ticketId: number,
  now: Instant,
  tx?: Tx,
): Promise<boolean> {
  const run = async (t: Tx) => {
    const ticket = await lockTicket(deps, t, ticketId);
    if (ticket.status !== "open") return false;
    await t
      .updateTable("tickets")
      .set({ status: "closed", closed_at: now, updated_at: now })
      .where("id", "=", ticketId)
      .where("status", "=", "open")
      .execute();
    await recordEvent(
      t,
      "ticket.closed",
      now,
      { customer: ticket.customer_id, service: ticket.service_id },
      { ticket: ticketId },
    );
    await recordAudit(t, actor, now, {
      action: "ticket.closed",
      objectType: "ticket",
      objectId: String(ticketId),
      customerId: ticket.customer_id,
      before: { status: "open" },
      after: { status: "closed" },
    });
    return true;
  };
  return tx ? run(tx) : inTransaction(deps, "ticket-close", run);
}

/** Opens a closed request again (the customer can then reply); false when it was open. */
export async function reopenTicket(
  deps: Deps,
  actor: StaffActor,
  ticketId: number,
  now: Instant,
): Promise<boolean> {
  return inTransaction(deps, "ticket-reopen", async (tx) => {
    const ticket = await lockTicket(deps, tx, ticketId);
    if (ticket.status === "open") return false;
    await tx
      .updateTable("tickets")
      .set({ status: "open", closed_at: null, updated_at: now })
      .where("id", "=", ticketId)
      .execute();
    await recordAudit(tx, actor, now, {
      action: "ticket.reopened",
      objectType: "ticket",
      objectId: String(ticketId),
      customerId: ticket.customer_id,
      before: { status: ticket.status },
      after: { status: "open" },
    });
    return true;
  });
}
