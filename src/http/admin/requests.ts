/** Back office: requests (to be built; see issue 9). */
import type { FastifyInstance } from "fastify";
import type { HttpOptions } from "../context.js";

export function registerRequestRoutes(_app: FastifyInstance, _options: HttpOptions): void {}
