/** A paid renewal invoice extends the subscription to the period it billed, and lifts a suspension. */
import { formatInstant, type Instant } from "../../domain/time.js";
import type { Tx } from "../deps.js";
import { recordEvent } from "../events/record-event.js";

export async function renewSubscriptionTerm(tx: Tx, invoiceId: number, at: Instant): Promise<void> {
  const line = await tx
    .selectFrom("invoice_lines")
    .innerJoin("subscriptions", "subscriptions.service_id", "invoice_lines.service_id")
    .innerJoin("services", "services.id", "subscriptions.service_id")
    .select([
      "subscriptions.service_id as serviceId",
      "subscriptions.term_ends_at as termEndsAt",
      "subscriptions.terms_since_anchor as terms",
      "invoice_lines.period_start_at as periodStart",
      "invoice_lines.period_end_at as periodEnd",
      "services.status as status",
      "services.customer_id as customerId",
    ])
    .where("invoice_lines.invoice_id", "=", invoiceId)
    .executeTakeFirst();
  // Only the period right after the current term renews it: a stale invoice changes nothing.
  if (!line || line.periodEnd === null || line.periodStart !== line.termEndsAt) return;
  await tx
    .updateTable("subscriptions")
    .set({ term_ends_at: line.periodEnd, terms_since_anchor: line.terms + 1 })
    .where("service_id", "=", line.serviceId)
    .where("term_ends_at", "=", line.termEndsAt)
    .execute();
  const refs = { customer: line.customerId, service: line.serviceId };
  await recordEvent(tx, "service.renewed", at, refs, { termEndsAt: formatInstant(line.periodEnd) });
  if (line.status === "suspended") {
    await tx.updateTable("services").set({ status: "active" }).where("id", "=", line.serviceId).execute();
    await recordEvent(tx, "service.unsuspended", at, refs, { reason: "paid" });
  }
}
