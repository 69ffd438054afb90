/**
 * The only place that wires the real clock, the database and the providers together. Everything
 * else receives them as arguments.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import pino, { type Logger } from "pino";
import { openStore, type Store } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";
import type { Clock } from "../domain/clock.js";
import type { Deps } from "../modules/deps.js";
import { noticeSecrets } from "../modules/notifications/notice-secrets.js";
import type { Mailer } from "../providers/mailer/mailer.js";
import { createSmtpMailer } from "../providers/mailer/smtp-mailer.js";
import { TestGateway } from "../providers/payments/test-gateway.js";
import { TestRegistrar } from "../providers/registrar/test-registrar.js";
import { loadPolicies, loadSeller, type RuntimeConfig } from "./config.js";

export const systemClock: Clock = { now: () => Date.now() };

export interface Runtime {
  config: RuntimeConfig;
  store: Store;
  deps: Deps;
  clock: Clock;
  /** Signs session cookies and seals secrets in notices: TENURE_SESSION_SECRET, or one per process. */
  sessionSecret: string;
  /** Opens the secrets sealed in notices (reset links) as it sends them (notice-secrets.ts). */
  mailer: Mailer | null;
  registrar: TestRegistrar;
  logger: Logger;
  close(): Promise<void>;
}

export async function createRuntime(config: RuntimeConfig, clock: Clock = systemClock): Promise<Runtime> {
  const logger = pino({ name: "tenure", level: process.env.LOG_LEVEL ?? "info" });
  const policies = loadPolicies(config.configFile);
  // Without a `seller` section: the demo's Quebec host with the demo, else an unconfigured seller.
  const { seller } = loadSeller(config.configFile, config.demoData);
  const store = openStore(config.databaseUrl);
  await migrateToLatest(store);
  // Only the built-in test gateway and registrar exist so far; real adapters plug into the same ports.
  const gateway = new TestGateway({ file: join(config.stateDir, "test-gateway.sqlite") });
  const registrar = new TestRegistrar({ file: join(config.stateDir, "test-registrar.sqlite") });
  const sessionSecret = config.sessionSecret ?? randomBytes(32).toString("hex");
  const smtp = createSmtpMailer(config.smtpUrl, config.mailFrom);
  const mailer = smtp ? noticeSecrets(sessionSecret).unsealingMailer(smtp) : null;
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    policies,
    gateway,
    registrarFor: () => registrar,
    seller,
  };
  return {
    config,
    store,
    deps,
    clock,
    sessionSecret,
    mailer,
    registrar,
    logger,
    close: async () => {
      await smtp?.close?.();
      await store.close();
      gateway.close();
      registrar.close();
    },
  };
}
