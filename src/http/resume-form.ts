/**
 * A form posted after the session expired: instead of a 403 (CSRF) in English, the visitor is sent
 * to the sign-in page in their language, and after signing in comes back to the page the form was
 * on, with what they typed put back in the forms that read it (`takeResumedForm`). Only a post
 * from this site's own pages (Origin, else Referer) is kept: another site cannot plant text into a
 * form. Passwords, codes and tokens are never kept.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { messages, setFlash } from "./context.js";
import { safeNext } from "./forms.js";

declare module "fastify" {
  interface Session {
    /** What a form held when its post arrived with an expired session, for the page it came from. */
    resumeForm?: { page: string; fields: Record<string, string> };
  }
}

const NOT_KEPT = /^_csrf$|password|confirm|^code$|token/i;
const MAX_FIELD = 10_000;
const MAX_FIELDS = 40;

/** This site's page the request came from (Origin must be this site; the page from Referer). */
function sameSitePage(request: FastifyRequest): string | null {
  let host: string;
  try {
    // As a browser writes it in Origin: no default port.
    host = new URL(`${request.protocol}://${request.headers.host ?? ""}`).host;
  } catch {
    return null;
  }
  if (!host) return null;
  const origin = request.headers.origin;
  const referer = request.headers.referer;
  const sameHost = (value: string) => {
    try {
      return new URL(value).host === host;
    } catch {
      return false;
    }
  };
  if (origin !== undefined && origin !== "null" && !sameHost(origin)) return null;
  if (!referer || !sameHost(referer)) return origin !== undefined && origin !== "null" ? "/" : null;
  const url = new URL(referer);
  return safeNext(`${url.pathname}${url.search}`);
}

/** The answer to a form posted without a live session: sign in, then back to the form's page. */
export function resumeAfterSignIn(request: FastifyRequest, reply: FastifyReply) {
  const page = sameSitePage(request);
  const body = request.body;
  if (page && page !== "/login" && body && typeof body === "object") {
    const fields: Record<string, string> = {};
    for (const [name, value] of Object.entries(body as Record<string, unknown>).slice(0, MAX_FIELDS)) {
      if (typeof value === "string" && !NOT_KEPT.test(name)) fields[name] = value.slice(0, MAX_FIELD);
    }
    request.session.resumeForm = { page, fields };
  }
  setFlash(request, { kind: "info", text: messages(request).auth.sessionExpired });
  return reply.redirect(`/login?next=${encodeURIComponent(page ?? "/")}`, 303);
}

/** What was typed in the form of `page` before the session expired (once), or null. */
export function takeResumedForm(request: FastifyRequest, page: string): Record<string, string> | null {
  const kept = request.session.resumeForm;
  if (!kept || kept.page.split("?")[0] !== page) return null;
  request.session.resumeForm = undefined;
  return kept.fields;
}
