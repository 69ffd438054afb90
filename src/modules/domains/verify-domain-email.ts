/** The owner confirmed the contact e-mail: a domain suspended for it is put back (seed 004). */
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { Deps, Tx } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { markDue } from "../services/mark-due.js";
import { findDomain } from "./domain-repository.js";

export async function verifyDomainEmail(
  deps: Deps,
  input: { serviceId: string; customerId?: string },
  now: Instant,
  /** Written in the same transaction (a staff member's event and audit line, back office). */
  also?: (tx: Tx, unsuspended: boolean) => Promise<void>,
): Promise<{ unsuspended: boolean }> {
  const domain = await findDomain(deps.db, input.serviceId);
  if (!domain || (input.customerId !== undefined && domain.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Domain not found.");
  }
  const wasSuspended = domain.status === "suspended";
  if (wasSuspended) await deps.registrarFor(domain.registrar).unhold(domain.name);
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("domains")
      .set({ email_verified: 1 })
      .where("service_id", "=", domain.serviceId)
      .execute();
    await markDue(tx, domain.serviceId, now);
    await also?.(tx, wasSuspended);
    if (!wasSuspended) return;
    await tx
      .updateTable("services")
      .set({ status: "active" })
      .where("id", "=", domain.serviceId)
      .where("status", "=", "suspended")
      .execute();
    await recordEvent(
      tx,
      "domain.unsuspended",
      now,
      { customer: domain.customerId, service: domain.serviceId },
      { reason: "email-verified" },
    );
  });
  await processService(deps, domain.serviceId, now);
  return { unsuspended: wasSuspended };
}
