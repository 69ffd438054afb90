/** `tenure api-key`: the key printed once as one JSON line, stored hashed, listed, revoked; bad calls exit 2. */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

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

describe("tenure api-key", () => {
  it("creates a key, prints it once, lists it without it, and revokes it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tenure-api-key-"));
    const env = { TENURE_DATABASE_URL: `sqlite:${join(dir, "tenure.db")}`, TENURE_STATE_DIR: dir };
    const created = await tenure(
      ["api-key", "create", "--name", "Control panel", "--scopes", "read,domains"],
      env,
    );
    expect(created.code).toBe(0);
    const lines = created.out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const printed = JSON.parse(lines[0] ?? "{}");
    expect(printed).toMatchObject({ name: "Control panel", scopes: ["read", "domains"], customer: null });
    expect(printed.key).toMatch(/^tnr_[A-Za-z0-9_-]{40,}$/);

    const listed = await tenure(["api-key", "list"], env);
    expect(listed.code).toBe(0);
    expect(listed.out).not.toContain(printed.key);
    expect(JSON.parse(listed.out.trim())).toMatchObject({ id: printed.id, revoked: false, lastUsedAt: null });

    const revoked = await tenure(["api-key", "revoke", printed.id], env);
    expect(revoked.code).toBe(0);
    expect(JSON.parse((await tenure(["api-key", "list"], env)).out.trim()).revoked).toBe(true);
    expect((await tenure(["api-key", "revoke", printed.id], env)).code).toBe(2);
  });

  it("refuses an unknown scope or a missing name with exit 2 before opening the database", async () => {
    const env = { TENURE_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" };
    const scope = await tenure(["api-key", "create", "--name", "x", "--scopes", "read,admin"], env);
    expect(scope.code).toBe(2);
    expect(scope.err).toContain("--scopes");
    const name = await tenure(["api-key", "create", "--scopes", "read"], env);
    expect(name.code).toBe(2);
    expect(name.err).toContain("--name");
    expect((await tenure(["api-key", "rotate"], env)).code).toBe(2);
  });
});
