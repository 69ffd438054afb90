/** Back office: the requests list, with its filters (status, kind, assignee) and each one's age. */
import type { Instant } from "../../../domain/time.js";
import type { StaffMember } from "../../../modules/staff/staff-repository.js";
import type { StaffTicketSummary } from "../../../modules/tickets/staff-tickets.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";
import { staffInstant } from "../admin-format.js";
import { KIND_VALUES, kindName, statusBadge } from "./parts.js";

export interface RequestFilterValues {
  status: string;
  kind: string;
  assigned: string;
}

export function ageOf(ctx: PageContext, since: Instant, now: Instant): string {
  const hours = Math.max(0, Math.floor((now - since) / 3_600_000));
  return ctx.m.adminRequests.age(Math.floor(hours / 24), hours % 24);
}

export function requestListPage(
  ctx: PageContext,
  tickets: StaffTicketSummary[],
  staff: StaffMember[],
  filter: RequestFilterValues,
  now: Instant,
  error: string | null,
): SafeHtml {
  const r = ctx.m.adminRequests;
  const c = r.columns;
  const f = r.filters;
  const option = (value: string, label: string, current: string) =>
    html`<option value="${value}" ${value === current ? html`selected` : ""}>${label}</option>`;
  return html`<form method="get" action="/admin/requests" class="filters" aria-label="${f.legend}">
      <div><label for="f-status">${f.status}</label><select id="f-status" name="status">
        ${option("", f.any, filter.status)}${option("open", r.statuses.open ?? "open", filter.status)}${option("closed", r.statuses.closed ?? "closed", filter.status)}
      </select></div>
      <div><label for="f-kind">${f.kind}</label><select id="f-kind" name="kind">
        ${option("", f.any, filter.kind)}${KIND_VALUES.map((k) => option(k, kindName(ctx, k), filter.kind))}
      </select></div>
      <div><label for="f-assigned">${f.assigned}</label><select id="f-assigned" name="assigned">
        ${option("", f.any, filter.assigned)}${option("me", f.me, filter.assigned)}${option("none", f.nobody, filter.assigned)}
        ${staff.map((s) => option(s.id, s.name || s.email, filter.assigned))}
      </select></div>
      <div class="actions"><button type="submit">${f.apply}</button></div>
    </form>
    ${error ? html`<p class="field-error" role="alert">${error}</p>` : ""}
    ${
      tickets.length === 0
        ? html`<p class="card">${r.none}</p>`
        : html`<table class="responsive requests-table"><thead><tr>
            <th scope="col">${c.number}</th><th scope="col">${c.customer}</th><th scope="col">${c.kind}</th><th scope="col">${c.subject}</th>
            <th scope="col">${c.status}</th><th scope="col">${c.assignee}</th><th scope="col">${c.age}</th><th scope="col">${c.updated}</th>
          </tr></thead><tbody>
          ${tickets.map(
            (t) => html`<tr>
              <td data-label="${c.number}"><a href="/admin/requests/${t.id}">#${t.id}</a></td>
              <td data-label="${c.customer}"><span>${t.customer.name} <span class="muted">${t.customer.email}</span></span></td>
              <td data-label="${c.kind}">${kindName(ctx, t.kind)}</td>
              <td data-label="${c.subject}"><a href="/admin/requests/${t.id}">${t.subject}</a></td>
              <td data-label="${c.status}">${statusBadge(ctx, t.status)}</td>
              <td data-label="${c.assignee}">${t.assignee ? t.assignee.name || t.assignee.email : html`<span class="muted">${r.nobody}</span>`}</td>
              <td data-label="${c.age}">${ageOf(ctx, t.createdAt, now)}</td>
              <td data-label="${c.updated}">${staffInstant(t.updatedAt)}</td>
            </tr>`,
          )}
          </tbody></table>`
    }`;
}
