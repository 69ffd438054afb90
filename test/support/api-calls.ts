/**
 * The JSON API tests' two helpers: an API key made straight in the database, and a call to
 * /api/v1 with a bearer key (the suite's default unless one is given, `null` for none), an
 * idempotency key and a JSON body.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { type ApiScope, createApiKey } from "../../src/modules/api-keys/api-keys.js";
import type { TwoCustomers } from "./two-customers.js";

export type ApiMethod = "GET" | "POST" | "DELETE";

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  idempotencyKey?: string;
  app?: FastifyInstance;
}

export async function apiKey(
  w: TwoCustomers,
  name: string,
  scopes: ApiScope[],
  customerId: string | null = null,
): Promise<string> {
  return (await createApiKey(w.f.deps.db, { name, scopes, customerId, createdBy: "test" }, w.f.clock.now()))
    .key;
}

/** `call(method, path, options)` against the suite's app, with `defaultKey()` unless told otherwise. */
export function apiCaller(w: () => TwoCustomers, defaultKey: () => string | undefined) {
  return (method: ApiMethod, path: string, options: CallOptions = {}): Promise<LightMyRequestResponse> => {
    const headers: Record<string, string> = {};
    const bearer = options.key === undefined ? defaultKey() : options.key;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    return (options.app ?? w().f.app).inject({
      method,
      url: `/api/v1${path}`,
      headers,
      ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
    });
  };
}
