/**
 * `tenure backup` and `tenure restore` on a SQLite file, with the engine running. The gateway and
 * the registrar keep durable ledgers of their own (TENURE_STATE_DIR), outside Tenure's database,
 * as in production: a restore rolls Tenure back, never them. Replaying the engine from a restored
 * backup must then neither charge nor renew anything twice, and must end in the same business state.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { type Kysely, Migrator } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openStore, type Store } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import * as initialMigration from "../../src/db/migrations/0001-initial.js";
import { defaultPolicies } from "../../src/domain/policies.js";
import { addDays, formatInstant, type Instant } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { createCustomer, setCard } from "../../src/modules/customers/customer-repository.js";
import type { Deps } from "../../src/modules/deps.js";
import { importDomain } from "../../src/modules/domains/import-domain.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import type { ChargeRequest, PaymentGateway } from "../../src/providers/payments/payment-gateway.js";
import { type LedgerEntry, TestGateway } from "../../src/providers/payments/test-gateway.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { at } from "../support/engine-fixture.js";

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

/** One Tenure process: its own connection to the database file, the shared ledgers loaded from disk. */
interface Process {
  store: Store;
  deps: Deps;
  gateway: TestGateway;
  registrar: TestRegistrar;
  close(): Promise<void>;
}

async function startProcess(
  dbFile: string,
  stateDir: string,
  wrapGateway: (gateway: TestGateway) => PaymentGateway = (g) => g,
): Promise<Process> {
  const store = openStore(`sqlite:${dbFile}`);
  await migrateToLatest(store);
  const gateway = new TestGateway({ file: join(stateDir, "test-gateway.sqlite") });
  const registrar = new TestRegistrar({ file: join(stateDir, "test-registrar.sqlite") });
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    policies: defaultPolicies(),
    gateway: wrapGateway(gateway),
    registrarFor: () => registrar,
  };
  const close = async () => {
    await store.close();
    gateway.close();
    registrar.close();
  };
  return { store, deps, gateway, registrar, close };
}

interface SubscriptionSeed {
  id: string;
  customerId: string;
  kind: "hosting" | "app";
  plan: "monthly" | "yearly";
  price: number;
  startedAt: string;
}

async function seedCustomers(p: Process, customers: [id: string, card: string][]): Promise<void> {
  for (const [id, card] of customers) {
    await createCustomer(
      p.deps.db,
      { id, email: `${id}@example.test`, name: id, locale: "en", currency: "USD", timeZone: "UTC" },
      at("2024-01-01T00:00:00Z"),
    );
    await setCard(p.deps, id, card);
  }
}

async function seedSubscriptions(p: Process, subscriptions: SubscriptionSeed[]): Promise<void> {
  for (const s of subscriptions) {
    await importSubscription(p.deps, {
      ...s,
      label: `${s.kind} ${s.id}`,
      currency: "USD",
      startedAt: at(`${s.startedAt}T10:00:00Z`),
    });
  }
}

async function seedBook(p: Process): Promise<void> {
  await seedCustomers(p, [
    ["alice", "ok"],
    ["bob", "fails-1-then-ok"],
    ["carol", "declined"],
  ]);
  await seedSubscriptions(p, [
    {
      id: "site",
      customerId: "alice",
      kind: "hosting",
      plan: "yearly",
      price: 19200,
      startedAt: "2024-03-10",
    },
    { id: "mail", customerId: "alice", kind: "app", plan: "monthly", price: 900, startedAt: "2024-12-12" },
    { id: "seo", customerId: "carol", kind: "app", plan: "monthly", price: 1500, startedAt: "2025-01-25" },
  ]);
  const domains = [
    {
      id: "shop",
      customerId: "alice",
      name: "alice.example",
      registrar: "squarespace-domains",
      on: "2024-03-20",
    },
    { id: "blog", customerId: "bob", name: "bob.example", registrar: "tucows", on: "2024-04-01" },
  ];
  for (const d of domains) {
    const { expiresAt } = await importDomain(p.deps, {
      id: d.id,
      customerId: d.customerId,
      name: d.name,
      registrar: d.registrar,
      registeredAt: at(`${d.on}T09:00:00Z`),
      years: 1,
      autoRenew: true,
      emailVerified: true,
      siteServiceId: null,
      offer: null,
      recordedPrice: { amount: 2000, currency: "USD" },
    });
    p.registrar.register(d.name, expiresAt);
  }
}

/** The engine as the worker runs it, once a day at noon, over [from, until]. */
async function runDaily(p: Process, from: Instant, until: Instant): Promise<void> {
  for (let now = from; now <= until; now = addDays(now, 1)) {
    const report = await runEngine(p.deps, now, { worker: "backup-test" });
    expect(report.failures).toEqual([]);
  }
}

/** What the business sees, keyed by what survives a restore (issue keys, charge keys, names). */
async function businessState(deps: Deps) {
  const invoices = await deps.db
    .selectFrom("invoices")
    .select(["issue_key", "status", "total", "amount_paid", "service_id"])
    .orderBy("issue_key")
    .execute();
  const payments = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select([
      "invoices.issue_key",
      "payments.attempt",
      "payments.idempotency_key",
      "payments.status",
      "payments.amount",
      "payments.gateway_ref",
    ])
    .orderBy("invoices.issue_key")
    .orderBy("payments.attempt")
    .execute();
  const domains = await deps.db
    .selectFrom("domains")
    .innerJoin("services", "services.id", "domains.service_id")
    .select(["domains.name", "domains.expires_at", "services.status"])
    .orderBy("domains.name")
    .execute();
  const subscriptions = await deps.db
    .selectFrom("subscriptions")
    .innerJoin("services", "services.id", "subscriptions.service_id")
    .select(["subscriptions.service_id", "subscriptions.term_ends_at", "services.status"])
    .orderBy("subscriptions.service_id")
    .execute();
  return {
    invoices,
    payments,
    domains: domains.map((d) => ({ ...d, expires_at: formatInstant(d.expires_at) })),
    subscriptions: subscriptions.map((s) => ({ ...s, term_ends_at: formatInstant(s.term_ends_at) })),
  };
}

function readLedger(stateDir: string): { entries: LedgerEntry[] } {
  const gateway = new TestGateway({ file: join(stateDir, "test-gateway.sqlite") });
  const entries = gateway.allCharges();
  gateway.close();
  return { entries };
}

function readRegistry(stateDir: string): { renewals: { name: string; from: number; to: number }[] } {
  const registrar = new TestRegistrar({ file: join(stateDir, "test-registrar.sqlite") });
  const renewals = registrar.renewals;
  registrar.close();
  return { renewals };
}

/** At most one successful charge per invoice number in the gateway's ledger. */
function expectNoDoubleCharge(entries: LedgerEntry[]) {
  const succeeded = entries.filter((e) => e.outcome.status === "succeeded");
  const perInvoice = new Map<string, number>();
  for (const e of succeeded) {
    const invoice = /^charge:(\d+):\d+$/.exec(e.idempotencyKey)?.[1] ?? e.idempotencyKey;
    perInvoice.set(invoice, (perInvoice.get(invoice) ?? 0) + 1);
  }
  expect([...perInvoice].filter(([, n]) => n > 1)).toEqual([]);
}

const START = at("2025-01-01T12:00:00Z");
const BACKUP_DAY = at("2025-03-05T12:00:00Z");
const END = at("2025-05-15T12:00:00Z");

describe("tenure backup and restore (SQLite)", () => {
  let dir: string;
  let stateDir: string;
  let liveDb: string;
  let backupFile: string;
  let backupOutput: string;
  let pendingInBackup: number;
  let original: Awaited<ReturnType<typeof businessState>>;
  let ledgerAfterOriginal: LedgerEntry[];
  let renewalsAfterOriginal: { name: string; from: number; to: number }[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenure-backup-"));
    stateDir = join(dir, "state");
    liveDb = join(dir, "live.db");
    backupFile = join(dir, "backups", "tenure-2025-03-05.db");
    const env = { TENURE_DATABASE_URL: `sqlite:${liveDb}`, TENURE_STATE_DIR: stateDir };

    // The live system: a book of customers, the engine run daily up to the backup day.
    let backupTaken = false;
    const live = await startProcess(liveDb, stateDir, (gateway) => ({
      // The backup is taken from inside the renewal charge of alice.example: its payment row is
      // committed as pending and the gateway has not answered yet (money in flight).
      async charge(request: ChargeRequest) {
        if (!backupTaken && request.amount === 2000 && request.token.includes("alice")) {
          backupTaken = true;
          const backup = await tenure(["backup", backupFile], env);
          expect(backup.err).toBe("");
          expect(backup.code).toBe(0);
          backupOutput = backup.out;
        }
        return gateway.charge(request);
      },
      lookup: (key) => gateway.lookup(key),
      saveCard: (customer, card) => gateway.saveCard(customer, card),
      refund: (request) => gateway.refund(request),
      lookupRefund: (key) => gateway.lookupRefund(key),
    }));
    await seedBook(live);
    await runDaily(live, START, BACKUP_DAY);
    expect(backupTaken).toBe(true);
    // The system carries on after the backup: more renewals, retries, charges.
    await runDaily(live, addDays(BACKUP_DAY, 1), END);
    original = await businessState(live.deps);
    await live.close();
    ledgerAfterOriginal = readLedger(stateDir).entries;
    renewalsAfterOriginal = readRegistry(stateDir).renewals;

    const copy = new SQLite(backupFile, { readonly: true });
    pendingInBackup = Number(
      (copy.prepare("SELECT count(*) AS n FROM payments WHERE status = 'pending'").get() as { n: number }).n,
    );
    copy.close();
  });

  it("the story has charges after the backup, so a replay has something it could duplicate", () => {
    expectNoDoubleCharge(ledgerAfterOriginal);
    const succeeded = ledgerAfterOriginal.filter((e) => e.outcome.status === "succeeded");
    expect(succeeded.length).toBeGreaterThanOrEqual(6);
    expect(ledgerAfterOriginal.some((e) => e.outcome.status === "failed")).toBe(true);
    expect(renewalsAfterOriginal.map((r) => r.name).sort()).toEqual(["alice.example", "bob.example"]);
    expect(original.invoices.filter((i) => i.status === "paid").length).toBeGreaterThanOrEqual(6);
  });

  it("backup writes one consistent file while a charge is in flight, and says what it wrote", () => {
    expect(backupOutput).toContain(`Backup written: ${backupFile}`);
    expect(backupOutput).toContain(`(${statSync(backupFile).size} bytes)`);
    expect(backupOutput).toContain("last engine run: 2025-03-05T12:00:00.000Z (running)");
    expect(backupOutput).toMatch(/1 charge\(s\) in flight/);
    expect(pendingInBackup).toBe(1);
    expect(existsSync(`${backupFile}-wal`)).toBe(false);
  });

  it("restores the backup and replays the same days: nothing charged or renewed twice, same end state", async () => {
    const restored = join(dir, "restored-daily.db");
    const env = { TENURE_DATABASE_URL: `sqlite:${restored}`, TENURE_STATE_DIR: stateDir };
    const result = await tenure(["restore", backupFile], env);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Restored ${backupFile} into ${restored}`);
    expect(result.out).toContain("Not restored: the payment gateway's ledger and the registrar's records");

    const replay = await startProcess(restored, stateDir);
    await runDaily(replay, BACKUP_DAY, END);
    const state = await businessState(replay.deps);
    await replay.close();

    expect(readLedger(stateDir).entries).toEqual(ledgerAfterOriginal);
    expect(readRegistry(stateDir).renewals).toEqual(renewalsAfterOriginal);
    expectNoDoubleCharge(readLedger(stateDir).entries);
    expect(state).toEqual(original);
  });

  it("the copy holds committed transactions only, and does not wait for a writer", async () => {
    const db = join(dir, "busy.db");
    const env = { TENURE_DATABASE_URL: `sqlite:${db}`, TENURE_STATE_DIR: join(dir, "busy-state") };
    const p = await startProcess(db, join(dir, "busy-state"));
    await seedBook(p);
    // The client area is in the middle of a write: its transaction is open, not committed.
    const web = new SQLite(db);
    web.exec("BEGIN IMMEDIATE");
    web.prepare("UPDATE customers SET name = 'Carol (renamed)' WHERE id = 'carol'").run();
    const copy = join(dir, "busy-backup.db");
    const result = await tenure(["backup", copy], env);
    web.exec("COMMIT");
    web.close();
    expect(result.code).toBe(0);
    const saved = new SQLite(copy, { readonly: true });
    expect(saved.prepare("SELECT name FROM customers WHERE id = 'carol'").get()).toEqual({ name: "carol" });
    expect(saved.pragma("integrity_check", { simple: true })).toBe("ok");
    saved.close();
    expect(result.out).toContain("last engine run: none");
    await p.close();
  });

  it("backup refuses to overwrite an existing file unless --force", async () => {
    const env = { TENURE_DATABASE_URL: `sqlite:${liveDb}`, TENURE_STATE_DIR: stateDir };
    const target = join(dir, "existing.db");
    writeFileSync(target, "an earlier backup");
    const refused = await tenure(["backup", target], env);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("already exists");
    expect(refused.err).toContain("--force");
    expect(readFileSync(target, "utf8")).toBe("an earlier backup");

    const forced = await tenure(["backup", target, "--force"], env);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain("last engine run: 2025-05-15T12:00:00.000Z (ok)");
  });

  it("restore refuses a file that is not a Tenure database, and an existing target without --force", async () => {
    const target = join(dir, "target.db");
    const env = { TENURE_DATABASE_URL: `sqlite:${target}`, TENURE_STATE_DIR: stateDir };
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a database at all, just some notes\n".repeat(200));
    const notSqlite = await tenure(["restore", text], env);
    expect(notSqlite.code).toBe(2);
    expect(notSqlite.err).toContain("not a SQLite database");

    const other = join(dir, "other-app.db");
    const foreign = new SQLite(other);
    foreign.exec("CREATE TABLE customers (id TEXT PRIMARY KEY); CREATE TABLE orders (id INTEGER)");
    foreign.close();
    const notTenure = await tenure(["restore", other], env);
    expect(notTenure.code).toBe(2);
    expect(notTenure.err).toContain("not a Tenure database");
    expect(notTenure.err).toContain('"kysely_migration"');
    expect(existsSync(target)).toBe(false);

    expect((await tenure(["restore", backupFile], env)).code).toBe(0);
    const again = await tenure(["restore", backupFile], env);
    expect(again.code).toBe(2);
    expect(again.err).toContain("exists");
    expect((await tenure(["restore", backupFile, "--force"], env)).code).toBe(0);
  });

  it("restore refuses to replace a database another process has open", async () => {
    const target = join(dir, "in-use.db");
    const env = { TENURE_DATABASE_URL: `sqlite:${target}`, TENURE_STATE_DIR: stateDir };
    expect((await tenure(["restore", backupFile], env)).code).toBe(0);
    const running = await startProcess(target, join(dir, "in-use-state"));
    const refused = await tenure(["restore", backupFile, "--force"], env);
    await running.close();
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("open in another process");
  });

  it("restore brings an older backup up to date with the migrations", async () => {
    // A database written by a Tenure that only had the first migration.
    const old = join(dir, "old-version.db");
    const store = openStore(`sqlite:${old}`);
    const migrator = new Migrator({
      db: store.db,
      provider: {
        getMigrations: async () => ({
          "0001-initial": { up: (db: Kysely<unknown>) => initialMigration.up(db, "sqlite") },
        }),
      },
    });
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    await store.close();
    const target = join(dir, "upgraded.db");
    const result = await tenure(["restore", old], {
      TENURE_DATABASE_URL: `sqlite:${target}`,
      TENURE_STATE_DIR: stateDir,
    });
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain(
      "migrations applied: 0002-client-area, 0003-invoice-lines-by-service, 0004-totp-last-step, 0005-money-in-flight, 0006-back-office, 0007-admin-customers, 0008-admin-automation, 0009-taxes-and-numbering, 0010-documents-and-notices",
    );
    const upgraded = new SQLite(target, { readonly: true });
    const names = upgraded.prepare("SELECT name FROM kysely_migration ORDER BY name").all();
    upgraded.close();
    expect(names).toEqual([
      { name: "0001-initial" },
      { name: "0002-client-area" },
      { name: "0003-invoice-lines-by-service" },
      { name: "0004-totp-last-step" },
      { name: "0005-money-in-flight" },
      { name: "0006-back-office" },
      { name: "0007-admin-customers" },
      { name: "0008-admin-automation" },
      { name: "0009-taxes-and-numbering" },
      { name: "0010-documents-and-notices" },
      { name: "0012-form-tokens" },
      { name: "0014-reconciliation-drift" },
      { name: "0015-api-and-webhooks" },
      { name: "0020-scheduled-jobs" },
      { name: "0023-domain-contacts" },
      { name: "0024-customer-versions" },
      { name: "0025-narrow-customer-versions" },
      { name: "0026-compaction-without-trigger" },
    ]);
  });

  it("on PostgreSQL, backup and restore print the pg_dump / PITR procedure and exit 2", async () => {
    const env = { TENURE_DATABASE_URL: "postgres://tenure@db.invalid:5432/tenure" };
    const backup = await tenure(["backup", "tenure.dump"], env);
    expect(backup.code).toBe(2);
    expect(backup.out).toBe("");
    expect(backup.err).toContain('pg_dump --format=custom --file tenure.dump "$TENURE_DATABASE_URL"');
    expect(backup.err).toContain("WAL archiving");
    expect(backup.err).toContain("docs/operations.md");
    const restore = await tenure(["restore", "tenure.dump"], env);
    expect(restore.code).toBe(2);
    expect(restore.err).toContain("pg_restore");
  });

  it("needs a FILE, and refuses an in-memory database", async () => {
    const missing = await tenure(["backup"], { TENURE_DATABASE_URL: `sqlite:${liveDb}` });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("backup: expected a FILE");
    const memory = await tenure(["backup", join(dir, "m.db")], { TENURE_DATABASE_URL: "sqlite::memory:" });
    expect(memory.code).toBe(2);
    expect(memory.err).toContain("sqlite::memory:");
  });
});

/**
 * A worker started after a restore catches up in one run, in another order than the daily runs
 * did, so re-issued invoices get other numbers than the first time. Charge keys and notice keys
 * name an invoice by its issue key, not its number, so nothing is charged twice and no invoice
 * takes another's outcome (before that fix, alice's July "mail" invoice was charged twice).
 */
describe("restore, then a worker catching up in one run", () => {
  let ledger: LedgerEntry[];
  let ledgerAfterReplay: LedgerEntry[];
  let original: Awaited<ReturnType<typeof businessState>>;
  let replayed: Awaited<ReturnType<typeof businessState>>;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), "tenure-catch-up-"));
    const stateDir = join(dir, "state");
    const liveDb = join(dir, "live.db");
    const backupFile = join(dir, "backup.db");
    const live = await startProcess(liveDb, stateDir);
    await seedCustomers(live, [
      ["alice", "ok"],
      ["carol", "fails-3-then-ok"],
    ]);
    await seedSubscriptions(live, [
      { id: "mail", customerId: "alice", kind: "app", plan: "monthly", price: 900, startedAt: "2024-12-12" },
      { id: "web", customerId: "alice", kind: "app", plan: "monthly", price: 700, startedAt: "2025-01-20" },
      { id: "seo", customerId: "carol", kind: "app", plan: "monthly", price: 1500, startedAt: "2025-03-01" },
    ]);
    const until = at("2025-07-15T12:00:00Z");
    await runDaily(live, START, BACKUP_DAY);
    const env = { TENURE_DATABASE_URL: `sqlite:${liveDb}`, TENURE_STATE_DIR: stateDir };
    expect((await tenure(["backup", backupFile], env)).code).toBe(0);
    await runDaily(live, addDays(BACKUP_DAY, 1), until);
    original = await businessState(live.deps);
    await live.close();
    ledger = readLedger(stateDir).entries;

    const restored = join(dir, "restored.db");
    const restoreEnv = { TENURE_DATABASE_URL: `sqlite:${restored}`, TENURE_STATE_DIR: stateDir };
    expect((await tenure(["restore", backupFile], restoreEnv)).code).toBe(0);
    const replay = await startProcess(restored, stateDir);
    // Restored on 2025-05-15 and the worker started: one run catches up, then the days go by.
    expect((await runEngine(replay.deps, END)).failures).toEqual([]);
    await runDaily(replay, addDays(END, 1), until);
    replayed = await businessState(replay.deps);
    await replay.close();
    ledgerAfterReplay = readLedger(stateDir).entries;
  });

  it("the original run charged each invoice once", () => {
    expectNoDoubleCharge(ledger);
    expect(original.invoices.filter((i) => i.status === "paid")).toHaveLength(12);
  });

  it("over the same days, the replay takes no money the original did not", () => {
    const known = new Set(ledger.map((e) => e.idempotencyKey));
    const added = ledgerAfterReplay.filter((e) => !known.has(e.idempotencyKey));
    expect(added.filter((e) => e.outcome.status === "succeeded")).toEqual([]);
  });

  it("the replay ends in the original's business state; only declined retries not yet due differ", () => {
    expect(replayed.invoices).toEqual(original.invoices);
    expect(replayed.domains).toEqual(original.domains);
    expect(replayed.subscriptions).toEqual(original.subscriptions);
    // One catch-up run makes the first attempt of an invoice; the retries spaced days apart that the
    // daily runs made are not due yet. Every successful payment is the same.
    const succeeded = (state: typeof original) => state.payments.filter((p) => p.status === "succeeded");
    expect(succeeded(replayed)).toEqual(succeeded(original));
    const failedKeys = (state: typeof original) =>
      state.payments.filter((p) => p.status !== "succeeded").map((p) => p.idempotency_key);
    expect(failedKeys(original)).toEqual(expect.arrayContaining(failedKeys(replayed)));
  });
});
