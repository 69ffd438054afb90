/**
 * What a domain action did, kept in the session as plain data across the 303 redirect and worded
 * on the next domains page, in the customer's language, with its links (invoice adjustment, card).
 */
import type { Money } from "../../../domain/money.js";
import type { Instant } from "../../../domain/time.js";
import type { ChargeFailure } from "../../../providers/payments/payment-gateway.js";
import { html } from "../../html.js";
import type { Flash } from "../../layout.js";
import type { Fmt, Words } from "./parts.js";

export type DomainNotice =
  | { kind: "auto-renew-on"; name: string; changed: boolean }
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
  | { kind: "reactivated"; expiresAt: Instant }
  | { kind: "reactivation-processing" }
  | { kind: "reactivation-pending" }
  | { kind: "reactivation-declined"; code: ChargeFailure }
  | { kind: "reactivation-refused"; reason: "not-in-grace" | "no-restore-fee" }
  | { kind: "transfer-code"; name: string; code: string }
  | { kind: "transfer-locked"; until: Instant }
  | { kind: "transfer-not-active" };

export function noticeFlash(ctx: Words, notice: DomainNotice, f: Fmt): Flash {
  const m = ctx.m.domains.notice;
  switch (notice.kind) {
    case "auto-renew-on":
      return {
        kind: "success",
        text: notice.changed ? m.autoRenewOn(notice.name) : m.alreadyOn(notice.name),
      };
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
    case "reactivated":
      return { kind: "success", text: m.reactivated(f.date(notice.expiresAt)) };
    case "reactivation-processing":
      return { kind: "info", text: m.reactivationProcessing };
    case "reactivation-pending":
      return { kind: "info", text: m.reactivationPending };
    case "reactivation-declined":
      return {
        kind: "error",
        text: html`${m.declined(m.failure[notice.code] ?? notice.code)} <a href="/payment-method">${m.updateCard}</a>`,
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
