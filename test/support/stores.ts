/**
 * The same suite on every database (kysely's DIALECTS habit): SQLite always, PostgreSQL when
 * TENURE_TEST_DATABASE_URL is set. Each PostgreSQL store gets its own schema, dropped after.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openStore, type Store } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";

export type TestDialect = "sqlite" | "postgres";

export const POSTGRES_URL = process.env.TENURE_TEST_DATABASE_URL;

export const DIALECTS: TestDialect[] = POSTGRES_URL ? ["sqlite", "postgres"] : ["sqlite"];

export interface TestStore extends Store {
  dispose(): Promise<void>;
}

/** A fresh, migrated, empty store. Call dispose() when done. */
export async function createTestStore(dialect: TestDialect): Promise<TestStore> {
  if (dialect === "sqlite") {
    const store = openStore("sqlite::memory:");
    await migrateToLatest(store);
    return { ...store, dispose: () => store.close() };
  }
  if (!POSTGRES_URL) throw new Error("TENURE_TEST_DATABASE_URL is not set");
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  // Small pools: test files run in parallel against one server with a connection limit.
  const store = openStore(POSTGRES_URL, { schema, poolSize: 3 });
  await migrateToLatest(store);
  return {
    ...store,
    dispose: async () => {
      await store.close();
      const cleanup = new pg.Client({ connectionString: POSTGRES_URL });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}
