/** `tenure backup FILE` and `tenure restore FILE`: SQLite online backups; PostgreSQL's own tools. */
import { formatInstant } from "../domain/time.js";
import { backupSqlite, type DatabaseSummary, locateDatabase, restoreSqlite } from "../main/backup.js";
import { readConfig } from "../main/config.js";
import { type CommandIo, UsageError } from "./command-io.js";

export interface BackupOptions {
  force: boolean;
}

/** What to do instead on PostgreSQL: Tenure does not reimplement pg_dump. */
export function postgresProcedure(file: string): string {
  return `TENURE_DATABASE_URL points to PostgreSQL: Tenure does not reimplement pg_dump.
Back it up with PostgreSQL's own tools (docs/operations.md, "PostgreSQL"):

  logical copy:   pg_dump --format=custom --file ${file} "$TENURE_DATABASE_URL"
  restore it:     pg_restore --no-owner --dbname "$TENURE_DATABASE_URL" ${file}
                  (into an empty database, with every tenure serve and worker stopped)
  point in time:  pg_basebackup base backups plus WAL archiving (archive_command), then
                  recovery_target_time to stop replay just before the incident
  standby:        a streaming replica for failover; it is not a backup on its own

After a restore the gateway and registrar ledgers are not rolled back: read docs/operations.md,
"Money in flight after a restore", before starting the workers again.
`;
}

function requireFile(file: string | undefined, command: string): string {
  if (file === undefined || file === "") throw new UsageError(`${command}: expected a FILE`);
  return file;
}

/** The SQLite file to work on, or the exit code after saying why there is none. */
function sqliteFile(io: CommandIo, command: string, file: string): string | number {
  const location = locateDatabase(readConfig().databaseUrl);
  if (location.kind === "file") return location.path;
  if (location.kind === "postgres") io.err(postgresProcedure(file));
  else
    io.err(`tenure ${command}: TENURE_DATABASE_URL is sqlite::memory:, which keeps nothing to ${command}.\n`);
  return 2;
}

function describeRun(summary: DatabaseSummary): string {
  return summary.lastRun
    ? `${formatInstant(summary.lastRun.at)} (${summary.lastRun.status})`
    : "none (the engine never ran on it)";
}

function describeContents(summary: DatabaseSummary): string {
  const pending =
    summary.pendingPayments === 0
      ? "no charge in flight"
      : `${summary.pendingPayments} charge(s) in flight, resolved with the gateway by their idempotency keys`;
  return `${summary.customers} customer(s), ${summary.services} service(s), ${summary.invoices} invoice(s); ${pending}`;
}

export async function backupCommand(
  file: string | undefined,
  options: BackupOptions,
  io: CommandIo,
): Promise<number> {
  const destination = requireFile(file, "backup");
  const source = sqliteFile(io, "backup", destination);
  if (typeof source === "number") return source;
  const result = await backupSqlite(source, destination, options);
  if (!result.ok) {
    io.err(`tenure backup: ${result.message}. Nothing was written.\n`);
    return 2;
  }
  io.out(
    `Backup written: ${result.path} (${result.bytes} bytes), a consistent copy of ${source}\n` +
      `  last engine run: ${describeRun(result.summary)}\n` +
      `  holds: ${describeContents(result.summary)}\n` +
      `Restore it, with Tenure stopped: tenure restore ${result.path} --force (docs/operations.md)\n`,
  );
  return 0;
}

export async function restoreCommand(
  file: string | undefined,
  options: BackupOptions,
  io: CommandIo,
): Promise<number> {
  const backup = requireFile(file, "restore");
  const target = sqliteFile(io, "restore", backup);
  if (typeof target === "number") return target;
  const result = await restoreSqlite(backup, target, options);
  if (!result.ok) {
    io.err(`tenure restore: ${result.message}. Nothing was changed.\n`);
    return 2;
  }
  const migrated = result.migrated.length > 0 ? result.migrated.join(", ") : "none (already up to date)";
  const since = result.summary.lastRun ? formatInstant(result.summary.lastRun.at) : "the backup";
  io.out(
    `Restored ${backup} into ${result.path}${result.replaced ? " (the previous database was replaced)" : ""}\n` +
      `  backup's last engine run: ${describeRun(result.summary)}\n` +
      `  migrations applied: ${migrated}\n` +
      `  holds: ${describeContents(result.summary)}\n\n` +
      "Not restored: the payment gateway's ledger and the registrar's records live outside Tenure, as in\n" +
      "production, and still hold everything done since the backup. Charges in flight in the backup are\n" +
      "resolved with the gateway by their idempotency keys and registrar renewals quote the current expiry,\n" +
      `so neither is repeated. This database knows nothing of what happened after ${since}:\n` +
      "after the first engine run, reconcile the gateway's charges since then with Tenure's payments\n" +
      '(docs/operations.md, "Money in flight after a restore").\n',
  );
  return 0;
}
