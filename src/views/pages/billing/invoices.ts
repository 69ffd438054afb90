/** The invoice list and one invoice's page: lines, totals, charge attempts, pay, PDF, adjustment. */
import { formatMoney, type Money } from "../../../domain/money.js";
import { taxNoteText } from "../../../domain/taxes.js";
import type { Instant } from "../../../domain/time.js";
import type {
  InvoiceDetail,
  InvoiceSummary,
  PaymentAttemptView,
} from "../../../modules/invoices/list-invoices.js";
import type { CreditNote } from "../../../modules/payments/credit-notes.js";
import { formatLongDate } from "../../format.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { taxLabel } from "../../wording.js";

/** What the pages need to know about the signed-in customer. */
export interface BillingCustomer {
  timeZone: string;
  cardLabel: string | null;
  hasCard: boolean;
}

const FOR_MAX = 60;

/** The line descriptions on one line, cut at a word when too long (the full text in `title`). */
export function shortenedFor(descriptions: readonly string[]): { text: string; full: string } {
  const full = descriptions.join(", ");
  if (full.length <= FOR_MAX) return { text: full, full };
  const cut = full.slice(0, FOR_MAX);
  const atSpace = cut.lastIndexOf(" ");
  return {
    text: `${(atSpace > FOR_MAX / 2 ? cut.slice(0, atSpace) : cut).replace(/[\s,;—–-]+$/, "")}…`,
    full,
  };
}

function money(ctx: PageContext, value: Money): string {
  return formatMoney(value, ctx.locale);
}

function day(ctx: PageContext, customer: BillingCustomer, at: Instant): SafeHtml {
  return html`<time class="billing-date" datetime="${new Date(at).toISOString()}">${formatLongDate(at, ctx.locale, customer.timeZone)}</time>`;
}

export function statusBadge(ctx: PageContext, status: string): SafeHtml {
  return html`<span class="badge badge-${status}">${ctx.m.billing.status[status] ?? status}</span>`;
}

export function invoiceListPage(
  ctx: PageContext,
  customer: BillingCustomer,
  invoices: readonly InvoiceSummary[],
  now: Instant,
): SafeHtml {
  const b = ctx.m.billing;
  const c = b.columns;
  if (invoices.length === 0) return html`<p class="card">${b.noInvoices}</p>`;
  const rows = invoices.map((invoice) => {
    const what = shortenedFor(invoice.lineDescriptions);
    const pastDue = invoice.status === "open" && invoice.dueAt <= now;
    return html`<tr>
      <td data-label="${c.number}"><a href="/invoices/${invoice.id}" aria-label="${b.viewInvoice(invoice.id)}">${b.invoiceNumber(invoice.id)}</a></td>
      <td data-label="${c.issued}">${day(ctx, customer, invoice.issuedAt)}</td>
      <td data-label="${c.due}"><span>${day(ctx, customer, invoice.dueAt)}${pastDue ? html` <span class="badge badge-expired">${b.pastDue}</span>` : ""}</span></td>
      <td data-label="${c.for}"><span title="${what.full}">${what.text}</span></td>
      <td data-label="${c.total}" class="billing-amount">${money(ctx, invoice.total)}</td>
      <td data-label="${c.paid}" class="billing-amount">${money(ctx, invoice.paid)}</td>
      <td data-label="${c.status}">${statusBadge(ctx, invoice.status)}</td>
      <td data-label="${c.actions}">${
        invoice.status === "open"
          ? html`<a class="button billing-pay" href="/invoices/${invoice.id}#pay" aria-label="${b.payInvoice(invoice.id)}">${b.pay}</a>`
          : html`<a href="/invoices/${invoice.id}" aria-label="${b.viewInvoice(invoice.id)}">${b.view}</a>`
      }</td>
    </tr>`;
  });
  return html`<p class="muted">${b.invoicesIntro}</p>
    <table class="responsive billing-table billing-invoices">
      <thead><tr>
        <th scope="col">${c.number}</th><th scope="col">${c.issued}</th><th scope="col">${c.due}</th>
        <th scope="col">${c.for}</th><th scope="col" class="billing-amount">${c.total}</th><th scope="col" class="billing-amount">${c.paid}</th>
        <th scope="col">${c.status}</th><th scope="col">${c.actions}</th>
      </tr></thead>
      <tbody>${rows}</tbody>
    </table>`;
}

/** Approved reads as paid, declined as a failure, settled without money kept (refunded, cancelled)
 * as neutral, and only what still waits for the bank as pending. */
function attemptBadge(result: PaymentAttemptView["result"]): string {
  if (result === "succeeded") return "paid";
  if (result === "failed") return "expired";
  if (result === "refunded" || result === "cancelled") return "void";
  return "pending";
}

function attemptResult(ctx: PageContext, attempt: PaymentAttemptView): string {
  const words = ctx.m.billing.result;
  if (attempt.result !== "failed") return words[attempt.result] ?? attempt.result;
  return words[attempt.failureCode ?? "error"] ?? words.error ?? "";
}

function payBox(ctx: PageContext, customer: BillingCustomer, invoice: InvoiceDetail): SafeHtml {
  const b = ctx.m.billing;
  if (invoice.status !== "open") return html``;
  const pay =
    customer.hasCard && customer.cardLabel !== null
      ? html`<form method="post" action="/invoices/${invoice.id}/pay" class="stack">
          ${csrfField(ctx)}
          <p>${b.payExplain(money(ctx, invoice.balance))}</p>
          <div class="actions">
            <button type="submit">${b.payNowWith(customer.cardLabel)}</button>
            <a href="/payment-method">${b.changeCard}</a>
          </div>
        </form>`
      : html`<p>${b.noCard}</p><p><a class="button" href="/payment-method">${b.addCardFirst}</a></p>`;
  return html`<section class="card billing-section" id="pay" aria-labelledby="pay-title">
    <h2 id="pay-title">${b.payTitle}</h2>
    ${pay}
  </section>`;
}

/** Refunds and adjustments on the invoice (back office), each with its reason. */
function creditNotesSection(
  ctx: PageContext,
  customer: BillingCustomer,
  notes: readonly CreditNote[],
): SafeHtml {
  if (notes.length === 0) return html``;
  const cn = ctx.m.billing.creditNotes;
  return html`<section aria-labelledby="credit-notes-title" id="credit-notes">
    <h2 id="credit-notes-title">${cn.title}</h2>
    <p class="muted">${cn.intro}</p>
    <table class="responsive billing-table">
      <thead><tr><th scope="col">${cn.date}</th><th scope="col">${cn.kind}</th><th scope="col">${cn.reason}</th><th scope="col" class="billing-amount">${cn.amount}</th></tr></thead>
      <tbody>${notes.map(
        (note) => html`<tr>
          <td data-label="${cn.date}">${day(ctx, customer, note.createdAt)}</td>
          <td data-label="${cn.kind}">${cn.kinds[note.kind] ?? note.kind}</td>
          <td data-label="${cn.reason}">${note.reason}</td>
          <td data-label="${cn.amount}" class="billing-amount">−${money(ctx, note.amount)}</td>
        </tr>`,
      )}</tbody>
    </table>
  </section>`;
}

export function invoiceDetailPage(
  ctx: PageContext,
  customer: BillingCustomer,
  invoice: InvoiceDetail,
  now: Instant,
  creditNotes: readonly CreditNote[] = [],
): SafeHtml {
  const b = ctx.m.billing;
  const c = b.columns;
  const pastDue = invoice.status === "open" && invoice.dueAt <= now;
  const lines = invoice.lines.map(
    (line) => html`<tr>
      <td data-label="${c.description}">${line.description}</td>
      <td data-label="${c.period}">${
        line.periodStartAt !== null && line.periodEndAt !== null
          ? b.periodRange(
              formatLongDate(line.periodStartAt, ctx.locale, customer.timeZone),
              formatLongDate(line.periodEndAt, ctx.locale, customer.timeZone),
            )
          : ""
      }</td>
      <td data-label="${c.amount}" class="billing-amount">${money(ctx, line.amount)}</td>
    </tr>`,
  );
  const attempts =
    invoice.attempts.length === 0
      ? html`<p class="muted">${b.noAttempts}</p>`
      : html`<table class="responsive billing-table">
          <thead><tr><th scope="col">${c.date}</th><th scope="col">${c.attempt}</th><th scope="col">${c.result}</th><th scope="col" class="billing-amount">${c.amount}</th></tr></thead>
          <tbody>${invoice.attempts.map(
            (attempt) => html`<tr>
              <td data-label="${c.date}">${day(ctx, customer, attempt.at)}</td>
              <td data-label="${c.attempt}">${b.attemptNumber(attempt.attempt)}</td>
              <td data-label="${c.result}"><span class="badge badge-${attemptBadge(attempt.result)}">${attemptResult(ctx, attempt)}</span></td>
              <td data-label="${c.amount}" class="billing-amount">${money(ctx, attempt.amount)}</td>
            </tr>`,
          )}</tbody>
        </table>`;
  return html`<p><a href="/invoices">← ${b.backToInvoices}</a></p>
    <section class="card billing-section" aria-labelledby="summary-title">
      <h2 id="summary-title">${b.summary}</h2>
      <dl class="facts">
        <dt>${c.status}</dt><dd>${statusBadge(ctx, invoice.status)}${pastDue ? html` <span class="badge badge-expired">${b.pastDue}</span>` : ""}</dd>
        <dt>${b.issuedOn}</dt><dd>${day(ctx, customer, invoice.issuedAt)}</dd>
        <dt>${b.dueOn}</dt><dd>${day(ctx, customer, invoice.dueAt)}</dd>
        ${invoice.paidAt !== null ? html`<dt>${b.paidOn}</dt><dd>${day(ctx, customer, invoice.paidAt)}</dd>` : ""}
        ${invoice.voidedAt !== null ? html`<dt>${b.voidedOn}</dt><dd>${day(ctx, customer, invoice.voidedAt)}</dd>` : ""}
        <dt>${c.total}</dt><dd class="billing-amount">${money(ctx, invoice.total)}</dd>
        <dt>${c.paid}</dt><dd class="billing-amount">${money(ctx, invoice.paid)}</dd>
        <dt>${b.balance}</dt><dd class="billing-amount"><strong>${money(ctx, invoice.balance)}</strong></dd>
      </dl>
      <p class="actions billing-links">
        <a class="button secondary" href="/invoices/${invoice.id}/pdf" download>${b.downloadPdf}</a>
      </p>
    </section>
    ${payBox(ctx, customer, invoice)}
    <section aria-labelledby="lines-title">
      <h2 id="lines-title">${b.lines}</h2>
      <table class="responsive billing-table billing-lines">
        <thead><tr><th scope="col">${c.description}</th><th scope="col">${c.period}</th><th scope="col" class="billing-amount">${c.amount}</th></tr></thead>
        <tbody>${lines}</tbody>
        <tfoot>
          ${
            invoice.taxes.length > 0 || invoice.taxNote
              ? html`<tr><th scope="row" colspan="2">${b.pdf.subtotal}</th><td data-label="${b.pdf.subtotal}" class="billing-amount">${money(ctx, invoice.subtotal)}</td></tr>
          ${invoice.taxes.map((tax) => {
            const label = taxLabel(tax.code, tax.rate, ctx.locale);
            return html`<tr data-tax="${tax.code}"><th scope="row" colspan="2">${label}</th><td data-label="${label}" class="billing-amount">${money(ctx, tax.amount)}</td></tr>`;
          })}
          ${invoice.taxNote === "reverse-charge" ? html`<tr><td colspan="3" class="muted">${taxNoteText(invoice.taxNote, ctx.locale)}</td></tr>` : ""}`
              : ""
          }
          <tr><th scope="row" colspan="2">${c.total}</th><td data-label="${c.total}" class="billing-amount">${money(ctx, invoice.total)}</td></tr>
          <tr><th scope="row" colspan="2">${c.paid}</th><td data-label="${c.paid}" class="billing-amount">${money(ctx, invoice.paid)}</td></tr>
          <tr><th scope="row" colspan="2">${b.balance}</th><td data-label="${b.balance}" class="billing-amount"><strong>${money(ctx, invoice.balance)}</strong></td></tr>
        </tfoot>
      </table>
    </section>
    <section aria-labelledby="attempts-title">
      <h2 id="attempts-title">${b.attemptsTitle}</h2>
      ${attempts}
    </section>
    ${creditNotesSection(ctx, customer, creditNotes)}
    ${
      invoice.status === "open"
        ? html`<section class="card billing-section" aria-labelledby="adjust-title">
            <h2 id="adjust-title">${b.askAdjustment}</h2>
            <p>${b.askAdjustmentHint}</p>
            <p><a href="/requests/new?kind=invoice-adjustment&amp;invoice=${invoice.id}">${b.askAdjustment}</a></p>
          </section>`
        : ""
    }`;
}
