/** A paid renewal invoice extends the subscription to the period it billed, and lifts a suspension. */
import { chunks, KEYS_PER_STATEMENT } from "../../db/chunks.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import type { Tx } from "../deps.js";
import { type NewEvent, newEvent, recordEvents } from "../events/record-event.js";

/** For many paid invoices at once (an engine batch); events in invoice order. */
export async function renewSubscriptionTerms(tx: Tx, invoiceIds: number[], at: Instant): Promise<void> {
  const lines = [];
  for (const ids of chunks(invoiceIds, KEYS_PER_STATEMENT)) {
    lines.push(
      ...(await tx
        .selectFrom("invoice_lines")
        .innerJoin("subscriptions", "subscriptions.service_id", "invoice_lines.service_id")
        .innerJoin("services", "services.id", "subscriptions.service_id")
        .select([
          "invoice_lines.invoice_id as invoiceId",
          "subscriptions.service_id as serviceId",
          "subscriptions.term_ends_at as termEndsAt",
          "subscriptions.terms_since_anchor as terms",
          "invoice_lines.period_start_at as periodStart",
          "invoice_lines.period_end_at as periodEnd",
          "services.status as status",
          "services.customer_id as customerId",
        ])
        .where("invoice_lines.invoice_id", "in", ids)
        .orderBy("invoice_lines.id")
        .execute()),
    );
  }
  // A renewal invoice has one line; its first line decides, as a single read would take it.
  const lineOf = new Map<number, (typeof lines)[number]>();
  for (const line of lines) if (!lineOf.has(line.invoiceId)) lineOf.set(line.invoiceId, line);
  const events: NewEvent[] = [];
  for (const invoiceId of new Set(invoiceIds)) {
    const line = lineOf.get(invoiceId);
    // Only the period right after the current term renews it: a stale invoice changes nothing.
    if (!line || line.periodEnd === null || line.periodStart !== line.termEndsAt) continue;
    await tx
      .updateTable("subscriptions")
      .set({ term_ends_at: line.periodEnd, terms_since_anchor: line.terms + 1 })
      .where("service_id", "=", line.serviceId)
      .where("term_ends_at", "=", line.termEndsAt)
      .execute();
    const refs = { customer: line.customerId, service: line.serviceId };
    events.push(newEvent("service.renewed", at, refs, { termEndsAt: formatInstant(line.periodEnd) }));
    if (line.status === "suspended") {
      await tx.updateTable("services").set({ status: "active" }).where("id", "=", line.serviceId).execute();
      events.push(newEvent("service.unsuspended", at, refs, { reason: "paid" }));
    }
  }
  await recordEvents(tx, events);
}
