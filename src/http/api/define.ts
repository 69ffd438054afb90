/**
 * One description per API route: its method, path, scope, and the zod schemas of its path
 * parameters, query, body and response. The same description registers the Fastify route,
 * validates the request and the response, and writes the OpenAPI document (openapi.ts).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Clock } from "../../domain/clock.js";
import type { Instant } from "../../domain/time.js";
import type { ApiKeyRecord, ApiScope } from "../../modules/api-keys/api-keys.js";
import type { Deps } from "../../modules/deps.js";
import type { HttpOptions } from "../context.js";

export interface ApiContext<P, Q, B> {
  deps: Deps;
  clock: Clock;
  options: HttpOptions;
  /** Read once per request. */
  now: Instant;
  key: ApiKeyRecord;
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface ApiRouteDef<
  P extends AnyObject,
  Q extends AnyObject,
  B extends z.ZodType,
  R extends z.ZodType,
> {
  method: "GET" | "POST" | "DELETE";
  /** OpenAPI style, below /api/v1: `/invoices/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  scope: ApiScope;
  params?: P;
  query?: Q;
  body?: B;
  /** The JSON answer; absent for a binary one (`binary`). */
  response?: R;
  status?: number;
  binary?: "application/pdf";
  /** Problems this route can answer besides the common ones (401, 403, 429, 400). */
  problems?: number[];
  handler(ctx: ApiContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<z.input<R> | Buffer>;
}

export type ApiRoute = ApiRouteDef<AnyObject, AnyObject, z.ZodType, z.ZodType>;

export function apiRoute<
  P extends AnyObject = z.ZodObject<Record<string, never>>,
  Q extends AnyObject = z.ZodObject<Record<string, never>>,
  B extends z.ZodType = z.ZodUndefined,
  R extends z.ZodType = z.ZodUnknown,
>(def: ApiRouteDef<P, Q, B, R>): ApiRoute {
  return def as unknown as ApiRoute;
}

/** `/invoices/{id}` → `/invoices/:id` (Fastify). */
export function fastifyPath(path: string): string {
  return path.replace(/\{([A-Za-z_]+)\}/g, ":$1");
}
