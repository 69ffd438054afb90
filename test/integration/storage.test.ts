/**
 * The same migrations on both engines, and the unique constraints that make a duplicate
 * impossible to store rather than merely unlikely (DESIGN.md, Exactly once).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { defaultPolicies } from "../../src/domain/policies.js";
import { createCustomer } from "../../src/modules/customers/customer-repository.js";
import type { Deps } from "../../src/modules/deps.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { createTestStore, DIALECTS, type TestStore } from "../support/stores.js";

describe.each(DIALECTS)("storage (%s)", (dialect) => {
  let store: TestStore;
  let deps: Deps;
  beforeEach(async () => {
    store = await createTestStore(dialect);
    const registrar = new TestRegistrar();
    deps = {
      ...store,
      policies: defaultPolicies(),
      gateway: new TestGateway(),
      registrarFor: () => registrar,
    };
    await createCustomer(
      store.db,
      { id: "c1", email: "c1@example.test", name: "C", locale: "en", currency: "USD", timeZone: "UTC" },
      0,
    );
    await importSubscription(deps, {
      id: "h1",
      customerId: "c1",
      kind: "hosting",
      label: "Hosting",
      plan: "yearly",
      price: 100,
      currency: "USD",
      startedAt: 0,
    });
  });
  afterEach(async () => {
    await store.dispose();
  });

  async function invoice(key: string | null) {
    return store.db
      .insertInto("invoices")
      .values({
        customer_id: "c1",
        issue_key: key,
        service_id: "h1",
        purpose: "renewal",
        period_start_at: 1,
        currency: "USD",
        total: 100,
        amount_paid: 0,
        status: "open",
        issued_at: 0,
        due_at: 0,
        paid_at: null,
        voided_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
  }

  function payment(invoiceId: number, key: string, status: string) {
    return store.db
      .insertInto("payments")
      .values({
        invoice_id: invoiceId,
        customer_id: "c1",
        attempt: 1,
        idempotency_key: key,
        amount: 100,
        currency: "USD",
        status,
        gateway_ref: null,
        failure_code: null,
        created_at: 0,
        resolved_at: null,
      })
      .execute();
  }

  it("migrating again applies nothing and keeps the data", async () => {
    expect(await migrateToLatest(store)).toEqual([]);
    const customers = await store.db.selectFrom("customers").select("id").execute();
    expect(customers).toEqual([{ id: "c1" }]);
  });

  it("stores money and instants beyond 32 bits exactly", async () => {
    const farFuture = Date.UTC(2200, 0, 1);
    await store.db.updateTable("services").set({ next_due_at: farFuture }).where("id", "=", "h1").execute();
    const row = await store.db.selectFrom("services").select("next_due_at").executeTakeFirstOrThrow();
    expect(row.next_due_at).toBe(farFuture);
    expect(typeof row.next_due_at).toBe("number");
  });

  it("refuses a second invoice under the same issue key", async () => {
    await invoice("renew:h1:x:1");
    await expect(invoice("renew:h1:x:1")).rejects.toThrow();
    await invoice(null);
    await invoice(null);
  });

  it("refuses a second payment under the same idempotency key", async () => {
    const { id } = await invoice("k");
    await payment(id, "charge:1:1", "failed");
    await expect(payment(id, "charge:1:1", "pending")).rejects.toThrow();
  });

  it("refuses a second successful payment for one invoice", async () => {
    const { id } = await invoice("k");
    await payment(id, "charge:1:1", "succeeded");
    await payment(id, "charge:1:2", "failed");
    await expect(payment(id, "charge:1:3", "succeeded")).rejects.toThrow();
  });

  it("refuses a second notice with the same key", async () => {
    const notice = {
      notice_key: "renewal-upcoming@x:h1",
      customer_id: "c1",
      service_id: "h1",
      template: "renewal-upcoming",
      locale: "en",
      to_address: "c1@example.test",
      subject: "s",
      text_body: "t",
      html_body: "h",
      status: "pending",
      attempts: 0,
      created_at: 0,
      sent_at: null,
      last_error: null,
    };
    await store.db.insertInto("notices").values(notice).execute();
    await expect(store.db.insertInto("notices").values(notice).execute()).rejects.toThrow();
  });

  it("refuses a second pending cancellation for one service, but keeps the history", async () => {
    const request = (status: string) =>
      store.db
        .insertInto("cancellation_requests")
        .values({
          service_id: "h1",
          reason: "moving",
          mode: "immediate",
          stop_domain_ids: "[]",
          status,
          requested_at: 0,
          effective_at: 0,
          requested_by: "c1",
          closed_at: null,
        })
        .execute();
    await request("withdrawn");
    await request("pending");
    await expect(request("pending")).rejects.toThrow();
    await request("withdrawn");
  });
});

describe("SQLite transactions take the write lock when they begin", () => {
  it("another connection cannot write while a transaction that has only read is open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tenure-lock-"));
    const file = join(dir, "t.db");
    const store = openStore(`sqlite:${file}`);
    await migrateToLatest(store);
    // Another process (a web node) with no patience, to see the lock instead of waiting on it.
    const other = new SQLite(file);
    other.pragma("busy_timeout = 0");
    const write = () =>
      other
        .prepare(
          "INSERT INTO customers (id, email, name, locale, currency, time_zone, created_at) VALUES (?, ?, 'X', 'en', 'USD', 'UTC', 0)",
        )
        .run(`x${Math.random()}`, `${Math.random()}@example.test`);
    try {
      await store.db.transaction().execute(async (tx) => {
        await tx.selectFrom("customers").select("id").execute();
        // A deferred transaction would let this write in, then fail its own write ("database is locked").
        expect(write).toThrow(/locked|busy/i);
        await tx
          .insertInto("customers")
          .values({
            id: "c9",
            email: "c9@example.test",
            name: "C",
            locale: "en",
            currency: "USD",
            time_zone: "UTC",
            created_at: 0,
          })
          .execute();
      });
      expect(write).not.toThrow();
    } finally {
      other.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
