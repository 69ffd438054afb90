/**
 * Moves a subscription to another billing cycle from the end of its current term. An open renewal
 * invoice issued under the old plan is voided (the engine issues the new plan's instead); one that
 * cannot be voided automatically blocks the change until staff adjust it. A legacy free domain
 * attached to a site that leaves the yearly plan becomes a paid domain (seed 004).
 */
import { AppError } from "../../domain/app-error.js";
import { divideRounded } from "../../domain/money.js";
import type { Plan } from "../../domain/subscription-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { Deps } from "../deps.js";
import { voidOpenInvoices } from "../invoices/void-open-invoices.js";
import { markDue } from "./mark-due.js";
import { findSubscription } from "./subscription-repository.js";

export type ChangePlanResult =
  | { ok: true; price: number; fromTermEnd: Instant; domainsMadePaid: string[] }
  | { ok: false; reason: "invoice-needs-adjustment"; invoice: number };

/** Without an explicit price, the same yearly amount: monthly = yearly / 12 (rounded), yearly = 12 × monthly. */
export function equivalentPrice(price: number, from: Plan, to: Plan): number {
  if (from === to) return price;
  return to === "monthly" ? divideRounded(price, 12) : price * 12;
}

export async function changePlan(
  deps: Deps,
  input: { serviceId: string; plan: Plan; price?: number; customerId?: string },
  now: Instant,
): Promise<ChangePlanResult> {
  const sub = await findSubscription(deps.db, input.serviceId);
  if (!sub || (input.customerId !== undefined && sub.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Service not found.");
  }
  const price = input.price ?? equivalentPrice(sub.price, sub.plan, input.plan);
  const outcome = await deps.db.transaction().execute(async (tx) => {
    // The next term's invoice was priced and dated under the old plan: it must not be paid as is.
    const voided = await voidOpenInvoices(tx, now, {
      customerId: sub.customerId,
      serviceIds: [sub.serviceId],
      about: sub.label,
      reason: "plan-changed",
    });
    const blocking = voided.needsAdjustment[0];
    if (blocking) return { kind: "blocked" as const, invoice: blocking.invoice };
    await tx
      .updateTable("subscriptions")
      .set({ plan: input.plan, price, anchor_at: sub.termEndsAt, terms_since_anchor: 0 })
      .where("service_id", "=", sub.serviceId)
      .execute();
    await markDue(tx, sub.serviceId, now);
    if (input.plan === "yearly") return { kind: "changed" as const, domainsMadePaid: [] as string[] };
    const legacy = await tx
      .selectFrom("domains")
      .select("service_id")
      .where("site_service_id", "=", sub.serviceId)
      .where("offer", "=", "legacy-free")
      .where("legacy_lost_reason", "is", null)
      .execute();
    const ids = legacy.map((d) => d.service_id);
    if (ids.length > 0) {
      await tx
        .updateTable("domains")
        .set({ legacy_lost_reason: "site-monthly" })
        .where("service_id", "in", ids)
        .execute();
      for (const id of ids) await markDue(tx, id, now);
    }
    return { kind: "changed" as const, domainsMadePaid: ids };
  });
  if (outcome.kind === "blocked")
    return { ok: false, reason: "invoice-needs-adjustment", invoice: outcome.invoice };
  await processService(deps, sub.serviceId, now);
  for (const id of outcome.domainsMadePaid) await processService(deps, id, now);
  return { ok: true, price, fromTermEnd: sub.termEndsAt, domainsMadePaid: outcome.domainsMadePaid };
}
