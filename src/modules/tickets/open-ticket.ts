/**
 * Requests (tickets) to staff: refunds after a cancellation, invoice adjustments quoting the
 * invoice number, irreversible domain deletion, general questions (seed 000).
 */
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import type { Deps } from "../deps.js";
import { recordEvent } from "../events/record-event.js";

export const TICKET_KINDS = ["refund", "invoice-adjustment", "domain-deletion", "question"] as const;

export const newTicketSchema = z.strictObject({
  kind: z.enum(TICKET_KINDS),
  subject: z.string().trim().min(3).max(200),
  body: z.string().trim().min(3).max(10_000),
  serviceId: z.string().min(1).nullable().default(null),
  invoiceId: z.int().positive().nullable().default(null),
  /** Domain deletion is irreversible: the customer must confirm the warning explicitly. */
  confirmedIrreversible: z.boolean().default(false),
});
export type NewTicket = z.input<typeof newTicketSchema>;

export async function openTicket(
  deps: Deps,
  input: { customerId: string; openedBy: string; ticket: NewTicket },
  now: Instant,
): Promise<{ ticket: number }> {
  const parsed = newTicketSchema.safeParse(input.ticket);
  if (!parsed.success) {
    throw new AppError(
      "INVALID_INPUT",
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  const t = parsed.data;
  if (t.kind === "invoice-adjustment" && t.invoiceId === null) {
    throw new AppError("INVALID_INPUT", "invoiceId: an invoice-adjustment request quotes the invoice number");
  }
  if (t.kind === "domain-deletion" && (t.serviceId === null || !t.confirmedIrreversible)) {
    throw new AppError(
      "INVALID_INPUT",
      "confirmedIrreversible: deleting a domain is irreversible and must be confirmed",
    );
  }
  if (t.serviceId !== null) {
    const service = await deps.db
      .selectFrom("services")
      .select("customer_id")
      .where("id", "=", t.serviceId)
      .executeTakeFirst();
    if (service?.customer_id !== input.customerId) throw new AppError("NOT_FOUND", "Service not found.");
  }
  if (t.invoiceId !== null) {
    const invoice = await deps.db
      .selectFrom("invoices")
      .select("customer_id")
      .where("id", "=", t.invoiceId)
      .executeTakeFirst();
    if (invoice?.customer_id !== input.customerId) throw new AppError("NOT_FOUND", "Invoice not found.");
  }
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("tickets")
      .values({
        customer_id: input.customerId,
        kind: t.kind,
        subject: t.subject,
        body: t.body,
        status: "open",
        service_id: t.serviceId,
        invoice_id: t.invoiceId,
        opened_by: input.openedBy,
        created_at: now,
        closed_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordEvent(
      tx,
      "ticket.opened",
      now,
      { customer: input.customerId, service: t.serviceId },
      { ticket: row.id, kind: t.kind },
    );
    return { ticket: row.id };
  });
}

export async function closeTicket(deps: Deps, ticketId: number, now: Instant): Promise<boolean> {
  return deps.db.transaction().execute(async (tx) => {
    const ticket = await tx.selectFrom("tickets").selectAll().where("id", "=", ticketId).executeTakeFirst();
    if (ticket?.status !== "open") return false;
    await tx
      .updateTable("tickets")
      .set({ status: "closed", closed_at: now })
      .where("id", "=", ticketId)
      .execute();
    await recordEvent(
      tx,
      "ticket.closed",
      now,
      { customer: ticket.customer_id, service: ticket.service_id },
      { ticket: ticketId },
    );
    return true;
  });
}
