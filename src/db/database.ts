/**
 * Opens the store named by a URL: `sqlite:./path.db`, `sqlite::memory:` or `postgres://…`.
 * Kysely over better-sqlite3 (WAL) or node-postgres; the same schema and migrations on both.
 */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "kysely";
import pg from "pg";
import type { Database } from "./schema.js";

export type DialectName = "sqlite" | "postgres";

export interface Store {
  db: Kysely<Database>;
  dialect: DialectName;
  /** PostgreSQL: the schema the tables live in (the migrator's bookkeeping goes there too). */
  schema?: string;
  close(): Promise<void>;
}

// int8 (bigint) columns carry epoch milliseconds and money: both fit a JS number exactly.
pg.types.setTypeParser(20, (value: string) => Number.parseInt(value, 10));

export interface OpenOptions {
  /** PostgreSQL only: the schema to use (created if missing). Tests get one each. */
  schema?: string;
  /** PostgreSQL only: connections in the pool (default 10). */
  poolSize?: number;
}

/**
 * better-sqlite3 compiles a statement on every prepare(), and Kysely prepares on every query; the
 * engine runs the same few dozen statements millions of times, so keep them compiled.
 */
function cachingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      // A statement still iterating (a streamed query) cannot run a second time at once.
      if (statement?.busy) return sqlite.prepare(sql);
      if (!statement) {
        statement = sqlite.prepare(sql);
        if (cache.size >= 1000) cache.clear();
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * Transactions take SQLite's write lock when they begin (BEGIN IMMEDIATE). A deferred transaction
 * that has read, then writes after another process (a web node, another command) committed, fails
 * at once with "database is locked", whatever busy_timeout says; an immediate one waits its turn.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

export function openStore(url: string, options: OpenOptions = {}): Store {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SQLite(path);
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("cache_size = -65536");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
    const db = new Kysely<Database>({
      dialect: new ImmediateSqliteDialect({ database: cachingStatements(sqlite) }),
    });
    return { db, dialect: "sqlite", close: () => db.destroy() };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const schema = options.schema ?? searchPathIn(url) ?? "public";
    return { db, dialect: "postgres", schema, close: () => db.destroy() };
  }
  throw new Error(`TENURE_DATABASE_URL must start with sqlite: or postgres:// (got "${url}")`);
}

/** A schema chosen in the URL (`?options=-c%20search_path%3Dtenure`): migrations must go there too. */
function searchPathIn(url: string): string | undefined {
  const options = new URL(url).searchParams.get("options") ?? "";
  return /(?:^|\s)-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1];
}
