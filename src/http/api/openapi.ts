/**
 * The OpenAPI 3.1 document of /api/v1, written from the route descriptions and their zod schemas
 * (zod 4's own `z.toJSONSchema`, which speaks JSON Schema 2020-12, the dialect of OpenAPI 3.1):
 * the schemas that validate requests and responses are the only source of the document.
 */
import { z } from "zod";
import { API_SCOPES } from "../../modules/api-keys/api-keys.js";
import type { ApiRoute } from "./define.js";
import { PROBLEM_CODES } from "./problem.js";
import { problemSchema } from "./resources.js";

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    target: "draft-2020-12",
    unrepresentable: "any",
  });
  return rest as JsonSchema;
}

const SCOPE_TEXT: Record<(typeof API_SCOPES)[number], string> = {
  read: "every GET but the webhook endpoints",
  billing: "pay, adjust an invoice, refund a payment",
  domains: "auto-renew, reactivation, transfer code",
  services: "request or withdraw a cancellation, open a ticket",
  webhooks: "list, create and delete webhook endpoints (a key of no one customer only)",
};

const PROBLEM_RESPONSES: Record<number, string> = {
  400: "validation_failed: the fields are listed in `errors`",
  401: "unauthenticated: no API key, or an unknown or revoked one",
  403: "insufficient_scope: the key lacks the route's scope",
  404: "not_found: no such object (or another customer's, for a key restricted to one customer)",
  409: "conflict, idempotency_conflict or idempotency_in_progress",
  429: "rate_limited: wait `Retry-After` seconds",
};

function parameters(route: ApiRoute): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ["path", route.params],
    ["query", route.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, "input") as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      const { description, ...rest } = property;
      out.push({
        name,
        in: where,
        required: where === "path" || (object.required ?? []).includes(name),
        ...(typeof description === "string" ? { description } : {}),
        schema: rest,
      });
    }
  }
  if (route.method === "POST") {
    out.push({
      name: "Idempotency-Key",
      in: "header",
      required: false,
      description: "Makes the request safe to retry: the first response is kept 24 hours and returned again.",
      schema: { type: "string", minLength: 1, maxLength: 255 },
    });
  }
  return out;
}

function problem(description: string): JsonSchema {
  return {
    description,
    content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
  };
}

export function buildOpenApi(routes: ApiRoute[], options: { serverUrl?: string } = {}): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const success = route.binary
      ? {
          description: "The document",
          content: { [route.binary]: { schema: { type: "string", contentMediaType: route.binary } } },
        }
      : {
          description: "Success",
          content: { "application/json": { schema: jsonSchema(route.response ?? z.unknown(), "output") } },
        };
    const responses: Record<string, JsonSchema> = { [String(route.status ?? 200)]: success };
    for (const status of [400, 401, 403, ...(route.problems ?? []), 429]) {
      responses[String(status)] = problem(PROBLEM_RESPONSES[status] ?? "A problem");
    }
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      description: `${route.description ? `${route.description}\n\n` : ""}Scope: \`${route.scope}\`.`,
      tags: [route.tag],
      "x-scope": route.scope,
      parameters: parameters(route),
      responses,
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { "application/json": { schema: jsonSchema(route.body, "input") } },
      };
    }
    const methods = paths[route.path] ?? {};
    methods[route.method.toLowerCase()] = operation;
    paths[route.path] = methods;
  }
  paths["/openapi.json"] = {
    get: {
      operationId: "getOpenApi",
      summary: "This document",
      tags: ["Meta"],
      security: [],
      responses: {
        "200": {
          description: "The OpenAPI 3.1 document",
          content: { "application/json": { schema: { type: "object" } } },
        },
      },
    },
  };
  paths["/docs"] = {
    get: {
      operationId: "getReference",
      summary: "This document as a reference page (HTML)",
      tags: ["Meta"],
      security: [],
      parameters: [
        {
          name: "lang",
          in: "query",
          required: false,
          description: "The page's language; by default the browser's (Accept-Language).",
          schema: { type: "string", enum: ["en", "fr-CA"] },
        },
      ],
      responses: {
        "200": {
          description: "The reference page",
          content: { "text/html": { schema: { type: "string" } } },
        },
      },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Tenure API",
      version: "1.0.0",
      description: [
        "The JSON API of Tenure (docs/api.md). Authenticate with `Authorization: Bearer <key>`; keys are created by an admin in the back office or with `tenure api-key create`.",
        "",
        "Scopes:",
        ...API_SCOPES.map((s) => `- \`${s}\`: ${SCOPE_TEXT[s]}`),
        "",
        "Errors are RFC 9457 problem details with a stable `code`:",
        ...Object.entries(PROBLEM_CODES).map(([code, p]) => `- \`${code}\` (${p.status}): ${p.title}`),
      ].join("\n"),
      license: { name: "AGPL-3.0-or-later", identifier: "AGPL-3.0-or-later" },
    },
    servers: [{ url: options.serverUrl ?? "/api/v1" }],
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag)), "Meta"].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key (`tnr_…`)." } },
      schemas: { Problem: jsonSchema(problemSchema, "output") },
    },
  };
}
