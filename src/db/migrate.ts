/** Applies the one migration set, in order, on either engine. Safe to run at every start. */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { DialectName, Store } from "./database.js";
import * as initial from "./migrations/0001-initial.js";
import * as clientArea from "./migrations/0002-client-area.js";
import * as invoiceLinesByService from "./migrations/0003-invoice-lines-by-service.js";
import * as totpLastStep from "./migrations/0004-totp-last-step.js";
import * as moneyInFlight from "./migrations/0005-money-in-flight.js";
import * as backOffice from "./migrations/0006-back-office.js";
import * as adminCustomers from "./migrations/0007-admin-customers.js";
import * as adminAutomation from "./migrations/0008-admin-automation.js";
import * as taxesAndNumbering from "./migrations/0009-taxes-and-numbering.js";
import * as documentsAndNotices from "./migrations/0010-documents-and-notices.js";
import * as formTokens from "./migrations/0012-form-tokens.js";
import * as reconciliationDrift from "./migrations/0014-reconciliation-drift.js";
import * as apiAndWebhooks from "./migrations/0015-api-and-webhooks.js";
import * as scheduledJobs from "./migrations/0020-scheduled-jobs.js";
import * as domainContacts from "./migrations/0023-domain-contacts.js";
import * as customerVersions from "./migrations/0024-customer-versions.js";
import * as narrowCustomerVersions from "./migrations/0025-narrow-customer-versions.js";
import * as compactionWithoutTrigger from "./migrations/0026-compaction-without-trigger.js";

function migrations(dialect: DialectName): Record<string, Migration> {
  return {
    "0001-initial": { up: (db: Kysely<unknown>) => initial.up(db, dialect) },
    "0002-client-area": { up: (db: Kysely<unknown>) => clientArea.up(db, dialect) },
    "0003-invoice-lines-by-service": { up: (db: Kysely<unknown>) => invoiceLinesByService.up(db) },
    "0004-totp-last-step": { up: (db: Kysely<unknown>) => totpLastStep.up(db) },
    "0005-money-in-flight": { up: (db: Kysely<unknown>) => moneyInFlight.up(db, dialect) },
    "0006-back-office": { up: (db: Kysely<unknown>) => backOffice.up(db, dialect) },
    "0007-admin-customers": { up: (db: Kysely<unknown>) => adminCustomers.up(db) },
    "0008-admin-automation": { up: (db: Kysely<unknown>) => adminAutomation.up(db) },
    "0009-taxes-and-numbering": { up: (db: Kysely<unknown>) => taxesAndNumbering.up(db, dialect) },
    "0010-documents-and-notices": { up: (db: Kysely<unknown>) => documentsAndNotices.up(db, dialect) },
    "0012-form-tokens": { up: (db: Kysely<unknown>) => formTokens.up(db) },
    "0014-reconciliation-drift": { up: (db: Kysely<unknown>) => reconciliationDrift.up(db, dialect) },
    "0015-api-and-webhooks": { up: (db: Kysely<unknown>) => apiAndWebhooks.up(db, dialect) },
    "0020-scheduled-jobs": { up: (db: Kysely<unknown>) => scheduledJobs.up(db) },
    "0023-domain-contacts": { up: (db: Kysely<unknown>) => domainContacts.up(db) },
    "0024-customer-versions": { up: (db: Kysely<unknown>) => customerVersions.up(db, dialect) },
    "0025-narrow-customer-versions": { up: (db: Kysely<unknown>) => narrowCustomerVersions.up(db, dialect) },
    "0026-compaction-without-trigger": {
      up: (db: Kysely<unknown>) => compactionWithoutTrigger.up(db, dialect),
    },
  };
}

/**
 * Whether every migration is already recorded. Then the Migrator is skipped: on PostgreSQL its
 * introspection scans every schema and fails if another one is dropped meanwhile (tests on a shared
 * server), and each worker process starts faster.
 */
async function isUpToDate(store: Store, names: string[]): Promise<boolean> {
  const table = store.schema ? `${store.schema}.kysely_migration` : "kysely_migration";
  try {
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(table)}`.execute(store.db);
    const applied = new Set(rows.map((r) => r.name));
    return names.every((name) => applied.has(name));
  } catch {
    return false; // no migration table yet: a new database
  }
}

/**
 * Kysely's Migrator lists the tables of every schema to find its own lock table; another schema
 * dropped during that listing (another test run, another tenant) fails it with "schema … does not
 * exist" though ours is fine. Such a failure is retried; any other is not.
 */
function isOtherSchemaGone(error: unknown, store: Store): boolean {
  const match = /schema "([^"]+)" does not exist/.exec(
    error instanceof Error ? error.message : String(error),
  );
  return match !== null && match[1] !== store.schema;
}

export async function migrateToLatest(store: Store): Promise<string[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await migrateOnce(store);
    } catch (error) {
      if (attempt >= 10 || !isOtherSchemaGone(error, store)) throw error;
      // Schemas dropped in a burst (a test suite finishing) fail several listings in a row.
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

async function migrateOnce(store: Store): Promise<string[]> {
  if (await isUpToDate(store, Object.keys(migrations(store.dialect)))) return [];
  const provider: MigrationProvider = { getMigrations: async () => migrations(store.dialect) };
  // Without an explicit schema, Kysely may see another schema's migration tables and skip its own.
  const migrator = new Migrator({
    db: store.db,
    provider,
    ...(store.schema ? { migrationTableSchema: store.schema } : {}),
    // Migrations numbered in parallel landed out of order on some development databases; each one
    // is independent of the later numbers, so one missing below the last applied is applied too.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
