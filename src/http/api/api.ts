/**
 * The JSON API /api/v1 (docs/api.md): its own encapsulated Fastify plugin with JSON bodies, bearer
 * API keys, no session, no CSRF and no cookies (the client area's hooks skip /api/ paths), a
 * per-key rate limit, problem+json errors and `Idempotency-Key` on every POST. Every route is
 * described once (define.ts): that description validates and writes the OpenAPI document.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { type ApiKeyRecord, type ApiScope, authenticateApiKey } from "../../modules/api-keys/api-keys.js";
import { apiReferencePage } from "../../views/api-reference.js";
import type { HttpOptions } from "../context.js";
import { browserLocale, cookieLocale } from "../locale.js";
import { actionRoutes } from "./action-routes.js";
import { type ApiRoute, fastifyPath } from "./define.js";
import {
  claimIdempotencyKey,
  requestHash,
  storeIdempotentResponse,
  validIdempotencyKey,
} from "./idempotency.js";
import { buildOpenApi } from "./openapi.js";
import { ApiProblem, type FieldError, sendProblem } from "./problem.js";
import { readRoutes } from "./read-routes.js";
import { webhookRoutes } from "./webhook-routes.js";

export const API_PREFIX = "/api/v1";
const WINDOW = 60_000;

export const API_ROUTES: ApiRoute[] = [...readRoutes, ...actionRoutes, ...webhookRoutes];

declare module "fastify" {
  interface FastifyContextConfig {
    /** The scope an /api/v1 route needs. */
    apiScope?: ApiScope;
    /** /api/v1 routes open without a key (the OpenAPI document). */
    apiPublic?: boolean;
  }
  interface FastifyRequest {
    apiKey?: ApiKeyRecord;
    apiRawBody?: string;
    /** This request holds the Idempotency-Key's row: its response is stored. */
    apiIdempotencyKey?: string;
  }
}

export type ApiOptions = HttpOptions;

/** A fixed one-minute window per key, on the injected clock. */
class KeyRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  constructor(private readonly limit: number) {}

  /** Seconds to wait, or 0 when the request may go. */
  take(keyId: string, now: number): { wait: number; remaining: number } {
    let window = this.windows.get(keyId);
    if (!window || now >= window.start + WINDOW || now < window.start) {
      window = { start: now, count: 0 };
      this.windows.set(keyId, window);
      if (this.windows.size > 10_000) {
        for (const [id, w] of this.windows) if (now >= w.start + WINDOW) this.windows.delete(id);
      }
    }
    if (window.count >= this.limit)
      return { wait: Math.max(1, Math.ceil((window.start + WINDOW - now) / 1000)), remaining: 0 };
    window.count++;
    return { wait: 0, remaining: this.limit - window.count };
  }
}

function fieldErrors(error: z.ZodError, where: string): FieldError[] {
  return error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : "";
    const path = issue.path.map(String).join(".");
    return {
      field: path || keys || where,
      message: issue.code === "unrecognized_keys" ? `unknown field (${where})` : issue.message,
    };
  });
}

function parse<T extends z.ZodType>(
  schema: T | undefined,
  value: unknown,
  where: string,
): z.output<T> | undefined {
  if (!schema) return undefined;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const errors = fieldErrors(result.error, where);
    throw new ApiProblem("validation_failed", errors.map((e) => `${e.field}: ${e.message}`).join("; "), {
      errors,
    });
  }
  return result.data;
}

function toProblem(error: FastifyError | Error, request: FastifyRequest): ApiProblem {
  if (error instanceof ApiProblem) return error;
  if (error instanceof AppError) {
    switch (error.code) {
      case "NOT_FOUND":
        return new ApiProblem("not_found", error.publicMessage);
      case "INVALID_INPUT":
        return new ApiProblem("validation_failed", error.publicMessage, {
          errors: error.publicMessage.split("; ").map((part) => {
            const at = part.indexOf(": ");
            return at > 0
              ? { field: part.slice(0, at), message: part.slice(at + 2) }
              : { field: "body", message: part };
          }),
        });
      case "CONFLICT":
      case "FORBIDDEN":
        return new ApiProblem("conflict", error.publicMessage);
      case "REGISTRAR_DRIFT":
        return new ApiProblem("upstream_error", error.publicMessage);
      default:
        break;
    }
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError.statusCode;
  if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") return new ApiProblem("payload_too_large");
  if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return new ApiProblem("unsupported_media_type");
  if (status === 429) return new ApiProblem("rate_limited", undefined, { retryAfter: 60 });
  if (status !== undefined && status >= 400 && status < 500) {
    return new ApiProblem("validation_failed", error.message.slice(0, 200), {
      errors: [{ field: "request", message: error.message.slice(0, 200) }],
    });
  }
  request.log.error({ err: error }, "API request failed");
  return new ApiProblem("internal_error");
}

export async function registerApi(parent: FastifyInstance, options: ApiOptions): Promise<void> {
  await parent.register(
    async (app) => {
      const { deps, clock } = options;
      // The policy's number (`api.rateLimitPerMinute`, docs/policies.md); tests may give their own.
      const limiter = new KeyRateLimiter(
        options.apiRateLimitPerMinute ?? deps.policies.api.rateLimitPerMinute,
      );
      const document = buildOpenApi(API_ROUTES);

      // JSON only: the client area's form parser is not for the API.
      app.removeAllContentTypeParsers();
      app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
        const text = String(body);
        request.apiRawBody = text;
        if (text.trim() === "") return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(
            new ApiProblem("validation_failed", "The body is not valid JSON.", {
              errors: [{ field: "body", message: "not valid JSON" }],
            }),
          );
        }
      });

      app.setErrorHandler((error: FastifyError, request, reply) =>
        sendProblem(reply, toProblem(error, request)),
      );
      app.setNotFoundHandler((_request, reply) =>
        sendProblem(reply, new ApiProblem("not_found", "No such route.")),
      );

      app.addHook("onRequest", async (request, reply) => {
        if (request.routeOptions.config.apiPublic) return;
        const header = request.headers.authorization;
        const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
        const now = clock.now();
        const key = match?.[1] ? await authenticateApiKey(deps.db, match[1], now) : null;
        if (!key)
          throw new ApiProblem(
            "unauthenticated",
            header ? "Unknown or revoked API key." : "Send Authorization: Bearer <key>.",
          );
        const taken = limiter.take(key.id, now);
        reply.header("ratelimit-remaining", String(taken.remaining));
        if (taken.wait > 0)
          throw new ApiProblem("rate_limited", `Wait ${taken.wait} seconds.`, { retryAfter: taken.wait });
        request.apiKey = key;
      });

      app.addHook("preHandler", async (request, reply) => {
        const config = request.routeOptions.config;
        if (config.apiPublic || request.is404) return;
        const key = request.apiKey;
        const scope = config.apiScope;
        if (!key || !scope) throw new ApiProblem("insufficient_scope", "This route is not open to API keys.");
        if (!key.scopes.includes(scope))
          throw new ApiProblem("insufficient_scope", `This request needs the "${scope}" scope.`);
        if (request.method !== "POST") return;
        const idempotencyKey = validIdempotencyKey(request.headers["idempotency-key"]);
        if (idempotencyKey === null) return;
        const hash = requestHash(request.method, request.url, request.apiRawBody ?? "");
        const claim = await claimIdempotencyKey(deps.db, key.id, idempotencyKey, hash, clock.now());
        if (claim.kind === "replay") {
          const type = claim.status >= 400 ? "application/problem+json" : "application/json";
          return reply.status(claim.status).header("idempotent-replayed", "true").type(type).send(claim.body);
        }
        request.apiIdempotencyKey = idempotencyKey;
      });

      app.addHook("onSend", async (request, reply, payload) => {
        const key = request.apiKey;
        if (key && request.apiIdempotencyKey !== undefined) {
          const body =
            typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString("utf8") : "";
          await storeIdempotentResponse(deps.db, key.id, request.apiIdempotencyKey, reply.statusCode, body);
          request.apiIdempotencyKey = undefined;
        }
        return payload;
      });

      app.get("/openapi.json", { config: { apiPublic: true } }, async (_request, reply) =>
        reply.type("application/json").send(document),
      );
      // The reference page, rendered here from the same document (no script, no CDN).
      const pages = { en: apiReferencePage(document, "en"), "fr-CA": apiReferencePage(document, "fr-CA") };
      app.get("/docs", { config: { apiPublic: true } }, async (request, reply) => {
        const asked = (request.query as { lang?: unknown }).lang;
        // Asked in the address, else the language chosen on the site (its cookie), else the browser's.
        const locale =
          asked === "fr-CA" || asked === "en"
            ? asked
            : (cookieLocale(request) ?? browserLocale(request.headers["accept-language"]) ?? "en");
        return reply.type("text/html; charset=utf-8").header("content-language", locale).send(pages[locale]);
      });

      for (const route of API_ROUTES) {
        app.route({
          method: route.method,
          url: fastifyPath(route.path),
          config: { apiScope: route.scope },
          handler: async (request: FastifyRequest, reply: FastifyReply) => {
            const params = parse(route.params, request.params, "path");
            const query = parse(route.query, request.query, "query");
            const body = parse(route.body, request.body, "body");
            const key = request.apiKey;
            if (!key) throw new ApiProblem("unauthenticated");
            reply.status(route.status ?? 200);
            const result = await route.handler({
              deps,
              clock,
              options,
              now: clock.now(),
              key,
              params: params ?? {},
              query: query ?? {},
              body,
              request,
              reply,
            });
            if (route.binary) return reply.type(route.binary).send(result);
            // The response is checked against the very schema the document publishes.
            const out = route.response ? route.response.parse(result) : result;
            return reply.type("application/json").send(JSON.stringify(out));
          },
        });
      }
    },
    { prefix: API_PREFIX },
  );
}

/** /api/… paths: the client area's session, CSRF and sign-in redirect stay out of them. */
export function isApiPath(path: string): boolean {
  return path === "/api" || path.startsWith("/api/");
}
