/**
 * One request: what it is about (kind, linked invoice or service, status), the customer's message
 * and the replies in order, then a reply form and a close button while it is open.
 */
import { formatMoney } from "../../../domain/money.js";
import type { TicketDetail } from "../../../modules/tickets/list-tickets.js";
import { isTicketKind } from "../../../modules/tickets/list-tickets.js";
import { formatLongDate } from "../../format.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { authorName, dateTag, kindName, serviceHref, statusBadge } from "./labels.js";

export interface TicketDetailState {
  /** The reply being written, shown again with its error. */
  reply?: string;
  replyError?: string;
}

export function ticketDetailPage(
  ctx: PageContext,
  ticket: TicketDetail,
  timeZone: string,
  state: TicketDetailState = {},
): SafeHtml {
  const t = ctx.m.tickets;
  const f = t.facts;
  const open = ticket.status === "open";
  const messages = [
    { id: "message", author: "customer", body: ticket.body, createdAt: ticket.createdAt },
    ...ticket.replies.map((r) => ({ ...r, id: `reply-${r.id}` })),
  ];
  return html`<p><a href="/requests">← ${t.backToList}</a></p>
    <section class="card" aria-labelledby="ticket-subject">
      <h2 id="ticket-subject">${ticket.subject}</h2>
      <dl class="facts">
        <dt>${f.kind}</dt><dd>${kindName(ctx, ticket.kind)}</dd>
        <dt>${f.status}</dt><dd>${statusBadge(ctx, ticket.status)}</dd>
        <dt>${f.opened}</dt><dd>${dateTag(ctx, ticket.createdAt, timeZone)}</dd>
        ${ticket.closedAt !== null ? html`<dt>${f.closed}</dt><dd>${dateTag(ctx, ticket.closedAt, timeZone)}</dd>` : ""}
        ${
          ticket.invoice
            ? html`<dt>${f.invoice}</dt><dd><a href="/invoices/${ticket.invoice.id}">${t.invoiceLink(
                ticket.invoice.id,
                formatMoney(ticket.invoice.total, ctx.locale),
              )}</a> ${statusBadge(ctx, ticket.invoice.status)}</dd>`
            : ""
        }
        ${
          ticket.service
            ? html`<dt>${ticket.service.kind === "domain" ? f.domain : f.service}</dt><dd><a href="${serviceHref(
                ticket.service,
              )}">${ticket.service.label}</a></dd>`
            : ""
        }
      </dl>
      ${open && isTicketKind(ticket.kind) ? html`<h3>${t.nextTitle}</h3><p>${t.next[ticket.kind]}</p>` : ""}
    </section>
    <section class="card" aria-labelledby="conversation">
      <h2 id="conversation">${t.conversation}</h2>
      <ol class="timeline thread">
        ${messages.map(
          (msg) => html`<li id="${msg.id}" class="author-${msg.author === "customer" ? "customer" : "staff"}">
            ${dateTag(ctx, msg.createdAt, timeZone)}
            <div><p><strong>${authorName(ctx, msg.author)}</strong></p><p class="ticket-message">${msg.body}</p></div>
          </li>`,
        )}
      </ol>
    </section>
    ${
      open
        ? html`<section class="card" aria-labelledby="reply-title">
            <h2 id="reply-title">${t.replyTitle}</h2>
            <form method="post" action="/requests/${ticket.id}/replies" class="stack">
              ${csrfField(ctx)}
              <div>
                <label for="reply">${t.replyLabel}</label>
                <textarea id="reply" name="body" rows="6" maxlength="10000" required${
                  state.replyError ? html` aria-invalid="true" aria-describedby="reply-error"` : ""
                }>${state.reply ?? ""}</textarea>
                ${state.replyError ? html`<p class="field-error" id="reply-error">${state.replyError}</p>` : ""}
              </div>
              <div class="actions"><button type="submit">${t.sendReply}</button></div>
            </form>
            <form method="post" action="/requests/${ticket.id}/close" class="actions close-ticket">
              ${csrfField(ctx)}
              <span class="muted">${t.closeHint}</span>
              <button type="submit" class="button secondary">${t.closeButton}</button>
            </form>
          </section>`
        : html`<div class="card"><p>${t.closedNote(
            formatLongDate(ticket.closedAt ?? ticket.createdAt, ctx.locale, timeZone),
          )}</p><p><a class="button" href="/requests/new">${t.newButton}</a></p></div>`
    }`;
}
