/** The customer pays an open invoice with the card on file: one more attempt, under its own key. */
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { ChargeOutcome } from "../../providers/payments/payment-gateway.js";
import type { Deps } from "../deps.js";
import { chargeInvoiceNow, findPendingPayment } from "../payments/charge-invoice.js";
import { findInvoice } from "./invoice-repository.js";

export type PayInvoiceResult =
  | {
      ok: true;
      outcome: ChargeOutcome | null;
      /** No outcome yet: the bank has not answered, the payment is pending and asked about again. */
      isAwaitingBank: boolean;
    }
  | { ok: false; reason: "not-open" };

export async function payInvoice(
  deps: Deps,
  input: { invoiceId: number; customerId?: string },
  now: Instant,
): Promise<PayInvoiceResult> {
  const invoice = await findInvoice(deps.db, input.invoiceId);
  if (!invoice || (input.customerId !== undefined && invoice.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Invoice not found.");
  }
  if (invoice.status !== "open") return { ok: false, reason: "not-open" };
  const outcome = await chargeInvoiceNow(deps, invoice.id, now);
  if (invoice.serviceId) await processService(deps, invoice.serviceId, now);
  const isAwaitingBank = outcome === null && (await findPendingPayment(deps.db, invoice.id)) !== null;
  return { ok: true, outcome, isAwaitingBank };
}

/** The open invoice of a service, if any (most recent first). */
export async function findOpenInvoiceOf(deps: Deps, serviceId: string): Promise<number | null> {
  const row = await deps.db
    .selectFrom("invoices")
    .select("id")
    .where("service_id", "=", serviceId)
    .where("status", "=", "open")
    .orderBy("id", "desc")
    .executeTakeFirst();
  return row?.id ?? null;
}
