/**
 * Back office: the cancellation queue. Every pending request; immediate ones with the time left in
 * their window (`billing.immediateCancellationHours`) and marked late past it. Carrying one out
 * now (money: admin, billing) shows what it does first, then brings the request forward and lets
 * the engine's own step cancel (carry-out-cancellation.ts). And the reasons, by category and month.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { formatMoney } from "../../domain/money.js";
import { ROLES } from "../../domain/staff-roles.js";
import {
  cancellationReasons,
  findCancellationRequest,
  listPendingCancellations,
} from "../../modules/customers/cancellation-queue.js";
import { invoiceTotals } from "../../modules/customers/customer-overview.js";
import { carryOutCancellation, previewCarryOut } from "../../modules/services/carry-out-cancellation.js";
import { carryOutPage, queuePage, reasonsPage } from "../../views/admin/customers/cancellation-pages.js";
import { html } from "../../views/html.js";
import { type HttpOptions, localeOf, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow } from "./admin-guard.js";

type Params = { Params: { id: string } };

const carryForm = z.object({
  reason: z.string().trim().min(3).max(1000),
  confirm: z.literal("yes").optional(),
});
const reasonsQuery = z.object({ months: z.coerce.number().int().min(1).max(36).optional() });

function requestId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new AppError("NOT_FOUND", "Cancellation request not found.");
  return Number(text);
}

export function registerCancellationRoutes(app: FastifyInstance, options: HttpOptions): void {
  const { deps } = options;

  app.get("/admin/cancellations", allow(ROLES.anyStaff), async (request, reply) => {
    const now = options.clock.now();
    const rows = await listPendingCancellations(deps, now);
    return sendPage(
      request,
      reply,
      (m) => m.adminCancellations.title,
      (ctx) => queuePage(ctx, rows, now, deps.policies.billing.immediateCancellationHours),
    );
  });

  app.get("/admin/cancellations/reasons", allow(ROLES.anyStaff), async (request, reply) => {
    const query = reasonsQuery.safeParse(request.query ?? {});
    const now = options.clock.now();
    if (!query.success) {
      return sendPage(
        request,
        reply,
        (m) => m.adminCancellations.reasons.title,
        (ctx) =>
          html`<div class="flash flash-error" role="alert">${ctx.m.adminCancellations.reasons.monthsError}</div><p><a href="/admin/cancellations/reasons">${ctx.m.adminCancellations.reasons.title}</a></p>`,
        { status: 400 },
      );
    }
    const months = query.data.months ?? 12;
    const report = await cancellationReasons(deps.db, now, months);
    return sendPage(
      request,
      reply,
      (m) => m.adminCancellations.reasons.title,
      (ctx) => reasonsPage(ctx, report, months),
    );
  });

  const confirmation = async (
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    form: { reason: string; errors: Record<string, string> } = { reason: "", errors: {} },
  ) => {
    const now = options.clock.now();
    const found = await findCancellationRequest(deps, requestId(request.params.id), now);
    if (!found) throw new AppError("NOT_FOUND", "Cancellation request not found.");
    const m = messages(request).adminCancellations;
    if (found.status !== "pending" || found.carriedOutBy !== null) {
      const reason = found.status !== "pending" ? "not-pending" : "already-asked";
      return redirectWith(request, reply, "/admin/cancellations", {
        kind: "info",
        text: m.refusals[reason] ?? reason,
      });
    }
    const preview = await previewCarryOut(deps, found.serviceId);
    return sendPage(
      request,
      reply,
      (mm) => mm.adminCancellations.carryTitle(found.serviceLabel),
      (ctx) => carryOutPage(ctx, found, preview, form),
      { status: Object.keys(form.errors).length > 0 ? 400 : 200 },
    );
  };

  app.get<Params>("/admin/cancellations/:id/carry-out", allow(ROLES.money), (request, reply) =>
    confirmation(request, reply),
  );

  app.post<Params>("/admin/cancellations/:id/carry-out", allow(ROLES.money), async (request, reply) => {
    const id = requestId(request.params.id);
    const m = messages(request).adminCancellations;
    const form = parseForm(carryForm, request.body);
    const sentReason =
      typeof (request.body as Record<string, unknown> | undefined)?.reason === "string"
        ? String((request.body as Record<string, unknown>).reason)
        : "";
    if (!form.ok)
      return confirmation(request, reply, { reason: sentReason, errors: { reason: m.reasonError } });
    // The page saying what it does comes first; only its own post carries confirm=yes.
    if (form.value.confirm !== "yes")
      return confirmation(request, reply, { reason: form.value.reason, errors: {} });
    const now = options.clock.now();
    const found = await findCancellationRequest(deps, id, now);
    if (!found) throw new AppError("NOT_FOUND", "Cancellation request not found.");
    const result = await carryOutCancellation(
      deps,
      { requestId: id, actor: actorOf(request), reason: form.value.reason },
      now,
    );
    if (!result.ok)
      return redirectWith(request, reply, "/admin/cancellations", {
        kind: "info",
        text: m.refusals[result.reason] ?? result.reason,
      });
    const a = messages(request).adminCustomers.act;
    const fmt = (v: Parameters<typeof formatMoney>[0]) => formatMoney(v, localeOf(request));
    const label = `${found.serviceLabel} (${found.customerName})`;
    const totals = await invoiceTotals(deps.db, [
      ...result.voided,
      ...result.deferred,
      ...result.needsAdjustment,
    ]);
    const named = (n: number) => {
      const total = totals.get(n);
      return total ? `#${n} (${fmt(total)})` : `#${n}`;
    };
    const head = result.done
      ? m.done(label)
      : result.waitingFor === "engine"
        ? m.waitingEngine(label, result.error ?? "")
        : m.waitingPayment(label);
    const parts = [
      head,
      result.voided.length > 0 ? a.voided(result.voided.map(named).join(", ")) : "",
      result.deferred.length > 0 ? a.deferred(result.deferred.map(named).join(", ")) : "",
      result.refunded.length > 0
        ? a.refunded(result.refunded.map((r) => `#${r.invoice} (${fmt(r.amount)})`).join(", "))
        : "",
      result.needsAdjustment.length > 0
        ? a.needsAdjustment(result.needsAdjustment.map(named).join(", "))
        : "",
    ];
    return redirectWith(request, reply, "/admin/cancellations", {
      kind: result.done ? "success" : "info",
      text: parts.filter(Boolean).join(" "),
    });
  });
}
