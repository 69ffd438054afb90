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
import type { PaymentGateway } from "../providers/payments/payment-gateway.js";
import { StripeGateway } from "../providers/payments/stripe-gateway.js";
import { TestGateway } from "../providers/payments/test-gateway.js";
import { EppClient } from "../providers/registrar/epp/client.js";
import { EppRegistrar, eppClientConfig } from "../providers/registrar/epp/epp-registrar.js";
import type { Registrar } from "../providers/registrar/registrar.js";
import { TestRegistrar } from "../providers/registrar/test-registrar.js";
import { type GatewayConfig, loadPolicies, loadSeller, type RuntimeConfig } from "./config.js";
import { readableLogStream, wantsReadableLogs } from "./log-format.js";

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

/** TENURE_GATEWAY: the built-in test gateway (its ledger in the state directory) or Stripe. */
function createGateway(
  gateway: GatewayConfig,
  store: Store,
  stateDir: string,
): PaymentGateway & { close(): void } {
  if (gateway.kind === "test") return new TestGateway({ file: join(stateDir, "test-gateway.sqlite") });
  const api = gateway.apiUrl ? new URL(gateway.apiUrl) : null;
  return new StripeGateway({
    secretKey: gateway.secretKey,
    webhookSecret: gateway.webhookSecret,
    publishableKey: gateway.publishableKey,
    db: store.db,
    ...(api
      ? {
          host: api.hostname,
          port: Number(api.port || (api.protocol === "https:" ? 443 : 80)),
          protocol: api.protocol === "https:" ? "https" : "http",
        }
      : {}),
  });
}

export async function createRuntime(config: RuntimeConfig, clock: Clock = systemClock): Promise<Runtime> {
  // Readable lines on a terminal, JSON lines elsewhere (log-format.ts).
  const logger = pino(
    { name: "tenure", level: process.env.LOG_LEVEL ?? "info" },
    wantsReadableLogs(process.env, process.stdout.isTTY === true)
      ? readableLogStream(process.stdout)
      : undefined,
  );
  const policies = loadPolicies(config.configFile);
  // Without a `seller` section: the demo's Quebec host with the demo, else an unconfigured seller.
  const { seller } = loadSeller(config.configFile, config.demoData);
  const store = openStore(config.databaseUrl);
  await migrateToLatest(store);
  const gateway = createGateway(config.gateway, store, config.stateDir);
  const registrar = new TestRegistrar({ file: join(config.stateDir, "test-registrar.sqlite") });
  // A registrar whose policy says `adapter: "epp"` is reached over EPP (one client each, opened on
  // first use); every other one is the built-in test registry.
  const eppRegistrars = new Map<string, EppRegistrar>();
  const registrarFor = (name: string): Registrar => {
    const policy = policies.registrars[name];
    if (policy?.adapter !== "epp" || !policy.epp) return registrar;
    let epp = eppRegistrars.get(name);
    if (!epp) {
      const frames = logger.child({ registrar: name });
      const client = new EppClient(
        eppClientConfig(policy.epp, process.env, (direction, xml) =>
          frames.debug({ direction, xml }, "epp frame"),
        ),
      );
      epp = new EppRegistrar(client, policy.epp.clientId, clock);
      eppRegistrars.set(name, epp);
    }
    return epp;
  };
  const sessionSecret = config.sessionSecret ?? randomBytes(32).toString("hex");
  const smtp = createSmtpMailer(config.smtpUrl, config.mailFrom);
  const mailer = smtp ? noticeSecrets(sessionSecret).unsealingMailer(smtp) : null;
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    policies,
    gateway,
    registrarFor: (name) => registrarFor(name),
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
      for (const epp of eppRegistrars.values()) await epp.close();
    },
  };
}
