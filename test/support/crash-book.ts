/**
 * A peak-day book for the crash tests, in a real SQLite file or PostgreSQL schema, with the test
 * gateway's and registrar's ledgers in their own SQLite files (the bank and the registry, outside
 * Tenure's database), and the worker script the spawned processes run. The registry is either the
 * built-in test registrar (a ledger file the workers open) or the EPP test registry, a TLS server
 * in the test process that the workers reach over EPP through the `epp` adapter.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import pg from "pg";
import { openStore, type Store } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { type BillingPolicy, resolvePolicies } from "../../src/domain/policies.js";
import { addDays, addMinutes, addMonths, addYears, type Instant } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { createCustomer, setCard } from "../../src/modules/customers/customer-repository.js";
import type { Deps } from "../../src/modules/deps.js";
import { importDomain } from "../../src/modules/domains/import-domain.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import type { PaymentGateway } from "../../src/providers/payments/payment-gateway.js";
import { StripeGateway } from "../../src/providers/payments/stripe-gateway.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { EppClient } from "../../src/providers/registrar/epp/client.js";
import { EppRegistrar } from "../../src/providers/registrar/epp/epp-registrar.js";
import type { Registrar } from "../../src/providers/registrar/registrar.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { clientConfigFor, EppTestRegistry, makeCertificates, type TlsMaterial } from "./epp-registry.js";
import { type FakeStripe, startFakeStripe } from "./fake-stripe.js";
import { POSTGRES_URL, type TestDialect } from "./stores.js";

export const REPO = new URL("../..", import.meta.url).pathname;

let workerScript: Promise<string> | null = null;

/**
 * crash-worker.ts bundled once per test process (esbuild; packages stay in node_modules, found from
 * the bundle's place under node_modules/.cache). Spawned so, a worker costs about 0.4 s of CPU
 * instead of 0.7 s through tsx: it is spawned hundreds of times. Always built from the current
 * sources, so it cannot be stale the way a dist/ build can.
 */
function prepareWorkerScript(): Promise<string> {
  workerScript ??= (async () => {
    const dir = join(REPO, "node_modules", ".cache", "tenure-crash");
    await mkdir(dir, { recursive: true });
    const built = await build({
      entryPoints: [join(REPO, "test/support/crash-worker.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      write: false,
      outfile: join(dir, "crash-worker.mjs"),
      logLevel: "error",
    });
    const code = built.outputFiles[0]?.contents;
    if (!code) throw new Error("esbuild wrote no bundle");
    // Named by content: test processes running at once share one file, and never see half of it.
    const name = `crash-worker-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`;
    const file = join(dir, name);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, code);
    await rename(temporary, file);
    // Bundles of older sources go once nobody can still be running them.
    for (const entry of await readdir(dir)) {
      const path = join(dir, entry);
      if (entry !== name && Date.now() - (await stat(path)).mtimeMs > 3_600_000)
        await rm(path, { force: true });
    }
    return file;
  })();
  return workerScript;
}

export type Card = "ok" | "declined" | "fails-1-then-ok";
const CARDS: Card[] = ["ok", "ok", "ok", "declined", "fails-1-then-ok"];

/**
 * Which gateway the book's processes charge: the built-in test gateway (its ledger a SQLite file
 * in the state directory) or Stripe, here the in-repo fake Stripe on loopback (fake-stripe.ts).
 */
export type BookGateway = { kind: "test" } | { kind: "stripe"; fake: FakeStripe };

/** The same cards in Stripe's test tokens (the fake's own for fails-once-then-ok). */
const STRIPE_CARDS: Record<Card, string> = {
  ok: "pm_card_visa",
  declined: "pm_card_chargeDeclined",
  "fails-1-then-ok": "pm_card_tenureFailsOnceThenOk",
};

/** What a book's worker processes need in their environment to reach the book's gateway. */
function gatewayEnv(gateway: BookGateway): Record<string, string> {
  if (gateway.kind === "test") return { TENURE_GATEWAY: "test" };
  const { fake } = gateway;
  return {
    TENURE_GATEWAY: "stripe",
    TENURE_STRIPE_SECRET_KEY: fake.secretKey,
    TENURE_STRIPE_WEBHOOK_SECRET: fake.webhookSecret,
    TENURE_STRIPE_API_URL: `${fake.protocol}://${fake.host}:${fake.port}`,
  };
}

/**
 * Which registry the book's domains live at: the built-in test registrar, or the EPP test registry
 * (its state in its own SQLite file, its server in this process on loopback).
 */
export type BookRegistrar = { kind: "test" } | { kind: "epp"; registry: EppTestRegistry };

/** The registrar the book's domains are with (a built-in policy; `epp` switches its adapter). */
export const BOOK_REGISTRAR = "squarespace-domains";
const EPP_CLIENT_ID = "tenure";
const EPP_PASSWORD_ENV = "TENURE_CRASH_EPP_PASSWORD";
const EPP_PASSWORD = "Crash-epp-pw1";

/** Certificates are slow to make (2048-bit keys): once per test process. */
let certificates: Promise<TlsMaterial> | null = null;

/**
 * Starts an EPP test registry for a book, and writes what a worker needs to reach it: the CA and
 * client certificate files, and the registrar's policy (adapter `epp`, the password's variable).
 */
async function startBookRegistry(dir: string, stateDir: string, peakAt: Instant) {
  certificates ??= makeCertificates();
  const tls = await certificates;
  const registry = new EppTestRegistry({
    file: join(stateDir, "epp-registry.sqlite"),
    tls,
    clients: { [EPP_CLIENT_ID]: EPP_PASSWORD },
    // The registry's own clock only dates its answers here: nothing in the book waits on it.
    now: () => peakAt,
  });
  await registry.start();
  const files = {
    caFile: join(dir, "registry-ca.pem"),
    certFile: join(dir, "client.crt"),
    keyFile: join(dir, "client.key"),
  };
  await writeFile(files.caFile, tls.serverCert);
  await writeFile(files.certFile, tls.clientCert);
  await writeFile(files.keyFile, tls.clientKey);
  const policy = {
    adapter: "epp" as const,
    epp: {
      host: "127.0.0.1",
      port: registry.port,
      clientId: EPP_CLIENT_ID,
      passwordEnv: EPP_PASSWORD_ENV,
      ...files,
      poolSize: 2,
      keepAliveSeconds: 0,
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 20_000,
    },
  };
  const base = clientConfigFor(registry, tls, { clientId: EPP_CLIENT_ID, password: EPP_PASSWORD });
  const client = new EppClient({
    ...base,
    endpoint: { ...base.endpoint, connectTimeoutMs: 10_000, commandTimeoutMs: 20_000 },
  });
  return {
    registry,
    policy,
    setupRegistrar: new EppRegistrar(client, EPP_CLIENT_ID),
    env: { [EPP_PASSWORD_ENV]: EPP_PASSWORD },
  };
}

export interface BookService {
  id: string;
  kind: "hosting" | "domain";
  card: Card;
  /** The instant its renewal is due: invoice, charge and receipt all fall due then. */
  dueAt: Instant;
  domain?: string;
}

export interface PeakDayBook {
  dialect: TestDialect;
  /** What a spawned process gets as TENURE_DATABASE_URL. */
  databaseUrl: string;
  stateDir: string;
  /** The worker's script (bundled crash-worker.ts). */
  workerScript: string;
  /** The policy file (TENURE_CONFIG) every process of this book reads. */
  configFile: string;
  /** The gateway the book's processes charge, and the environment that points them at it. */
  gateway: BookGateway;
  gatewayEnv: Record<string, string>;
  /** The registry the book's domains are at, and what the workers need in their environment for it. */
  registrar: BookRegistrar;
  registrarEnv: Record<string, string>;
  services: BookService[];
  store: Store;
  dispose(): Promise<void>;
}

export interface BookOptions {
  hosting: number;
  domains: number;
  peakAt: Instant;
  /** Minutes between consecutive services' due instants (0: all on the peak instant). */
  spreadMinutes?: number;
  /** Every customer gets this card instead of the usual mix. */
  card?: Card;
  /** Billing policy overrides, written to the book's policy file. */
  billing?: Partial<BillingPolicy>;
  /**
   * Runs the engine once just before the peak, so each service's due index points at its renewal
   * (imported services are due at once): then a run at a service's instant sees that service alone.
   */
  settleBeforePeak?: boolean;
  /** The test gateway unless told otherwise; `stripe`: a fake Stripe of the book's own. */
  gateway?: BookGateway["kind"];
  /** The built-in test registrar unless told otherwise; `epp`: an EPP test registry of the book's own. */
  registrar?: BookRegistrar["kind"];
}

async function openBookStore(dialect: TestDialect, dir: string) {
  if (dialect === "sqlite") {
    const databaseUrl = `sqlite:${join(dir, "tenure.db")}`;
    return { databaseUrl, store: openStore(databaseUrl), drop: async () => {} };
  }
  if (!POSTGRES_URL) throw new Error("TENURE_TEST_DATABASE_URL is not set");
  const schema = `crash_${randomBytes(5).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(statement);
    await client.end();
  };
  await admin(`CREATE SCHEMA ${schema}`);
  // The spawned processes find their schema in the URL (openStore reads search_path from it).
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("options", `-c search_path=${schema}`);
  const databaseUrl = url.toString();
  return {
    databaseUrl,
    store: openStore(databaseUrl, { poolSize: 2 }),
    drop: () => admin(`DROP SCHEMA ${schema} CASCADE`),
  };
}

/**
 * A peak day: monthly hosting services whose term ends at the peak instant (their renewal invoice,
 * charge and receipt all due then) and domains whose renewal charge falls due then, for customers
 * with a mix of cards. Built with the same use cases as an import.
 */
export async function createPeakDayBook(dialect: TestDialect, options: BookOptions): Promise<PeakDayBook> {
  const workerScript = await prepareWorkerScript();
  const dir = await mkdtemp(join(tmpdir(), "tenure-crash-"));
  const stateDir = join(dir, "state");
  const { databaseUrl, store, drop } = await openBookStore(dialect, dir);
  await migrateToLatest(store);
  // A fresh fake Stripe account per book: customer ids and charge keys repeat from book to book.
  const bookGateway: BookGateway =
    options.gateway === "stripe" ? { kind: "stripe", fake: await startFakeStripe() } : { kind: "test" };
  const gateway: PaymentGateway & { close(): void } =
    bookGateway.kind === "test"
      ? new TestGateway({ file: join(stateDir, "test-gateway.sqlite") })
      : new StripeGateway({
          secretKey: bookGateway.fake.secretKey,
          db: store.db,
          host: bookGateway.fake.host,
          port: bookGateway.fake.port,
          protocol: bookGateway.fake.protocol,
        });
  const epp = options.registrar === "epp" ? await startBookRegistry(dir, stateDir, options.peakAt) : null;
  const testRegistrar = epp ? null : new TestRegistrar({ file: join(stateDir, "test-registrar.sqlite") });
  const registrar: Registrar = epp?.setupRegistrar ?? (testRegistrar as TestRegistrar);
  const bookRegistrar: BookRegistrar = epp ? { kind: "epp", registry: epp.registry } : { kind: "test" };
  const configFile = join(dir, "policies.json");
  const policyFile = {
    billing: options.billing ?? {},
    ...(epp ? { registrars: { [BOOK_REGISTRAR]: epp.policy } } : {}),
  };
  await writeFile(configFile, JSON.stringify(policyFile));
  const resolved = resolvePolicies(policyFile);
  if (!resolved.ok) throw new Error(resolved.errors.join("; "));
  const policies = resolved.policies;
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    policies,
    gateway,
    registrarFor: () => registrar,
  };
  const chargeLeadDays = policies.registrars[BOOK_REGISTRAR]?.chargeLeadDays ?? 15;
  const services: BookService[] = [];
  const total = options.hosting + options.domains;
  for (let i = 0; i < total; i += 1) {
    const customer = `cust-${String(i).padStart(5, "0")}`;
    const card = options.card ?? CARDS[i % CARDS.length] ?? "ok";
    await createCustomer(
      store.db,
      {
        id: customer,
        email: `${customer}@example.test`,
        name: customer,
        locale: "en",
        currency: "USD",
        timeZone: "UTC",
      },
      addYears(options.peakAt, -2),
    );
    await setCard(deps, customer, bookGateway.kind === "test" ? card : STRIPE_CARDS[card]);
    const dueAt = addMinutes(options.peakAt, i * (options.spreadMinutes ?? 0));
    const id = `svc-${String(i).padStart(5, "0")}`;
    if (i < options.hosting) {
      await importSubscription(deps, {
        id,
        customerId: customer,
        kind: "hosting",
        label: `Hosting ${id}`,
        plan: "monthly",
        price: 1600,
        currency: "USD",
        startedAt: addMonths(dueAt, -1),
      });
      services.push({ id, kind: "hosting", card, dueAt });
    } else {
      // The renewal charge is taken chargeLeadDays before expiry: expiry = due + lead.
      const name = `peak-${i}.example`;
      const { expiresAt } = await importDomain(deps, {
        id,
        customerId: customer,
        name,
        registrar: BOOK_REGISTRAR,
        registeredAt: addYears(addDays(dueAt, chargeLeadDays), -1),
        years: 1,
        autoRenew: true,
        emailVerified: true,
        siteServiceId: null,
        offer: null,
        recordedPrice: { amount: 2000, currency: "USD" },
      });
      if (epp) epp.registry.register(name, expiresAt, { createdAt: addYears(expiresAt, -1) });
      else testRegistrar?.register(name, expiresAt);
      services.push({ id, kind: "domain", card, dueAt, domain: name });
    }
  }
  if (options.settleBeforePeak) await runEngine(deps, addMinutes(options.peakAt, -1), { worker: "settle" });
  gateway.close();
  testRegistrar?.close();
  await epp?.setupRegistrar.close();
  return {
    dialect,
    databaseUrl,
    stateDir,
    workerScript,
    configFile,
    gateway: bookGateway,
    gatewayEnv: gatewayEnv(bookGateway),
    registrar: bookRegistrar,
    registrarEnv: epp?.env ?? {},
    services,
    store,
    async dispose() {
      if (bookGateway.kind === "stripe") await bookGateway.fake.close();
      await epp?.registry.close();
      await store.close();
      await drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
