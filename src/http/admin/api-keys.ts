/**
 * Back office: the JSON API's keys (admin only, docs/api.md): list with their last use, create (the
 * key is shown once), revoke after a confirmation. Every change is audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { ROLES } from "../../domain/staff-roles.js";
import {
  API_SCOPES,
  createApiKey,
  findApiKey,
  listApiKeys,
  revokeApiKey,
} from "../../modules/api-keys/api-keys.js";
import { recordAudit } from "../../modules/staff/audit-log.js";
import { staffInstant } from "../../views/admin/admin-format.js";
import { html } from "../../views/html.js";
import { csrfField } from "../../views/layout.js";
import { type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow } from "./admin-guard.js";

const oneOrMany = z.union([z.enum(API_SCOPES), z.array(z.enum(API_SCOPES))]).transform((v) => [v].flat());
const createForm = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: oneOrMany,
  customer: z.string().trim().max(200).optional(),
});
const revokeForm = z.object({ id: z.string().trim().min(1).max(200), confirm: z.literal("yes").optional() });

export function registerApiKeyRoutes(app: FastifyInstance, options: HttpOptions): void {
  const db = options.deps.db;

  const keysPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: Record<string, string>; created?: { name: string; key: string } } = {},
  ) => {
    const keys = await listApiKeys(db);
    const errors = extra.errors ?? {};
    return sendPage(
      request,
      reply,
      (m) => m.adminApi.keys.title,
      (ctx) => {
        const k = ctx.m.adminApi.keys;
        return html`<p>${k.intro} <a href="/api/v1/docs">${k.docs}</a></p>
        ${
          extra.created
            ? html`<div class="flash flash-success" role="status"><p>${k.created1(extra.created.name)} ${k.shownOnce}</p><p><code class="break" data-testid="api-key">${extra.created.key}</code></p></div>`
            : ""
        }
        ${
          keys.length === 0
            ? html`<p>${k.none}</p>`
            : html`<table class="responsive"><thead><tr><th>${k.name}</th><th>${k.prefix}</th><th>${k.scopes}</th><th>${k.customer}</th><th>${k.created}</th><th>${k.lastUsed}</th><th>${k.status}</th><th></th></tr></thead><tbody>
        ${keys.map(
          (key) => html`<tr>
            <td data-label="${k.name}">${key.name}</td>
            <td data-label="${k.prefix}"><code>${key.prefix}…</code></td>
            <td data-label="${k.scopes}">${key.scopes.join(", ")}</td>
            <td data-label="${k.customer}">${key.customerId ?? k.anyCustomer}</td>
            <td data-label="${k.created}">${staffInstant(key.createdAt)}</td>
            <td data-label="${k.lastUsed}">${key.lastUsedAt === null ? k.never : staffInstant(key.lastUsedAt)}</td>
            <td data-label="${k.status}"><span class="badge ${key.revokedAt ? "badge-cancelled" : "badge-active"}">${key.revokedAt ? k.revoked : k.active}</span></td>
            <td>${
              key.revokedAt === null
                ? html`<form method="post" action="/admin/api-keys/revoke">${csrfField(ctx)}<input type="hidden" name="id" value="${key.id}"><button type="submit" class="danger">${k.revoke}</button></form>`
                : ""
            }</td></tr>`,
        )}
        </tbody></table>`
        }
        <section class="card"><h2>${k.add}</h2>
        <form method="post" action="/admin/api-keys" class="stack">${csrfField(ctx)}
          <div><label for="name">${k.name}</label><input id="name" name="name" type="text" maxlength="100" required>${errors.name ? html`<p class="field-error">${errors.name}</p>` : ""}</div>
          <fieldset><legend>${k.scopes}</legend>${API_SCOPES.map(
            (scope) =>
              html`<div><label><input type="checkbox" name="scopes" value="${scope}"${scope === "read" ? html` checked` : ""}> ${k.scopeNames[scope] ?? scope}</label></div>`,
          )}${errors.scopes ? html`<p class="field-error">${errors.scopes}</p>` : ""}</fieldset>
          <div><label for="customer">${k.customer}</label><input id="customer" name="customer" type="text" maxlength="200" aria-describedby="customer-hint"><p id="customer-hint" class="hint">${k.customerHint}</p>${errors.customer ? html`<p class="field-error">${errors.customer}</p>` : ""}</div>
          <div class="actions"><button type="submit">${k.addButton}</button></div>
        </form></section>`;
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get("/admin/api-keys", allow(ROLES.adminOnly), (request, reply) => keysPage(request, reply));

  app.post("/admin/api-keys", allow(ROLES.adminOnly), async (request, reply) => {
    const k = messages(request).adminApi.keys;
    const form = parseForm(createForm, request.body);
    if (!form.ok) {
      return keysPage(request, reply, {
        errors: {
          ...(form.errors.name ? { name: k.invalidName } : {}),
          ...(form.errors.scopes ? { scopes: k.invalidScopes } : {}),
        },
      });
    }
    const now = options.clock.now();
    const actor = actorOf(request);
    try {
      const created = await db.transaction().execute(async (tx) => {
        const result = await createApiKey(
          tx,
          {
            name: form.value.name,
            scopes: form.value.scopes,
            customerId: form.value.customer ? form.value.customer : null,
            createdBy: `staff:${actor.email}`,
          },
          now,
        );
        await recordAudit(tx, actor, now, {
          action: "api-key.created",
          objectType: "api-key",
          objectId: result.record.id,
          customerId: result.record.customerId,
          after: {
            name: result.record.name,
            scopes: result.record.scopes.join(","),
            prefix: result.record.prefix,
          },
        });
        return result;
      });
      return keysPage(request, reply, { created: { name: created.record.name, key: created.key } });
    } catch (error) {
      if (error instanceof AppError && error.code === "INVALID_INPUT")
        return keysPage(request, reply, { errors: { customer: k.unknownCustomer } });
      throw error;
    }
  });

  app.post("/admin/api-keys/revoke", allow(ROLES.adminOnly), async (request, reply) => {
    const form = parseForm(revokeForm, request.body);
    if (!form.ok) throw new AppError("INVALID_INPUT", "Choose a key to revoke.");
    const key = await findApiKey(db, form.value.id);
    if (!key || key.revokedAt !== null) throw new AppError("NOT_FOUND", "no such live API key");
    if (form.value.confirm !== "yes") {
      return sendPage(
        request,
        reply,
        (m) => m.adminApi.keys.revoke,
        (ctx) => html`<div class="card"><p>${ctx.m.adminApi.keys.confirmRevoke(key.name)}</p>
          <form method="post" action="/admin/api-keys/revoke">${csrfField(ctx)}<input type="hidden" name="id" value="${key.id}"><input type="hidden" name="confirm" value="yes">
          <div class="actions"><button type="submit" class="danger">${ctx.m.adminApi.keys.revoke}</button><a href="/admin/api-keys">${ctx.m.common.form.cancel}</a></div></form></div>`,
      );
    }
    const now = options.clock.now();
    await db.transaction().execute(async (tx) => {
      if (!(await revokeApiKey(tx, key.id, now))) throw new AppError("NOT_FOUND", "no such live API key");
      await recordAudit(tx, actorOf(request), now, {
        action: "api-key.revoked",
        objectType: "api-key",
        objectId: key.id,
        customerId: key.customerId,
        before: { revoked: false },
        after: { revoked: true },
      });
    });
    return redirectWith(request, reply, "/admin/api-keys", {
      kind: "success",
      text: messages(request).adminApi.keys.revokedDone(key.name),
    });
  });
}
