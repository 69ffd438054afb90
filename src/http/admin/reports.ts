/**
 * Back office: reports (issue 12, docs/taxes.md), tax collected per tax and month and revenue per
 * product over a period of whole days, with the CSV the accountant takes away (the same as
 * `tenure report`). Money roles only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { formatMoney } from "../../domain/money.js";
import { ROLES } from "../../domain/staff-roles.js";
import { formatRate, taxName } from "../../domain/taxes.js";
import {
  parseReportPeriod,
  type ReportPeriod,
  type RevenueReportRow,
  revenueReport,
  revenueReportCsv,
  type TaxReportRow,
  taxReport,
  taxReportCsv,
} from "../../modules/invoices/reports.js";
import { staffDate } from "../../views/admin/admin-format.js";
import { html } from "../../views/html.js";
import { type HttpOptions, messages, sendPage } from "../context.js";
import { allow } from "./admin-guard.js";

function text(value: unknown): string {
  return typeof value === "string" ? value.trim() : "";
}

/** The period asked for, or this month so far (UTC) when neither date is given. */
function periodOf(query: Record<string, unknown>, now: number) {
  let from = text(query.from);
  let to = text(query.to);
  if (from === "" && to === "") {
    to = staffDate(now);
    from = `${to.slice(0, 8)}01`;
  }
  return { form: { from, to }, parsed: parseReportPeriod(from, to) };
}

export function registerReportRoutes(app: FastifyInstance, options: HttpOptions): void {
  const deps = options.deps;

  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    form: { from: string; to: string },
    outcome: { error: string } | { period: ReportPeriod; taxes: TaxReportRow[]; revenue: RevenueReportRow[] },
  ) =>
    sendPage(
      request,
      reply,
      (m) => m.adminReports.title,
      (ctx) => {
        const r = ctx.m.adminReports;
        const query = `?from=${encodeURIComponent(form.from)}&to=${encodeURIComponent(form.to)}`;
        const formHtml = html`<form method="get" action="/admin/reports" class="filters card">
          <div><label for="from">${r.from}</label><input id="from" name="from" type="date" value="${form.from}" required></div>
          <div><label for="to">${r.to}</label><input id="to" name="to" type="date" value="${form.to}" required></div>
          <div class="actions"><button type="submit">${r.show}</button></div>
          ${"error" in outcome ? html`<p class="field-error" role="alert">${r.invalid(outcome.error)}</p>` : ""}</form>`;
        if ("error" in outcome) return html`<p>${r.intro}</p>${formHtml}`;
        const money = (amount: number, currency: string) => formatMoney({ amount, currency }, ctx.locale);
        return html`<p>${r.intro}</p>${formHtml}
          <section class="card" data-testid="tax-report"><h2>${r.taxes}</h2>
            <p><a href="/admin/reports/taxes.csv${query}" download>${r.downloadTaxes}</a></p>
            ${
              outcome.taxes.length === 0
                ? html`<p class="muted">${r.nothing}</p>`
                : html`<table class="responsive"><thead><tr><th>${r.month}</th><th>${r.tax}</th><th>${r.rate}</th><th>${r.jurisdiction}</th><th>${r.base}</th><th>${r.collected}</th></tr></thead><tbody>
              ${outcome.taxes.map(
                (row) => html`<tr>
                <td data-label="${r.month}">${row.month}</td>
                <td data-label="${r.tax}">${taxName(row.code, ctx.locale)}</td>
                <td data-label="${r.rate}">${formatRate(row.rate, ctx.locale)}</td>
                <td data-label="${r.jurisdiction}">${row.jurisdiction}</td>
                <td data-label="${r.base}">${money(row.taxableBase, row.currency)}</td>
                <td data-label="${r.collected}"><strong>${money(row.taxCollected, row.currency)}</strong></td></tr>`,
              )}</tbody></table>`
            }
          </section>
          <section class="card" data-testid="revenue-report"><h2>${r.revenue}</h2>
            <p><a href="/admin/reports/revenue.csv${query}" download>${r.downloadRevenue}</a></p>
            ${
              outcome.revenue.length === 0
                ? html`<p class="muted">${r.nothing}</p>`
                : html`<table class="responsive"><thead><tr><th>${r.month}</th><th>${r.product}</th><th>${r.lines}</th><th>${r.amount}</th></tr></thead><tbody>
              ${outcome.revenue.map(
                (row) => html`<tr>
                <td data-label="${r.month}">${row.month}</td>
                <td data-label="${r.product}">${row.product === "credit notes" ? r.creditNotes : row.product}</td>
                <td data-label="${r.lines}">${row.count}</td>
                <td data-label="${r.amount}"><strong>${money(row.revenue, row.currency)}</strong></td></tr>`,
              )}</tbody></table>`
            }
          </section>`;
      },
      { status: "error" in outcome ? 400 : 200 },
    );

  app.get("/admin/reports", allow(ROLES.money), async (request, reply) => {
    const { form, parsed } = periodOf(request.query as Record<string, unknown>, options.clock.now());
    if (!parsed.ok) return page(request, reply, form, { error: parsed.error });
    const [taxes, revenue] = [
      await taxReport(deps.db, parsed.period),
      await revenueReport(deps.db, parsed.period),
    ];
    return page(request, reply, form, { period: parsed.period, taxes, revenue });
  });

  for (const kind of ["taxes", "revenue"] as const) {
    app.get(`/admin/reports/${kind}.csv`, allow(ROLES.money), async (request, reply) => {
      const { form, parsed } = periodOf(request.query as Record<string, unknown>, options.clock.now());
      if (!parsed.ok)
        return reply
          .code(400)
          .type("text/plain; charset=utf-8")
          .send(`${messages(request).adminReports.invalid(parsed.error)}\n`);
      const body =
        kind === "taxes"
          ? taxReportCsv(await taxReport(deps.db, parsed.period))
          : revenueReportCsv(await revenueReport(deps.db, parsed.period));
      return reply
        .header("content-disposition", `attachment; filename="${kind}-${form.from}-${form.to}.csv"`)
        .type("text/csv; charset=utf-8")
        .send(body);
    });
  }
}
