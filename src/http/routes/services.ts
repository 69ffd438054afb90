/** The services pages of the client area. */
import type { FastifyInstance } from "fastify";
import type { HttpOptions } from "../context.js";

export function registerServiceRoutes(_app: FastifyInstance, _options: HttpOptions): void {}
