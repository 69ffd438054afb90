/**
 * The language of a visitor who is not signed in: the one chosen here before (the session, or the
 * `tenure_locale` cookie, which outlives an expired session), else the browser's Accept-Language
 * (any French → fr-CA), else English. A signed-in customer's or staff member's own stays theirs.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Locale } from "../views/notices/notice-types.js";

export const LOCALE_COOKIE = "tenure_locale";

/** The first language of Accept-Language (by q) that we speak: fr* → fr-CA, en* → en. */
export function browserLocale(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(",")
    .slice(0, 20)
    .map((entry, index) => {
      const [tag = "", ...params] = entry.trim().split(";");
      const q = params.map((p) => /^\s*q=([01](\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === "fr" || tag.startsWith("fr-")) return "fr-CA";
    if (tag === "en" || tag.startsWith("en-")) return "en";
  }
  return null;
}

export function cookieLocale(request: FastifyRequest): Locale | null {
  const value = request.cookies?.[LOCALE_COOKIE];
  return value === "fr-CA" || value === "en" ? value : null;
}

/** Remembers the language in a cookie (a year), so a page after an expired session speaks it. */
export function rememberLocale(request: FastifyRequest, reply: FastifyReply, locale: Locale): void {
  if (cookieLocale(request) === locale) return;
  reply.setCookie(LOCALE_COOKIE, locale, {
    httpOnly: true,
    sameSite: "lax",
    secure: "auto",
    path: "/",
    maxAge: 365 * 24 * 3600,
  });
}
