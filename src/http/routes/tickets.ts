/** The tickets pages of the client area. */
import type { FastifyInstance } from "fastify";
import type { HttpOptions } from "../context.js";

export function registerTicketRoutes(_app: FastifyInstance, _options: HttpOptions): void {}
