/** Form parsing with zod: a handler gets typed values or the messages to show beside each field. */
import type { z } from "zod";

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "_form");
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

const LOCAL_ORIGIN = "http://tenure.invalid";

/**
 * Only a path on this site is followed after sign-in or a switch: parsed the way a browser would
 * ("/\\evil" and tabs lead elsewhere), with no control characters (a header cannot carry them).
 */
export function safeNext(next: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (typeof next !== "string" || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  try {
    const url = new URL(next, LOCAL_ORIGIN);
    return url.origin === LOCAL_ORIGIN ? `${url.pathname}${url.search}` : "/";
  } catch {
    return "/";
  }
}
