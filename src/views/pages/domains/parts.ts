/** Pieces shared by the domains pages: the Status sentence, the price, the auto-renew switch, Reactivate. */
import { formatMoney, type Money } from "../../../domain/money.js";
import type { Instant } from "../../../domain/time.js";
import type { DomainState, DomainView } from "../../../modules/domains/list-domains.js";
import { formatLongDate } from "../../format.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";

export interface Fmt {
  date(at: Instant): string;
  money(value: Money): string;
}

/** What wording needs from the page: the language and its catalog. */
export type Words = Pick<PageContext, "locale" | "m">;

export function fmt(ctx: Words, timeZone: string): Fmt {
  return {
    date: (at) => formatLongDate(at, ctx.locale, timeZone),
    money: (value) => formatMoney(value, ctx.locale),
  };
}

export function stateText(ctx: PageContext, state: DomainState, f: Fmt): string {
  const m = ctx.m.domains.state;
  switch (state.kind) {
    case "renews":
      return m.renews(f.date(state.paymentAt));
    case "renews-free":
      return m.renewsFree(f.date(state.renewsAt));
    case "legacy-ends":
      return m.legacyEnds(f.date(state.siteEndsAt), f.date(state.expiresAt));
    case "past-due":
      return state.nextAttemptAt !== null
        ? m.pastDue(f.date(state.nextAttemptAt))
        : m.pastDueLast(f.date(state.expiresAt));
    case "payment-pending":
      return m.paymentPending;
    case "renewal-paid":
      return m.renewalPaid;
    case "will-expire":
      return m.willExpire(f.date(state.expiresAt));
    case "grace":
      return m.grace(f.date(state.until));
    case "redemption":
      return m.redemption(f.date(state.until));
    case "expired":
      return m.expired;
    case "ended":
      return m.ended[state.status] ?? ctx.m.common.status[state.status] ?? state.status;
    case "no-price":
      return m.noPrice;
  }
}

const STATE_BADGE: Record<DomainState["kind"], string> = {
  renews: "active",
  "renews-free": "active",
  "legacy-ends": "pending",
  "past-due": "open",
  "payment-pending": "pending",
  "renewal-paid": "paid",
  "will-expire": "pending",
  grace: "expired",
  redemption: "redemption",
  expired: "expired",
  ended: "released",
  "no-price": "open",
};

/** The Status column: why it is suspended (if it is), then where it stands in its renewal cycle. */
export function statusCell(ctx: PageContext, view: DomainView, f: Fmt): SafeHtml {
  const m = ctx.m.domains.state;
  const suspended =
    view.suspension === null
      ? ""
      : html`<span class="badge badge-suspended">${view.suspension === "unverified" ? m.suspendedUnverified : m.suspended}</span><br>`;
  const verify =
    view.verifyBy === null
      ? ""
      : html`<span class="badge badge-pending">${m.verifyBy(f.date(view.verifyBy))}</span><br>`;
  const invoice =
    view.state.kind === "past-due"
      ? html` <a href="/invoices/${view.state.invoice}">${ctx.m.domains.payInvoice(view.state.invoice)}</a>`
      : "";
  return html`${suspended}${verify}<span class="badge badge-${STATE_BADGE[view.state.kind]}">${stateText(ctx, view.state, f)}</span>${invoice}`;
}

export function priceText(ctx: PageContext, view: DomainView, f: Fmt): string {
  if (view.quote === null) return ctx.m.domains.none;
  if (view.quote.basis === "legacy-free" && view.quote.price.amount === 0) return ctx.m.domains.free;
  return f.money(view.quote.price);
}

/** The Auto-renew switch: a small form per domain, a toggle button that works without JavaScript. */
export function autoRenewSwitch(ctx: PageContext, view: DomainView, back: string): SafeHtml {
  const m = ctx.m.domains;
  if (view.legacyFree) return html`<span class="muted">${m.legacyNoSwitch}</span>`;
  if (!view.canSwitch) return html`<span class="muted">${m.none}</span>`;
  const on = view.domain.autoRenew;
  return html`<form method="post" action="/domains/${encodeURIComponent(view.domain.serviceId)}/auto-renew" class="domain-switch">
    ${csrfField(ctx)}<input type="hidden" name="on" value="${on ? "0" : "1"}"><input type="hidden" name="back" value="${back}">
    <button type="submit" class="switch" aria-pressed="${on ? "true" : "false"}"><span class="switch-knob" aria-hidden="true"></span>${on ? m.switchOn : m.switchOff}<span class="domain-sr"> — ${m.switchContext(view.domain.name)}</span></button>
  </form>`;
}

/** Reactivate (grace) or Restore (redemption), with the price the card will be charged. */
export function reactivateForm(ctx: PageContext, view: DomainView, back: string, f: Fmt): SafeHtml {
  const r = view.reactivation;
  if (r === null) return html``;
  const m = ctx.m.domains;
  const label = r.window === "reactivate" ? m.reactivate(f.money(r.price)) : m.restore(f.money(r.price));
  return html`<form method="post" action="/domains/${encodeURIComponent(view.domain.serviceId)}/reactivate">
    ${csrfField(ctx)}<input type="hidden" name="back" value="${back}">
    <button type="submit" class="warning-action">${label}</button>
  </form>`;
}
