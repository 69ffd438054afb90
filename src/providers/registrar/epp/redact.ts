/**
 * EPP frames are logged with their secrets taken out: the login password (`pw`, `newPW`) and every
 * authInfo code (`domain:pw` inside `domain:authInfo`, and any `authInfo` content).
 */
const SECRET_ELEMENTS = /<((?:[\w.-]+:)?(?:pw|newPW))(\s[^>]*)?>[\s\S]*?<\/\1\s*>/g;
const AUTH_INFO = /<((?:[\w.-]+:)?authInfo)(\s[^>]*)?>[\s\S]*?<\/\1\s*>/g;

export const REDACTED = "[redacted]";

export function redactFrame(xml: string): string {
  return xml
    .replace(AUTH_INFO, (_all, tag: string, attributes = "") => `<${tag}${attributes}>${REDACTED}</${tag}>`)
    .replace(
      SECRET_ELEMENTS,
      (_all, tag: string, attributes = "") => `<${tag}${attributes}>${REDACTED}</${tag}>`,
    );
}
