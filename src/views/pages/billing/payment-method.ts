/**
 * The card on file and the form that replaces it. With the built-in test gateway the card field
 * is a list of its test cards (explained as test mode); a real gateway's hosted card field would
 * fill the same `card` field with its token.
 */
import { formatMoney } from "../../../domain/money.js";
import type { InvoiceSummary } from "../../../modules/invoices/list-invoices.js";
import { html, type SafeHtml } from "../../html.js";
import type { BillingMessages } from "../../i18n/billing.js";
import { csrfField, type PageContext } from "../../layout.js";

/** The test gateway's cards offered in the list, in this order. */
export const TEST_CARD_CHOICES = [
  "ok",
  "declined",
  "insufficient-funds",
  "expired",
  "fails-1-then-ok",
] as const;

export interface PaymentMethodView {
  cardLabel: string | null;
  /** True with the built-in test gateway: the card field is a list of test cards. */
  testMode: boolean;
  /** The value to show selected (or typed) again when the form comes back with an error. */
  card?: string;
  error?: string;
}

function cardField(ctx: PageContext, view: PaymentMethodView): SafeHtml {
  const b = ctx.m.billing;
  const describedBy = view.error ? html` aria-describedby="card-error" aria-invalid="true"` : "";
  if (!view.testMode) {
    return html`<label for="card">${b.cardTokenLabel}</label>
      <input id="card" name="card" type="text" autocomplete="off" required maxlength="500" value="${view.card ?? ""}"${describedBy}>`;
  }
  const selected = view.card ?? "ok";
  return html`<label for="card">${b.cardLabel}</label>
    <select id="card" name="card" required${describedBy}>
      ${TEST_CARD_CHOICES.map(
        (card) =>
          html`<option value="${card}"${card === selected ? html` selected` : ""}>${b.testCards[card as keyof BillingMessages["testCards"]]}</option>`,
      )}
    </select>`;
}

export function paymentMethodPage(ctx: PageContext, view: PaymentMethodView): SafeHtml {
  const b = ctx.m.billing;
  return html`<section class="card billing-section" aria-labelledby="on-file-title">
      <h2 id="on-file-title">${b.cardOnFile}</h2>
      ${view.cardLabel ? html`<p class="billing-card"><strong>${view.cardLabel}</strong></p>` : html`<p>${b.noCardOnFile}</p>`}
    </section>
    <section class="card billing-section" aria-labelledby="replace-title">
      <h2 id="replace-title">${view.cardLabel ? b.replaceCard : b.addCard}</h2>
      ${
        view.testMode
          ? html`<div class="billing-test-mode" role="note"><strong>${b.testModeTitle}.</strong> ${b.testModeExplain}</div>`
          : ""
      }
      <form method="post" action="/payment-method" class="stack" novalidate>
        ${csrfField(ctx)}
        <div>
          ${cardField(ctx, view)}
          ${view.error ? html`<p class="field-error" id="card-error" role="alert">${view.error}</p>` : ""}
        </div>
        <div class="actions"><button type="submit">${b.saveCard}</button></div>
      </form>
    </section>`;
}

/** The note after a card was saved while invoices are past due: one pay link per invoice. */
export function pastDueNote(ctx: PageContext, invoices: readonly InvoiceSummary[]): SafeHtml {
  const b = ctx.m.billing;
  if (invoices.length === 0) return html``;
  return html`<section class="card billing-section billing-past-due" aria-labelledby="past-due-title">
    <h2 id="past-due-title">${b.pastDue}</h2>
    <p>${b.pastDueAfterCard(invoices.length)}</p>
    <ul>${invoices.map(
      (invoice) =>
        html`<li><a href="/invoices/${invoice.id}#pay">${b.pastDueItem(invoice.id, formatMoney(invoice.balance, ctx.locale))}</a></li>`,
    )}</ul>
  </section>`;
}
