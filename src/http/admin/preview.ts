/**
 * Back office: the preview (issue 9), what the engine will do in the next N days (1-90) across
 * the whole book or for one customer, grouped by day with totals per kind and amounts per
 * currency. Computed by src/domain/preview.ts from the engine's own rules, read in chunks by
 * src/modules/preview/read-preview.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { formatMoney } from "../../domain/money.js";
import { PREVIEW_KINDS, PREVIEW_MAX_DAYS, PREVIEW_MIN_DAYS, type PreviewItem } from "../../domain/preview.js";
import { ROLES } from "../../domain/staff-roles.js";
import { findCustomer } from "../../modules/customers/customer-repository.js";
import { type PreviewResult, readPreview } from "../../modules/preview/read-preview.js";
import { staffInstant } from "../../views/admin/admin-format.js";
import { html, type SafeHtml } from "../../views/html.js";
import type { PageContext } from "../../views/layout.js";
import { type HttpOptions, messages, sendPage } from "../context.js";
import { allow } from "./admin-guard.js";

const DEFAULT_DAYS = 7;

function amounts(ctx: PageContext, byCurrency: Record<string, number>): string {
  const entries = Object.entries(byCurrency).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return "—";
  return entries.map(([currency, amount]) => formatMoney({ amount, currency }, ctx.locale)).join(" · ");
}

function counts(ctx: PageContext, byKind: Record<string, number>): SafeHtml {
  const p = ctx.m.adminPreview;
  return html`<ul class="preview-totals">${PREVIEW_KINDS.filter((k) => (byKind[k] ?? 0) > 0).map(
    (k) => html`<li><strong data-kind="${k}">${byKind[k] ?? 0}</strong> ${p.kinds[k]}</li>`,
  )}</ul>`;
}

function detail(ctx: PageContext, item: PreviewItem): string {
  const p = ctx.m.adminPreview;
  const parts: string[] = [];
  if (item.template) parts.push(item.template);
  if (item.amount) parts.push(formatMoney(item.amount, ctx.locale));
  if (item.attempt !== undefined && item.kind === "charge") parts.push(p.attempt(item.attempt));
  if (item.outcome) parts.push(p.outcome[item.outcome] ?? item.outcome);
  return parts.join(", ") || item.step;
}

export function registerPreviewRoutes(app: FastifyInstance, options: HttpOptions): void {
  const deps = options.deps;

  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { days: string; customer: string },
    outcome:
      | { error: string; status: number }
      | { preview: PreviewResult; days: number; customer: string | null },
  ) =>
    sendPage(
      request,
      reply,
      (m) => m.adminPreview.title,
      (ctx) => {
        const p = ctx.m.adminPreview;
        const formHtml = html`<form method="get" action="/admin/preview" class="filters card">
          <div><label for="days">${p.days}</label><input id="days" name="days" type="number" min="${PREVIEW_MIN_DAYS}" max="${PREVIEW_MAX_DAYS}" value="${form.days}" required>${"error" in outcome && outcome.status === 400 ? html`<p class="field-error" role="alert">${outcome.error}</p>` : ""}</div>
          <div><label for="customer">${p.customer}</label><input id="customer" name="customer" type="text" value="${form.customer}">${"error" in outcome && outcome.status === 404 ? html`<p class="field-error" role="alert">${outcome.error}</p>` : ""}</div>
          <div class="actions"><button type="submit">${p.show}</button></div></form>`;
        if ("error" in outcome) return html`<p>${p.intro}</p>${formHtml}`;
        const { preview } = outcome;
        const t = preview.totals;
        return html`<p>${p.intro}</p>${formHtml}
          <p class="muted">${p.assumptions}</p>
          <section class="card" data-testid="preview-totals"><h2>${p.totals}</h2>
            <p>${p.range(staffInstant(preview.from), staffInstant(preview.until))} ${outcome.customer ? p.forCustomer(outcome.customer) : p.wholeBook} ${p.services(t.services)}</p>
            ${preview.days.length === 0 ? html`<p class="muted">${p.nothing}</p>` : counts(ctx, t.counts)}
            <p>${p.charged}: <strong data-testid="total-charged">${amounts(ctx, t.charged)}</strong> · ${p.invoiced}: <strong>${amounts(ctx, t.invoiced)}</strong></p>
          </section>
          ${preview.days.map(
            (
              day,
            ) => html`<section class="card" data-testid="preview-day" data-day="${day.day}"><h2>${day.day}</h2>
            ${counts(ctx, day.counts)}
            <p>${p.charged}: <strong>${amounts(ctx, day.charged)}</strong> · ${p.invoiced}: <strong>${amounts(ctx, day.invoiced)}</strong></p>
            <table class="responsive"><thead><tr><th>${p.at}</th><th>${p.what}</th><th>${p.service}</th><th>${p.customerColumn}</th><th>${p.detail}</th></tr></thead><tbody>
            ${day.items.map(
              (item) => html`<tr>
                <td data-label="${p.at}">${staffInstant(item.at).slice(11)}</td>
                <td data-label="${p.what}">${p.kind[item.kind]}</td>
                <td data-label="${p.service}">${item.label} <span class="muted">(${item.serviceId})</span></td>
                <td data-label="${p.customerColumn}"><a href="/admin/customers/${item.customerId}">${item.customerId}</a></td>
                <td data-label="${p.detail}">${detail(ctx, item)}</td></tr>`,
            )}
            </tbody></table>
            ${day.more > 0 ? html`<p class="muted">${p.more(day.more)}</p>` : ""}</section>`,
          )}
          ${
            preview.undecidable.length > 0
              ? html`<section class="card warning"><h2>${p.undecidable}</h2><ul>${preview.undecidable.map(
                  (u) => html`<li><code>${u.serviceId}</code>: ${u.error}</li>`,
                )}</ul></section>`
              : ""
          }`;
      },
      { status: "error" in outcome ? outcome.status : 200 },
    );

  app.get("/admin/preview", allow(ROLES.anyStaff), async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const rawDays = typeof query.days === "string" ? query.days.trim() : "";
    const rawCustomer = typeof query.customer === "string" ? query.customer.trim() : "";
    const form = { days: rawDays || String(DEFAULT_DAYS), customer: rawCustomer };
    const m = messages(request).adminPreview;
    const days = rawDays === "" ? DEFAULT_DAYS : /^\d{1,3}$/.test(rawDays) ? Number(rawDays) : Number.NaN;
    if (
      !Number.isInteger(days) ||
      days < PREVIEW_MIN_DAYS ||
      days > PREVIEW_MAX_DAYS ||
      Array.isArray(query.days)
    )
      return page(request, reply, form, { error: m.daysInvalid, status: 400 });
    if (rawCustomer !== "" && (rawCustomer.length > 64 || !(await findCustomer(deps.db, rawCustomer))))
      return page(request, reply, form, { error: m.customerUnknown(rawCustomer), status: 404 });
    const preview = await readPreview(deps, {
      now: options.clock.now(),
      days,
      ...(rawCustomer !== "" ? { customerId: rawCustomer } : {}),
    });
    return page(request, reply, form, { preview, days, customer: rawCustomer || null });
  });
}
