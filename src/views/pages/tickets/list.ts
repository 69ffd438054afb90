/** The customer's requests, newest first, with a button to open a new one. */
import type { TicketSummary } from "../../../modules/tickets/list-tickets.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";
import { dateTag, kindName, statusBadge } from "./labels.js";

export function ticketListPage(ctx: PageContext, tickets: TicketSummary[], timeZone: string): SafeHtml {
  const t = ctx.m.tickets;
  const c = t.columns;
  const newButton = html`<p class="actions"><a class="button" href="/requests/new">${t.newButton}</a></p>`;
  if (tickets.length === 0) {
    return html`${newButton}<div class="card"><p>${t.empty}</p></div>`;
  }
  return html`${newButton}
    <table class="responsive">
      <thead><tr>
        <th scope="col">${c.number}</th><th scope="col">${c.kind}</th><th scope="col">${c.subject}</th>
        <th scope="col">${c.status}</th><th scope="col">${c.updated}</th>
      </tr></thead>
      <tbody>
        ${tickets.map(
          (ticket) => html`<tr>
            <td data-label="${c.number}"><a href="/requests/${ticket.id}">${t.number(ticket.id)}</a></td>
            <td data-label="${c.kind}">${kindName(ctx, ticket.kind)}</td>
            <td data-label="${c.subject}"><a href="/requests/${ticket.id}">${ticket.subject}</a></td>
            <td data-label="${c.status}">${statusBadge(ctx, ticket.status)}</td>
            <td data-label="${c.updated}">${dateTag(ctx, ticket.updatedAt, timeZone)}</td>
          </tr>`,
        )}
      </tbody>
    </table>`;
}
