/**
 * The customer adds a message to one of their open requests. A closed request takes no more
 * replies (a result, not an error): the customer opens a new request instead.
 */
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import type { Deps } from "../deps.js";

export const replyBodySchema = z.string().trim().min(3).max(10_000);

export type ReplyToTicketResult = { ok: true; reply: number } | { ok: false; reason: "closed" };

export async function replyToTicket(
  deps: Deps,
  input: { customerId: string; ticketId: number; body: string },
  now: Instant,
): Promise<ReplyToTicketResult> {
  const parsed = replyBodySchema.safeParse(input.body);
  if (!parsed.success) {
    throw new AppError("INVALID_INPUT", "A reply needs 3 to 10,000 characters.", parsed.error.message);
  }
  const body = parsed.data;
  return deps.db.transaction().execute(async (tx) => {
    let query = tx.selectFrom("tickets").select(["customer_id", "status"]).where("id", "=", input.ticketId);
    // A close racing with this reply waits for it (or the reply sees the request closed).
    if (deps.dialect === "postgres") query = query.forUpdate();
    const ticket = await query.executeTakeFirst();
    if (ticket?.customer_id !== input.customerId) throw new AppError("NOT_FOUND", "Request not found.");
    if (ticket.status !== "open") return { ok: false, reason: "closed" } as const;
    const row = await tx
      .insertInto("ticket_replies")
      .values({ ticket_id: input.ticketId, author: "customer", body, created_at: now })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ok: true, reply: row.id } as const;
  });
}
