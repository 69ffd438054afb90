/**
 * What a domain action did, kept in the session as plain data across the 303 redirect and worded
 * on the next domains page, in the customer's language, with its links (invoice adjustment, card).
 */
import type { Money } from "../../../domain/money.js";
import type { Instant } from "../../../domain/time.js";
import type { ChargeFailure } from "../../../providers/payments/payment-gateway.js";
import { html, type SafeHtml } from "../../html.js";
import type { Flash } from "../../layout.js";
import type { Fmt, Words } from "./parts.js";

/** A charge an action made (stored as plain data): its invoice, amount, and the gateway's answer. */
export interface ChargeNotice {
  invoice: number;
  amount: Money;
  status: "succeeded" | "failed" | "pending";
  code: string | null;
}

export type DomainNotice =
  | { kind: "auto-renew-on"; name: string; changed: boolean; charged?: ChargeNotice | null }
  | {
      kind: "auto-renew-off";
      name: string;
      changed: boolean;
      expiresAt: Instant;
      voided: number[];
      /** Voided once the payment in flight is settled. */
      deferred: number[];
      refunded: { invoice: number; amount: Money }[];
      needsAdjustment: { invoice: number; reason: "partly-paid" | "other-items" }[];
      chargeStillDueAt: Instant | null;
      offLeadDays: number;
    }
  | { kind: "auto-renew-refused"; reason: "legacy-free-renews-automatically" | "not-active" }
  | { kind: "bad-switch" }
  | {
      kind: "reactivated";
      expiresAt: Instant;
      invoice: number;
      amount: Money;
      /** Auto-renew stayed off: the notice offers to turn it on (seed 004). */
      offerAutoRenew?: { serviceId: string; back: string } | null;
    }
  | { kind: "reactivation-processing"; invoice: number; amount: Money }
  | { kind: "reactivation-pending"; invoice: number; amount: Money }
  | { kind: "reactivation-declined"; code: ChargeFailure; invoice: number; amount: Money }
  | { kind: "reactivation-refused"; reason: "not-in-grace" | "no-restore-fee" }
  | { kind: "transfer-code"; name: string; code: string }
  | { kind: "transfer-locked"; until: Instant }
  | { kind: "transfer-not-active" };

/** The "Turn auto-renew on" button offered after a reactivation (a form: no JavaScript). */
function turnOnForm(ctx: Words, csrfToken: string, serviceId: string, back: string): SafeHtml {
  return html`<form method="post" action="/domains/${encodeURIComponent(serviceId)}/auto-renew" class="actions">
    <input type="hidden" name="_csrf" value="${csrfToken}"><input type="hidden" name="on" value="1"><input type="hidden" name="back" value="${back}">
    <button type="submit">${ctx.m.domains.notice.turnOn}</button>
  </form>`;
}

function autoRenewOnFlash(
  ctx: Words,
  notice: Extract<DomainNotice, { kind: "auto-renew-on" }>,
  f: Fmt,
): Flash {
  const m = ctx.m.domains.notice;
  const c = notice.charged;
  if (!notice.changed) return { kind: "info", text: m.alreadyOn(notice.name) };
  if (!c) return { kind: "success", text: m.autoRenewOn(notice.name) };
  const amount = f.money(c.amount);
  if (c.status === "succeeded")
    return { kind: "success", text: m.autoRenewOnPaid(notice.name, c.invoice, amount) };
  if (c.status === "pending")
    return { kind: "info", text: m.autoRenewOnPending(notice.name, c.invoice, amount) };
  const reason = m.failure[c.code ?? "error"] ?? c.code ?? "";
  return {
    kind: "error",
    text: html`${m.autoRenewOnDeclined(notice.name, c.invoice, amount, reason)} <a href="/invoices/${c.invoice}">${m.payInvoice(c.invoice)}</a> · <a href="/payment-method">${m.updateCard}</a>`,
  };
}

export function noticeFlash(ctx: Words, notice: DomainNotice, f: Fmt, csrfToken = ""): Flash {
  const m = ctx.m.domains.notice;
  switch (notice.kind) {
    case "auto-renew-on":
      return autoRenewOnFlash(ctx, notice, f);
    case "auto-renew-off": {
      if (!notice.changed) return { kind: "info", text: m.alreadyOff(notice.name) };
      if (notice.chargeStillDueAt !== null) {
        return { kind: "info", text: m.chargeStillDue(f.date(notice.chargeStillDueAt), notice.offLeadDays) };
      }
      const adjustments = notice.needsAdjustment.map(
        (a) =>
          html`<p>${m.needsAdjustment(a.invoice, m.adjustmentReason[a.reason] ?? a.reason)}
            <a class="button secondary" href="/requests/new?kind=invoice-adjustment&amp;invoice=${a.invoice}">${m.adjustmentLink(a.invoice)}</a></p>`,
      );
      return {
        kind: notice.needsAdjustment.length > 0 ? "info" : "success",
        text: html`<p>${m.autoRenewOff(notice.name, f.date(notice.expiresAt))}</p>
          ${notice.voided.length > 0 ? html`<p>${m.voided(notice.voided)}</p>` : ""}${notice.refunded.map(
            (r) => html`<p>${m.refunded(r.invoice, f.money(r.amount))}</p>`,
          )}${notice.deferred.map((n) => html`<p>${m.deferred(n)}</p>`)}${adjustments}`,
      };
    }
    case "auto-renew-refused":
      return {
        kind: "error",
        text: notice.reason === "not-active" ? m.notActive : m.legacyFree,
      };
    case "bad-switch":
      return { kind: "error", text: m.badSwitch };
    case "reactivated": {
      const offer = notice.offerAutoRenew;
      const done = m.reactivated(f.date(notice.expiresAt), notice.invoice, f.money(notice.amount));
      if (!offer) return { kind: "success", text: done };
      return {
        kind: "success",
        text: html`<p>${done}</p><p>${m.offerAutoRenew(f.date(notice.expiresAt))}</p>${turnOnForm(ctx, csrfToken, offer.serviceId, offer.back)}`,
      };
    }
    case "reactivation-processing":
      return { kind: "info", text: m.reactivationProcessing(notice.invoice, f.money(notice.amount)) };
    case "reactivation-pending":
      return { kind: "info", text: m.reactivationPending(notice.invoice, f.money(notice.amount)) };
    case "reactivation-declined":
      return {
        kind: "error",
        text: html`${m.declinedInvoice(notice.invoice, f.money(notice.amount), m.failure[notice.code] ?? notice.code)} <a href="/payment-method">${m.updateCard}</a>`,
      };
    case "reactivation-refused":
      return { kind: "error", text: notice.reason === "not-in-grace" ? m.notInGrace : m.noRestoreFee };
    case "transfer-code":
      return {
        kind: "success",
        text: html`${m.transferCode(notice.name)} <code class="auth-code">${notice.code}</code> <span class="muted">${m.transferCodeHint}</span>`,
      };
    case "transfer-locked":
      return { kind: "error", text: m.transferLocked(f.date(notice.until)) };
    case "transfer-not-active":
      return { kind: "error", text: m.transferNotActive };
  }
}
