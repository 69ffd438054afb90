/**
 * Bench databases, always fresh: a SQLite file under TENURE_BENCH_DIR (default: the system's temp
 * folder), or the PostgreSQL database TENURE_BENCH_PG_URL (default `tenure_bench` on 127.0.0.1),
 * dropped and recreated, never the tests' `test` database.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openStore, type Store } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { defaultPolicies, type Policies } from "../../src/domain/policies.js";
import type { Deps } from "../../src/modules/deps.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { BookRegistrar } from "./book-registrar.js";

export type BenchDialect = "sqlite" | "postgres";

export const BENCH_PG_URL =
  process.env.TENURE_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/tenure_bench";

/** Connections per process: the PostgreSQL server is shared with tests. */
export const BENCH_POOL_SIZE = 4;

export function benchDatabaseUrl(dialect: BenchDialect, name: string): string {
  if (dialect === "postgres") return BENCH_PG_URL;
  return `sqlite:${join(process.env.TENURE_BENCH_DIR ?? join(tmpdir(), "tenure-bench"), `${name}.db`)}`;
}

/** Drops the bench database (or file) and creates it again, migrated and empty. Returns its URL. */
export async function recreateBenchDatabase(dialect: BenchDialect, name: string): Promise<string> {
  const url = benchDatabaseUrl(dialect, name);
  if (dialect === "sqlite") {
    const path = url.slice("sqlite:".length);
    for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
  } else {
    const target = new URL(url);
    const database = target.pathname.slice(1);
    if (!/^[a-z_][a-z0-9_]*$/.test(database) || database === "test")
      throw new Error(`refusing to recreate database "${database}"`);
    const admin = new URL(url);
    admin.pathname = "/postgres";
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${database}`);
    await client.end();
  }
  const store = openBenchStore(url);
  await migrateToLatest(store);
  await store.close();
  return url;
}

export function openBenchStore(url: string): Store {
  return openStore(url, { poolSize: BENCH_POOL_SIZE });
}

export interface BenchDeps extends Deps {
  gateway: TestGateway;
  registrar: BookRegistrar;
}

/** The engine's dependencies as a worker has them, with the test gateway keeping its ledger in memory. */
export function benchDeps(store: Store, policies: Policies = defaultPolicies()): BenchDeps {
  const registrar = new BookRegistrar();
  return {
    db: store.db,
    dialect: store.dialect,
    policies,
    gateway: new TestGateway(),
    registrar,
    registrarFor: () => registrar,
  };
}
