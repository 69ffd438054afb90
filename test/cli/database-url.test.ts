/**
 * A TENURE_DATABASE_URL that cannot be used stops the command with one line naming the URL (never
 * its password), what is wrong and what to do; exit code 2, no stack trace.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { redactDatabaseUrl } from "../../src/db/database.js";
import { STACK_FRAME, spawnTenure } from "../support/spawn-tenure.js";
import { POSTGRES_URL } from "../support/stores.js";

async function migrateWith(url: string) {
  const dir = await mkdtemp(join(tmpdir(), "tenure-db-url-"));
  const result = await spawnTenure(["migrate"], { TENURE_DATABASE_URL: url, TENURE_STATE_DIR: dir });
  const lines = result.stderr.trimEnd().split("\n");
  return { ...result, lines };
}

/** The server of TENURE_TEST_DATABASE_URL, with another role or database. */
function onTestServer(change: { user?: string; database?: string }): string {
  const url = new URL(POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test");
  if (change.user) url.username = change.user;
  if (change.database) url.pathname = `/${change.database}`;
  return url.toString();
}

function expectOneLine(result: Awaited<ReturnType<typeof migrateWith>>, ...parts: (string | RegExp)[]) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).not.toMatch(STACK_FRAME);
  expect(result.lines).toHaveLength(1);
  const line = result.lines[0] ?? "";
  expect(line).toMatch(/^tenure: TENURE_DATABASE_URL "/);
  for (const part of parts) {
    if (typeof part === "string") expect(line).toContain(part);
    else expect(line).toMatch(part);
  }
}

describe("a PostgreSQL URL that cannot be used", () => {
  it("a closed port: nothing answers there", async () => {
    const result = await migrateWith("postgres://postgres@127.0.0.1:1/x");
    expectOneLine(result, "postgres://postgres@127.0.0.1:1/x", "connection refused", "127.0.0.1:1");
  });

  it("a password is never printed", async () => {
    const result = await migrateWith("postgres://postgres:s3cr3t-pw@127.0.0.1:1/x");
    expectOneLine(result, "postgres://postgres:***@127.0.0.1:1/x");
    expect(result.stderr).not.toContain("s3cr3t-pw");
  });

  it.runIf(POSTGRES_URL)("an unknown database on the server: it does not exist, create it", async () => {
    const url = onTestServer({ database: "tenure_no_such_database" });
    const result = await migrateWith(url);
    expectOneLine(result, url, 'database "tenure_no_such_database" does not exist', "createdb");
  });

  it.runIf(POSTGRES_URL)("an unknown role on the server: it does not exist", async () => {
    const url = onTestServer({ user: "tenure_no_such_role" });
    const result = await migrateWith(url);
    expectOneLine(result, url, 'role "tenure_no_such_role" does not exist');
  });

  it("postgres:// alone names no server", async () => {
    const result = await migrateWith("postgres://");
    expectOneLine(result, "postgres://", "no server", "postgres://user@host:5432/database");
  });

  it("an unparseable URL is named as such", async () => {
    const result = await migrateWith("postgres://postgres@[::1");
    expectOneLine(result, "postgres://postgres@[::1", "not a valid URL");
  });

  it("an unparseable URL never prints its password either", async () => {
    const result = await migrateWith("postgres://postgres:s3cr3t-pw@[::1");
    expectOneLine(result, "postgres://postgres:***@[::1");
    expect(result.stderr).not.toContain("s3cr3t-pw");
  });
});

describe("a SQLite URL that cannot be used", () => {
  it("a file that is not a SQLite database is refused", async () => {
    const result = await migrateWith("sqlite:/etc/passwd");
    expectOneLine(result, "sqlite:/etc/passwd", "not a SQLite database");
  });

  it("such a file is left untouched: not written, no journal beside it", async () => {
    const file = join(await mkdtemp(join(tmpdir(), "tenure-db-text-")), "notes.txt");
    await writeFile(file, "not a database\n");
    const result = await migrateWith(`sqlite:${file}`);
    expectOneLine(result, `sqlite:${file}`, "not a SQLite database");
    expect(await readFile(file, "utf8")).toBe("not a database\n");
    expect(existsSync(`${file}-wal`) || existsSync(`${file}-shm`)).toBe(false);
  });

  it("a /proc file (size 0, yet not empty) is not a SQLite database either", async () => {
    const result = await migrateWith("sqlite:/proc/version");
    expectOneLine(result, "sqlite:/proc/version", "not a SQLite database");
  });

  it("a directory is refused, with a file name suggested", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tenure-db-dir-"));
    const result = await migrateWith(`sqlite:${dir}`);
    expectOneLine(result, `sqlite:${dir}`, "is a directory", `sqlite:${join(dir, "tenure.db")}`);
  });

  it("sqlite: with no path is refused instead of using a throwaway database", async () => {
    const result = await migrateWith("sqlite:");
    expectOneLine(result, "no file", "sqlite::memory:");
  });

  it("a file under a directory that cannot be created is refused", async () => {
    const result = await migrateWith("sqlite:/etc/passwd/tenure.db");
    expectOneLine(result, "sqlite:/etc/passwd/tenure.db", "/etc/passwd");
  });
});

describe("the URL as printed", () => {
  it("hides the password in the user info, in a password parameter, and in a URL that does not parse", () => {
    expect(redactDatabaseUrl("postgres://app:pw@db:5432/tenure")).toBe("postgres://app:***@db:5432/tenure");
    expect(redactDatabaseUrl("postgres://app:p@ss:w/rd@db/tenure")).toBe("postgres://app:***@db/tenure");
    expect(redactDatabaseUrl("postgres://app@db/tenure?password=pw&sslmode=require")).toBe(
      "postgres://app@db/tenure?password=***&sslmode=require",
    );
    expect(redactDatabaseUrl("postgres://app:pw@[::1")).toBe("postgres://app:***@[::1");
    expect(redactDatabaseUrl("postgres://app@db:5432/tenure")).toBe("postgres://app@db:5432/tenure");
    expect(redactDatabaseUrl("sqlite:./data/tenure.db")).toBe("sqlite:./data/tenure.db");
  });
});
