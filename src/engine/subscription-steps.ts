/** Applies one decided subscription step, each in its own transaction and idempotent. */
import { type SubscriptionStep, subscriptionSchedule, termEnd } from "../domain/subscription-lifecycle.js";
import { formatInstant, type Instant } from "../domain/time.js";
import { type Deps, inTransaction, reach } from "../modules/deps.js";
import { recordEvent } from "../modules/events/record-event.js";
import {
  countPeriodInvoicesOf,
  findInvoice,
  issueInvoicesTaxed,
  type NewInvoice,
} from "../modules/invoices/invoice-repository.js";
import { voidOpenInvoices } from "../modules/invoices/void-open-invoices.js";
import { queueNotice, queueNotices } from "../modules/notifications/queue-notice.js";
import {
  completeCharges,
  insertPendingPayments,
  resolvePendingPayments,
} from "../modules/payments/charge-invoice.js";
import type { SubscriptionRecord } from "../modules/services/subscription-repository.js";
import { findPendingCancellation } from "../modules/services/subscription-repository.js";
import { serviceNames, wordedLine } from "../views/wording.js";

export async function applySubscriptionStep(
  deps: Deps,
  sub: SubscriptionRecord,
  step: SubscriptionStep,
  now: Instant,
): Promise<void> {
  const policy = deps.policies.billing;
  const schedule = subscriptionSchedule(sub.termEndsAt, policy);
  const refs = { customer: sub.customerId, service: sub.serviceId };
  const notice = { customerId: sub.customerId, serviceId: sub.serviceId, about: serviceNames(sub) };

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
          about: serviceNames(sub),
          reason: "service-cancelled",
        });
        await recordEvent(tx, "service.cancelled", now, refs, {
          when: cancellation.when,
          ...(cancellation.carriedOutBy ? { by: cancellation.carriedOutBy } : {}),
        });
      });
      return;

    case "issue-invoice":
      return issueRenewalInvoices(deps, [sub], now);

    case "charge":
      return chargeRenewalInvoices(deps, [step], now);

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
          about: serviceNames(sub),
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

/**
 * The renewal invoice of the next term, for many subscriptions at once (an engine batch), with its
 * notice; one transaction. The issue key makes a second issue for the same period a no-op.
 */
export async function issueRenewalInvoices(deps: Deps, subs: SubscriptionRecord[], now: Instant) {
  await inTransaction(deps, "subscription:issue-invoice", async (tx) => {
    const issued = await countPeriodInvoicesOf(
      tx,
      subs.map((sub) => ({ serviceId: sub.serviceId, periodStartAt: sub.termEndsAt })),
      ["renewal"],
    );
    const invoices: NewInvoice[] = subs.map((sub) => ({
      customerId: sub.customerId,
      issueKey: `renew:${sub.serviceId}:${formatInstant(sub.termEndsAt)}:${(issued.get(sub.serviceId) ?? 0) + 1}`,
      serviceId: sub.serviceId,
      purpose: "renewal",
      periodStartAt: sub.termEndsAt,
      currency: sub.currency,
      issuedAt: now,
      dueAt: sub.termEndsAt,
      lines: [
        {
          serviceId: sub.serviceId,
          ...wordedLine({
            kind: "subscription-renewal",
            params: { names: serviceNames(sub), plan: sub.plan },
          }),
          amount: sub.price,
          periodStartAt: sub.termEndsAt,
          periodEndAt: termEnd(sub.anchorAt, sub.termsSinceAnchor + 1, sub.plan),
        },
      ],
    }));
    const written = await issueInvoicesTaxed(tx, invoices, deps);
    await queueNotices(
      tx,
      now,
      subs.flatMap((sub, i) => {
        const invoiceId = written[i]?.id;
        const invoice = invoices[i];
        if (invoiceId === undefined || !invoice) return [];
        return [
          {
            customerId: sub.customerId,
            serviceId: sub.serviceId,
            about: serviceNames(sub),
            template: "invoice-issued" as const,
            marker: invoice.issueKey,
            data: {
              invoiceNumber: invoiceId,
              amount: written[i]?.total ?? { amount: sub.price, currency: sub.currency },
              dueAt: sub.termEndsAt,
            },
          },
        ];
      }),
    );
  });
}

/** Charges many renewal invoices (two-phase, see charge-invoice.ts): pending rows, gateway, outcomes. */
export async function chargeRenewalInvoices(
  deps: Deps,
  charges: { invoiceId: number; attempt: number }[],
  now: Instant,
) {
  const paymentIds = await inTransaction(deps, "subscription:charge", (tx) =>
    insertPendingPayments(deps, tx, charges, now),
  );
  reach(deps, "charge:pending-committed");
  await completeCharges(deps, paymentIds, now);
}
