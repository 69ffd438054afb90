/**
 * `tenure import` / `tenure export` on both databases: a host's book comes in once (twice changes
 * nothing), a malformed book writes nothing and names every problem's line and field, imported
 * services wait for their next due instant without replaying the old system's past, and an export
 * imports back to the same book.
 */
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { authenticate, startPasswordReset } from "../../src/modules/accounts/account-repository.js";
import { exportBook } from "../../src/modules/import-export/export-book.js";
import { type ImportOptions, importBook, NO_PASSWORD } from "../../src/modules/import-export/import-book.js";
import { findBookSource } from "../../src/modules/import-export/read-book.js";
import { databaseState } from "../support/db-state.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const SAMPLE = join(import.meta.dirname, "../../examples/import/book.jsonl");
const SAMPLE_CSV = join(import.meta.dirname, "../../examples/import/csv");
const IMPORTED_AT = at("2024-06-01T00:00:00Z");

async function bookFile(lines: unknown[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tenure-book-"));
  const file = join(dir, "book.jsonl");
  await writeFile(
    file,
    lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n"),
  );
  return file;
}

async function sampleLines(): Promise<Record<string, unknown>[]> {
  return (await readFile(SAMPLE, "utf8"))
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}

describe.each(DIALECTS)("import and export of a book (%s)", (dialect) => {
  let fixture: Fixture;
  const fixtures: Fixture[] = [];
  const open = async () => {
    const f = await createFixture(dialect);
    fixtures.push(f);
    return f;
  };
  const run = async (f: Fixture, path: string, options: Partial<ImportOptions> = {}) =>
    importBook(f.deps, await findBookSource(path), { now: IMPORTED_AT, ...options });

  afterEach(async () => {
    for (const f of fixtures.splice(0)) await f.dispose();
  });

  it("imports a sample book, and importing it again changes nothing", async () => {
    fixture = await open();
    const first = await run(fixture, SAMPLE);
    expect(first).toMatchObject({
      ok: true,
      created: { customers: 3, subscriptions: 3, domains: 4 },
      unchanged: { customers: 0, subscriptions: 0, domains: 0 },
    });
    const afterFirst = await databaseState(fixture.deps.db);
    expect(afterFirst.customers.map((c) => c.id)).toEqual(["c-1001", "c-1002", "c-1003"]);
    expect(afterFirst.customers.find((c) => c.id === "c-1002")).toMatchObject({
      locale: "fr-CA",
      currency: "CAD",
      time_zone: "America/Toronto",
      billing_country: "CA",
      billing_province: "QC",
      billing_postal_code: "H2X 1Y4",
    });
    // They sign in once through a password-reset link: no password works before.
    expect(afterFirst.accounts.map((a) => [a.customer_id, a.password_hash])).toEqual([
      ["c-1001", NO_PASSWORD],
      ["c-1002", NO_PASSWORD],
      ["c-1003", NO_PASSWORD],
    ]);
    const contacts = afterFirst.domains.find((d) => d.service_id === "d-3001")?.contacts;
    expect(JSON.parse(String(contacts)).registrant).toMatchObject({ name: "Dana Reyes", country: "US" });

    const second = await run(fixture, SAMPLE);
    expect(second).toMatchObject({
      ok: true,
      created: { customers: 0, subscriptions: 0, domains: 0 },
      unchanged: { customers: 3, subscriptions: 3, domains: 4 },
      skippedNotices: 0,
    });
    expect(await databaseState(fixture.deps.db)).toEqual(afterFirst);

    expect(await authenticate(fixture.deps.db, "dana@example-shop.com", NO_PASSWORD)).toEqual({ ok: false });
    const reset = await startPasswordReset(fixture.deps.db, "dana@example-shop.com", IMPORTED_AT);
    expect(reset?.customerId).toBe("c-1001");
  });

  it("places imported services at their next due instant, without charging or notifying what is past", async () => {
    fixture = await open();
    const outcome = await run(fixture, SAMPLE);
    expect(outcome).toMatchObject({ ok: true, dueAtOnce: 0, skippedNotices: 2 });
    const due = Object.fromEntries(
      (await fixture.deps.db.selectFrom("services").select(["id", "next_due_at"]).execute()).map((s) => [
        s.id,
        s.next_due_at === null ? null : new Date(Number(s.next_due_at)).toISOString(),
      ]),
    );
    expect(due).toEqual({
      "s-2001": "2025-02-24T00:00:00.000Z", // the renewal invoice, 14 days before the term ends
      "s-2002": "2024-07-01T00:00:00.000Z",
      "s-2003": null, // terminated in the old system: nothing left to do
      "d-3001": "2025-04-20T14:03:00.000Z", // the renewal notice, 15 days before the charge (May 5)
      "d-3002": "2024-06-05T09:30:00.000Z", // its renewal notice (May 21) was the old system's: the charge
      "d-3003": "2024-07-01T00:00:00.000Z", // expired on May 1: released after 60 days of grace
      "d-3004": "2024-06-09T00:00:00.000Z", // unverified: suspended 15 days after registration
    });
    // The old system's past: nothing recorded, nothing sent.
    const state = await databaseState(fixture.deps.db);
    expect(state.events).toEqual([]);
    expect(state.notices.map((n) => [n.service_id, n.template, n.status])).toEqual([
      ["d-3002", "renewal-upcoming", "skipped"],
      ["d-3004", "verification-required", "skipped"],
    ]);

    const report = await runEngine(fixture.deps, IMPORTED_AT);
    expect(report.stepsApplied).toBe(0);
    const quiet = await databaseState(fixture.deps.db);
    expect(quiet.invoices).toEqual([]);
    expect(quiet.payments).toEqual([]);
    expect(quiet.notices.filter((n) => n.status !== "skipped")).toEqual([]);

    // At its next due instant the engine takes over: the renewal charge of boutique-exemple.ca.
    await runEngine(fixture.deps, at("2024-06-05T09:30:00Z"));
    const charged = await databaseState(fixture.deps.db);
    expect(charged.invoices.map((i) => [i.service_id, i.purpose, Number(i.subtotal), i.currency])).toEqual([
      ["d-3002", "renewal", 2500, "CAD"],
    ]);
    expect(charged.payments).toHaveLength(1);
  });

  it("reports every problem of a malformed book with its line and field, and writes nothing", async () => {
    fixture = await open();
    const lines = await sampleLines();
    const [header, dana, luc, sam, hosting, ssl, antispam, shop, boutique, oldName, newSite] = lines;
    const file = await bookFile([
      header,
      { ...dana, email: "not-an-address" }, // line 2
      { ...luc, locale: "de-DE", extra: 1 }, // line 3
      sam,
      { ...hosting, customer: "c-9999" }, // line 5
      { ...ssl, term_ends_at: "2024-05-15T00:00:00Z" }, // line 6: its paid term ended before the import
      { ...antispam, id: "s-2001" }, // line 7: the same id twice
      "{ not json", // line 8
      { ...shop, name: "bad_name!.com" }, // line 9
      { ...boutique, registrar: "nobody" }, // line 10
      { ...oldName, status: "active" }, // line 11: expired on May 1
      { ...newSite, site: "s-7777" }, // line 12
    ]);
    const before = await databaseState(fixture.deps.db);
    const outcome = await run(fixture, file);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    // A record that is itself wrong still counts as there: what refers to it is not reported too.
    expect(outcome.problems.map((p) => `${p.line}:${p.field}`).sort()).toEqual(
      [
        "2:email",
        "3:locale",
        "3:extra",
        "5:customer",
        "6:term_ends_at",
        "7:id",
        "8:(line)",
        "9:name",
        "10:registrar",
        "11:expires_at",
        "12:site",
      ].sort(),
    );
    expect(outcome.problems.every((p) => p.file === "book.jsonl" && p.message.length > 0)).toBe(true);
    expect(await databaseState(fixture.deps.db)).toEqual(before);
  });

  it("writes nothing when a record fails while the book is written (a renewal it cannot price)", async () => {
    fixture = await open();
    const lines = await sampleLines();
    // boutique-exemple.ca renews in CAD, but Dana is billed in USD and .ca has no public price.
    const moved = lines.map((line) => (line.id === "d-3002" ? { ...line, customer: "c-1001" } : line));
    const before = await databaseState(fixture.deps.db);
    const outcome = await run(fixture, await bookFile(moved));
    expect(outcome).toMatchObject({ ok: false, problems: [{ line: 9, field: "renewal_price" }] });
    expect(await databaseState(fixture.deps.db)).toEqual(before);
  });

  it("a dry run says what the import would do and writes nothing", async () => {
    fixture = await open();
    const before = await databaseState(fixture.deps.db);
    const outcome = await run(fixture, SAMPLE, { dryRun: true });
    expect(outcome).toMatchObject({
      ok: true,
      dryRun: true,
      created: { customers: 3, subscriptions: 3, domains: 4 },
    });
    expect(await databaseState(fixture.deps.db)).toEqual(before);
  });

  it("reads the flat tables from CSV files, naming a bad cell by its line and column", async () => {
    fixture = await open();
    const outcome = await run(fixture, SAMPLE_CSV);
    expect(outcome).toMatchObject({ ok: true, created: { customers: 2, subscriptions: 2, domains: 2 } });
    const domains = await fixture.deps.db
      .selectFrom("domains")
      .select(["name", "auto_renew"])
      .orderBy("name")
      .execute();
    expect(domains.map((d) => [d.name, Number(d.auto_renew)])).toEqual([
      ["boutique-exemple.ca", 1],
      ["example-shop.com", 1],
    ]);

    const dir = await mkdtemp(join(tmpdir(), "tenure-csv-"));
    const csv = await readFile(join(SAMPLE_CSV, "customers.csv"), "utf8");
    await writeFile(
      join(dir, "customers.csv"),
      csv
        .replace("H2X 1Y4", "12345")
        .replace("c-1001", "c-5001")
        .replace("c-1002", "c-5002")
        .replace(/@/g, "+2@"),
    );
    const bad = await run(fixture, join(dir, "customers.csv"));
    expect(bad).toMatchObject({
      ok: false,
      problems: [{ file: "customers.csv", line: 3, field: "billing_postal_code" }],
    });
  });

  it("exports the book in the format it imports: a round trip gives the same book", async () => {
    fixture = await open();
    await run(fixture, SAMPLE);
    const firstDir = await mkdtemp(join(tmpdir(), "tenure-export-"));
    const exported = await exportBook(fixture.deps.db, firstDir, IMPORTED_AT);
    expect(exported.counts).toEqual({ customers: 3, subscriptions: 3, domains: 4 });
    const records = (await readFile(exported.file, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(records.slice(1)).toEqual((await sampleLines()).slice(1));

    const other = await open();
    const again = await run(other, firstDir);
    expect(again).toMatchObject({ ok: true, created: { customers: 3, subscriptions: 3, domains: 4 } });
    const secondDir = await mkdtemp(join(tmpdir(), "tenure-export-"));
    const reexported = await exportBook(other.deps.db, secondDir, IMPORTED_AT);
    expect(await readFile(reexported.file, "utf8")).toEqual(await readFile(exported.file, "utf8"));
  });
});
