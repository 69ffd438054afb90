/**
 * Seed 004: during grace the owner reactivates an expired domain at the normal price, keeping its
 * original cycle (the new expiry is a year after the old one, not after the payment). During a
 * registry's redemption period the same action restores it, with the restore fee.
 */
import { AppError } from "../../domain/app-error.js";
import { reactivationWindow, restoreFeeOf } from "../../domain/domain-lifecycle.js";
import type { Money } from "../../domain/money.js";
import { addYears, formatInstant, type Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { ChargeOutcome } from "../../providers/payments/payment-gateway.js";
import { wordedLine } from "../../views/wording.js";
import { type Db, type Deps, inTransaction, registrarPolicy } from "../deps.js";
import { countPeriodInvoices, issueInvoice, periodInvoiceFacts } from "../invoices/invoice-repository.js";
import { chargeInvoiceNow } from "../payments/charge-invoice.js";
import type { ActingStaff } from "../staff/audit-log.js";
import { findDomain, quoteRenewal } from "./domain-repository.js";

export type ReactivateResult =
  | {
      ok: true;
      invoice: number;
      /** The invoice's total: what the card was (or is being) charged. */
      amount: Money;
      outcome: ChargeOutcome | null;
      expiresAt: Instant | null;
    }
  | { ok: false; reason: "not-in-grace" | "no-restore-fee" };

async function invoiceTotal(db: Db, id: number): Promise<Money> {
  const row = await db
    .selectFrom("invoices")
    .select(["total", "currency"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return { amount: Number(row.total), currency: row.currency };
}

export async function reactivateDomain(
  deps: Deps,
  input: { serviceId: string; customerId?: string; staff?: ActingStaff },
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
  // Waived by staff (back office): 0, and the invoice has no fee line.
  const restoreFee = window === "restore" ? restoreFeeOf(policy, quote.price.currency, domain.overrides) : 0;
  if (restoreFee === undefined) return { ok: false, reason: "no-restore-fee" };

  // A reactivation already opened (a failed charge, a second click) is charged again, not duplicated.
  const existing = await periodInvoiceFacts(
    deps.db,
    domain.serviceId,
    ["reactivation", "restore"],
    domain.expiresAt,
  );
  const staff = input.staff;
  if (existing && existing.status !== "void" && staff) {
    // Staff act on the invoice already opened: their line names it (a new one is audited with it).
    await inTransaction(deps, "reactivation-staff", (tx) => staff.audit(tx, { invoice: existing.id }));
  }
  if (existing?.status === "paid") {
    // Already paid, the registry step is pending (a crash, a second click): finish it, charge nothing.
    await processService(deps, domain.serviceId, now);
    const after = await findDomain(deps.db, domain.serviceId);
    return {
      ok: true,
      invoice: existing.id,
      amount: await invoiceTotal(deps.db, existing.id),
      outcome: null,
      expiresAt: after?.expiresAt ?? null,
    };
  }
  const invoiceId =
    existing?.status === "open"
      ? existing.id
      : await inTransaction(deps, "reactivation-invoice", async (tx) => {
          const issued = await countPeriodInvoices(
            tx,
            domain.serviceId,
            ["reactivation", "restore"],
            domain.expiresAt,
          );
          const period = {
            periodStartAt: domain.expiresAt,
            periodEndAt: addYears(domain.expiresAt, policy.renewalYears),
          };
          const lines = [
            {
              serviceId: domain.serviceId,
              ...wordedLine({
                kind: purpose === "restore" ? "domain-restore" : "domain-reactivation",
                params: { domain: domain.name, years: policy.renewalYears },
              }),
              amount: quote.price.amount,
              ...period,
            },
          ];
          if (restoreFee > 0) {
            lines.push({
              serviceId: domain.serviceId,
              ...wordedLine({ kind: "domain-restore-fee", params: { domain: domain.name } }),
              amount: restoreFee,
              ...period,
            });
          }
          const id = await issueInvoice(
            tx,
            {
              customerId: domain.customerId,
              issueKey: `${purpose}:${domain.serviceId}:${formatInstant(domain.expiresAt)}:${issued + 1}`,
              serviceId: domain.serviceId,
              purpose,
              periodStartAt: domain.expiresAt,
              currency: quote.price.currency,
              issuedAt: now,
              dueAt: now,
              lines,
            },
            deps,
          );
          if (id === null) throw new AppError("CONFLICT", "A reactivation is already in progress.");
          await staff?.audit(tx, { invoice: id });
          return id;
        });
  const outcome = await chargeInvoiceNow(deps, invoiceId, now);
  await processService(deps, domain.serviceId, now);
  const after = await findDomain(deps.db, domain.serviceId);
  return {
    ok: true,
    invoice: invoiceId,
    amount: await invoiceTotal(deps.db, invoiceId),
    outcome,
    expiresAt: after && after.expiresAt !== domain.expiresAt ? after.expiresAt : null,
  };
}
