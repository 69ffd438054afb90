/** Starts the client area on the configured address with the runtime's database and providers. */
import type { FastifyInstance } from "fastify";
import type { CommandIo } from "../cli/command-io.js";
import { buildApp } from "../http/app.js";
import type { Runtime } from "./runtime.js";

export async function startWebServer(runtime: Runtime, io: CommandIo): Promise<FastifyInstance> {
  if (!runtime.config.sessionSecret) {
    runtime.logger.warn(
      "TENURE_SESSION_SECRET is not set: using a random one, sessions end when the process stops",
    );
  }
  const app = await buildApp({
    deps: runtime.deps,
    clock: runtime.clock,
    mailer: runtime.mailer,
    logger: runtime.logger,
    sessionSecret: runtime.sessionSecret,
    baseUrl: runtime.config.baseUrl,
    trustProxy: runtime.config.trustProxy,
    workerIntervalMs: runtime.config.workerIntervalMs,
    pageCacheEntries: runtime.config.pageCacheEntries,
  });
  await app.listen({ port: runtime.config.port, host: runtime.config.host });
  io.out(`Client area: http://localhost:${runtime.config.port}\n`);
  return app;
}
