/**
 * Webhook endpoints through the API (docs/api.md): list, create, delete, as an admin does at
 * /admin/webhooks and through the same module. Scope `webhooks`, held only by a host-wide key:
 * an endpoint receives every customer's events, so a key restricted to one customer never
 * reaches these routes (403). Each change is written to the audit log under the key.
 */
import { z } from "zod";
import { EVENT_TYPES } from "../../domain/events.js";
import type { StaffRole } from "../../domain/staff-roles.js";
import { recordAudit, type StaffActor } from "../../modules/staff/audit-log.js";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  type WebhookEndpoint,
} from "../../modules/webhooks/webhooks.js";
import { type ApiContext, type ApiRoute, apiRoute } from "./define.js";
import { ApiProblem } from "./problem.js";
import { iso, isoOrNull } from "./resources.js";

const at = z.string().meta({ format: "date-time" });

type Ctx = ApiContext<unknown, unknown, unknown>;

const endpointSchema = z.strictObject({
  object: z.literal("webhook_endpoint"),
  id: z.string(),
  url: z.string(),
  description: z.string(),
  event_types: z.array(z.string()).describe("The event types sent; empty: every event of the catalog."),
  created_at: at,
  disabled_at: at.nullable(),
  disabled_reason: z.string().nullable(),
});

function endpointOut(e: WebhookEndpoint): z.input<typeof endpointSchema> {
  return {
    object: "webhook_endpoint",
    id: e.id,
    url: e.url,
    description: e.description,
    event_types: e.eventTypes,
    created_at: iso(e.createdAt),
    disabled_at: isoOrNull(e.disabledAt),
    disabled_reason: e.disabledReason,
  };
}

function hostWideOnly(ctx: Ctx): void {
  if (ctx.key.customerId !== null)
    throw new ApiProblem(
      "insufficient_scope",
      "Webhook endpoints are the host's: a key of no one customer only.",
    );
}

function keyActor(ctx: Ctx): StaffActor {
  return {
    id: ctx.key.id,
    email: `api-key:${ctx.key.name}`,
    role: "api-key" as StaffRole,
    address: ctx.request.ip,
  };
}

const endpointId = z.strictObject({ id: z.string().min(1).max(200) });

export const webhookRoutes: ApiRoute[] = [
  apiRoute({
    method: "GET",
    path: "/webhook-endpoints",
    operationId: "listWebhookEndpoints",
    summary: "List the webhook endpoints",
    description:
      "Every endpoint, oldest first (a host has a handful: one page, `has_more` false). Secrets are never listed.",
    tag: "Webhooks",
    scope: "webhooks",
    response: z.strictObject({
      object: z.literal("list"),
      data: z.array(endpointSchema),
      has_more: z.boolean(),
    }),
    handler: async (ctx) => {
      hostWideOnly(ctx);
      const endpoints = await listWebhookEndpoints(ctx.deps.db);
      return { object: "list" as const, data: endpoints.map(endpointOut), has_more: false };
    },
  }),
  apiRoute({
    method: "POST",
    path: "/webhook-endpoints",
    operationId: "createWebhookEndpoint",
    summary: "Register a webhook endpoint",
    description:
      "The signing secret (`whsec_…`) is in this answer only: keep it to verify each message (Standard Webhooks).",
    tag: "Webhooks",
    scope: "webhooks",
    status: 201,
    body: z.strictObject({
      url: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).max(2000),
      description: z.string().trim().max(200).default(""),
      event_types: z
        .array(z.enum(EVENT_TYPES))
        .max(EVENT_TYPES.length)
        .default([])
        .describe("Event types of the catalog; empty or absent: every event."),
    }),
    response: endpointSchema.extend({ secret: z.string() }),
    handler: async (ctx) => {
      hostWideOnly(ctx);
      const created = await createWebhookEndpoint(
        ctx.deps.db,
        { url: ctx.body.url, description: ctx.body.description, eventTypes: ctx.body.event_types },
        ctx.now,
      );
      await recordAudit(ctx.deps.db, keyActor(ctx), ctx.now, {
        action: "webhook.endpoint-added",
        objectType: "webhook-endpoint",
        objectId: created.endpoint.id,
        customerId: null,
        after: { url: created.endpoint.url, events: created.endpoint.eventTypes.join(",") || "*" },
      });
      return { ...endpointOut(created.endpoint), secret: created.secret };
    },
  }),
  apiRoute({
    method: "DELETE",
    path: "/webhook-endpoints/{id}",
    operationId: "deleteWebhookEndpoint",
    summary: "Delete a webhook endpoint",
    description: "Its waiting deliveries are dropped with it; nothing more is sent to it.",
    tag: "Webhooks",
    scope: "webhooks",
    params: endpointId,
    response: z.strictObject({
      object: z.literal("webhook_endpoint"),
      id: z.string(),
      deleted: z.literal(true),
    }),
    problems: [404],
    handler: async (ctx) => {
      hostWideOnly(ctx);
      const deleted = await deleteWebhookEndpoint(ctx.deps.db, ctx.params.id);
      if (!deleted) throw new ApiProblem("not_found", "No such webhook endpoint.");
      await recordAudit(ctx.deps.db, keyActor(ctx), ctx.now, {
        action: "webhook.endpoint-deleted",
        objectType: "webhook-endpoint",
        objectId: ctx.params.id,
        customerId: null,
        before: { deleted: 0 },
        after: { deleted: 1 },
      });
      return { object: "webhook_endpoint" as const, id: ctx.params.id, deleted: true as const };
    },
  }),
];
