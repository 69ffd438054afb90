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
 * Only a path on this site is followed after sign-in or a switch. It is resolved the way a browser
 * would (dot segments, "%2e%2e", ...) and the result must still be a path on this site: "/..//evil"
 * resolves to "//evil", which a browser reads as another host. Backslashes (read as slashes) and
 * control characters (tabs and newlines are dropped by browsers; no header can carry them) are
 * refused outright.
 */
export function safeNext(next: unknown): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (typeof next !== "string" || !next.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  try {
    const url = new URL(next, LOCAL_ORIGIN);
    const path = `${url.pathname}${url.search}`;
    if (url.origin !== LOCAL_ORIGIN || !path.startsWith("/") || path.startsWith("//")) return "/";
    // What is sent must itself read as this site's path (parsing it again changes nothing).
    const again = new URL(path, LOCAL_ORIGIN);
    return again.origin === LOCAL_ORIGIN && `${again.pathname}${again.search}` === path ? path : "/";
  } catch {
    return "/";
  }
}
