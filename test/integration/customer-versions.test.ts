/**
 * The customer's version (migration 0024) that the page cache trusts: every table whose rows a
 * customer's pages show is watched by a trigger, every kind of write moves the version, writes to
 * other customers and to sessions do not, and PostgreSQL's compaction keeps the value.
 */
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { compactCustomerChanges, customerVersion } from "../../src/modules/customers/customer-versions.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

/** Tables that lead to a customer but that no client-area page shows, each with its reason. */
const NOT_SHOWN: Record<string, string> = {
  sessions: "the sign-in itself, not what a page shows",
  form_submissions: "one-time form tokens",
  password_resets: "reset links, shown nowhere",
  audit_log: "staff's record, shown in the back office only",
  api_keys: "back office only",
  api_idempotency: "API replay store",
  customer_changes: "the version's own rows",
  customer_versions: "the version itself",
  webhook_deliveries: "back office only",
};

const LINK_COLUMNS = ["customer_id", "service_id", "invoice_id", "ticket_id"];

describe.each(DIALECTS)("customer versions (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addCustomer("c2", "ok");
    await f.addDomain("d1", "c1", "one.com", "2020-05-01T00:00:00Z");
    await f.addHosting("h2", "c2", "2021-01-10T00:00:00Z");
  });
  afterEach(() => f.dispose());

  const version = async (id: string) => {
    const value = await customerVersion(f.deps, id);
    if (value === null) throw new Error(`no customer ${id}`);
    return value;
  };

  it("every table that leads to a customer is watched, or named here as never shown", async () => {
    const tables = await linkedTables();
    expect(tables.length).toBeGreaterThan(10);
    const triggers = await triggerNames();
    const unwatched = tables.filter(
      (table) =>
        !(table in NOT_SHOWN) &&
        !["insert", "update", "delete"].every((op) => triggers.has(`customer_version_${table}_${op}`)),
    );
    expect(unwatched).toEqual([]);
  });

  it("moves on a write to the customer's rows, directly or through a service, and not for others", async () => {
    const c1 = await version("c1");
    const c2 = await version("c2");
    await f.deps.db.updateTable("domains").set({ auto_renew: 0 }).where("service_id", "=", "d1").execute();
    const afterDomain = await version("c1");
    expect(afterDomain).toBeGreaterThan(c1);
    expect(await version("c2")).toBe(c2);

    await f.deps.db.updateTable("customers").set({ name: "Renamed" }).where("id", "=", "c1").execute();
    const afterName = await version("c1");
    expect(afterName).toBeGreaterThan(afterDomain);

    await f.deps.db
      .insertInto("sessions")
      .values({
        sid: "s1",
        customer_id: "c1",
        staff_id: null,
        data: "{}",
        expires_at: at("2030-01-01T00:00:00Z"),
      })
      .execute();
    expect(await version("c1")).toBe(afterName);
  });

  it("moves when the engine renews a domain (invoice, lines, payment, events)", async () => {
    const before = await version("c1");
    const report = await runEngine(f.deps, at("2021-05-01T00:00:00Z"));
    expect(report.stepsApplied).toBeGreaterThan(0);
    const invoices = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("customer_id", "=", "c1")
      .execute();
    expect(invoices.length).toBeGreaterThan(0);
    expect(await version("c1")).toBeGreaterThan(before);
  });

  it("keeps its value through compaction, which empties the change rows", async () => {
    await f.deps.db.updateTable("customers").set({ name: "A" }).where("id", "=", "c1").execute();
    await f.deps.db.updateTable("customers").set({ name: "B" }).where("id", "=", "c1").execute();
    const c1 = await version("c1");
    const c2 = await version("c2");
    const folded = await compactCustomerChanges(f.deps);
    expect(await version("c1")).toBe(c1);
    expect(await version("c2")).toBe(c2);
    if (dialect === "postgres") {
      expect(folded).toBeGreaterThan(0);
      const left = await f.deps.db.selectFrom("customer_changes").select("id").execute();
      expect(left).toEqual([]);
    } else {
      expect(folded).toBe(0);
    }
    // …and still moves afterwards.
    await f.deps.db.updateTable("customers").set({ name: "C" }).where("id", "=", "c1").execute();
    expect(await version("c1")).toBeGreaterThan(c1);
  });

  async function linkedTables(): Promise<string[]> {
    const list = LINK_COLUMNS.map((c) => `'${c}'`).join(", ");
    if (dialect === "sqlite") {
      const rows = await sql<{ name: string }>`
        SELECT DISTINCT m.name FROM sqlite_master m, pragma_table_info(m.name) p
        WHERE m.type = 'table' AND p.name IN (${sql.raw(list)})`.execute(f.deps.db);
      return rows.rows.map((r) => r.name).filter((name) => name !== "customers");
    }
    const rows = await sql<{ table_name: string }>`
      SELECT DISTINCT table_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND column_name IN (${sql.raw(list)})`.execute(f.deps.db);
    return rows.rows.map((r) => r.table_name);
  }

  async function triggerNames(): Promise<Set<string>> {
    if (dialect === "sqlite") {
      const rows = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(
        f.deps.db,
      );
      return new Set(rows.rows.map((r) => r.name));
    }
    const rows = await sql<{ trigger_name: string }>`
      SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = current_schema()`.execute(
      f.deps.db,
    );
    return new Set(rows.rows.map((r) => r.trigger_name));
  }
});
