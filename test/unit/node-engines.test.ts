/**
 * The README promises the oldest Node that package.json's `engines` names; every package `npm ci`
 * installs must accept it, or `npm ci` warns EBADENGINE (cookie@2 and content-disposition@3 asked
 * for Node 22 while the promise was Node 20). A small reader of npm's range syntax, enough for the
 * ranges in the lock file.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

type Version = [number, number, number];

function parts(text: string): (number | null)[] {
  return text
    .replace(/^v/, "")
    .split(".")
    .slice(0, 3)
    .map((p) => (/^\d+$/.test(p) ? Number(p) : null));
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i += 1) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function comparatorAccepts(comparator: string, v: Version): boolean {
  const match = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(comparator);
  const op = match?.[1] ?? "";
  const raw = parts(match?.[2] ?? "*");
  if (raw.length === 0 || raw[0] === null) return true;
  const lower: Version = [raw[0] ?? 0, raw[1] ?? 0, raw[2] ?? 0];
  const given = raw.findIndex((p) => p === null || p === undefined);
  const precision = given === -1 ? raw.length : given;
  const c = compare(v, lower);
  if (op === ">=") return c >= 0;
  if (op === ">") return c > 0;
  if (op === "<=") return c <= 0;
  if (op === "<") return c < 0;
  // ^: same major (or minor for 0.x); ~ and bare partials: same given parts.
  const fixed =
    op === "^" ? (lower[0] > 0 ? 1 : 2) : op === "~" ? Math.max(2, precision > 1 ? 2 : 1) : precision;
  if (c < 0) return false;
  for (let i = 0; i < Math.min(fixed, 3); i += 1) if (v[i] !== lower[i]) return false;
  return true;
}

function rangeAccepts(range: string, version: string): boolean {
  const v = parts(version).map((p) => p ?? 0) as Version;
  return range.split("||").some((set) => {
    const comparators = set
      .trim()
      .replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1")
      .split(/\s+/)
      .filter(Boolean);
    return comparators.every((c) => comparatorAccepts(c, v));
  });
}

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
  packages: Record<string, { version?: string; engines?: unknown }>;
};

describe("the Node version the README promises", () => {
  it("reads npm ranges as npm does", () => {
    expect(rangeAccepts(">=22", "20.19.0")).toBe(false);
    expect(rangeAccepts(">= 20.19.0", "20.19.0")).toBe(true);
    expect(rangeAccepts("^20.19.0 || >=22.12.0", "20.19.0")).toBe(true);
    expect(rangeAccepts("^20.19.0 || >=22.12.0", "21.0.0")).toBe(false);
    expect(rangeAccepts("^20.17.0 || >=22.9.0", "20.16.0")).toBe(false);
    expect(rangeAccepts("18 || 20 || >=22", "20.19.0")).toBe(true);
    expect(rangeAccepts("20.x || 22.x", "20.19.0")).toBe(true);
    expect(rangeAccepts("10.* || >= 12.*", "20.19.0")).toBe(true);
    expect(rangeAccepts("16 || 14 >=14.17", "20.19.0")).toBe(false);
    expect(rangeAccepts("*", "20.19.0")).toBe(true);
  });

  it("every package npm ci installs accepts the oldest Node that package.json promises", () => {
    const promised = /^>=\s*(\d+(\.\d+){0,2})$/.exec(pkg.engines.node)?.[1];
    expect(promised, "engines.node is a plain >= range").toBeDefined();
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== "")
      .flatMap(([path, info]) => {
        const node = (info.engines as { node?: unknown } | undefined)?.node;
        if (typeof node !== "string") return [];
        return rangeAccepts(node, promised ?? "0") ? [] : [`${path}@${info.version} wants ${node}`];
      });
    expect(refusing).toEqual([]);
  });
});
