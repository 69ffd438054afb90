/**
 * Rendered client-area pages kept in memory, per session and address, for the customer's version
 * (src/modules/customers/customer-versions.ts): any change to what the customer sees, written by
 * anyone on any node, changes the version, so an entry is used only while nothing changed. Pages
 * that also depend on the time are kept for the current minute at most.
 *
 * Only pages whose handlers only read are cached (`CACHED_ROUTES`), and never while the session
 * holds something a page takes once (a flash, a notice, a confirmation): the page is then rendered
 * as usual. Saves the queries and the rendering of the pages customers open most (issue 14).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { MINUTE } from "../domain/time.js";
import { customerVersion } from "../modules/customers/customer-versions.js";
import type { HttpOptions } from "./context.js";

/** Routes whose GET handlers read only (no session write, no side effect). */
const CACHED_ROUTES = new Set(["/", "/domains"]);

/** Session fields that do not change what a page shows or does; anything else bypasses the cache. */
const STABLE_SESSION_FIELDS = new Set(["cookie", "customerId", "locale", "_csrf"]);

interface Entry {
  version: number;
  minute: number;
  body: string;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the page may be kept: where and under which version. */
    pageCacheSlot: { key: string; version: number; minute: number } | null;
  }
}

export const DEFAULT_PAGE_CACHE_ENTRIES = 2000;

export function registerPageCache(app: FastifyInstance, options: HttpOptions): void {
  const capacity = options.pageCacheEntries ?? DEFAULT_PAGE_CACHE_ENTRIES;
  if (capacity <= 0) return;
  // Insertion order is use order: an entry used is moved to the end, the first is the oldest.
  const entries = new Map<string, Entry>();
  app.decorateRequest("pageCacheSlot", null);

  // Runs after the session and customer hook (registered after it in app.ts).
  app.addHook("preHandler", async (request: FastifyRequest, reply: FastifyReply) => {
    if (!cacheable(request)) return;
    const customer = request.customer;
    if (!customer) return;
    const version = await customerVersion(options.deps, customer.id);
    if (version === null) return;
    const key = `${request.session.sessionId}\u0000${request.url}`;
    const minute = Math.floor(options.clock.now() / MINUTE);
    const entry = entries.get(key);
    if (entry && entry.version === version && entry.minute === minute) {
      entries.delete(key);
      entries.set(key, entry);
      return reply.type("text/html; charset=utf-8").send(entry.body);
    }
    request.pageCacheSlot = { key, version, minute };
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const slot = request.pageCacheSlot;
    if (!slot || reply.statusCode !== 200 || typeof payload !== "string") return payload;
    // The handler may have taken something once from the session after all: then do not keep it.
    if (!sessionIsStable(request)) return payload;
    entries.delete(slot.key);
    entries.set(slot.key, { version: slot.version, minute: slot.minute, body: payload });
    if (entries.size > capacity) {
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    return payload;
  });
}

function cacheable(request: FastifyRequest): boolean {
  if (request.method !== "GET") return false;
  const route = request.routeOptions.url;
  if (route === undefined || !CACHED_ROUTES.has(route)) return false;
  return sessionIsStable(request);
}

function sessionIsStable(request: FastifyRequest): boolean {
  const session = request.session as unknown as Record<string, unknown>;
  return Object.keys(session).every(
    (field) => STABLE_SESSION_FIELDS.has(field) || session[field] === undefined,
  );
}
