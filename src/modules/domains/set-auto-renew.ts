/**
 * Seed 004 and 000: the customer turns auto-renew off to let a domain expire (domains cannot be
 * cancelled). Off voids the open renewal invoice, or asks for an adjustment request when it can't;
 * switched off less than a day before the charge, the charge still happens.
 */

import { toDbBool } from "../../db/columns.js";
import { AppError } from "../../domain/app-error.js";
import { domainSchedule } from "../../domain/domain-lifecycle.js";
import { legacyFreeApplies } from "../../domain/pricing.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { periodInvoiceFacts } from "../invoices/invoice-repository.js";
import { settledVoidOutcome, type VoidOutcome, voidOpenInvoices } from "../invoices/void-open-invoices.js";
import { markDue } from "../services/mark-due.js";
import type { ActingStaff } from "../staff/audit-log.js";
import { domainPricingFacts, findDomain } from "./domain-repository.js";

export type SetAutoRenewResult =
  | ({ ok: true; changed: boolean; chargeStillDueAt: Instant | null } & VoidOutcome)
  | { ok: false; reason: "legacy-free-renews-automatically" | "not-active" };

export async function setAutoRenew(
  deps: Deps,
  input: { serviceId: string; on: boolean; customerId?: string; reason?: string; staff?: ActingStaff },
  now: Instant,
): Promise<SetAutoRenewResult> {
  const domain = await findDomain(deps.db, input.serviceId);
  if (!domain || (input.customerId !== undefined && domain.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Domain not found.");
  }
  if (domain.status !== "active" && domain.status !== "suspended") return { ok: false, reason: "not-active" };
  // Legacy free domains have no auto-renew switch: they renew while their site stays yearly (seed 004).
  if (legacyFreeApplies(await domainPricingFacts(deps.db, domain), deps.policies.pricing)) {
    return { ok: false, reason: "legacy-free-renews-automatically" };
  }
  const none: VoidOutcome = { voided: [], deferred: [], refunded: [], needsAdjustment: [] };
  if (domain.autoRenew === input.on) return { ok: true, changed: false, chargeStillDueAt: null, ...none };

  const schedule = domainSchedule(domain.expiresAt, registrarPolicy(deps, domain.registrar));
  const renewal = await periodInvoiceFacts(deps.db, domain.serviceId, ["renewal"], domain.expiresAt);
  const chargeStillDueAt =
    !input.on && renewal === null && now > schedule.autoRenewDeadline && now < schedule.expiresAt
      ? Math.max(now, schedule.chargeAt)
      : null;
  const outcome = await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("domains")
      .set({ auto_renew: toDbBool(input.on), auto_renew_changed_at: now })
      .where("service_id", "=", domain.serviceId)
      .execute();
    await markDue(tx, domain.serviceId, now);
    await recordEvent(
      tx,
      "domain.auto_renew_changed",
      now,
      { customer: domain.customerId, service: domain.serviceId },
      {
        on: input.on,
        reason: input.reason ?? "customer",
        ...(chargeStillDueAt !== null ? { chargeStillDue: true } : {}),
        ...(input.staff ? { by: input.staff.by } : {}),
      },
    );
    await input.staff?.audit(tx);
    if (input.on || chargeStillDueAt !== null) return none;
    return voidOpenInvoices(tx, now, {
      customerId: domain.customerId,
      serviceIds: [domain.serviceId],
      about: domain.name,
      reason: "auto-renew-off",
    });
  });
  await processService(deps, domain.serviceId, now);
  return { ok: true, changed: true, chargeStillDueAt, ...(await settledVoidOutcome(deps.db, outcome)) };
}
