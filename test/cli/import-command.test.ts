/** `tenure import` and `tenure export` as an operator runs them: summary on stdout, problems and progress on stderr. */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

const SAMPLE = join(import.meta.dirname, "../../examples/import/book.jsonl");

async function tenure(args: string[], env: Record<string, string>) {
  let out = "";
  let err = "";
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

async function sqliteEnv() {
  const dir = await mkdtemp(join(tmpdir(), "tenure-import-cli-"));
  return { dir, env: { TENURE_DATABASE_URL: `sqlite:${join(dir, "tenure.db")}`, TENURE_STATE_DIR: dir } };
}

describe("tenure import / export", () => {
  it("imports a book once, changes nothing the second time, and exports it back", async () => {
    const { dir, env } = await sqliteEnv();
    const dry = await tenure(["import", SAMPLE, "--dry-run", "--at", "2024-06-01T00:00:00Z"], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dryRun: true, created: { customers: 3 } });

    const first = await tenure(["import", SAMPLE, "--at", "2024-06-01T00:00:00Z"], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({
      dryRun: false,
      created: { customers: 3, subscriptions: 3, domains: 4 },
    });
    expect(first.err).toContain("checked 10 records");
    expect(first.err).toContain("wrote 10 records");

    const second = await tenure(["import", SAMPLE, "--at", "2024-06-01T00:00:00Z"], env);
    expect(JSON.parse(second.out)).toMatchObject({
      created: { customers: 0, subscriptions: 0, domains: 0 },
      unchanged: { customers: 3, subscriptions: 3, domains: 4 },
    });

    const out = join(dir, "export");
    const exported = await tenure(["export", out], env);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.out).counts).toEqual({ customers: 3, subscriptions: 3, domains: 4 });
    expect((await readFile(join(out, "book.jsonl"), "utf8")).split("\n")[1]).toContain('"id":"c-1001"');
    const again = await tenure(["export", out], env);
    expect(again.code).toBe(2);
    expect(again.err).toContain("--force");
  });

  it("prints every problem as file:line: field and exits 2 without writing", async () => {
    const { dir, env } = await sqliteEnv();
    const lines = (await readFile(SAMPLE, "utf8")).trim().split("\n");
    lines[1] = lines[1]?.replace("dana@example-shop.com", "dana-at-example") ?? "";
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, lines.join("\n"));
    const result = await tenure(["import", bad, "--at", "2024-06-01T00:00:00Z"], env);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^bad\.jsonl:2: email: /m);
    expect(result.err).toContain("nothing was written");
    expect(result.out).toBe("");
    const after = await tenure(["export", join(dir, "export")], env);
    expect(JSON.parse(after.out).counts).toEqual({ customers: 0, subscriptions: 0, domains: 0 });
  });

  it("refuses a missing file or a CSV whose name names no table, exit 2", async () => {
    const env = { TENURE_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" };
    expect((await tenure(["import"], env)).code).toBe(2);
    const missing = await tenure(["import", "/nonexistent/book.jsonl"], env);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("no such file");
    const { dir } = await sqliteEnv();
    await writeFile(join(dir, "clients.csv"), "id\n");
    const csv = await tenure(["import", join(dir, "clients.csv")], env);
    expect(csv.code).toBe(2);
    expect(csv.err).toContain("customers.csv");
  });
});
