/** Applies one decided domain step: each in its own transaction, keyed so a repeat changes nothing. */
import {
  type DomainFacts,
  type DomainStep,
  domainSchedule,
  restoreFeeOf,
} from "../domain/domain-lifecycle.js";
import { addDays, addYears, formatInstant, type Instant } from "../domain/time.js";
import { type Deps, inTransaction, reach, registrarPolicy } from "../modules/deps.js";
import { applyRegistrarRenewal } from "../modules/domains/apply-registrar-renewal.js";
import type { DomainRecord } from "../modules/domains/domain-repository.js";
import { recordEvent } from "../modules/events/record-event.js";
import { countPeriodInvoicesOf, findInvoice, issueInvoices } from "../modules/invoices/invoice-repository.js";
import { voidOpenInvoices } from "../modules/invoices/void-open-invoices.js";
import { queueNotice } from "../modules/notifications/queue-notice.js";
import {
  completeCharges,
  insertPendingPayments,
  resolvePendingPayments,
} from "../modules/payments/charge-invoice.js";
import { wordedLine } from "../views/wording.js";

export async function applyDomainStep(
  deps: Deps,
  domain: DomainRecord,
  facts: DomainFacts,
  step: DomainStep,
  now: Instant,
): Promise<void> {
  const policy = registrarPolicy(deps, domain.registrar);
  const schedule = domainSchedule(domain.expiresAt, policy, domain.overrides);
  const refs = { customer: domain.customerId, service: domain.serviceId };
  const notice = { customerId: domain.customerId, serviceId: domain.serviceId, about: domain.name };
  const registrar = deps.registrarFor(domain.registrar);

  switch (step.kind) {
    case "resolve-payment":
      return resolvePendingPayments(deps, domain.serviceId, now);

    case "renew-at-registrar": {
      const invoice = await findInvoice(deps.db, step.invoiceId);
      const basis = invoice?.purpose === "renewal" ? facts.quote.basis : (invoice?.purpose ?? "renewal");
      return applyRegistrarRenewal(deps, domain, { amount: invoice?.total ?? facts.quote.price, basis }, now);
    }

    case "renew-free":
      return applyRegistrarRenewal(
        deps,
        domain,
        { amount: facts.quote.price, basis: facts.quote.basis },
        now,
      );

    case "send-verification-notice":
      await inTransaction(deps, "domain:send-verification-notice", (tx) =>
        queueNotice(tx, now, {
          ...notice,
          template: "verification-required",
          marker: domain.registeredAt,
          data: { deadline: addDays(domain.registeredAt, policy.verificationDays) },
        }),
      );
      return;

    case "suspend-unverified":
      await registrar.hold(domain.name);
      await inTransaction(deps, "domain:suspend-unverified", async (tx) => {
        const updated = await tx
          .updateTable("services")
          .set({ status: "suspended" })
          .where("id", "=", domain.serviceId)
          .where("status", "=", "active")
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        await recordEvent(tx, "domain.suspended", now, refs, { reason: "email-unverified" });
        await queueNotice(tx, now, {
          ...notice,
          template: "domain-suspended",
          marker: domain.registeredAt,
          data: { reason: "email-unverified" },
        });
      });
      return;

    case "send-renewal-notice": {
      const customer = await deps.db
        .selectFrom("customers")
        .select("card_label")
        .where("id", "=", domain.customerId)
        .executeTakeFirstOrThrow();
      await inTransaction(deps, "domain:send-renewal-notice", (tx) =>
        queueNotice(tx, now, {
          ...notice,
          template: "renewal-upcoming",
          marker: domain.expiresAt,
          data: {
            chargeAt: schedule.chargeAt,
            expiresAt: domain.expiresAt,
            autoRenewDeadline: schedule.autoRenewDeadline,
            price: facts.quote.price,
            cardLabel: customer.card_label,
          },
        }),
      );
      return;
    }

    case "send-expiry-warning":
      await inTransaction(deps, "domain:send-expiry-warning", (tx) =>
        queueNotice(tx, now, {
          ...notice,
          template: "expiry-warning",
          marker: `${formatInstant(domain.expiresAt)}-${step.daysBefore}d`,
          data: { expiresAt: domain.expiresAt, daysBefore: step.daysBefore },
        }),
      );
      return;

    case "lapse-legacy-offer":
      // Seed 004: the site lapsed, so the legacy offer ends and auto-renew goes off. This is the
      // system's change, not the customer's: it is not subject to the one-day rule (changed_at null).
      await inTransaction(deps, "domain:lapse-legacy-offer", async (tx) => {
        const updated = await tx
          .updateTable("domains")
          .set({ legacy_lost_reason: "site-lapsed", auto_renew: 0, auto_renew_changed_at: null })
          .where("service_id", "=", domain.serviceId)
          .where("legacy_lost_reason", "is", null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        await recordEvent(tx, "domain.auto_renew_changed", now, refs, {
          on: false,
          reason: "legacy-site-lapsed",
        });
      });
      return;

    case "charge":
      return chargeDomainRenewals(deps, [{ domain, facts, step }], now);

    case "expire":
      await registrar.hold(domain.name);
      await inTransaction(deps, "domain:expire", async (tx) => {
        const updated = await tx
          .updateTable("services")
          .set({ status: "expired" })
          .where("id", "=", domain.serviceId)
          .where("status", "in", ["active", "suspended"])
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        await tx
          .updateTable("domains")
          .set({ site_connected: 0 })
          .where("service_id", "=", domain.serviceId)
          .execute();
        await voidOpenInvoices(tx, now, {
          customerId: domain.customerId,
          serviceIds: [domain.serviceId],
          about: domain.name,
          reason: "domain-expired",
        });
        await recordEvent(tx, "domain.expired", now, refs, {
          name: domain.name,
          graceEndsAt: formatInstant(schedule.graceEndsAt),
        });
        await queueNotice(tx, now, {
          ...notice,
          template: "domain-expired",
          marker: domain.expiresAt,
          data: {
            expiresAt: domain.expiresAt,
            graceEndsAt: schedule.graceEndsAt,
            reactivationPrice: facts.quote.price,
          },
        });
      });
      return;

    case "start-redemption":
      await inTransaction(deps, "domain:start-redemption", async (tx) => {
        const updated = await tx
          .updateTable("services")
          .set({ status: "redemption" })
          .where("id", "=", domain.serviceId)
          .where("status", "=", "expired")
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        // Waived by staff: the event says no fee, as for a registry without one.
        const fee = restoreFeeOf(policy, facts.quote.price.currency, domain.overrides) || undefined;
        await recordEvent(tx, "domain.redemption_started", now, refs, {
          name: domain.name,
          until: formatInstant(schedule.pendingDeleteStartsAt ?? schedule.releaseAt),
          restoreFee: fee === undefined ? null : { amount: fee, currency: facts.quote.price.currency },
        });
      });
      return;

    case "release":
      await registrar.delete(domain.name);
      await inTransaction(deps, "domain:release", async (tx) => {
        const updated = await tx
          .updateTable("services")
          .set({ status: "released" })
          .where("id", "=", domain.serviceId)
          .where("status", "in", ["expired", "redemption"])
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return;
        await voidOpenInvoices(tx, now, {
          customerId: domain.customerId,
          serviceIds: [domain.serviceId],
          about: domain.name,
          reason: "domain-released",
        });
        await recordEvent(tx, "domain.released", now, refs, { name: domain.name });
      });
      return;
  }
}

/**
 * The renewal charge of many domains at once (an engine batch): the renewal invoice where the
 * first attempt needs one, and the pending payments, in one transaction; then the gateway and
 * the outcomes (two-phase, see charge-invoice.ts).
 */
export async function chargeDomainRenewals(
  deps: Deps,
  charges: { domain: DomainRecord; facts: DomainFacts; step: Extract<DomainStep, { kind: "charge" }> }[],
  now: Instant,
): Promise<void> {
  const paymentIds = await inTransaction(deps, "domain:charge", async (tx) => {
    const toIssue = charges.filter((c) => c.step.invoiceId === null);
    const issued = await countPeriodInvoicesOf(
      tx,
      toIssue.map(({ domain }) => ({ serviceId: domain.serviceId, periodStartAt: domain.expiresAt })),
      ["renewal"],
    );
    const invoiceIds = await issueInvoices(
      tx,
      toIssue.map(({ domain, facts }) => {
        const policy = registrarPolicy(deps, domain.registrar);
        const key = `renew:${domain.serviceId}:${formatInstant(domain.expiresAt)}:${(issued.get(domain.serviceId) ?? 0) + 1}`;
        return {
          customerId: domain.customerId,
          issueKey: key,
          serviceId: domain.serviceId,
          purpose: "renewal" as const,
          periodStartAt: domain.expiresAt,
          currency: facts.quote.price.currency,
          issuedAt: now,
          dueAt: domainSchedule(domain.expiresAt, policy).chargeAt,
          lines: [
            {
              serviceId: domain.serviceId,
              ...wordedLine({
                kind: "domain-renewal",
                params: { domain: domain.name, years: policy.renewalYears },
              }),
              amount: facts.quote.price.amount,
              periodStartAt: domain.expiresAt,
              periodEndAt: addYears(domain.expiresAt, policy.renewalYears),
            },
          ],
        };
      }),
      deps,
    );
    const newInvoice = new Map(toIssue.map(({ domain }, i) => [domain.serviceId, invoiceIds[i] ?? null]));
    // An invoice whose key was already used (another worker issued it): nothing to charge here.
    const pending = charges.flatMap(({ domain, step }) => {
      const invoiceId = step.invoiceId ?? newInvoice.get(domain.serviceId) ?? null;
      return invoiceId === null ? [] : [{ invoiceId, attempt: step.attempt }];
    });
    return insertPendingPayments(deps, tx, pending, now);
  });
  if (paymentIds.length === 0) return;
  reach(deps, "charge:pending-committed");
  await completeCharges(deps, paymentIds, now);
}
