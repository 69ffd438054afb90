/** Applies one decided subscription step, each in its own transaction and idempotent. */
import { type SubscriptionStep, subscriptionSchedule, termEnd } from "../domain/subscription-lifecycle.js";
import { formatInstant, type Instant } from "../domain/time.js";
import { type Deps, inTransaction, reach } from "../modules/deps.js";
import { recordEvent } from "../modules/events/record-event.js";
import { countPeriodInvoices, findInvoice, issueInvoice } from "../modules/invoices/invoice-repository.js";
import { voidOpenInvoices } from "../modules/invoices/void-open-invoices.js";
import { queueNotice } from "../modules/notifications/queue-notice.js";
import {
  completeCharge,
  insertPendingPayment,
  resolvePendingPayments,
} from "../modules/payments/charge-invoice.js";
import type { SubscriptionRecord } from "../modules/services/subscription-repository.js";
import { findPendingCancellation } from "../modules/services/subscription-repository.js";

export async function applySubscriptionStep(
  deps: Deps,
  sub: SubscriptionRecord,
  step: SubscriptionStep,
  now: Instant,
): Promise<void> {
  const policy = deps.policies.billing;
  const schedule = subscriptionSchedule(sub.termEndsAt, policy);
  const refs = { customer: sub.customerId, service: sub.serviceId };
  const notice = { customerId: sub.customerId, serviceId: sub.serviceId, about: sub.label };

  switch (step.kind) {
    case "resolve-payment":
      return resolvePendingPayments(deps, sub.serviceId, now);

    case "cancel":
      await inTransaction(deps, "subscription:cancel", async (tx) => {
        const cancellation = await findPendingCancellation(tx, sub.serviceId);
        if (!cancellation) return;
        await tx
          .updateTable("cancellation_requests")
          .set({ status: "done", closed_at: now })
          .where("id", "=", cancellation.id)
          .where("status", "=", "pending")
          .execute();
        await tx
          .updateTable("services")
          .set({ status: "cancelled" })
          .where("id", "=", sub.serviceId)
          .execute();
        await voidOpenInvoices(tx, now, {
          customerId: sub.customerId,
          serviceIds: [sub.serviceId],
          about: sub.label,
          reason: "service-cancelled",
        });
        await recordEvent(tx, "service.cancelled", now, refs, { when: cancellation.when });
      });
      return;

    case "issue-invoice":
      await inTransaction(deps, "subscription:issue-invoice", async (tx) => {
        const issued = await countPeriodInvoices(tx, sub.serviceId, ["renewal"], sub.termEndsAt);
        const issueKey = `renew:${sub.serviceId}:${formatInstant(sub.termEndsAt)}:${issued + 1}`;
        const invoiceId = await issueInvoice(tx, {
          customerId: sub.customerId,
          issueKey,
          serviceId: sub.serviceId,
          purpose: "renewal",
          periodStartAt: sub.termEndsAt,
          currency: sub.currency,
          issuedAt: now,
          dueAt: sub.termEndsAt,
          lines: [
            {
              serviceId: sub.serviceId,
              description: `${sub.label} — ${sub.plan}`,
              amount: sub.price,
              periodStartAt: sub.termEndsAt,
              periodEndAt: termEnd(sub.anchorAt, sub.termsSinceAnchor + 1, sub.plan),
            },
          ],
        });
        if (invoiceId === null) return;
        await queueNotice(tx, now, {
          ...notice,
          template: "invoice-issued",
          marker: issueKey,
          data: {
            invoiceNumber: invoiceId,
            amount: { amount: sub.price, currency: sub.currency },
            dueAt: sub.termEndsAt,
          },
        });
      });
      return;

    case "charge": {
      const paymentId = await inTransaction(deps, "subscription:charge", (tx) =>
        insertPendingPayment(tx, step.invoiceId, step.attempt, now),
      );
      reach(deps, "charge:pending-committed");
      await completeCharge(deps, paymentId, now);
      return;
    }

    case "suspend": {
      const invoice = await findInvoice(deps.db, step.invoiceId);
      await inTransaction(deps, "subscription:suspend", async (tx) => {
        const updated = await tx
          .updateTable("services")
          .set({ status: "suspended" })
          .where("id", "=", sub.serviceId)
          .where("status", "=", "active")
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0 || !invoice) return;
        await recordEvent(tx, "service.suspended", now, refs, { reason: "unpaid" });
        await queueNotice(tx, now, {
          ...notice,
          template: "service-suspended",
          marker: sub.termEndsAt,
          data: { invoiceNumber: invoice.id, amount: invoice.total, terminateAt: schedule.terminateAt },
        });
      });
      return;
    }

    case "terminate":
      await inTransaction(deps, "subscription:terminate", async (tx) => {
        const updated = await tx
          .updateTable("services")
          .set({ status: "terminated" })
          .where("id", "=", sub.serviceId)
          .where("status", "in", ["active", "suspended"])
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        await voidOpenInvoices(tx, now, {
          customerId: sub.customerId,
          serviceIds: [sub.serviceId],
          about: sub.label,
          reason: "service-terminated",
        });
        await recordEvent(tx, "service.terminated", now, refs, { reason: "unpaid" });
        await queueNotice(tx, now, {
          ...notice,
          template: "service-terminated",
          marker: sub.termEndsAt,
          data: { invoiceNumber: step.invoiceId },
        });
      });
      return;
  }
}
