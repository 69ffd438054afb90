/**
 * Opens the store named by a URL: `sqlite:./path.db`, `sqlite::memory:` or `postgres://…`.
 * Kysely over better-sqlite3 (WAL) or node-postgres; the same schema and migrations on both.
 */

import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
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
  sql,
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

/** Statements each PostgreSQL connection keeps prepared at most; later new ones run unnamed. */
const NAMED_STATEMENTS_PER_CONNECTION = 500;

/**
 * PostgreSQL parses and plans an unnamed statement at every call; a named one once per
 * connection (the profile of issue 14: server CPU per client-area page down by about a third).
 * Kysely sends unnamed statements, so each connection's `query` names the ordinary ones by a hash
 * of their text. Long texts, long parameter lists (IN lists of any length would each be a new
 * statement) and anything but SELECT / INSERT / UPDATE / DELETE / WITH stay unnamed.
 */
function namingStatements(pool: pg.Pool): pg.Pool {
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `k${createHash("sha1").update(text).digest("base64url").slice(0, 22)}`;
      if (names.size >= 10 * NAMED_STATEMENTS_PER_CONNECTION) names.clear();
      names.set(text, name);
    }
    return name;
  };
  pool.on("connect", (client) => {
    const prepared = new Set<string>();
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((text: unknown, values?: unknown, ...rest: unknown[]) => {
      if (
        typeof text === "string" &&
        Array.isArray(values) &&
        rest.length === 0 &&
        values.length <= 32 &&
        text.length <= 4000 &&
        /^\s*(select|insert|update|delete|with)\s/i.test(text)
      ) {
        const name = nameOf(text);
        if (prepared.has(name) || prepared.size < NAMED_STATEMENTS_PER_CONNECTION) {
          prepared.add(name);
          return query({ name, text, values });
        }
      }
      return query(text, values, ...rest);
    }) as typeof client.query;
  });
  return pool;
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

/**
 * TENURE_DATABASE_URL names a database Tenure cannot use. The message is one line: the URL (its
 * password hidden), what is wrong, what to do.
 */
export class DatabaseUrlError extends Error {
  constructor(url: string, problem: string) {
    super(`TENURE_DATABASE_URL "${redactDatabaseUrl(url)}": ${oneLine(problem)}`);
    this.name = "DatabaseUrlError";
  }
}

/** The URL as it may be printed: `postgres://user:***@host/db`, even when it does not parse. */
export function redactDatabaseUrl(url: string): string {
  let shown = url.replace(/([?&]password=)[^&#]*/gi, "$1***");
  const start = shown.indexOf("://") + 3;
  // The last @ ends the user info, whatever a badly encoded password contains.
  const at = shown.lastIndexOf("@");
  const colon = shown.indexOf(":", start);
  if (start >= 3 && at > start && colon !== -1 && colon < at) {
    shown = `${shown.slice(0, colon)}:***${shown.slice(at)}`;
  }
  return shown;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // A host name with several addresses fails with one error per address.
  const first = (error as { errors?: unknown[] }).errors?.[0];
  return first === undefined ? undefined : errorCode(first);
}

function messageOf(error: unknown): string {
  return oneLine(error instanceof Error ? error.message || String(errorCode(error) ?? error) : String(error));
}

const SQLITE_HEADER = "SQLite format 3\0";

/**
 * Refuses, before SQLite touches it, a path that cannot be a Tenure database: none given, a
 * directory, a device, or a file that is not SQLite (such a file is never opened, let alone written).
 */
function checkSqlitePath(url: string, path: string): void {
  if (path === "") {
    throw new DatabaseUrlError(
      url,
      "names no file; use sqlite:PATH (for example sqlite:./data/tenure.db), or sqlite::memory: for a database thrown away at exit",
    );
  }
  let stats: ReturnType<typeof statSync> | undefined;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    throw new DatabaseUrlError(url, `${path} cannot be examined (${messageOf(error)}); name a database file`);
  }
  if (stats === undefined) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new DatabaseUrlError(
        url,
        `the directory ${dirname(path)} cannot be created (${messageOf(error)}); name a file in a writable directory`,
      );
    }
    return;
  }
  if (stats.isDirectory()) {
    throw new DatabaseUrlError(
      url,
      `${path} is a directory, not a database file; name a file in it, for example sqlite:${join(path, "tenure.db")}`,
    );
  }
  if (!stats.isFile()) {
    throw new DatabaseUrlError(
      url,
      `${path} is not a regular file (a device, pipe or socket); name a database file`,
    );
  }
  // Read, not stat: files such as /proc/version say they are empty and are not.
  const head = Buffer.alloc(SQLITE_HEADER.length);
  let read: number;
  try {
    const fd = openSync(path, "r");
    try {
      read = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new DatabaseUrlError(url, `${path} cannot be read (${messageOf(error)}); check its permissions`);
  }
  if (read > 0 && head.toString("latin1", 0, read) !== SQLITE_HEADER.slice(0, read)) {
    throw new DatabaseUrlError(
      url,
      `${path} is not a SQLite database (Tenure left it untouched); name a new file or an existing Tenure database`,
    );
  }
}

/** Refuses a PostgreSQL URL that does not parse or names no server. */
function checkPostgresUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError(
      url,
      "is not a valid URL; expected postgres://user[:password]@host[:port]/database",
    );
  }
  if (parsed.hostname === "" && !parsed.searchParams.has("host")) {
    throw new DatabaseUrlError(url, "names no server; expected postgres://user@host:5432/database");
  }
}

export function openStore(url: string, options: OpenOptions = {}): Store {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path !== ":memory:") checkSqlitePath(url, path);
    let sqlite: SQLite.Database;
    try {
      sqlite = new SQLite(path);
    } catch (error) {
      throw new DatabaseUrlError(url, sqliteProblem(path, error));
    }
    try {
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("synchronous = NORMAL");
      sqlite.pragma("cache_size = -65536");
      sqlite.pragma("foreign_keys = ON");
      sqlite.pragma("busy_timeout = 5000");
    } catch (error) {
      sqlite.close();
      throw new DatabaseUrlError(url, sqliteProblem(path, error));
    }
    const db = new Kysely<Database>({
      dialect: new ImmediateSqliteDialect({ database: cachingStatements(sqlite) }),
    });
    return { db, dialect: "sqlite", close: () => db.destroy() };
  }
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    checkPostgresUrl(url);
    const pool = namingStatements(
      new pg.Pool({
        connectionString: url,
        max: options.poolSize ?? 10,
        ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
      }),
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const schema = options.schema ?? searchPathIn(url) ?? "public";
    return { db, dialect: "postgres", schema, close: () => db.destroy() };
  }
  throw new DatabaseUrlError(url, "must start with sqlite: or postgres://");
}

function sqliteProblem(path: string, error: unknown): string {
  switch (errorCode(error)) {
    case "SQLITE_NOTADB":
      return `${path} is not a SQLite database; name a new file or an existing Tenure database`;
    case "SQLITE_CORRUPT":
      return `${path} is damaged (${messageOf(error)}); restore a backup (docs/operations.md)`;
    case "SQLITE_READONLY":
      return `${path} cannot be written (${messageOf(error)}); check its permissions and those of its directory`;
    case "SQLITE_CANTOPEN":
      return `${path} cannot be opened (${messageOf(error)}); check that its directory exists and is writable`;
    default:
      return `${path} cannot be used (${messageOf(error)})`;
  }
}

/** How long a check waits for the PostgreSQL server to answer before saying so. */
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects once to the database the URL names, and explains what stops it as a DatabaseUrlError:
 * the commands call it before starting, so that an operator reads one line, not a stack trace.
 */
export async function checkDatabaseUrl(url: string): Promise<void> {
  if (url.startsWith("sqlite:")) {
    const store = openStore(url);
    try {
      // Reads the schema: a damaged file fails here rather than half-way through the migrations.
      await sql`select count(*) from sqlite_master`.execute(store.db);
    } catch (error) {
      throw new DatabaseUrlError(url, sqliteProblem(url.slice("sqlite:".length), error));
    } finally {
      await store.close();
    }
    return;
  }
  if (!url.startsWith("postgres://") && !url.startsWith("postgresql://")) openStore(url);
  checkPostgresUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A connection that fails late reports it as an event; the rejected connect() already says it.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    throw new DatabaseUrlError(url, postgresProblem(url, error));
  } finally {
    await client.end().catch(() => {});
  }
}

function postgresProblem(url: string, error: unknown): string {
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get("host") || "localhost";
  const where = `${host}:${parsed.port || "5432"}`;
  const user = decodeURIComponent(parsed.username);
  const message = messageOf(error);
  switch (errorCode(error)) {
    case "ECONNREFUSED":
      return `connection refused at ${where}: no PostgreSQL server listens there; start it, or correct the host and port`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `unknown host ${host}; correct the host name`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${where} cannot be reached (${message}); check the host, the port and the network`;
    case "ECONNRESET":
      return `the server at ${where} closed the connection (${message}); check its logs and its SSL settings`;
    case "3D000": {
      const database =
        /database "([^"]*)"/.exec(message)?.[1] ?? decodeURIComponent(parsed.pathname.slice(1));
      return (
        `database "${database}" does not exist on ${where}; create it ` +
        `(createdb -h ${host} -p ${parsed.port || "5432"}${user ? ` -U ${user}` : ""} ${database}) or name an existing one`
      );
    }
    case "28000":
      // "role … does not exist" or "no pg_hba.conf entry …": the server's words say which.
      return `${message} on ${where}; name an existing role, or create it (createuser), or allow it in pg_hba.conf`;
    case "28P01":
      return `${message} on ${where}; check the user name and the password`;
    case "57P03":
      return `the server at ${where} is not accepting connections yet (${message}); try again in a moment`;
    default:
      if (/timeout/i.test(message)) {
        return `no answer from ${where} within ${CONNECT_TIMEOUT_MS / 1000} s; check the host, the port and the network`;
      }
      return `cannot connect to ${where} (${message})`;
  }
}

/** A schema chosen in the URL (`?options=-c%20search_path%3Dtenure`): migrations must go there too. */
function searchPathIn(url: string): string | undefined {
  const options = new URL(url).searchParams.get("options") ?? "";
  return /(?:^|\s)-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)/.exec(options)?.[1];
}
