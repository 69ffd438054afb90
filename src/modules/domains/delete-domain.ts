/**
 * Deleting a domain for good, on the owner's request (seed 000: "par billet"; back office). The
 * engine is brought up to date first, so money in flight is settled and a renewal already paid for
 * is applied; while a charge is still waiting for the bank, the deletion is refused (try again
 * once it is settled). Then the registrar deletes the name (idempotent: a retry after a crash
 * deletes nothing twice), and one transaction marks the domain deleted (out of every renewal path:
 * the lifecycle has no step for a deleted domain), voids its open invoices through the one void
 * path, records `domain.deleted`, answers and closes the request, and writes the audit line.
 */
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import { type Deps, inTransaction, reach } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { type VoidOutcome, voidOpenInvoices } from "../invoices/void-open-invoices.js";
import { actorMark, recordAudit, type StaffActor } from "../staff/audit-log.js";
import { closeTicketAsStaff, lockTicket, replyAsStaff } from "../tickets/staff-tickets.js";
import { findDomain } from "./domain-repository.js";

/** A domain in one of these states no longer exists at the registry under this customer. */
export const GONE_DOMAIN_STATUSES = ["deleted", "released", "transferred-out"];

export type DeleteDomainResult =
  | { ok: true; name: string; voided: VoidOutcome }
  | { ok: false; reason: "already-gone" | "money-in-flight" | "not-open" | "wrong-kind" };

export async function deleteDomainFromTicket(
  deps: Deps,
  actor: StaffActor,
  input: { ticketId: number; reply: string; link: string },
  now: Instant,
): Promise<DeleteDomainResult> {
  const ticket = await deps.db
    .selectFrom("tickets")
    .select(["kind", "status", "service_id", "customer_id"])
    .where("id", "=", input.ticketId)
    .executeTakeFirst();
  if (!ticket) throw new AppError("NOT_FOUND", "Request not found.");
  if (ticket.kind !== "domain-deletion" || ticket.service_id === null)
    return { ok: false, reason: "wrong-kind" };
  if (ticket.status !== "open") return { ok: false, reason: "not-open" };
  const serviceId = ticket.service_id;
  const before = await findDomain(deps.db, serviceId);
  if (before?.customerId !== ticket.customer_id) throw new AppError("NOT_FOUND", "Domain not found.");
  if (GONE_DOMAIN_STATUSES.includes(before.status)) return { ok: false, reason: "already-gone" };

  // Settle what is in flight and apply what is due before the name goes away.
  await processService(deps, serviceId, now);
  const domain = await findDomain(deps.db, serviceId);
  if (!domain) throw new AppError("NOT_FOUND", "Domain not found.");
  if (GONE_DOMAIN_STATUSES.includes(domain.status)) return { ok: false, reason: "already-gone" };
  const inFlight = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select("payments.id")
    .where("invoices.service_id", "=", serviceId)
    .where("payments.status", "=", "pending")
    .executeTakeFirst();
  if (inFlight) return { ok: false, reason: "money-in-flight" };

  await deps.registrarFor(domain.registrar).delete(domain.name);
  reach(deps, "registrar:deleted");

  return inTransaction(deps, "domain-delete", async (tx) => {
    await lockTicket(deps, tx, input.ticketId);
    const updated = await tx
      .updateTable("services")
      .set({ status: "deleted", next_due_at: null })
      .where("id", "=", serviceId)
      .where("status", "not in", GONE_DOMAIN_STATUSES)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { ok: false, reason: "already-gone" } as const;
    const voided = await voidOpenInvoices(tx, now, {
      customerId: domain.customerId,
      serviceIds: [serviceId],
      about: domain.name,
      reason: "domain-deleted",
    });
    const by = actorMark(actor);
    await recordEvent(
      tx,
      "domain.deleted",
      now,
      { customer: domain.customerId, service: serviceId },
      { name: domain.name, by },
    );
    await recordAudit(tx, actor, now, {
      action: "domain.deleted",
      objectType: "domain",
      objectId: serviceId,
      customerId: domain.customerId,
      reason: `request #${input.ticketId}`,
      before: { status: domain.status },
      after: {
        status: "deleted",
        ticket: input.ticketId,
        ...(voided.voided.length > 0 ? { voidedInvoices: voided.voided.join(",") } : {}),
      },
    });
    await replyAsStaff(
      deps,
      actor,
      { ticketId: input.ticketId, body: input.reply, link: input.link },
      now,
      tx,
    );
    await closeTicketAsStaff(deps, actor, input.ticketId, now, tx);
    return { ok: true, name: domain.name, voided } as const;
  });
}
