/**
 * Back office (issue 9): what staff may grant one domain, each with the reason they typed, written
 * with its `domain.override_granted` event and its audit line in the same transaction:
 *
 * - extend the grace period by N days (bounded by graceExtensionLimit, in total);
 * - waive the restore fee (an open, unpaid restore invoice that carries it is voided, so the next
 *   restore issues one without it);
 * - mark the contact e-mail verified, through the client area's path (a domain suspended for it is
 *   put back);
 * - lift the transfer lock early.
 *
 * The pure rules (src/domain/domain-lifecycle.ts) read the overrides, so the engine, the client
 * area and the back office agree on the dates and prices that follow.
 */
import { AppError } from "../../domain/app-error.js";
import {
  type DomainOverrideRequest,
  domainSchedule,
  graceExtensionLimit,
  type OverrideRefusal,
  overrideRefusal,
} from "../../domain/domain-lifecycle.js";
import type { EventDetails } from "../../domain/events.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import { type Deps, inTransaction, registrarPolicy, type Tx } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { voidInvoice } from "../invoices/invoice-repository.js";
import { markDue } from "../services/mark-due.js";
import { actorMark, type Fields, recordAudit, type StaffActor } from "../staff/audit-log.js";
import { type DomainRecord, findDomain } from "./domain-repository.js";
import { verifyDomainEmail } from "./verify-domain-email.js";

export type OverrideKind = DomainOverrideRequest["kind"];

export const OVERRIDE_ACTIONS: Record<OverrideKind, string> = {
  "extend-grace": "domain.grace-extended",
  "waive-restore-fee": "domain.restore-fee-waived",
  "verify-email": "domain.email-verified",
  "lift-transfer-lock": "domain.transfer-lock-lifted",
};

const EVENT_OVERRIDE: Record<OverrideKind, EventDetails["domain.override_granted"]["override"]> = {
  "extend-grace": "grace-extended",
  "waive-restore-fee": "restore-fee-waived",
  "verify-email": "email-verified",
  "lift-transfer-lock": "transfer-lock-lifted",
};

export type OverrideOutcome =
  | {
      ok: true;
      domain: DomainRecord;
      /** The last day of grace after an extension. */
      graceEndsAt?: Instant;
      /** A restore invoice that carried the waived fee, voided. */
      voidedInvoice?: number;
      /** The contact e-mail marked verified put a suspended domain back. */
      unsuspended?: boolean;
    }
  /** `payment-in-flight`: a restore charge awaits its outcome; the fee cannot be waived under it. */
  | { ok: false; reason: OverrideRefusal | "payment-in-flight"; limit?: number };

/** A concurrent grant changed the row between the read and the guarded write. */
class Raced extends Error {}
/** A restore charge awaits its outcome. */
class InFlight extends Error {}
/** A restore charge awaits its outcome. */
export async function grantDomainOverride(
  deps: Deps,
  input: { serviceId: string; request: DomainOverrideRequest; reason: string; actor: StaffActor },
  now: Instant,
): Promise<OverrideOutcome> {
  const reason = input.reason.trim();
  if (reason === "") throw new AppError("INVALID_INPUT", "A reason is required.");
  const domain = await findDomain(deps.db, input.serviceId);
  if (!domain) throw new AppError("NOT_FOUND", "Domain not found.");
  const policy = registrarPolicy(deps, domain.registrar);
  const request = input.request;
  const refusal = overrideRefusal(domain, request, policy, now);
  if (refusal !== null) {
    return refusal === "days-out-of-range"
      ? {
          ok: false,
          reason: refusal,
          limit: graceExtensionLimit(policy) - domain.overrides.graceExtensionDays,
        }
      : { ok: false, reason: refusal };
  }
  const refs = { customer: domain.customerId, service: domain.serviceId };
  const by = actorMark(input.actor);
  const audit = (tx: Tx, before: Fields, after: Fields) =>
    recordAudit(tx, input.actor, now, {
      action: OVERRIDE_ACTIONS[request.kind],
      objectType: "domain",
      objectId: domain.serviceId,
      customerId: domain.customerId,
      reason,
      before,
      after,
    });
  const event = (tx: Tx, extra: { days?: number; graceEndsAt?: string } = {}) =>
    recordEvent(tx, "domain.override_granted", now, refs, {
      override: EVENT_OVERRIDE[request.kind],
      by,
      reason,
      ...extra,
    });

  if (request.kind === "verify-email") {
    const { unsuspended } = await verifyDomainEmail(
      deps,
      { serviceId: domain.serviceId },
      now,
      async (tx) => {
        await event(tx);
        await audit(tx, { email_verified: false }, { email_verified: true });
      },
    );
    return { ok: true, domain, unsuspended };
  }

  try {
    const outcome = await inTransaction(deps, `domain-override:${request.kind}`, async (tx) => {
      const guarded = tx.updateTable("domains").where("service_id", "=", domain.serviceId);
      switch (request.kind) {
        case "extend-grace": {
          const total = domain.overrides.graceExtensionDays + request.days;
          const updated = await guarded
            .set({ grace_extension_days: total })
            .where("grace_extension_days", "=", domain.overrides.graceExtensionDays)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0) throw new Raced();
          const graceEndsAt = domainSchedule(domain.expiresAt, policy, {
            ...domain.overrides,
            graceExtensionDays: total,
          }).graceEndsAt;
          await event(tx, { days: request.days, graceEndsAt: formatInstant(graceEndsAt) });
          await audit(
            tx,
            { grace_extension_days: domain.overrides.graceExtensionDays },
            { grace_extension_days: total },
          );
          await markDue(tx, domain.serviceId, now);
          return { graceEndsAt };
        }
        case "waive-restore-fee": {
          const updated = await guarded
            .set({ restore_fee_waived: 1 })
            .where("restore_fee_waived", "=", 0)
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0) throw new Raced();
          const voided = await voidRestoreInvoice(tx, domain, now);
          await event(tx);
          await audit(
            tx,
            { restore_fee_waived: false, ...(voided ? { voided_invoice: null } : {}) },
            { restore_fee_waived: true, ...(voided ? { voided_invoice: voided } : {}) },
          );
          await markDue(tx, domain.serviceId, now);
          return voided === null ? {} : { voidedInvoice: voided };
        }
        case "lift-transfer-lock": {
          const before = domain.overrides.transferLockLiftedAt;
          const updated = await (before === null
            ? guarded.where("transfer_lock_lifted_at", "is", null)
            : guarded.where("transfer_lock_lifted_at", "=", before)
          )
            .set({ transfer_lock_lifted_at: now })
            .executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0) throw new Raced();
          await event(tx);
          await audit(
            tx,
            { transfer_lock_lifted_at: before === null ? null : formatInstant(before) },
            { transfer_lock_lifted_at: formatInstant(now) },
          );
          return {};
        }
      }
    });
    await processService(deps, domain.serviceId, now);
    return { ok: true, domain, ...outcome };
  } catch (error) {
    if (error instanceof Raced) return { ok: false, reason: "already" };
    if (error instanceof InFlight) return { ok: false, reason: "payment-in-flight" };
    throw error;
  }
}

/**
 * The open restore invoice of the current period, if unpaid and with no charge in flight, is voided:
 * it carries the fee just waived. A charge in flight refuses the waiver (its outcome decides first).
 */
async function voidRestoreInvoice(tx: Tx, domain: DomainRecord, now: Instant): Promise<number | null> {
  const open = await tx
    .selectFrom("invoices")
    .select(["id", "amount_paid"])
    .where("service_id", "=", domain.serviceId)
    .where("purpose", "=", "restore")
    .where("period_start_at", "=", domain.expiresAt)
    .where("status", "=", "open")
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (!open) return null;
  const inFlight = await tx
    .selectFrom("payments")
    .select("id")
    .where("invoice_id", "=", open.id)
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (inFlight || Number(open.amount_paid) > 0) throw new InFlight();
  const result = await voidInvoice(tx, open.id, now, "restore-fee-waived");
  return result === "voided" ? open.id : null;
}
