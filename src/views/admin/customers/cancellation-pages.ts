/**
 * Back office: the cancellation queue (late immediate requests first, in red), the page that
 * confirms carrying one out now, and the reasons report (categories × months).
 */

import type { ReasonReport } from "../../../domain/cancellation-reasons.js";
import { formatMoney } from "../../../domain/money.js";
import { ROLES } from "../../../domain/staff-roles.js";
import type { Instant } from "../../../domain/time.js";
import type {
  CancellationRequestView,
  QueuedCancellation,
} from "../../../modules/customers/cancellation-queue.js";
import type { CarryOutPreview } from "../../../modules/services/carry-out-cancellation.js";
import { html, type SafeHtml } from "../../html.js";
import type { Messages } from "../../i18n/index.js";
import type { PageContext } from "../../layout.js";
import { staffInstant } from "../admin-format.js";
import { actionPage, customerUrl } from "./customer-pages.js";

function duration(m: Messages, ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  return m.adminCancellations.duration(Math.floor(minutes / 60), minutes % 60);
}

function windowCell(m: Messages, row: QueuedCancellation, now: Instant): SafeHtml | string {
  const c = m.adminCancellations;
  if (row.dueBy === null) return c.noWindow;
  if (row.late)
    return html`<span class="badge badge-late" data-testid="late">${c.late}</span> <span>${c.lateBy(duration(m, now - row.dueBy))}</span>`;
  return c.timeLeft(duration(m, row.dueBy - now));
}

export function queuePage(
  ctx: PageContext,
  rows: QueuedCancellation[],
  now: Instant,
  hours: number,
): SafeHtml {
  const c = ctx.m.adminCancellations;
  const canCarry = ctx.staff !== null && (ROLES.money as readonly string[]).includes(ctx.staff.role);
  return html`<p>${c.intro(hours)}</p>
  <p><a href="/admin/cancellations/reasons">${c.reasonsLink}</a></p>
  ${
    rows.length === 0
      ? html`<p class="muted">${c.none}</p>`
      : html`<table class="responsive cancellation-queue"><thead><tr><th>${c.customer}</th><th>${c.service}</th><th>${c.mode}</th><th>${c.reason}</th><th>${c.requested}</th><th>${c.effective}</th><th>${c.window}</th><th>${c.actions}</th></tr></thead><tbody>
    ${rows.map(
      (row) => html`<tr class="${row.late ? "late" : ""}" data-request="${row.id}">
        <td data-label="${c.customer}"><a href="${customerUrl(row.customerId)}">${row.customerName}</a></td>
        <td data-label="${c.service}">${row.serviceLabel}</td>
        <td data-label="${c.mode}">${c.modes[row.mode] ?? row.mode}</td>
        <td data-label="${c.reason}">${row.reason}</td>
        <td data-label="${c.requested}">${staffInstant(row.requestedAt)} <span class="muted">${row.requestedBy.startsWith("customer") ? c.byCustomer : c.by(row.requestedBy)}</span></td>
        <td data-label="${c.effective}">${staffInstant(row.effectiveAt)}</td>
        <td data-label="${c.window}">${windowCell(ctx.m, row, now)}${row.carriedOutBy ? html`<br><span class="muted">${c.asked(row.carriedOutBy)}</span>` : ""}</td>
        <td data-label="${c.actions}">${
          canCarry && row.carriedOutBy === null
            ? html`<a class="button" href="/admin/cancellations/${row.id}/carry-out">${c.carryOut}</a>`
            : ""
        }</td>
      </tr>`,
    )}
  </tbody></table>`
  }`;
}

export function carryOutPage(
  ctx: PageContext,
  request: CancellationRequestView,
  preview: CarryOutPreview,
  form: { reason: string; errors: Record<string, string> },
): SafeHtml {
  const c = ctx.m.adminCancellations;
  const a = ctx.m.adminCustomers.act;
  const fmt = (v: Parameters<typeof formatMoney>[0]) => formatMoney(v, ctx.locale);
  return actionPage(ctx, {
    action: `/admin/cancellations/${request.id}/carry-out`,
    lines: [
      c.carryIntro(request.serviceLabel, request.customerName),
      c.carryRequest(
        c.modes[request.mode] ?? request.mode,
        staffInstant(request.requestedAt),
        staffInstant(request.effectiveAt),
      ),
      c.customerReason(request.reason),
      ...(preview.invoices.length === 0
        ? [a.noInvoices]
        : preview.invoices.map((i) =>
            i.outcome === "void"
              ? a.willVoid(i.id, fmt(i.total))
              : i.outcome === "deferred"
                ? a.willDefer(i.id, fmt(i.total))
                : a.willAdjust(i.id, fmt(i.total)),
          )),
      ...(preview.pendingCharge ? [c.pendingCharge] : []),
    ],
    hidden: { confirm: "yes" },
    reason: form.reason,
    errors: form.errors,
    button: c.doCarryOut,
    danger: true,
    back: "/admin/cancellations",
    backLabel: c.back,
    reasonLabel: c.staffReason,
  });
}

export function reasonsPage(ctx: PageContext, report: ReasonReport, months: number): SafeHtml {
  const r = ctx.m.adminCancellations.reasons;
  const categories = Object.keys(report.counts) as (keyof ReasonReport["counts"])[];
  return html`<p>${r.intro(months)}</p>
  <form method="get" action="/admin/cancellations/reasons" class="filters">
    <div><label for="months">${r.months}</label><input id="months" name="months" type="number" min="1" max="36" value="${months}"></div>
    <div class="actions"><button type="submit">${r.show}</button></div>
  </form>
  ${
    report.total === 0
      ? html`<p class="muted">${r.none}</p>`
      : html`<table class="responsive reasons"><thead><tr><th>${r.category}</th>${report.months.map((month) => html`<th>${month}</th>`)}<th>${r.total}</th></tr></thead><tbody>
    ${categories.map(
      (category) => html`<tr>
        <th scope="row" data-label="${r.category}">${r.categories[category] ?? category}</th>
        ${report.months.map((month) => html`<td data-label="${month}">${report.counts[category][month] ?? 0}</td>`)}
        <td data-label="${r.total}"><strong>${report.totalsByCategory[category]}</strong></td>
      </tr>`,
    )}
    <tr><th scope="row" data-label="${r.category}">${r.total}</th>${report.months.map(
      (month) => html`<td data-label="${month}"><strong>${report.totalsByMonth[month] ?? 0}</strong></td>`,
    )}<td data-label="${r.total}"><strong>${report.total}</strong></td></tr>
  </tbody></table>`
  }`;
}
