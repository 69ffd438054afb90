/**
 * The form to open a request. Its fields depend on the kind, chosen with links at the top (no
 * JavaScript needed): an invoice for an adjustment, a cancelled service for a refund, a domain plus
 * the irreversibility warning and an explicit confirmation for a deletion (seed 000).
 */
import { formatMoney } from "../../../domain/money.js";
import type { TicketFormChoices, TicketKind } from "../../../modules/tickets/list-tickets.js";
import { TICKET_KINDS } from "../../../modules/tickets/open-ticket.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { serviceKindName } from "./labels.js";

export interface TicketFormState {
  /** One-time token (src/http/form-tokens.ts): the form creates one request however often sent. */
  formToken?: string;
  kind: TicketKind | null;
  subject: string;
  message: string;
  /** The selected invoice number ("" for none). */
  invoice: string;
  /** The selected service id ("" for none). */
  service: string;
  confirmedIrreversible: boolean;
}

export type TicketFormField =
  | "kind"
  | "subject"
  | "message"
  | "invoice"
  | "service"
  | "confirmedIrreversible";
export type TicketFormErrors = Partial<Record<TicketFormField, string>>;

export function emptyTicketForm(kind: TicketKind | null): TicketFormState {
  return { kind, subject: "", message: "", invoice: "", service: "", confirmedIrreversible: false };
}

function fieldError(id: string, error: string | undefined): SafeHtml | string {
  return error ? html`<p class="field-error" id="${id}-error">${error}</p>` : "";
}

function invalid(id: string, error: string | undefined): SafeHtml | string {
  return error ? html` aria-invalid="true" aria-describedby="${id}-error"` : "";
}

interface Option {
  value: string;
  label: string;
}

function selectField(
  ctx: PageContext,
  field: { id: string; name: string; label: string; selected: string; error: string | undefined },
  options: Option[],
): SafeHtml {
  return html`<div>
    <label for="${field.id}">${field.label}</label>
    <select id="${field.id}" name="${field.name}" required${invalid(field.id, field.error)}>
      <option value="">${ctx.m.tickets.choose}</option>
      ${options.map(
        (o) =>
          html`<option value="${o.value}"${o.value === field.selected ? html` selected` : ""}>${o.label}</option>`,
      )}
    </select>
    ${fieldError(field.id, field.error)}
  </div>`;
}

function kindNav(ctx: PageContext, current: TicketKind | null): SafeHtml {
  const t = ctx.m.tickets;
  return html`<nav aria-label="${t.kindNav}" class="kind-nav"><ul>
    ${TICKET_KINDS.map(
      (kind) =>
        html`<li><a href="/requests/new?kind=${kind}"${kind === current ? html` aria-current="page"` : ""}>${t.kinds[kind]}</a></li>`,
    )}
  </ul></nav>`;
}

function kindChooser(ctx: PageContext, error: string | undefined): SafeHtml {
  const t = ctx.m.tickets;
  return html`<form method="get" action="/requests/new" class="stack card">
    <div>
      <label for="kind">${t.chooseKind}</label>
      <select id="kind" name="kind" required${invalid("kind", error)}>
        <option value="">${t.choose}</option>
        ${TICKET_KINDS.map((kind) => html`<option value="${kind}">${t.kinds[kind]}</option>`)}
      </select>
      ${fieldError("kind", error)}
    </div>
    <dl class="facts">
      ${TICKET_KINDS.map((kind) => html`<dt>${t.kinds[kind]}</dt><dd>${t.kindHints[kind]}</dd>`)}
    </dl>
    <div class="actions"><button type="submit">${t.continue}</button></div>
  </form>`;
}

function deletionWarning(ctx: PageContext): SafeHtml {
  const w = ctx.m.tickets.warning;
  return html`<section class="warning card" aria-labelledby="deletion-warning">
    <h2 id="deletion-warning">${w.title}</h2>
    <p><strong>${w.text}</strong></p>
    <p>${w.alternative} <a href="/domains">${w.link}</a></p>
  </section>`;
}

function nothingToChoose(text: string, href: string, link: string): SafeHtml {
  return html`<div class="card"><p role="status">${text}</p><p><a class="button secondary" href="${href}">${link}</a></p></div>`;
}

export function newTicketPage(
  ctx: PageContext,
  state: TicketFormState,
  errors: TicketFormErrors,
  choices: TicketFormChoices,
): SafeHtml {
  const t = ctx.m.tickets;
  const kind = state.kind;
  if (kind === null) return html`${kindNav(ctx, null)}${kindChooser(ctx, errors.kind)}`;

  if (kind === "refund" && choices.refundable.length === 0)
    return html`${kindNav(ctx, kind)}${nothingToChoose(t.refundNone, "/", t.refundNoneLink)}`;
  if (kind === "invoice-adjustment" && choices.invoices.length === 0)
    return html`${kindNav(ctx, kind)}${nothingToChoose(t.invoiceNone, "/invoices", t.invoiceNoneLink)}`;
  if (kind === "domain-deletion" && choices.domains.length === 0)
    return html`${kindNav(ctx, kind)}${deletionWarning(ctx)}${nothingToChoose(t.domainNone, "/domains", t.domainNoneLink)}`;

  let linked: SafeHtml | string = "";
  if (kind === "invoice-adjustment") {
    linked = selectField(
      ctx,
      {
        id: "invoice",
        name: "invoice",
        label: t.fields.invoice,
        selected: state.invoice,
        error: errors.invoice,
      },
      choices.invoices.map((i) => ({
        value: String(i.id),
        label: t.invoiceOption(
          i.id,
          formatMoney(i.total, ctx.locale),
          ctx.m.common.status[i.status] ?? i.status,
        ),
      })),
    );
  } else if (kind === "refund") {
    linked = selectField(
      ctx,
      {
        id: "service",
        name: "service",
        label: t.fields.refundService,
        selected: state.service,
        error: errors.service,
      },
      choices.refundable.map((s) => ({
        value: s.id,
        label: `${s.label} (${serviceKindName(ctx, s.kind)}) — ${
          s.cancellation === "done" ? t.cancellationDone : t.cancellationPending
        }`,
      })),
    );
  } else if (kind === "domain-deletion") {
    linked = selectField(
      ctx,
      {
        id: "service",
        name: "service",
        label: t.fields.domain,
        selected: state.service,
        error: errors.service,
      },
      choices.domains.map((d) => ({ value: d.id, label: d.label })),
    );
  }

  const confirmation =
    kind === "domain-deletion"
      ? html`<div>
          <label class="check" for="confirmedIrreversible"><input type="checkbox" id="confirmedIrreversible" name="confirmedIrreversible" value="yes" required${
            state.confirmedIrreversible ? html` checked` : ""
          }${invalid("confirmedIrreversible", errors.confirmedIrreversible)}> ${t.fields.confirmIrreversible}</label>
          ${fieldError("confirmedIrreversible", errors.confirmedIrreversible)}
        </div>`
      : "";

  return html`${kindNav(ctx, kind)}
    ${kind === "domain-deletion" ? deletionWarning(ctx) : ""}
    <form method="post" action="/requests" class="stack card">
      ${csrfField(ctx)}
      <input type="hidden" name="form_token" value="${state.formToken ?? ""}">
      <input type="hidden" name="kind" value="${kind}">
      <p class="muted">${t.kindHints[kind]}</p>
      ${linked}
      <div>
        <label for="subject">${t.fields.subject}</label>
        <input type="text" id="subject" name="subject" maxlength="200" required value="${state.subject}"${invalid("subject", errors.subject)}>
        ${fieldError("subject", errors.subject)}
      </div>
      <div>
        <label for="message">${t.fields.message}</label>
        <textarea id="message" name="message" rows="8" maxlength="10000" required${invalid("message", errors.message)}>${state.message}</textarea>
        ${fieldError("message", errors.message)}
      </div>
      ${confirmation}
      <section aria-labelledby="next-steps">
        <h2 id="next-steps">${t.nextTitle}</h2>
        <p>${t.next[kind]}</p>
      </section>
      <div class="actions">
        <button type="submit"${kind === "domain-deletion" ? html` class="danger"` : ""}>${t.send}</button>
        <a href="/requests">${ctx.m.common.form.cancel}</a>
      </div>
    </form>`;
}
