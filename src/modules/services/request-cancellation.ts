/**
 * Seed 000: a cancellation is requested from the authenticated client area with a short reason,
 * immediate (carried out within 24 h) or at the end of the contract, optionally stopping the
 * renewal of domains registered with the service. Open renewal invoices are voided, or the
 * customer is asked for an invoice-adjustment request when that cannot be done automatically.
 */
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { cancellationEffectiveAt } from "../../domain/subscription-lifecycle.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { Deps } from "../deps.js";
import { type SetAutoRenewResult, setAutoRenew } from "../domains/set-auto-renew.js";
import { recordEvent } from "../events/record-event.js";
import { settledVoidOutcome, type VoidOutcome, voidOpenInvoices } from "../invoices/void-open-invoices.js";
import { queueNotice } from "../notifications/queue-notice.js";
import type { ActingStaff } from "../staff/audit-log.js";
import { markDue } from "./mark-due.js";
import { findPendingCancellation, findSubscription } from "./subscription-repository.js";

export const cancellationRequestSchema = z.strictObject({
  when: z.enum(["immediate", "end-of-term"]),
  reason: z.string().trim().min(3, "a short reason is required").max(1000),
  stopDomainRenewal: z.array(z.string().min(1)).default([]),
});
export type CancellationRequest = z.input<typeof cancellationRequestSchema>;

export type RequestCancellationResult =
  | ({ ok: true; effectiveAt: Instant; domains: Record<string, SetAutoRenewResult> } & VoidOutcome)
  | { ok: false; reason: "already-pending" | "not-active" | "domain-not-linked"; domain?: string };

export async function requestCancellation(
  deps: Deps,
  input: {
    serviceId: string;
    customerId?: string;
    requestedBy: string;
    request: CancellationRequest;
    /** A staff member asking for the customer (back office). */
    staff?: ActingStaff;
  },
  now: Instant,
): Promise<RequestCancellationResult> {
  const parsed = cancellationRequestSchema.safeParse(input.request);
  if (!parsed.success) {
    throw new AppError(
      "INVALID_INPUT",
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    );
  }
  const request = parsed.data;
  const sub = await findSubscription(deps.db, input.serviceId);
  if (!sub || (input.customerId !== undefined && sub.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Service not found.");
  }
  if (sub.status !== "active" && sub.status !== "suspended") return { ok: false, reason: "not-active" };
  if (await findPendingCancellation(deps.db, sub.serviceId)) return { ok: false, reason: "already-pending" };
  for (const domainId of request.stopDomainRenewal) {
    const linked = await deps.db
      .selectFrom("domains")
      .select("service_id")
      .where("service_id", "=", domainId)
      .where("site_service_id", "=", sub.serviceId)
      .executeTakeFirst();
    if (!linked) return { ok: false, reason: "domain-not-linked", domain: domainId };
  }
  const effectiveAt = cancellationEffectiveAt(request.when, now, sub.termEndsAt, deps.policies.billing);
  const refs = { customer: sub.customerId, service: sub.serviceId };
  const voided = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("cancellation_requests")
      .values({
        service_id: sub.serviceId,
        reason: request.reason,
        mode: request.when,
        stop_domain_ids: JSON.stringify(request.stopDomainRenewal),
        status: "pending",
        requested_at: now,
        effective_at: effectiveAt,
        requested_by: input.requestedBy,
        closed_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await markDue(tx, sub.serviceId, now);
    await recordEvent(tx, "service.cancellation_requested", now, refs, {
      when: request.when,
      effectiveAt: formatInstant(effectiveAt),
      reason: request.reason,
      ...(input.staff ? { by: input.staff.by } : {}),
    });
    await input.staff?.audit(tx);
    await queueNotice(tx, now, {
      template: "cancellation-confirmed",
      customerId: sub.customerId,
      serviceId: sub.serviceId,
      marker: `cancellation-${row.id}`,
      about: sub.label,
      data: { when: request.when, effectiveAt, reason: request.reason },
    });
    return voidOpenInvoices(tx, now, {
      customerId: sub.customerId,
      serviceIds: [sub.serviceId],
      about: sub.label,
      reason: "cancellation-requested",
    });
  });
  const domains: Record<string, SetAutoRenewResult> = {};
  for (const domainId of request.stopDomainRenewal) {
    domains[domainId] = await setAutoRenew(
      deps,
      { serviceId: domainId, on: false, reason: "service-cancellation" },
      now,
    );
  }
  await processService(deps, sub.serviceId, now);
  return { ok: true, effectiveAt, domains, ...(await settledVoidOutcome(deps.db, voided)) };
}
