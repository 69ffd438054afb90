/**
 * Every route a Fastify app really registers, read with an `onRoute` hook added the moment the
 * instance is created (before `buildApp` registers anything), so a route added tomorrow is listed
 * without touching the tests that walk them. A test file turns it on with:
 *
 *   vi.mock("fastify", async (importOriginal) =>
 *     (await import("../support/route-recorder.js")).withRouteRecorder(await importOriginal()),
 *   );
 *
 * This module only imports fastify's types, so it can be loaded from inside that mock.
 */
import type * as FastifyModule from "fastify";
import type { FastifyInstance } from "fastify";

export interface RecordedRoute {
  method: string;
  /** The full path as registered, with its parameters: `/services/:id/cancel`. */
  url: string;
}

const recorded = new WeakMap<object, RecordedRoute[]>();

type Fastify = typeof FastifyModule;

/** fastify's module with a factory that records each route of the instances it creates. */
export function withRouteRecorder(mod: Fastify): Fastify {
  const original = mod.default as unknown as (...args: unknown[]) => FastifyInstance;
  const recording = ((...args: unknown[]) => {
    const app = original(...args);
    const routes: RecordedRoute[] = [];
    recorded.set(app, routes);
    app.addHook("onRoute", (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url ?? route.path });
    });
    return app;
  }) as unknown as Fastify["default"];
  return { ...mod, default: recording, fastify: recording };
}

/** The routes of an app built while the recorder was on, one per method, sorted. */
export function routesOf(app: FastifyInstance): RecordedRoute[] {
  const routes = recorded.get(app);
  if (!routes) throw new Error("no routes recorded: mock fastify with withRouteRecorder in this test file");
  const unique = new Map(routes.map((r) => [`${r.method} ${r.url}`, r]));
  return [...unique.values()].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
}
