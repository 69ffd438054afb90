/** After sign-in or a language switch, only a path on this site is followed. */
import { describe, expect, it } from "vitest";
import { safeNext } from "../../src/http/forms.js";

describe("safeNext", () => {
  it("keeps a local path with its query", () => {
    expect(safeNext("/invoices?page=2")).toBe("/invoices?page=2");
    expect(safeNext("/services/h1/plan")).toBe("/services/h1/plan");
  });

  it.each([
    ["//evil.example/", "protocol-relative"],
    ["/\\evil.example", "backslash, read as a slash by browsers"],
    ["/\t/evil.example", "a tab, dropped by browsers"],
    ["/\n/evil.example", "a newline, which no header can carry"],
    ["https://evil.example/", "absolute"],
    ["javascript:alert(1)", "a script"],
    ["", "empty"],
    ["/..//evil.com", "dot segments resolving to a protocol-relative path"],
    ["/%2e%2e//evil.com", "encoded dot segments, resolved by the URL parser"],
    ["/%2E%2e/%2e//evil.com", "mixed-case encoded dot segments"],
    ["/./..//evil.com/x?y=1", "dot segments before a path on another host"],
    ["/a/../..//evil.com", "more dot segments than segments"],
    ["/\\evil.com", "a backslash right after the slash"],
    ["/..\\evil.com", "a backslash after dot segments"],
    ["//evil.com", "protocol-relative without a trailing slash"],
    ["///evil.com", "three slashes"],
    ["https://evil.com", "absolute, https"],
    ["/\t/evil.com", "a tab between the slashes"],
    ["/\r\n/evil.com", "CR LF between the slashes"],
    ["/ok\u0000", "a NUL"],
    ["/ok\u007f", "DEL"],
  ])("refuses %j (%s)", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it("keeps a local path whose dot segments stay on this site, resolved", () => {
    expect(safeNext("/services/../invoices?page=2")).toBe("/invoices?page=2");
    expect(safeNext("/a/%2e%2e/account")).toBe("/account");
  });

  it("refuses what is not a string", () => {
    expect(safeNext(undefined)).toBe("/");
    expect(safeNext(["/a"])).toBe("/");
  });
});
