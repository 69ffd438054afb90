/** A pending cancellation can be withdrawn until it takes effect (seed 000). */
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { Deps } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { markDue } from "./mark-due.js";
import { findPendingCancellation, findSubscription } from "./subscription-repository.js";

export type WithdrawResult = { ok: true } | { ok: false; reason: "nothing-pending" | "already-effective" };

export async function withdrawCancellation(
  deps: Deps,
  input: { serviceId: string; customerId?: string },
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
      {},
    );
    return true;
  });
  if (!withdrawn) return { ok: false, reason: "nothing-pending" };
  // Billing resumes: a renewal invoice voided by the request is issued again if due.
  await processService(deps, sub.serviceId, now);
  return { ok: true };
}
