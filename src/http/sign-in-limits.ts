/**
 * Sign-in limits, shared by the client area and the back office. Only failures count: an attempt
 * is counted when it starts (so a burst of concurrent guesses cannot all slip through before the
 * first one fails) and given back when it succeeds. After `loginAttempts` failures an account, or
 * an address, is slowed down rather than locked out: each further failure makes the next attempt
 * wait 1 minute, then 2, 4, 8… up to `loginWindowMinutes` (15). Failures are forgotten 24 hours
 * after the last one, or at a successful sign-in (the account's; an address's are kept).
 *
 * A browser that has signed in to an account before carries a signed mark for it (a cookie that
 * names no account: an HMAC of it). For that account it is counted on its own, so a stranger
 * failing on a customer's e-mail, or everyone behind one untrusted proxy failing, does not keep the
 * customer out of their own device. The wait shown is the real one (`TooManyAttempts.waitSeconds`).
 *
 * The counters live in this process's memory, as @fastify/rate-limit's did: two nodes each count.
 */
import { createHmac } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { HttpOptions } from "./context.js";

export class TooManyAttempts extends Error {
  readonly statusCode = 429;
  constructor(readonly waitSeconds: number) {
    super("too many sign-in attempts");
  }
}

export type AccountKey = (request: FastifyRequest) => string;

const MINUTE = 60_000;
const FORGET_AFTER = 24 * 60 * MINUTE;
const FIRST_WAIT = MINUTE;
const KNOWN_DEVICE_COOKIE = "tenure_known";
const KNOWN_DEVICE_MAX = 8;
const KNOWN_DEVICE_DAYS = 400;

interface Counter {
  failures: number;
  lastFailureAt: number;
  waitUntil: number;
}

/** The wait after `failures` failures: none below the threshold, then doubling up to the cap. */
export function waitAfter(failures: number, threshold: number, maxWaitMs: number): number {
  if (failures < threshold) return 0;
  return Math.min(FIRST_WAIT * 2 ** Math.min(failures - threshold, 30), maxWaitMs);
}

/** The counters of one process, by key; old entries are swept as new ones arrive. */
class FailureCounters {
  private readonly counters = new Map<string, Counter>();
  private lastSweep = 0;

  constructor(
    private readonly threshold: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Milliseconds still to wait before an attempt on `key`, 0 when it may go ahead. */
  waitFor(key: string, now: number): number {
    const counter = this.live(key, now);
    return counter ? Math.max(0, counter.waitUntil - now) : 0;
  }

  /** Counts an attempt as failed (until `succeeded` gives it back). */
  fail(key: string, now: number): void {
    this.sweep(now);
    const counter = this.live(key, now) ?? { failures: 0, lastFailureAt: now, waitUntil: 0 };
    counter.failures += 1;
    counter.lastFailureAt = now;
    counter.waitUntil = now + waitAfter(counter.failures, this.threshold, this.maxWaitMs);
    this.counters.set(key, counter);
  }

  /** Gives back one attempt counted by `fail`; `forget` drops the key's failures altogether. */
  giveBack(key: string, now: number, forget: boolean): void {
    const counter = this.live(key, now);
    if (!counter) return;
    if (forget || counter.failures <= 1) {
      this.counters.delete(key);
      return;
    }
    counter.failures -= 1;
    if (counter.failures < this.threshold) counter.waitUntil = 0;
  }

  private live(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    if (counter && now - counter.lastFailureAt > FORGET_AFTER) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < MINUTE) return;
    this.lastSweep = now;
    for (const [key, counter] of this.counters) {
      if (now - counter.lastFailureAt > FORGET_AFTER) this.counters.delete(key);
    }
  }
}

/** What a route does with its limit: check before, and say how the attempt went. */
export interface SignInGuard {
  /** preHandler: refuses (429, Retry-After) while a wait is due, else counts the attempt. */
  check: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The attempt succeeded: it is given back, the account's failures are forgotten, and this
   * browser is remembered for the account (with `knownDevices`). */
  succeeded: (request: FastifyRequest, reply: FastifyReply) => void;
}

interface CountedAttempt {
  keys: { key: string; forget: boolean }[];
}

const attemptsOf = new WeakMap<FastifyRequest, CountedAttempt>();

/** Returns a factory of guards: each counts per address and per the account its key names. */
export function signInLimiter(_app: FastifyInstance, options: HttpOptions, scope: string) {
  const threshold = options.loginAttempts ?? 10;
  const maxWaitMs = (options.loginWindowMinutes ?? 15) * MINUTE;
  const counters = new FailureCounters(threshold, maxWaitMs);
  const mark = (account: string) =>
    createHmac("sha256", options.sessionSecret)
      .update(`known-device:${scope}:${account}`)
      .digest("base64url")
      .slice(0, 22);
  const cookieName = `${KNOWN_DEVICE_COOKIE}_${scope.replace(/[^a-z0-9]/gi, "_")}`;
  const marksOf = (request: FastifyRequest): string[] =>
    (request.cookies?.[cookieName] ?? "").split(".").filter((m) => /^[A-Za-z0-9_-]{22}$/.test(m));

  /** `knownDevices`: a browser that signed in to the account before is counted on its own. */
  return (accountKey: AccountKey, { knownDevices = false } = {}): SignInGuard => ({
    check: async (request, reply) => {
      const now = options.clock.now();
      const account = accountKey(request);
      const known = knownDevices && marksOf(request).includes(mark(account));
      // A known browser is counted on its own for this account; anyone else per address and account.
      const keys = known
        ? [{ key: `${scope}:device:${mark(account)}`, forget: true }]
        : [
            { key: `${scope}:address:${request.ip}`, forget: false },
            { key: `${scope}:${account}`, forget: true },
          ];
      const wait = Math.max(...keys.map(({ key }) => counters.waitFor(key, now)));
      if (wait > 0) {
        const seconds = Math.ceil(wait / 1000);
        reply.header("retry-after", String(seconds));
        throw new TooManyAttempts(seconds);
      }
      for (const { key } of keys) counters.fail(key, now);
      attemptsOf.set(request, { keys });
    },
    succeeded: (request, reply) => {
      const now = options.clock.now();
      const attempt = attemptsOf.get(request);
      attemptsOf.delete(request);
      for (const { key, forget } of attempt?.keys ?? []) counters.giveBack(key, now, forget);
      if (!knownDevices) return;
      const account = accountKey(request);
      const marks = [mark(account), ...marksOf(request).filter((m) => m !== mark(account))];
      reply.setCookie(cookieName, marks.slice(0, KNOWN_DEVICE_MAX).join("."), {
        httpOnly: true,
        sameSite: "lax",
        secure: "auto",
        path: "/",
        maxAge: KNOWN_DEVICE_DAYS * 24 * 3600,
      });
    },
  });
}

/** The account a password sign-in or a reset request is about: the e-mail typed. */
export function typedAccountKey(request: FastifyRequest): string {
  const body = request.body as { email?: unknown } | undefined;
  return typeof body?.email === "string"
    ? `account:${body.email.trim().toLowerCase()}`
    : `no-account:${request.ip}`;
}
