/**
 * What every handler works with: the signed-in customer, the language, the CSRF token, one-shot
 * flash messages, and the page renderer. Handlers stay thin: parse, authorize, call, map.
 */
import type {} from "@fastify/csrf-protection";
import type {} from "@fastify/session";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Clock } from "../domain/clock.js";
import type { CustomerRecord } from "../modules/customers/customer-repository.js";
import type { Deps } from "../modules/deps.js";
import type { StaffMember } from "../modules/staff/staff-repository.js";
import type { Mailer } from "../providers/mailer/mailer.js";
import { SafeHtml, trusted } from "../views/html.js";
import { type Messages, messagesFor, toLocale } from "../views/i18n/index.js";
import { type Flash, layout, type PageContext } from "../views/layout.js";
import type { Locale } from "../views/notices/notice-types.js";
import { browserLocale, cookieLocale } from "./locale.js";

declare module "fastify" {
  interface Session {
    customerId?: string;
    /** Password checked, second factor still to enter. */
    pendingTotpCustomerId?: string;
    /** Language before sign-in (the customer's own once signed in). */
    locale?: Locale;
    flash?: StoredFlash;
    /** A staff member signed in to the back office (never together with `customerId`). */
    staffId?: string;
    /** Staff password checked, second factor still to enter. */
    pendingTotpStaffId?: string;
    /** A TOTP secret offered to a staff member, until a code proves it. */
    staffTotpSetupSecret?: string;
  }
  interface FastifyRequest {
    customer: CustomerRecord | null;
    /** The signed-in staff member, on back-office paths only. */
    staff: StaffMember | null;
  }
}

export interface HttpOptions {
  deps: Deps;
  clock: Clock;
  mailer: Mailer | null;
  logger?: Logger;
  /** At least 32 characters; signs the session cookie. */
  sessionSecret: string;
  /** Public address of the client area, for links in e-mails. */
  baseUrl: string;
  /**
   * The addresses (or CIDRs) of the TLS-terminating proxies in front; X-Forwarded-* is believed only
   * from them. Never `true`: it believes the left-most X-Forwarded-For entry, written by the client.
   */
  trustProxy?: false | string[];
  /** How often the worker runs the engine (the automation's health line); 60 s when unset. */
  workerIntervalMs?: number;
  /** Requests per minute per API key on /api/v1 (src/http/api); 120 when unset. */
  apiRateLimitPerMinute?: number;
  /** Rendered pages kept in memory (src/http/page-cache.ts); 2000 when unset, 0 turns it off. */
  pageCacheEntries?: number;
  /** Login attempts allowed per address and per account in `loginWindowMinutes`. */
  loginAttempts?: number;
  loginWindowMinutes?: number;
}

export function localeOf(request: FastifyRequest): Locale {
  const own = request.staff?.locale ?? request.customer?.locale ?? request.session.locale;
  if (own) return toLocale(own);
  // Not signed in: the language chosen before (cookie), else the browser's (locale.ts).
  return cookieLocale(request) ?? browserLocale(request.headers["accept-language"]) ?? "en";
}

/** The back office lives under /admin; its pages use the staff frame and the staff session. */
export function isAdminPath(path: string): boolean {
  return path === "/admin" || path.startsWith("/admin/") || path.startsWith("/admin?");
}

export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  const locale = localeOf(request);
  return {
    locale,
    m: messagesFor(locale),
    customer: request.customer ? { name: request.customer.name } : null,
    staff: request.staff ? { name: request.staff.name, role: request.staff.role } : null,
    isBackOffice: isAdminPath(request.url),
    csrfToken: reply.generateCsrf(),
    path: request.url.split("?")[0] ?? "/",
  };
}

export function messages(request: FastifyRequest): Messages {
  return messagesFor(localeOf(request));
}

/** The signed-in customer; the auth hook guarantees it on every page behind sign-in. */
export function customerOf(request: FastifyRequest): CustomerRecord {
  if (!request.customer) throw new Error("route requires a signed-in customer");
  return request.customer;
}

/** A flash as the session store keeps it (JSON): markup is kept as a marked string. */
interface StoredFlash {
  kind: Flash["kind"];
  text: string;
  isHtml: boolean;
}

export function setFlash(request: FastifyRequest, flash: Flash): void {
  const isHtml = flash.text instanceof SafeHtml;
  request.session.flash = {
    kind: flash.kind,
    text: isHtml ? flash.text.toString() : String(flash.text),
    isHtml,
  };
}

function takeFlash(request: FastifyRequest): Flash | null {
  const stored = request.session.flash;
  if (!stored) return null;
  request.session.flash = undefined;
  // Markup in a flash was built by our own handlers with the escaping `html` tag.
  return { kind: stored.kind, text: stored.isHtml ? trusted(stored.text) : stored.text };
}

/** Sends a full page; `status` 400 when a form is shown again with its errors. */
export function sendPage(
  request: FastifyRequest,
  reply: FastifyReply,
  title: string | ((m: Messages) => string),
  body: (ctx: PageContext) => SafeHtml,
  options: { status?: number; flash?: Flash | null } = {},
) {
  const ctx = pageContext(request, reply);
  // `flash: null` means "show none" (an error page), leaving a stored flash for the next page.
  const flash = options.flash !== undefined ? options.flash : takeFlash(request);
  const heading = typeof title === "function" ? title(ctx.m) : title;
  return reply
    .status(options.status ?? 200)
    .type("text/html; charset=utf-8")
    .send(layout(ctx, heading, body(ctx), flash).value);
}

export function redirectWith(request: FastifyRequest, reply: FastifyReply, to: string, flash?: Flash) {
  if (flash) setFlash(request, flash);
  return reply.redirect(to, 303);
}
