/**
 * The confirmation pages of the requests' actions: what will happen (amount, payment, invoice,
 * the domain's irreversible deletion in both languages), then the confirmed post does it.
 */
import type { Money } from "../../../domain/money.js";
import type { Instant } from "../../../domain/time.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { staffInstant } from "../admin-format.js";
import { fieldError, moneyText } from "./parts.js";

export function refundConfirmPage(
  ctx: PageContext,
  input: {
    ticketId: number;
    paymentId: number;
    invoiceId: number;
    paid: Money;
    paidAt: Instant;
    amount: Money;
    amountText: string;
    maxAfter: Money;
    reason: string;
    seq: number;
  },
): SafeHtml {
  const r = ctx.m.adminRequests.refund;
  const amount = moneyText(ctx, input.amount);
  return html`<div class="card" id="refund-confirm">
    <p><strong>${r.confirmText(amount, input.invoiceId, moneyText(ctx, input.paid), staffInstant(input.paidAt))}</strong></p>
    <dl class="facts facts-wrap">
      <dt>${r.amount}</dt><dd>${amount}</dd>
      <dt>${r.payment}</dt><dd>${moneyText(ctx, input.paid)} — ${staffInstant(input.paidAt)}</dd>
      <dt>${ctx.m.adminRequests.facts.invoice}</dt><dd>#${input.invoiceId}</dd>
      <dt>${r.reason}</dt><dd>${input.reason}</dd>
    </dl>
    <p class="muted">${r.confirmMax(moneyText(ctx, input.maxAfter))}</p>
    <form method="post" action="/admin/requests/${input.ticketId}/refund">
      ${csrfField(ctx)}
      <input type="hidden" name="payment" value="${input.paymentId}">
      <input type="hidden" name="amount" value="${input.amountText}">
      <input type="hidden" name="reason" value="${input.reason}">
      <input type="hidden" name="seq" value="${input.seq}">
      <input type="hidden" name="confirm" value="yes">
      <div class="actions"><button type="submit" class="danger">${r.confirmButton(amount)}</button>
      <a href="/admin/requests/${input.ticketId}#refund">${ctx.m.adminRequests.cancel}</a></div>
    </form>
  </div>`;
}

export function adjustConfirmPage(
  ctx: PageContext,
  input: {
    ticketId: number;
    text: string;
    fields: Record<string, string>;
  },
): SafeHtml {
  const a = ctx.m.adminRequests.adjust;
  return html`<div class="card" id="adjust-confirm">
    <p><strong>${input.text}</strong></p>
    <dl class="facts facts-wrap"><dt>${ctx.m.admin.reason}</dt><dd>${input.fields.reason ?? ""}</dd></dl>
    <form method="post" action="/admin/requests/${input.ticketId}/adjust">
      ${csrfField(ctx)}
      ${Object.entries(input.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
      <input type="hidden" name="confirm" value="yes">
      <div class="actions"><button type="submit" class="danger">${a.confirmButton}</button>
      <a href="/admin/requests/${input.ticketId}#adjust">${ctx.m.adminRequests.cancel}</a></div>
    </form>
  </div>`;
}

export function deletionConfirmPage(
  ctx: PageContext,
  input: {
    ticketId: number;
    name: string;
    typed?: string;
    reply?: string;
    errors?: { name?: string; reply?: string };
  },
): SafeHtml {
  const d = ctx.m.adminRequests.deletion;
  const errors = input.errors ?? {};
  return html`<section class="card warning" aria-labelledby="irreversible">
    <h2 id="irreversible">${d.title}</h2>
    <p lang="en" data-testid="warning-en"><strong>${d.warningEn(input.name)}</strong></p>
    <p lang="fr-CA" data-testid="warning-fr"><strong>${d.warningFr(input.name)}</strong></p>
  </section>
  <form method="post" action="/admin/requests/${input.ticketId}/delete-domain" class="stack card">
    ${csrfField(ctx)}
    <input type="hidden" name="confirm" value="yes">
    <div><label for="typed-name">${d.typeName(input.name)}</label>
    <input type="text" id="typed-name" name="name" autocomplete="off" spellcheck="false" required value="${input.typed ?? ""}"${errors.name ? html` aria-invalid="true" aria-describedby="name-error"` : ""}>
    ${fieldError("name-error", errors.name)}</div>
    <div><label for="deletion-reply">${d.reply}</label>
    <textarea id="deletion-reply" name="reply" rows="5" maxlength="10000" required>${input.reply ?? d.replyDefault(input.name)}</textarea>
    ${fieldError("reply-error", errors.reply)}</div>
    <div class="actions"><button type="submit" class="danger">${d.button(input.name)}</button>
    <a href="/admin/requests/${input.ticketId}">${ctx.m.adminRequests.cancel}</a></div>
  </form>`;
}
