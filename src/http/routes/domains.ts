/** The domains pages of the client area. */
import type { FastifyInstance } from "fastify";
import type { HttpOptions } from "../context.js";

export function registerDomainRoutes(_app: FastifyInstance, _options: HttpOptions): void {}
