/**
 * A pending cancellation can be withdrawn until it takes effect (seed 000). The domains whose
 * renewal the request stopped renew again, unless the customer changed them since.
 */
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { Deps } from "../deps.js";
import { setAutoRenew } from "../domains/set-auto-renew.js";
import { recordEvent } from "../events/record-event.js";
import type { ActingStaff } from "../staff/audit-log.js";
import { markDue } from "./mark-due.js";
import { findPendingCancellation, findSubscription } from "./subscription-repository.js";

/** The domain's auto-renew was last switched by a cancellation request, not by the customer. */
async function wasStoppedByCancellation(deps: Deps, domainId: string): Promise<boolean> {
  const last = await deps.db
    .selectFrom("events")
    .select("details")
    .where("service_id", "=", domainId)
    .where("type", "=", "domain.auto_renew_changed")
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (!last) return false;
  const details = JSON.parse(last.details) as { on?: boolean; reason?: string };
  return details.on === false && details.reason === "service-cancellation";
}

export type WithdrawResult =
  | { ok: true; domainsRestored: string[] }
  | { ok: false; reason: "nothing-pending" | "already-effective" };

export async function withdrawCancellation(
  deps: Deps,
  input: { serviceId: string; customerId?: string; staff?: ActingStaff },
  now: Instant,
): Promise<WithdrawResult> {
  const sub = await findSubscription(deps.db, input.serviceId);
  if (!sub || (input.customerId !== undefined && sub.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Service not found.");
  }
  const pending = await findPendingCancellation(deps.db, sub.serviceId);
  if (!pending) return { ok: false, reason: "nothing-pending" };
  if (now >= pending.effectiveAt) return { ok: false, reason: "already-effective" };
  const withdrawn = await deps.db.transaction().execute(async (tx) => {
    const updated = await tx
      .updateTable("cancellation_requests")
      .set({ status: "withdrawn", closed_at: now })
      .where("id", "=", pending.id)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return false;
    await markDue(tx, sub.serviceId, now);
    await recordEvent(
      tx,
      "service.cancellation_withdrawn",
      now,
      { customer: sub.customerId, service: sub.serviceId },
      input.staff ? { by: input.staff.by } : {},
    );
    await input.staff?.audit(tx);
    return true;
  });
  if (!withdrawn) return { ok: false, reason: "nothing-pending" };
  // Billing resumes: a renewal invoice voided by the request is issued again if due.
  await processService(deps, sub.serviceId, now);
  const domainsRestored: string[] = [];
  for (const domainId of pending.stopDomainIds) {
    if (!(await wasStoppedByCancellation(deps, domainId))) continue;
    const result = await setAutoRenew(
      deps,
      { serviceId: domainId, on: true, reason: "cancellation-withdrawn" },
      now,
    );
    if (result.ok && result.changed) domainsRestored.push(domainId);
  }
  return { ok: true, domainsRestored };
}
