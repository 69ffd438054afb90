/** Words and small pieces shared by the back office's requests pages. */
import { formatMoney, type Money } from "../../../domain/money.js";
import { TICKET_KINDS } from "../../../modules/tickets/open-ticket.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";

export const KIND_VALUES: readonly string[] = TICKET_KINDS;

export function kindName(ctx: PageContext, kind: string): string {
  const kinds: Record<string, string> = ctx.m.tickets.kinds;
  return kinds[kind] ?? kind;
}

export function statusBadge(ctx: PageContext, status: string): SafeHtml {
  const word = ctx.m.adminRequests.statuses[status] ?? ctx.m.common.status[status] ?? status;
  return html`<span class="badge badge-${status}">${word}</span>`;
}

export function moneyText(ctx: PageContext, value: Money): string {
  return formatMoney(value, ctx.locale);
}

export function fieldError(id: string, message: string | undefined): SafeHtml {
  return message ? html`<p class="field-error" id="${id}" role="alert">${message}</p>` : html``;
}

/** An amount in minor units as staff type it back into a form ("12.50"). */
export function amountInput(amount: number, currency: string, locale = "en"): string {
  const digits =
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  if (digits === 0) return String(amount);
  const whole = Math.floor(amount / 10 ** digits);
  const cents = String(amount % 10 ** digits).padStart(digits, "0");
  return `${whole}${locale === "fr-CA" ? "," : "."}${cents}`;
}
