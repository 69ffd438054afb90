/**
 * Back office: the drift list (reconciliation). What the registry or the gateway says that
 * Tenure's records do not; staff accept (their value is taken: an expiry is written into the
 * domain) or reject (Tenure's is kept), with a reason, after a page saying what will happen.
 * Domain differences are decided by care roles, payment differences by money roles.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { ROLES } from "../../domain/staff-roles.js";
import { parseInstant } from "../../domain/time.js";
import { decideDrift, mayDecide } from "../../modules/reconciliation/decide-drift.js";
import { type DriftRow, findDrift, listDrift } from "../../modules/reconciliation/drift-repository.js";
import { staffInstant } from "../../views/admin/admin-format.js";
import { actionPage } from "../../views/admin/customers/customer-pages.js";
import { html, type SafeHtml } from "../../views/html.js";
import type { PageContext } from "../../views/layout.js";
import { type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow, staffOf } from "./admin-guard.js";

type Params = { Params: { id: string; decision: string } };

const decisionForm = z.object({
  reason: z.string().trim().min(3).max(1000),
  confirm: z.literal("yes").optional(),
});

function driftId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new AppError("NOT_FOUND", "Drift not found.");
  return Number(text);
}

function decisionOf(text: string): "accept" | "reject" {
  if (text !== "accept" && text !== "reject") throw new AppError("NOT_FOUND", "Drift not found.");
  return text;
}

/** An instant as staff read them everywhere (UTC, to the minute); any other value as it is. */
function shown(value: string): string {
  const instant = /^\d{4}-\d{2}-\d{2}T/.test(value) ? parseInstant(value) : null;
  return instant === null ? value : staffInstant(instant);
}

function kindsFor(role: string): ("domain" | "payment")[] {
  return (["domain", "payment"] as const).filter((kind) => mayDecide(role, kind));
}

function table(ctx: PageContext, rows: DriftRow[], decidable: boolean): SafeHtml {
  const d = ctx.m.adminDrift;
  return html`<div class="table-wrap"><table class="responsive">
    <thead><tr><th>${d.kind}</th><th>${d.subject}</th><th>${d.field}</th><th>${d.ours}</th><th>${d.theirs}</th><th>${d.rule}</th><th>${d.detected}</th><th>${d.decision}</th></tr></thead>
    <tbody>${rows.map(
      (row) => html`<tr data-drift="${String(row.id)}">
        <td data-label="${d.kind}">${d.kinds[row.kind] ?? row.kind}</td>
        <td data-label="${d.subject}">${
          row.kind === "domain" && row.serviceId
            ? html`<a href="/admin/domains/${encodeURIComponent(row.serviceId)}"><code>${row.subject}</code></a>`
            : html`<code>${row.subject}</code>`
        }</td>
        <td data-label="${d.field}"><code>${row.field}</code></td>
        <td data-label="${d.ours}">${shown(row.ours)}</td>
        <td data-label="${d.theirs}">${shown(row.theirs)}</td>
        <td data-label="${d.rule}">${d.rules[row.rule] ?? row.rule}</td>
        <td data-label="${d.detected}">${staffInstant(row.detectedAt)}</td>
        <td data-label="${d.decision}">${
          row.status === "open"
            ? decidable
              ? html`<a href="/admin/drift/${String(row.id)}/accept">${d.accept}</a> · <a href="/admin/drift/${String(row.id)}/reject">${d.reject}</a>`
              : ""
            : html`${d.statuses[row.status] ?? row.status} <span class="muted">${d.by(row.decidedBy ?? "")}${row.decisionReason ? html` — ${row.decisionReason}` : ""}</span>`
        }</td>
      </tr>`,
    )}</tbody></table></div>`;
}

export function registerDriftRoutes(app: FastifyInstance, options: HttpOptions): void {
  const { deps } = options;

  app.get("/admin/drift", allow(ROLES.anyStaff), async (request, reply) => {
    const kinds = kindsFor(staffOf(request).role);
    const open = await listDrift(deps.db, { status: "open", kinds });
    const decided = await listDrift(deps.db, { status: "decided", kinds, limit: 50 });
    return sendPage(
      request,
      reply,
      (m) => m.adminDrift.title,
      (ctx) =>
        html`<p>${ctx.m.adminDrift.intro}</p>
        ${open.length === 0 ? html`<p class="muted">${ctx.m.adminDrift.none}</p>` : table(ctx, open, true)}
        ${decided.length > 0 ? html`<h2>${ctx.m.adminDrift.decidedTitle}</h2>${table(ctx, decided, false)}` : ""}`,
    );
  });

  const confirmation = async (
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    form: { reason: string; errors: Record<string, string> } = { reason: "", errors: {} },
  ) => {
    const decision = decisionOf(request.params.decision);
    const drift = await findDrift(deps.db, driftId(request.params.id));
    if (!drift || !mayDecide(staffOf(request).role, drift.kind))
      throw new AppError("NOT_FOUND", "Drift not found.");
    const d = messages(request).adminDrift;
    if (drift.status !== "open")
      return redirectWith(request, reply, "/admin/drift", {
        kind: "info",
        text: d.refusals["already-decided"] ?? "",
      });
    const writes = decision === "accept" && drift.kind === "domain" && drift.field === "expires_at";
    return sendPage(
      request,
      reply,
      (m) => (decision === "accept" ? m.adminDrift.accept : m.adminDrift.reject),
      (ctx) =>
        actionPage(ctx, {
          action: `/admin/drift/${drift.id}/${decision}`,
          lines: [
            decision === "accept"
              ? ctx.m.adminDrift.confirmAccept(drift.subject, shown(drift.theirs))
              : ctx.m.adminDrift.confirmReject(drift.subject, shown(drift.ours)),
            ctx.m.adminDrift.rules[drift.rule] ?? drift.rule,
            writes
              ? ctx.m.adminDrift.writesExpiry(shown(drift.ours), shown(drift.theirs))
              : ctx.m.adminDrift.acknowledges,
          ],
          hidden: { confirm: "yes" },
          reason: form.reason,
          errors: form.errors,
          button: decision === "accept" ? ctx.m.adminDrift.accept : ctx.m.adminDrift.reject,
          danger: writes,
          back: "/admin/drift",
          backLabel: ctx.m.adminDrift.back,
          reasonLabel: ctx.m.adminDrift.reasonLabel,
        }),
      { status: Object.keys(form.errors).length > 0 ? 400 : 200 },
    );
  };

  app.get<Params>("/admin/drift/:id/:decision", allow(ROLES.anyStaff), (request, reply) =>
    confirmation(request, reply),
  );

  app.post<Params>("/admin/drift/:id/:decision", allow(ROLES.anyStaff), async (request, reply) => {
    const decision = decisionOf(request.params.decision);
    const id = driftId(request.params.id);
    const d = messages(request).adminDrift;
    const form = parseForm(decisionForm, request.body);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const sentReason = typeof body.reason === "string" ? body.reason : "";
    if (!form.ok)
      return confirmation(request, reply, { reason: sentReason, errors: { reason: d.reasonError } });
    if (form.value.confirm !== "yes")
      return confirmation(request, reply, { reason: form.value.reason, errors: {} });
    const drift = await findDrift(deps.db, id);
    if (!drift || !mayDecide(staffOf(request).role, drift.kind))
      throw new AppError("NOT_FOUND", "Drift not found.");
    const result = await decideDrift(
      deps,
      actorOf(request),
      { id, decision, reason: form.value.reason },
      options.clock.now(),
    );
    if (!result.ok)
      return redirectWith(request, reply, "/admin/drift", {
        kind: "info",
        text: d.refusals[result.reason] ?? result.reason,
      });
    return redirectWith(request, reply, "/admin/drift", {
      kind: "success",
      text: d.decided(drift.subject, d.statuses[result.status] ?? result.status),
    });
  });
}
