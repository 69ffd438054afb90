/**
 * Actions on a domain that charge the card ask first, with the amount and the card (house rule):
 * auto-renew turned back on past its payment date (a past-due domain), and reactivation or restore
 * during grace or redemption. The button repeats the amount; nothing is charged until it is pressed.
 */
import type { Money } from "../../../domain/money.js";
import type { Instant } from "../../../domain/time.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { fmt } from "./parts.js";

function cardOf(ctx: PageContext, cardLabel: string | null): string {
  return cardLabel ?? ctx.m.domains.yourCard;
}

export function confirmAutoRenewOnPage(
  ctx: PageContext,
  input: { serviceId: string; amount: Money; cardLabel: string | null; renewsUntil: Instant; back: string },
  timeZone: string,
): SafeHtml {
  const m = ctx.m.domains.confirmOn;
  const f = fmt(ctx, timeZone);
  const amount = f.money(input.amount);
  return html`<section class="card warning">
    <ul>
      <li>${m.chargeNow(amount, cardOf(ctx, input.cardLabel))}</li>
      <li>${m.renewsUntil(f.date(input.renewsUntil))}</li>
    </ul>
    <form method="post" action="/domains/${encodeURIComponent(input.serviceId)}/auto-renew" class="actions">
      ${csrfField(ctx)}<input type="hidden" name="on" value="1"><input type="hidden" name="confirm" value="1"><input type="hidden" name="back" value="${input.back}">
      <button type="submit">${m.submit(amount)}</button>
      <a class="button secondary" href="${input.back}">${m.keep}</a>
    </form>
  </section>`;
}

export function confirmReactivationPage(
  ctx: PageContext,
  input: {
    serviceId: string;
    window: "reactivate" | "restore";
    amount: Money;
    cardLabel: string | null;
    renewsUntil: Instant;
    autoRenew: boolean;
    back: string;
  },
  timeZone: string,
): SafeHtml {
  const m = ctx.m.domains.confirmReactivate;
  const f = fmt(ctx, timeZone);
  const amount = f.money(input.amount);
  return html`<section class="card warning">
    <ul>
      <li>${m.charge(amount, cardOf(ctx, input.cardLabel))}</li>
      <li>${m.renewsUntil(f.date(input.renewsUntil))}</li>
      ${input.autoRenew ? "" : html`<li>${m.autoRenewOff}</li>`}
    </ul>
    <form method="post" action="/domains/${encodeURIComponent(input.serviceId)}/reactivate" class="actions">
      ${csrfField(ctx)}<input type="hidden" name="confirm" value="1"><input type="hidden" name="back" value="${input.back}">
      <button type="submit" class="warning-action">${input.window === "restore" ? m.submitRestore(amount) : m.submit(amount)}</button>
      <a class="button secondary" href="${input.back}">${m.keep}</a>
    </form>
  </section>`;
}
