/**
 * Sign-in rate limits, shared by the client area and the back office: two independent counters,
 * one per client address and one per account, over the same window. (Chaining two
 * `app.rateLimit()` handlers does not work: the second sees the first's mark and skips.)
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { HttpOptions } from "./context.js";

export class TooManyAttempts extends Error {
  readonly statusCode = 429;
}

export type AccountKey = (request: FastifyRequest) => string;

/** Returns a factory of preHandlers: each counts per address and per the account its key names. */
export function signInLimiter(app: FastifyInstance, options: HttpOptions, scope: string) {
  const attempts = options.loginAttempts ?? 10;
  const window = `${options.loginWindowMinutes ?? 15} minutes`;
  const byAddress = app.createRateLimit({
    max: attempts,
    timeWindow: window,
    keyGenerator: (r) => `${scope}:address:${r.ip}`,
  });
  return (accountKey: AccountKey) => {
    const byAccount = app.createRateLimit({
      max: attempts,
      timeWindow: window,
      keyGenerator: (r) => `${scope}:${accountKey(r)}`,
    });
    return async (request: FastifyRequest, reply: FastifyReply) => {
      for (const limit of [byAddress, byAccount]) {
        const result = await limit(request);
        if (!result.isAllowed && result.isExceeded) {
          reply.header("retry-after", String(result.ttlInSeconds));
          throw new TooManyAttempts("too many sign-in attempts");
        }
      }
    };
  };
}

/** The account a password sign-in or a reset request is about: the e-mail typed. */
export function typedAccountKey(request: FastifyRequest): string {
  const body = request.body as { email?: unknown } | undefined;
  return typeof body?.email === "string"
    ? `account:${body.email.trim().toLowerCase()}`
    : `no-account:${request.ip}`;
}
