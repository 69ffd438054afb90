/** Small pieces shared by the services pages: state badges, prices, dates. */
import { formatMoney, type Money } from "../../../domain/money.js";
import { formatInstant, type Instant } from "../../../domain/time.js";
import { formatLongDate } from "../../format.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";
import { formatDateTime, lookup } from "../timeline.js";

export function stateBadge(ctx: PageContext, status: string): SafeHtml {
  return html`<span class="badge badge-${status}">${ctx.m.common.status[status] ?? status}</span>`;
}

export function pendingBadge(ctx: PageContext): SafeHtml {
  return html`<span class="badge badge-pending">${ctx.m.services.dashboard.cancellationPending}</span>`;
}

/** "$192.00 / year". */
export function planPrice(ctx: PageContext, plan: string, price: Money): string {
  const amount = formatMoney(price, ctx.locale);
  const per = lookup<(price: string) => string>(ctx.m.services.perPlan, plan);
  return per ? per(amount) : amount;
}

export function planName(ctx: PageContext, plan: string): string {
  return ctx.m.common.plan[plan] ?? plan;
}

export function kindName(ctx: PageContext, kind: string): string {
  return lookup(ctx.m.services.kinds, kind) ?? kind;
}

export function day(ctx: PageContext, at: Instant, timeZone: string): string {
  return formatLongDate(at, ctx.locale, timeZone);
}

export function dateTime(ctx: PageContext, at: Instant, timeZone: string): string {
  return formatDateTime(at, ctx.locale, timeZone);
}

/** A <time> element showing the calendar day in the customer's zone. */
export function dayTag(ctx: PageContext, at: Instant, timeZone: string, text?: string): SafeHtml {
  return html`<time datetime="${formatInstant(at)}">${text ?? day(ctx, at, timeZone)}</time>`;
}
