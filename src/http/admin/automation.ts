/**
 * Back office: automation (issue 9). The health line, the engine's runs and their failures, the
 * services whose last step failed with retry now, and the money in flight: charges awaiting the
 * bank (check now) and unresolved refunds. Thin handlers over src/modules/engine-runs/.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import type { AutomationHealth } from "../../domain/automation-health.js";
import { formatMoney } from "../../domain/money.js";
import { ROLES } from "../../domain/staff-roles.js";
import { checkPendingCharge } from "../../modules/engine-runs/check-charge.js";
import {
  findPendingCharge,
  findRun,
  findServiceState,
  lastFailedStep,
  listFailingServices,
  listPendingCharges,
  listRuns,
  listUnresolvedRefunds,
  RUNS_PER_PAGE,
  readAutomationHealth,
  runFailures,
} from "../../modules/engine-runs/engine-runs.js";
import { retryServiceNow } from "../../modules/engine-runs/retry-service.js";
import { staffInstant } from "../../views/admin/admin-format.js";
import { html, type SafeHtml } from "../../views/html.js";
import { csrfField, type PageContext } from "../../views/layout.js";
import { type HttpOptions, localeOf, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow, staffOf } from "./admin-guard.js";

/** The worker's default interval (TENURE_WORKER_INTERVAL_SECONDS), when the app was not told. */
export const DEFAULT_WORKER_INTERVAL_MS = 60_000;

/** Steps that move money: support (no money movement) may not retry them. */
const MONEY_STEPS = new Set(["charge", "resolve-payment"]);

const confirmForm = z.object({ confirm: z.literal("yes").optional() });
const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(1_000_000).default(1) });

function idParam(request: FastifyRequest): string {
  return String((request.params as { id?: string }).id ?? "");
}

function numericId(request: FastifyRequest): number {
  const raw = idParam(request);
  if (!/^[1-9][0-9]{0,14}$/.test(raw)) throw new AppError("NOT_FOUND", "no such id");
  return Number(raw);
}

/** The health line, as the automation page and the overview show it. */
export function healthLine(ctx: PageContext, health: AutomationHealth, intervalMs: number): SafeHtml {
  const h = ctx.m.adminAutomation.health;
  return html`<section class="card health health-${health.state}" data-testid="automation-health" data-state="${health.state}">
    <p><span class="muted">${h.label}</span> <span class="badge badge-health-${health.state}">${h.state[health.state]}</span></p>
    <p>${health.lastCompletedRunAt === null ? h.neverRun : h.lastRun(staffInstant(health.lastCompletedRunAt))} ${h.interval(Math.round(intervalMs / 1000))}</p>
    ${health.reasons.length > 0 ? html`<ul>${health.reasons.map((r) => html`<li>${h.reason(r)}</li>`)}</ul>` : ""}
    <p class="muted"><a href="/admin/policies#automation">${h.policyNote}</a></p>
  </section>`;
}

export function registerAutomationRoutes(app: FastifyInstance, options: HttpOptions): void {
  const deps = options.deps;
  const db = deps.db;
  const intervalMs = options.workerIntervalMs ?? DEFAULT_WORKER_INTERVAL_MS;

  app.get("/admin/automation", allow(ROLES.anyStaff), async (request, reply) => {
    const query = pageQuery.safeParse(request.query);
    const page = query.success ? query.data.page : 1;
    const now = options.clock.now();
    const [health, failing, charges, refunds, runs] = await Promise.all([
      readAutomationHealth(deps, now, intervalMs),
      listFailingServices(db),
      listPendingCharges(deps, now),
      listUnresolvedRefunds(deps, now),
      listRuns(db, page),
    ]);
    const pages = Math.max(1, Math.ceil(runs.total / RUNS_PER_PAGE));
    return sendPage(
      request,
      reply,
      (m) => m.adminAutomation.title,
      (ctx) => {
        const a = ctx.m.adminAutomation;
        const f = a.failing;
        const c = a.charges;
        const r = a.runs;
        return html`${healthLine(ctx, health, intervalMs)}
        <section class="card" id="failing"><h2>${f.title}</h2>
        ${
          failing.length === 0
            ? html`<p class="muted">${f.none}</p>`
            : html`<table class="responsive" data-testid="failing-services"><thead><tr><th>${f.service}</th><th>${f.customer}</th><th>${f.failures}</th><th>${f.lastError}</th><th>${f.nextTry}</th><th></th></tr></thead><tbody>
          ${failing.map(
            (s) => html`<tr>
              <td data-label="${f.service}">${s.label} <span class="muted">(${s.id})</span></td>
              <td data-label="${f.customer}"><a href="/admin/customers/${s.customerId}">${s.customerId}</a></td>
              <td data-label="${f.failures}">${s.failureCount}</td>
              <td data-label="${f.lastError}"><code>${s.lastError ?? "—"}</code></td>
              <td data-label="${f.nextTry}">${staffInstant(s.nextDueAt)}</td>
              <td>${
                s.leasedUntil !== null && s.leasedUntil > now
                  ? html`<span class="muted">${f.leased(staffInstant(s.leasedUntil))}</span>`
                  : html`<form method="post" action="/admin/automation/services/${s.id}/retry">${csrfField(ctx)}<button type="submit">${f.retry}</button></form>`
              }</td></tr>`,
          )}
          </tbody></table>`
        }</section>
        <section class="card" id="charges"><h2>${c.title}</h2><p class="muted">${c.intro}</p>
        ${
          charges.length === 0
            ? html`<p class="muted">${c.none}</p>`
            : html`<table class="responsive" data-testid="pending-charges"><thead><tr><th>${c.since}</th><th>${c.age}</th><th>${c.invoice}</th><th>${c.customer}</th><th>${c.amount}</th><th>${c.key}</th><th></th></tr></thead><tbody>
          ${charges.map(
            (p) => html`<tr class="${p.isAlarm ? "late" : ""}">
              <td data-label="${c.since}">${staffInstant(p.since)}</td>
              <td data-label="${c.age}">${c.hours((now - p.since) / 3_600_000)}${p.isAlarm ? html` <span class="badge badge-failing">${c.alarm}</span>` : ""}</td>
              <td data-label="${c.invoice}">${p.invoiceId}</td>
              <td data-label="${c.customer}"><a href="/admin/customers/${p.customerId}">${p.customerName}</a></td>
              <td data-label="${c.amount}">${formatMoney({ amount: p.amount, currency: p.currency }, ctx.locale)} <span class="muted">(${c.attempt} ${p.attempt})</span></td>
              <td data-label="${c.key}"><code>${p.idempotencyKey}</code></td>
              <td><form method="post" action="/admin/automation/charges/${p.paymentId}/check">${csrfField(ctx)}<button type="submit">${c.check}</button></form></td></tr>`,
          )}
          </tbody></table>`
        }</section>
        <section class="card" id="refunds"><h2>${a.refunds.title}</h2><p class="muted">${a.refunds.intro}</p>
        ${
          refunds.length === 0
            ? html`<p class="muted">${a.refunds.none}</p>`
            : html`<table class="responsive" data-testid="unresolved-refunds"><thead><tr><th>${c.since}</th><th>${c.invoice}</th><th>${c.customer}</th><th>${r.status}</th><th>${c.key}</th></tr></thead><tbody>
          ${refunds.map(
            (u) => html`<tr>
              <td data-label="${c.since}">${staffInstant(u.since)}</td>
              <td data-label="${c.invoice}">${u.invoice}</td>
              <td data-label="${c.customer}"><a href="/admin/customers/${u.customer}">${u.customer}</a></td>
              <td data-label="${r.status}"><span class="badge badge-failing">${a.refunds.status[u.status] ?? u.status}</span></td>
              <td data-label="${c.key}"><code>${u.idempotencyKey}</code></td></tr>`,
          )}
          </tbody></table>`
        }</section>
        <section class="card" id="runs"><h2>${r.title}</h2>
        ${
          runs.runs.length === 0
            ? html`<p class="muted">${r.none}</p>`
            : html`<table class="responsive" data-testid="engine-runs"><thead><tr><th>${r.run}</th><th>${r.at}</th><th>${r.duration}</th><th>${r.steps}</th><th>${r.failed}</th><th>${r.status}</th><th>${r.worker}</th></tr></thead><tbody>
          ${runs.runs.map(
            (run) => html`<tr>
              <td data-label="${r.run}"><a href="/admin/automation/runs/${run.id}">${run.id}</a></td>
              <td data-label="${r.at}">${staffInstant(run.nowAt)}</td>
              <td data-label="${r.duration}">${run.durationMs === null ? "—" : r.ms(run.durationMs)}</td>
              <td data-label="${r.steps}">${run.stepsApplied}</td>
              <td data-label="${r.failed}">${run.servicesFailed}</td>
              <td data-label="${r.status}"><span class="badge ${run.status === "ok" ? "badge-green" : "badge-failing"}">${r.statuses[run.status] ?? run.status}</span></td>
              <td data-label="${r.worker}">${run.worker}</td></tr>`,
          )}
          </tbody></table>
          <p class="muted">${r.page(page, pages)}
            ${page > 1 ? html` · <a href="/admin/automation?page=${page - 1}#runs">${r.newer}</a>` : ""}
            ${page < pages ? html` · <a href="/admin/automation?page=${page + 1}#runs">${r.older}</a>` : ""}</p>`
        }</section>`;
      },
    );
  });

  app.get("/admin/automation/runs/:id", allow(ROLES.anyStaff), async (request, reply) => {
    const id = numericId(request);
    const run = await findRun(db, id);
    if (!run) throw new AppError("NOT_FOUND", "no such engine run");
    const failures = await runFailures(db, id);
    return sendPage(
      request,
      reply,
      (m) => m.adminAutomation.run.title(id),
      (ctx) => {
        const a = ctx.m.adminAutomation;
        const r = a.runs;
        return html`<div class="card"><dl class="kv">
          <dt>${r.at}</dt><dd>${staffInstant(run.nowAt)}</dd>
          <dt>${r.duration}</dt><dd>${run.durationMs === null ? "—" : r.ms(run.durationMs)}</dd>
          <dt>${r.steps}</dt><dd>${run.stepsApplied}</dd>
          <dt>${r.failed}</dt><dd>${run.servicesFailed}</dd>
          <dt>${r.status}</dt><dd>${r.statuses[run.status] ?? run.status}</dd>
          <dt>${r.worker}</dt><dd>${run.worker}</dd></dl></div>
        <section class="card"><h2>${a.run.failures}</h2>
        ${
          failures.length === 0
            ? html`<p class="muted">${a.run.none}</p>`
            : html`<table class="responsive" data-testid="run-failures"><thead><tr><th>${a.failing.service}</th><th>${a.run.step}</th><th>${a.run.error}</th></tr></thead><tbody>
          ${failures.map(
            (fl) => html`<tr>
              <td data-label="${a.failing.service}">${fl.label ?? fl.serviceId} <span class="muted">(${fl.serviceId})</span>${fl.customerId ? html` · <a href="/admin/customers/${fl.customerId}">${fl.customerId}</a>` : ""}</td>
              <td data-label="${a.run.step}"><code>${fl.step}</code></td>
              <td data-label="${a.run.error}"><code>${fl.error}</code></td></tr>`,
          )}
          </tbody></table>`
        }</section>
        <p><a href="/admin/automation">${a.run.back}</a></p>`;
      },
    );
  });

  const refuse = (request: FastifyRequest, reply: FastifyReply) => {
    const m = messages(request);
    const role = staffOf(request).role;
    return sendPage(
      request,
      reply,
      m.admin.forbidden.title,
      () =>
        html`<div class="card"><p role="alert">${m.admin.forbidden.text(
          m.admin.roles[role] ?? role,
          ROLES.money.map((r) => m.admin.roles[r] ?? r).join(m.admin.forbidden.or),
        )}</p><p><a href="/admin/automation">${m.adminAutomation.run.back}</a></p></div>`,
      { status: 403, flash: null },
    );
  };

  // Retry now: every role may bring a service's failed step forward, except that support (no
  // money movement) may not when that step charges or settles a payment.
  app.post("/admin/automation/services/:id/retry", allow(ROLES.anyStaff), async (request, reply) => {
    const id = idParam(request);
    const service = await findServiceState(db, id);
    if (!service) throw new AppError("NOT_FOUND", "no such service");
    const m = messages(request);
    const a = m.adminAutomation;
    if (service.failureCount === 0) {
      return sendPage(
        request,
        reply,
        a.retry.title,
        () =>
          html`<div class="card"><p role="alert">${a.retry.notFailing}</p><p><a href="/admin/automation">${a.run.back}</a></p></div>`,
        { status: 400, flash: null },
      );
    }
    const step = await lastFailedStep(db, id);
    const movesMoney = step !== null && MONEY_STEPS.has(step);
    if (movesMoney && !(ROLES.money as readonly string[]).includes(staffOf(request).role))
      return refuse(request, reply);
    const form = parseForm(confirmForm, request.body);
    if (!form.ok || form.value.confirm !== "yes") {
      const open = movesMoney
        ? await db
            .selectFrom("invoices")
            .select(["id", "total", "amount_paid", "currency"])
            .where("service_id", "=", id)
            .where("status", "=", "open")
            .orderBy("id")
            .execute()
        : [];
      return sendPage(
        request,
        reply,
        (mm) => mm.adminAutomation.retry.title,
        (ctx) => {
          const r = ctx.m.adminAutomation.retry;
          return html`<div class="card"><p>${r.intro(service.label)}</p>
            <p>${r.failures(service.failureCount)} ${r.lastError} <code>${service.lastError ?? "—"}</code></p>
            ${movesMoney ? html`<p role="alert">${r.money}</p><ul>${open.map((i) => html`<li>${r.openInvoice(i.id, formatMoney({ amount: i.total - i.amount_paid, currency: i.currency }, ctx.locale))}</li>`)}</ul>` : ""}
            <form method="post" action="/admin/automation/services/${id}/retry">${csrfField(ctx)}<input type="hidden" name="confirm" value="yes">
            <div class="actions"><button type="submit">${r.confirm}</button><a href="/admin/automation">${ctx.m.common.form.cancel}</a></div></form></div>`;
        },
        { status: form.ok ? 200 : 400 },
      );
    }
    const now = options.clock.now();
    const result = await retryServiceNow(deps, id, now, actorOf(request));
    if (result.kind === "not-found") throw new AppError("NOT_FOUND", "no such service");
    if (result.kind === "busy")
      return redirectWith(request, reply, "/admin/automation", {
        kind: "info",
        text: a.retry.busy(staffInstant(result.leasedUntil)),
      });
    const charges = result.charges.map((c) =>
      a.retry.charge(
        c.invoiceId,
        formatMoney({ amount: c.amount, currency: c.currency }, localeOf(request)),
        a.retry.chargeStatus[c.status] ?? c.status,
      ),
    );
    const text =
      result.kind === "done"
        ? a.retry.done(service.label, result.steps)
        : a.retry.failed(service.label, result.step, result.error);
    return redirectWith(request, reply, "/admin/automation", {
      kind: result.kind === "done" ? "success" : "error",
      text: [text, ...charges].join(" "),
    });
  });

  app.post("/admin/automation/charges/:id/check", allow(ROLES.money), async (request, reply) => {
    const id = numericId(request);
    const now = options.clock.now();
    const payment = await findPendingCharge(deps, id, now);
    if (!payment) throw new AppError("NOT_FOUND", "no such payment");
    const a = messages(request).adminAutomation;
    const locale = localeOf(request);
    const amount = formatMoney({ amount: payment.amount, currency: payment.currency }, locale);
    const retryStatus = (status: string) => a.retry.chargeStatus[status] ?? status;
    if (payment.status !== "pending")
      return redirectWith(request, reply, "/admin/automation#charges", {
        kind: "info",
        text: a.check.notPending(retryStatus(payment.status)),
      });
    const form = parseForm(confirmForm, request.body);
    if (!form.ok || form.value.confirm !== "yes") {
      return sendPage(
        request,
        reply,
        (mm) => mm.adminAutomation.check.title,
        (ctx) => {
          const k = ctx.m.adminAutomation.check;
          return html`<div class="card"><p>${k.intro(payment.idempotencyKey)}</p>
            <p>${k.what(payment.invoiceId, amount, staffInstant(payment.since))}</p>
            <form method="post" action="/admin/automation/charges/${id}/check">${csrfField(ctx)}<input type="hidden" name="confirm" value="yes">
            <div class="actions"><button type="submit">${k.confirm}</button><a href="/admin/automation#charges">${ctx.m.common.form.cancel}</a></div></form></div>`;
        },
        { status: form.ok ? 200 : 400 },
      );
    }
    const result = await checkPendingCharge(deps, id, now, actorOf(request));
    if (result.kind === "not-found") throw new AppError("NOT_FOUND", "no such payment");
    if (result.kind === "not-pending")
      return redirectWith(request, reply, "/admin/automation#charges", {
        kind: "info",
        text: a.check.notPending(retryStatus(result.status)),
      });
    const text = result.unreachable
      ? a.check.answer.unreachable(result.invoiceId, amount)
      : result.lookup === null
        ? a.check.answer.neverReceived(result.invoiceId, amount, retryStatus(result.status))
        : result.lookup.status === "succeeded"
          ? a.check.answer.succeeded(result.invoiceId, amount)
          : a.check.answer.failed(result.invoiceId, amount);
    return redirectWith(request, reply, "/admin/automation#charges", {
      kind: result.unreachable ? "error" : result.status === "succeeded" ? "success" : "info",
      text,
    });
  });
}
