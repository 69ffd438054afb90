/**
 * Back office: webhook endpoints (admin only, docs/api.md): list with what waits, a notice for the
 * endpoints disabled by five days of failures, add (the signing secret is shown once), each
 * endpoint's recent attempts (status, time, response code, the start of the body), replay one,
 * disable and enable. Every change is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { EVENT_TYPES } from "../../domain/events.js";
import { ROLES } from "../../domain/staff-roles.js";
import { recordAudit } from "../../modules/staff/audit-log.js";
import {
  createWebhookEndpoint,
  findWebhookEndpoint,
  listWebhookEndpoints,
  pendingDeliveryCount,
  recentAttempts,
  replayDelivery,
  setWebhookEndpointEnabled,
} from "../../modules/webhooks/webhooks.js";
import { staffInstant } from "../../views/admin/admin-format.js";
import { html } from "../../views/html.js";
import { csrfField } from "../../views/layout.js";
import { type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow } from "./admin-guard.js";

const events = z
  .union([z.enum(EVENT_TYPES), z.array(z.enum(EVENT_TYPES))])
  .optional()
  .transform((v) => (v === undefined ? [] : [v].flat()));
const addForm = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  description: z.string().trim().max(200).optional(),
  events,
});
const idParams = z.object({ id: z.string().min(1).max(100) });
const replayForm = z.object({ delivery: z.string().regex(/^[0-9]{1,15}$/) });

export function registerWebhookRoutes(app: FastifyInstance, options: HttpOptions): void {
  const db = options.deps.db;

  const endpointOf = async (request: FastifyRequest) => {
    const params = idParams.safeParse(request.params);
    const endpoint = params.success ? await findWebhookEndpoint(db, params.data.id) : null;
    if (!endpoint) throw new AppError("NOT_FOUND", "no such webhook endpoint");
    return endpoint;
  };

  const listPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: Record<string, string>; created?: { url: string; secret: string } } = {},
  ) => {
    const endpoints = await listWebhookEndpoints(db);
    const waiting = await Promise.all(endpoints.map((e) => pendingDeliveryCount(db, e.id)));
    const failing = endpoints.filter(
      (e) => e.disabledAt !== null && e.disabledReason !== "disabled by staff",
    );
    const errors = extra.errors ?? {};
    return sendPage(
      request,
      reply,
      (m) => m.adminApi.hooks.title,
      (ctx) => {
        const h = ctx.m.adminApi.hooks;
        const days = options.deps.policies.webhooks.disableAfterDays;
        return html`<p>${h.intro(days)}</p>
        ${failing.length > 0 ? html`<div class="flash flash-error" role="alert"><p>${h.failing(failing.length, days)}</p></div>` : ""}
        ${
          extra.created
            ? html`<div class="flash flash-success" role="status"><p>${h.added(extra.created.url)}</p><p>${h.secret} <code class="break" data-testid="webhook-secret">${extra.created.secret}</code></p></div>`
            : ""
        }
        ${
          endpoints.length === 0
            ? html`<p>${h.none}</p>`
            : html`<table class="responsive"><thead><tr><th>${h.url}</th><th>${h.events}</th><th>${h.status}</th><th>${h.pending}</th><th></th></tr></thead><tbody>
        ${endpoints.map(
          (e, i) => html`<tr>
            <td data-label="${h.url}"><span class="break">${e.url}</span>${e.description ? html`<br><small>${e.description}</small>` : ""}</td>
            <td data-label="${h.events}">${e.eventTypes.length === 0 ? h.allEvents : e.eventTypes.join(", ")}</td>
            <td data-label="${h.status}"><span class="badge ${e.disabledAt ? "badge-cancelled" : "badge-active"}">${e.disabledAt ? h.disabled : h.enabled}</span>${e.disabledAt && e.disabledReason ? html`<br><small>${h.disabledBecause(e.disabledReason)}</small>` : ""}</td>
            <td data-label="${h.pending}">${waiting[i] ?? 0}</td>
            <td><a href="/admin/webhooks/${e.id}">${h.open}</a></td></tr>`,
        )}
        </tbody></table>`
        }
        <section class="card"><h2>${h.add}</h2>
        <form method="post" action="/admin/webhooks" class="stack">${csrfField(ctx)}
          <div><label for="url">${h.url}</label><input id="url" name="url" type="text" inputmode="url" maxlength="2000" required>${errors.url ? html`<p class="field-error">${errors.url}</p>` : ""}</div>
          <div><label for="description">${h.description}</label><input id="description" name="description" type="text" maxlength="200"></div>
          <fieldset><legend>${h.events}</legend><p class="hint">${h.eventsHint}</p>${EVENT_TYPES.map(
            (type) =>
              html`<div><label><input type="checkbox" name="events" value="${type}"> <code class="break">${type}</code></label></div>`,
          )}</fieldset>
          <div class="actions"><button type="submit">${h.addButton}</button></div>
        </form></section>`;
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get("/admin/webhooks", allow(ROLES.adminOnly), (request, reply) => listPage(request, reply));

  app.post("/admin/webhooks", allow(ROLES.adminOnly), async (request, reply) => {
    const h = messages(request).adminApi.hooks;
    const form = parseForm(addForm, request.body);
    if (!form.ok) return listPage(request, reply, { errors: { url: h.invalidUrl } });
    const now = options.clock.now();
    const created = await createWebhookEndpoint(
      db,
      { url: form.value.url, description: form.value.description ?? "", eventTypes: form.value.events },
      now,
    );
    await recordAudit(db, actorOf(request), now, {
      action: "webhook.endpoint-added",
      objectType: "webhook-endpoint",
      objectId: created.endpoint.id,
      customerId: null,
      after: { url: created.endpoint.url, events: created.endpoint.eventTypes.join(",") || "*" },
    });
    return listPage(request, reply, { created: { url: created.endpoint.url, secret: created.secret } });
  });

  app.get("/admin/webhooks/:id", allow(ROLES.adminOnly), async (request, reply) => {
    const endpoint = await endpointOf(request);
    const attempts = await recentAttempts(db, endpoint.id);
    return sendPage(
      request,
      reply,
      (m) => m.adminApi.hooks.title,
      (ctx) => {
        const h = ctx.m.adminApi.hooks;
        return html`<p><a href="/admin/webhooks">${h.back}</a></p>
        <div class="card"><p><span class="break">${endpoint.url}</span></p>
          <p>${h.events}: ${endpoint.eventTypes.length === 0 ? h.allEvents : endpoint.eventTypes.join(", ")}</p>
          <p><span class="badge ${endpoint.disabledAt ? "badge-cancelled" : "badge-active"}">${endpoint.disabledAt ? h.disabled : h.enabled}</span>${endpoint.disabledAt && endpoint.disabledReason ? html` ${h.disabledBecause(endpoint.disabledReason)}` : ""}</p>
          <form method="post" action="/admin/webhooks/${endpoint.id}/${endpoint.disabledAt ? "enable" : "disable"}">${csrfField(ctx)}<button type="submit"${endpoint.disabledAt ? "" : html` class="danger"`}>${endpoint.disabledAt ? h.enable : h.disable}</button></form>
        </div>
        <h2>${h.attempts}</h2>
        ${
          attempts.length === 0
            ? html`<p>${h.noAttempts}</p>`
            : html`<table class="responsive"><thead><tr><th>${h.at}</th><th>${h.event}</th><th>${h.result}</th><th>${h.code}</th><th>${h.excerpt}</th><th></th></tr></thead><tbody>
          ${attempts.map(
            (a) => html`<tr>
              <td data-label="${h.at}">${staffInstant(a.at)}</td>
              <td data-label="${h.event}"><code>${a.eventType}</code> #${a.eventId}</td>
              <td data-label="${h.result}"><span class="badge ${a.ok ? "badge-active" : "badge-cancelled"}">${a.ok ? h.ok : h.failed}</span>${a.replay ? html` <small>${h.replayed}</small>` : ""}</td>
              <td data-label="${h.code}">${a.statusCode ?? a.error ?? "—"}</td>
              <td data-label="${h.excerpt}"><code class="break">${a.responseExcerpt.slice(0, 200)}</code></td>
              <td><form method="post" action="/admin/webhooks/${endpoint.id}/replay">${csrfField(ctx)}<input type="hidden" name="delivery" value="${a.deliveryId}"><button type="submit">${h.replay}</button></form></td></tr>`,
          )}</tbody></table>`
        }`;
      },
    );
  });

  app.post("/admin/webhooks/:id/replay", allow(ROLES.adminOnly), async (request, reply) => {
    const endpoint = await endpointOf(request);
    const form = parseForm(replayForm, request.body);
    if (!form.ok) throw new AppError("INVALID_INPUT", "Choose a delivery to send again.");
    const owned = await db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("id", "=", Number(form.value.delivery))
      .where("endpoint_id", "=", endpoint.id)
      .executeTakeFirst();
    if (!owned) throw new AppError("NOT_FOUND", "no such delivery");
    const now = options.clock.now();
    const outcome = await replayDelivery(db, Number(owned.id), now, options.deps.policies.webhooks);
    await recordAudit(db, actorOf(request), now, {
      action: "webhook.replayed",
      objectType: "webhook-endpoint",
      objectId: endpoint.id,
      customerId: null,
      after: { delivery: Number(owned.id), ok: outcome?.ok ?? false },
    });
    return redirectWith(request, reply, `/admin/webhooks/${endpoint.id}`, {
      kind: outcome?.ok ? "success" : "error",
      text: messages(request).adminApi.hooks.replayDone(outcome?.ok ?? false),
    });
  });

  for (const action of ["enable", "disable"] as const) {
    app.post(`/admin/webhooks/:id/${action}`, allow(ROLES.adminOnly), async (request, reply) => {
      const endpoint = await endpointOf(request);
      const now = options.clock.now();
      const changed = await setWebhookEndpointEnabled(db, endpoint.id, action === "enable", now);
      if (changed) {
        await recordAudit(db, actorOf(request), now, {
          action: `webhook.endpoint-${action}d`,
          objectType: "webhook-endpoint",
          objectId: endpoint.id,
          customerId: null,
          before: { enabled: action !== "enable" },
          after: { enabled: action === "enable" },
        });
      }
      const h = messages(request).adminApi.hooks;
      return redirectWith(request, reply, `/admin/webhooks/${endpoint.id}`, {
        kind: "success",
        text: action === "enable" ? h.enabledDone : h.disabledDone,
      });
    });
  }
}
