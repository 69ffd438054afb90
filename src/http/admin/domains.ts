/** Back office: domains (to be built; see issue 9). */
import type { FastifyInstance } from "fastify";
import type { HttpOptions } from "../context.js";

export function registerAdminDomainRoutes(_app: FastifyInstance, _options: HttpOptions): void {}
