/**
 * Seed 004 and 000: the customer turns auto-renew off to let a domain expire (domains cannot be
 * cancelled). Off voids the open renewal invoice, or asks for an adjustment request when it can't;
 * switched off less than a day before the charge, the charge still happens. Turned back on past
 * its payment date (a past-due domain), the renewal is charged at once: the client area asks
 * first with the amount (previewAutoRenewOn), and the result names the invoice and the amount.
 */

import { toDbBool } from "../../db/columns.js";
import { AppError } from "../../domain/app-error.js";
import { domainSchedule, lifecycleSteps } from "../../domain/domain-lifecycle.js";
import type { Money } from "../../domain/money.js";
import { legacyFreeApplies } from "../../domain/pricing.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { periodInvoiceFacts } from "../invoices/invoice-repository.js";
import { settledVoidOutcome, type VoidOutcome, voidOpenInvoices } from "../invoices/void-open-invoices.js";
import { markDue } from "../services/mark-due.js";
import type { ActingStaff } from "../staff/audit-log.js";
import { type DomainRecord, domainPricingFacts, findDomain, loadDomainFacts } from "./domain-repository.js";

/** A charge this action made: its invoice, amount and what the gateway said. */
export interface ChargeMade {
  invoice: number;
  amount: Money;
  status: "succeeded" | "failed" | "pending";
  /** The gateway's failure code, for a failed charge. */
  code: string | null;
}

export type SetAutoRenewResult =
  | ({
      ok: true;
      changed: boolean;
      chargeStillDueAt: Instant | null;
      /** Turned on past the payment date: the renewal charged at once (null when none was made). */
      charged: ChargeMade | null;
    } & VoidOutcome)
  | { ok: false; reason: "legacy-free-renews-automatically" | "not-active" };

export type AutoRenewOnPreview =
  | {
      ok: true;
      domain: DomainRecord;
      alreadyOn: boolean;
      /** Turning it on charges the card at once (the payment date has passed): what and how much. */
      chargeNow: { amount: Money; cardLabel: string | null } | null;
    }
  | { ok: false; reason: "legacy-free-renews-automatically" | "not-active" };

/**
 * What turning auto-renew on at `now` would do, asked by the engine's own rules: whether a charge
 * would be due at once (the payment date has passed, nothing paid for this period), and how much.
 */
export async function previewAutoRenewOn(
  deps: Deps,
  input: { serviceId: string; customerId?: string },
  now: Instant,
): Promise<AutoRenewOnPreview> {
  const domain = await findDomain(deps.db, input.serviceId);
  if (!domain || (input.customerId !== undefined && domain.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Domain not found.");
  }
  if (domain.status !== "active" && domain.status !== "suspended") return { ok: false, reason: "not-active" };
  if (legacyFreeApplies(await domainPricingFacts(deps.db, domain), deps.policies.pricing)) {
    return { ok: false, reason: "legacy-free-renews-automatically" };
  }
  if (domain.autoRenew) return { ok: true, domain, alreadyOn: true, chargeNow: null };
  const facts = await loadDomainFacts(deps, domain);
  const policy = registrarPolicy(deps, domain.registrar);
  const steps = lifecycleSteps({ ...facts, autoRenew: true, autoRenewChangedAt: now }, policy, now);
  const charges = steps.some((step) => step.kind === "charge" && step.at <= now);
  const customer = await deps.db
    .selectFrom("customers")
    .select("card_label")
    .where("id", "=", domain.customerId)
    .executeTakeFirst();
  return {
    ok: true,
    domain,
    alreadyOn: false,
    chargeNow:
      charges && facts.quote.price.amount > 0
        ? { amount: facts.quote.price, cardLabel: customer?.card_label ?? null }
        : null,
  };
}

/** The last payment id for this domain's invoices, to find the charges an action made after it. */
async function lastPaymentId(deps: Deps, serviceId: string): Promise<number> {
  const row = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select((eb) => eb.fn.max("payments.id").as("last"))
    .where("invoices.service_id", "=", serviceId)
    .executeTakeFirst();
  return row?.last === null || row?.last === undefined ? 0 : Number(row.last);
}

/** The latest charge made for this domain's invoices since payment `after`, if any. */
export async function chargeMadeSince(
  deps: Deps,
  serviceId: string,
  after: number,
): Promise<ChargeMade | null> {
  const row = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select([
      "payments.invoice_id",
      "payments.amount",
      "payments.currency",
      "payments.status",
      "payments.failure_code",
    ])
    .where("invoices.service_id", "=", serviceId)
    .where("payments.id", ">", after)
    .orderBy("payments.id", "desc")
    .executeTakeFirst();
  if (!row) return null;
  const status = row.status === "succeeded" ? "succeeded" : row.status === "pending" ? "pending" : "failed";
  return {
    invoice: Number(row.invoice_id),
    amount: { amount: Number(row.amount), currency: row.currency },
    status,
    code: status === "failed" ? (row.failure_code ?? "error") : null,
  };
}

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
  if (domain.autoRenew === input.on)
    return { ok: true, changed: false, chargeStillDueAt: null, charged: null, ...none };
  const paymentsBefore = input.on ? await lastPaymentId(deps, domain.serviceId) : 0;

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
  const charged = input.on ? await chargeMadeSince(deps, domain.serviceId, paymentsBefore) : null;
  return {
    ok: true,
    changed: true,
    chargeStillDueAt,
    charged,
    ...(await settledVoidOutcome(deps.db, outcome)),
  };
}
