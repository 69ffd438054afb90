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
  ])("refuses %j (%s)", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it("refuses what is not a string", () => {
    expect(safeNext(undefined)).toBe("/");
    expect(safeNext(["/a"])).toBe("/");
  });
});
