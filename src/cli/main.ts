/** The `tenure` command: start, worker, run, migrate, simulate, seed-demo. */
import { parseArgs } from "node:util";
import { checkDatabaseUrl, DatabaseUrlError } from "../db/database.js";
import { formatInstant, parseInstant } from "../domain/time.js";
import { ConfigError, readConfig } from "../main/config.js";
import type { Runtime } from "../main/runtime.js";
import { type CommandIo, InputError, processIo, UsageError } from "./command-io.js";

// Each command loads what it needs when it runs (`await import`): `tenure simulate` does not pay
// for the web server, the providers' SDKs or the PDF library at start-up (issue 14).

export const USAGE = `Usage: tenure <command> [options]

Commands:
  start                  migrate, add demo data to an empty database, serve the client area and
                         run the engine worker in the same process
  serve                  serve the client area only (stateless: run as many as you like)
  worker                 run the engine every TENURE_WORKER_INTERVAL_SECONDS (default 60)
  run [--at INSTANT]     run the engine once, at INSTANT (ISO-8601, default now), and print the report
  reconcile [--at INSTANT]
                         compare domains with their registry and payments with the gateway once;
                         differences go to the back office drift list (docs/providers.md)
  migrate                apply database migrations
  simulate FILE [--format jsonl|table]
                         replay a scenario with a virtual clock and print every event
  seed-demo              add the demo data to an empty database
  backup FILE [--force]  write a consistent copy of the SQLite database while Tenure runs
                         (PostgreSQL: prints the pg_dump / PITR procedure, docs/operations.md)
  staff add EMAIL --role admin|billing|support [--name NAME]
                         create a back-office staff member; prints a one-time password (JSON)
  staff list | staff disable EMAIL
  api-key create --name NAME --scopes read,billing,domains,services [--customer ID]
                         create a JSON API key; prints it once (JSON with key, docs/api.md)
  api-key list | api-key revoke ID
  report taxes|revenue --from YYYY-MM-DD --to YYYY-MM-DD
                         CSV for the accountant: tax collected per tax and month, revenue per
                         product (paid invoices less credit notes, docs/taxes.md)
  numbering show | numbering bump --series invoice|credit-note --to N
                         the document counters; move one forward after restoring an older backup
  import FILE|DIR [--dry-run] [--at INSTANT]
                         bring customers, subscriptions and domains in from another system
                         (book.jsonl or customers/subscriptions/domains.csv, docs/import.md); checks
                         everything first, writes nothing on a problem (exit 2); twice changes nothing
  export DIR [--force]   write the book (DIR/book.jsonl) in the format import reads
  restore FILE [--force] replace the SQLite database with a backup and migrate it (Tenure stopped;
                         the gateway and registrar ledgers are not restored: docs/operations.md)

Configuration (environment):
  TENURE_DATABASE_URL    sqlite:./data/tenure.db (default), sqlite::memory:, postgres://…
  TENURE_CONFIG          JSON policy file overriding the built-in policies (docs/policies.md)
  TENURE_SMTP_URL        smtp://user:pass@host:587 — notices stay in the outbox when unset
  TENURE_MAIL_FROM       From address of notices
  TENURE_STATE_DIR       where the test gateway and registrar keep their ledgers (./data)
  TENURE_DEMO            1 (default) adds demo data on start when the database is empty; 0 does not
  TENURE_PORT, TENURE_HOST   where the client area listens (3000, 127.0.0.1)
  TENURE_BASE_URL        public address of the client area, for links in e-mails
  TENURE_SESSION_SECRET  32+ characters signing session cookies (random per process when unset)
  TENURE_TRUST_PROXY     the proxies' addresses or CIDR ranges, comma-separated, behind a TLS proxy (default 0)
`;

async function withRuntime<T>(fn: (runtime: Runtime) => Promise<T>): Promise<T> {
  const config = readConfig();
  // One connection first, so that a database that cannot be used is explained in one line.
  await checkDatabaseUrl(config.databaseUrl);
  const { createRuntime } = await import("../main/runtime.js");
  const runtime = await createRuntime(config);
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}

async function seedIfEmpty(runtime: Runtime, io: CommandIo): Promise<void> {
  const { DEMO_CUSTOMER, hasAnyCustomer, seedDemoData } = await import("../main/demo-data.js");
  if (await hasAnyCustomer(runtime.deps)) return;
  io.out("Empty database: adding demo data (replaying a year of history)…\n");
  await seedDemoData(runtime.deps, runtime.registrar, runtime.clock.now());
  io.out(`Demo customer: ${DEMO_CUSTOMER.email}\n`);
}

function waitForSignal(io: CommandIo): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      io.out("\nStopping: finishing the requests in progress…\n");
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function runForever(runtime: Runtime, io: CommandIo): Promise<void> {
  const controller = new AbortController();
  const stop = () => {
    io.out("\nStopping: finishing the current engine run and the requests in progress…\n");
    controller.abort();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const { runWorker } = await import("../engine/worker.js");
  io.out(
    `Tenure engine worker running on ${runtime.config.databaseUrl} every ${runtime.config.workerIntervalMs / 1000}s` +
      ` (notices ${runtime.mailer ? "sent over SMTP" : "kept in the outbox: TENURE_SMTP_URL is not set"}). Ctrl-C stops.\n`,
  );
  await runWorker({
    deps: runtime.deps,
    clock: runtime.clock,
    mailer: runtime.mailer,
    logger: runtime.logger,
    intervalMs: runtime.config.workerIntervalMs,
    worker: `worker-${process.pid}`,
    signal: controller.signal,
  });
}

export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        at: { type: "string" },
        format: { type: "string", default: "jsonl" },
        help: { type: "boolean", short: "h" },
        force: { type: "boolean", default: false },
        role: { type: "string" },
        name: { type: "string" },
        scopes: { type: "string" },
        customer: { type: "string" },
        from: { type: "string" },
        to: { type: "string" },
        series: { type: "string" },
        "dry-run": { type: "boolean", default: false },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === "help") {
      io.out(USAGE);
      return command === undefined && !values.help ? 2 : 0;
    }
    switch (command) {
      case "simulate": {
        const { simulateCommand } = await import("./simulate-command.js");
        return await simulateCommand(rest[0], values.format ?? "jsonl", io);
      }
      case "backup": {
        const { backupCommand } = await import("./backup-command.js");
        return await backupCommand(rest[0], { force: values.force ?? false }, io);
      }
      case "restore": {
        const { restoreCommand } = await import("./backup-command.js");
        return await restoreCommand(rest[0], { force: values.force ?? false }, io);
      }
      case "staff": {
        const { checkStaffCall, staffCommand } = await import("./staff-command.js");
        const staffArgs = {
          ...(values.role !== undefined ? { role: values.role } : {}),
          ...(values.name !== undefined ? { name: values.name } : {}),
        };
        checkStaffCall(rest, staffArgs);
        return await withRuntime((runtime) =>
          staffCommand(runtime.deps, rest, staffArgs, runtime.clock.now(), io),
        );
      }
      case "api-key": {
        const { apiKeyCommand, checkApiKeyCall } = await import("./api-key-command.js");
        const keyArgs = {
          ...(values.name !== undefined ? { name: values.name } : {}),
          ...(values.scopes !== undefined ? { scopes: values.scopes } : {}),
          ...(values.customer !== undefined ? { customer: values.customer } : {}),
        };
        checkApiKeyCall(rest, keyArgs);
        return await withRuntime((runtime) =>
          apiKeyCommand(runtime.deps, rest, keyArgs, runtime.clock.now(), io),
        );
      }
      case "report": {
        const { checkReportCall, reportCommand } = await import("./report-command.js");
        const call = checkReportCall(rest, values.from, values.to);
        return await withRuntime((runtime) => reportCommand(runtime.deps, call, io));
      }
      case "numbering": {
        const { checkNumberingCall, numberingCommand } = await import("./report-command.js");
        const call = checkNumberingCall(rest, values.series, values.to);
        return await withRuntime((runtime) => numberingCommand(runtime.deps, call, io));
      }
      case "import": {
        const { findImportSource, importCommand } = await import("./import-command.js");
        const source = await findImportSource(rest[0]);
        return await withRuntime(async (runtime) => {
          const now = values.at === undefined ? runtime.clock.now() : parseInstant(values.at);
          if (now === null) throw new UsageError(`--at: expected an ISO-8601 instant (got "${values.at}")`);
          return importCommand(
            runtime.deps,
            source,
            { dryRun: values["dry-run"] ?? false, now, isTty: process.stderr.isTTY === true },
            io,
          );
        });
      }
      case "export": {
        const { checkExportTarget, exportCommand } = await import("./import-command.js");
        const dir = await checkExportTarget(rest[0], values.force ?? false);
        return await withRuntime((runtime) => exportCommand(runtime.deps, dir, runtime.clock.now(), io));
      }
      case "reconcile":
        return await withRuntime(async (runtime) => {
          const at = values.at === undefined ? runtime.clock.now() : parseInstant(values.at);
          if (at === null) throw new UsageError(`--at: expected an ISO-8601 instant (got "${values.at}")`);
          const { reconcileNow } = await import("../modules/reconciliation/schedule.js");
          const report = await reconcileNow(runtime.deps, at, `reconcile-${process.pid}`);
          if (report === null) {
            io.err(
              "A worker is running reconciliation right now; its report will be in the back office (Drift). Try again once it has finished.\n",
            );
            return 1;
          }
          io.out(`${JSON.stringify(report)}\n`);
          return report.errors.length > 0 ? 1 : 0;
        });
      case "migrate":
        return await withRuntime(async () => {
          io.out("Database is up to date.\n");
          return 0;
        });
      case "seed-demo":
        return await withRuntime(async (runtime) => {
          const { hasAnyCustomer } = await import("../main/demo-data.js");
          if (await hasAnyCustomer(runtime.deps)) {
            io.err("The database already has customers: demo data is only added to an empty database.\n");
            return 1;
          }
          await seedIfEmpty(runtime, io);
          return 0;
        });
      case "run":
        return await withRuntime(async (runtime) => {
          const at = values.at === undefined ? runtime.clock.now() : parseInstant(values.at);
          if (at === null) throw new UsageError(`--at: expected an ISO-8601 instant (got "${values.at}")`);
          const { runWorkerOnce } = await import("../engine/worker.js");
          const report = await runWorkerOnce({
            ...runtime,
            clock: { now: () => at },
            worker: `run-${process.pid}`,
          });
          io.out(`${JSON.stringify({ ...report, now: formatInstant(report.now) })}\n`);
          return report.failures.length > 0 ||
            report.alarms.unresolvedCharges.length > 0 ||
            report.alarms.unresolvedRefunds.length > 0
            ? 1
            : 0;
        });
      case "worker":
        return await withRuntime(async (runtime) => {
          await runForever(runtime, io);
          return 0;
        });
      case "serve":
        return await withRuntime(async (runtime) => {
          const { startWebServer } = await import("../main/web-server.js");
          const server = await startWebServer(runtime, io);
          await waitForSignal(io);
          await server.close();
          io.out("Stopped.\n");
          return 0;
        });
      case "start":
        return await withRuntime(async (runtime) => {
          const { DEMO_CUSTOMER, DEMO_STAFF, resetDemoPassword, resetDemoStaffPassword } = await import(
            "../main/demo-data.js"
          );
          const { startWebServer } = await import("../main/web-server.js");
          if (runtime.config.demoData) {
            await seedIfEmpty(runtime, io);
            const password = await resetDemoPassword(runtime.deps, runtime.clock.now());
            if (password) io.out(`Demo sign-in: ${DEMO_CUSTOMER.email} / ${password}\n`);
            const staffPassword = await resetDemoStaffPassword(runtime.deps, runtime.clock.now());
            if (staffPassword)
              io.out(`Demo staff sign-in (back office, /admin): ${DEMO_STAFF.email} / ${staffPassword}\n`);
          }
          const server = await startWebServer(runtime, io);
          await runForever(runtime, io);
          await server.close();
          io.out("Stopped.\n");
          return 0;
        });
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    const isArgsError =
      error instanceof TypeError && String((error as { code?: string }).code).startsWith("ERR_PARSE_ARGS");
    if (error instanceof UsageError || isArgsError) {
      io.err(`tenure: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof InputError) {
      io.err(`tenure: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      io.err(`tenure: configuration error\n${error.message}\n`);
      return 2;
    }
    if (error instanceof DatabaseUrlError) {
      io.err(`tenure: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
