/**
 * Seed 004: during grace the owner reactivates an expired domain at the normal price, keeping its
 * original cycle (the new expiry is a year after the old one, not after the payment). During a
 * registry's redemption period the same action restores it, with the restore fee.
 */
import { AppError } from "../../domain/app-error.js";
import { reactivationWindow } from "../../domain/domain-lifecycle.js";
import { addYears, formatInstant, type Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { ChargeOutcome } from "../../providers/payments/payment-gateway.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { countPeriodInvoices, issueInvoice, periodInvoiceFacts } from "../invoices/invoice-repository.js";
import { completeCharge, insertPendingPayment } from "../payments/charge-invoice.js";
import { findDomain, quoteRenewal } from "./domain-repository.js";

export type ReactivateResult =
  | { ok: true; invoice: number; outcome: ChargeOutcome | null; expiresAt: Instant | null }
  | { ok: false; reason: "not-in-grace" | "no-restore-fee" };

export async function reactivateDomain(
  deps: Deps,
  input: { serviceId: string; customerId?: string },
  now: Instant,
): Promise<ReactivateResult> {
  const domain = await findDomain(deps.db, input.serviceId);
  if (!domain || (input.customerId !== undefined && domain.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Domain not found.");
  }
  const policy = registrarPolicy(deps, domain.registrar);
  const window = reactivationWindow(domain, policy, now);
  if (window === null) return { ok: false, reason: "not-in-grace" };
  const quote = await quoteRenewal(deps, deps.db, domain);
  const purpose = window === "reactivate" ? "reactivation" : "restore";
  const restoreFee = window === "restore" ? policy.redemption?.restoreFee[quote.price.currency] : 0;
  if (restoreFee === undefined) return { ok: false, reason: "no-restore-fee" };

  const existing = await periodInvoiceFacts(deps.db, domain.serviceId, ["reactivation", "restore"], domain.expiresAt);
  const paymentId = await deps.db.transaction().execute(async (tx) => {
    if (existing?.status === "open") return insertPendingPayment(tx, existing.id, existing.attempts + 1, now);
    const issued = await countPeriodInvoices(tx, domain.serviceId, ["reactivation", "restore"], domain.expiresAt);
    const lines = [
      {
        serviceId: domain.serviceId,
        description: `${domain.name} — ${purpose} ${policy.renewalYears} y`,
        amount: quote.price.amount,
        periodStartAt: domain.expiresAt,
        periodEndAt: addYears(domain.expiresAt, policy.renewalYears),
      },
    ];
    if (restoreFee > 0) {
      lines.push({
        serviceId: domain.serviceId,
        description: `${domain.name} — restore fee`,
        amount: restoreFee,
        periodStartAt: domain.expiresAt,
        periodEndAt: addYears(domain.expiresAt, policy.renewalYears),
      });
    }
    const invoiceId = await issueInvoice(tx, {
      customerId: domain.customerId,
      issueKey: `${purpose}:${domain.serviceId}:${formatInstant(domain.expiresAt)}:${issued + 1}`,
      serviceId: domain.serviceId,
      purpose,
      periodStartAt: domain.expiresAt,
      currency: quote.price.currency,
      issuedAt: now,
      dueAt: now,
      lines,
    });
    if (invoiceId === null) throw new AppError("CONFLICT", "A reactivation is already in progress.");
    return insertPendingPayment(tx, invoiceId, 1, now);
  });
  const outcome = await completeCharge(deps, paymentId, now);
  await processService(deps, domain.serviceId, now);
  const after = await findDomain(deps.db, domain.serviceId);
  const payment = await deps.db
    .selectFrom("payments")
    .select("invoice_id")
    .where("id", "=", paymentId)
    .executeTakeFirstOrThrow();
  return {
    ok: true,
    invoice: payment.invoice_id,
    outcome,
    expiresAt: after && after.expiresAt !== domain.expiresAt ? after.expiresAt : null,
  };
}
