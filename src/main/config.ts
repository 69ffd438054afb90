/**
 * Process configuration from the environment, and the operator's policy file. Every problem is
 * reported with the variable or field named, never as a stack trace.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { z } from "zod";
import { type Policies, resolvePolicies } from "../domain/policies.js";
import { DEMO_SELLER, parseSeller, type Seller, UNCONFIGURED_SELLER } from "../domain/seller.js";

export class ConfigError extends Error {}

/** proxy-addr's names for address ranges, which Fastify's `trustProxy` also takes. */
const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/**
 * Whom to believe for X-Forwarded-For and -Proto. `0`: nobody (the default). Otherwise a
 * comma-separated list of the proxies' addresses or CIDR ranges: a request is believed only when
 * it comes from one of them, and the client's address is the right-most X-Forwarded-For entry that
 * is not one of them (the one our proxy added), never the left-most, which the client writes.
 * `1`/`true` (formerly "trust the proxy") are refused with a hint: `true` believed the left-most
 * entry, and a hop count cannot tell our proxy from a client connecting directly (Fastify 5
 * ignores forwarded headers for a numeric trustProxy).
 */
const trustProxySchema = z
  .string()
  .default("0")
  .transform((value, ctx): false | string[] => {
    const trimmed = value.trim();
    if (trimmed === "0") return false;
    const entries = trimmed.split(",").map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isProxyAddress(entry));
    if (bad.length === 0) return entries;
    const hint = /^(\d+|true|yes|on)$/i.test(trimmed)
      ? ` is no longer accepted: give the proxy's address (e.g. 127.0.0.1 for a proxy on this host, or 10.0.0.0/8)`
      : `: not an IP address or CIDR range (${bad.map((entry) => JSON.stringify(entry)).join(", ")})`;
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(trimmed)}${hint}; expected 0 or a comma-separated list of the proxies' IP addresses or CIDR ranges`,
    });
    return z.NEVER;
  });

const envSchema = z.object({
  TENURE_DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres(ql)?:\/\/)/, "must start with sqlite: or postgres://")
    .default("sqlite:./data/tenure.db"),
  TENURE_CONFIG: z.string().min(1).optional(),
  TENURE_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must start with smtp:// or smtps://")
    .optional()
    .or(z.literal("").transform(() => undefined)),
  TENURE_MAIL_FROM: z.string().min(3).default("Tenure <billing@localhost>"),
  TENURE_STATE_DIR: z.string().min(1).default("./data"),
  TENURE_WORKER_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  TENURE_PAGE_CACHE_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(2000),
  TENURE_DEMO: z.enum(["0", "1"]).default("1"),
  TENURE_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  TENURE_HOST: z.string().min(1).default("127.0.0.1"),
  TENURE_BASE_URL: z.url().optional(),
  TENURE_SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  TENURE_TRUST_PROXY: trustProxySchema,
  TENURE_GATEWAY: z.enum(["test", "stripe"]).default("test"),
  TENURE_STRIPE_SECRET_KEY: z
    .string()
    .regex(
      /^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/,
      "must be a Stripe secret key (sk_test_…, sk_live_… or rk_…)",
    )
    .optional(),
  TENURE_STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9_]+$/, "must be a Stripe webhook signing secret (whsec_…)")
    .optional(),
  TENURE_STRIPE_PUBLISHABLE_KEY: z
    .string()
    .regex(/^pk_(test|live)_[A-Za-z0-9_]+$/, "must be a Stripe publishable key (pk_test_… or pk_live_…)")
    .optional(),
  /** Another address for Stripe's API: the tests' fake Stripe (or stripe-mock). */
  TENURE_STRIPE_API_URL: z.url({ protocol: /^https?$/ }).optional(),
});

/** Which payment gateway charges the cards, and its settings. */
export type GatewayConfig =
  | { kind: "test" }
  | {
      kind: "stripe";
      secretKey: string;
      webhookSecret: string;
      publishableKey: string | undefined;
      apiUrl: string | undefined;
    };

function gatewayConfig(e: z.infer<typeof envSchema>): GatewayConfig {
  if (e.TENURE_GATEWAY === "test") return { kind: "test" };
  const missing = [
    e.TENURE_STRIPE_SECRET_KEY ? null : "TENURE_STRIPE_SECRET_KEY",
    e.TENURE_STRIPE_WEBHOOK_SECRET ? null : "TENURE_STRIPE_WEBHOOK_SECRET",
  ].filter((name) => name !== null);
  if (missing.length > 0)
    throw new ConfigError(missing.map((name) => `${name}: required with TENURE_GATEWAY=stripe`).join("\n"));
  return {
    kind: "stripe",
    secretKey: e.TENURE_STRIPE_SECRET_KEY ?? "",
    webhookSecret: e.TENURE_STRIPE_WEBHOOK_SECRET ?? "",
    publishableKey: e.TENURE_STRIPE_PUBLISHABLE_KEY,
    apiUrl: e.TENURE_STRIPE_API_URL,
  };
}

export interface RuntimeConfig {
  databaseUrl: string;
  configFile: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Where the built-in test gateway and registrar keep their ledgers. */
  stateDir: string;
  workerIntervalMs: number;
  /** Rendered pages kept in memory per web process (src/http/page-cache.ts); 0 turns it off. */
  pageCacheEntries: number;
  demoData: boolean;
  port: number;
  host: string;
  /** Public address of the client area, for links in e-mails. */
  baseUrl: string;
  /** Signs session cookies; a random one per process when unset (sessions end at restart). */
  sessionSecret: string | undefined;
  /** Whom to believe for X-Forwarded-For and -Proto: nobody, or the proxies at these addresses. */
  trustProxy: false | string[];
  /** TENURE_GATEWAY: the built-in test gateway (default) or Stripe. */
  gateway: GatewayConfig;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  }
  const e = parsed.data;
  return {
    databaseUrl: e.TENURE_DATABASE_URL,
    configFile: e.TENURE_CONFIG,
    smtpUrl: e.TENURE_SMTP_URL,
    mailFrom: e.TENURE_MAIL_FROM,
    stateDir: e.TENURE_STATE_DIR,
    workerIntervalMs: e.TENURE_WORKER_INTERVAL_SECONDS * 1000,
    pageCacheEntries: e.TENURE_PAGE_CACHE_ENTRIES,
    demoData: e.TENURE_DEMO === "1",
    port: e.TENURE_PORT,
    host: e.TENURE_HOST,
    baseUrl: e.TENURE_BASE_URL ?? `http://localhost:${e.TENURE_PORT}`,
    sessionSecret: e.TENURE_SESSION_SECRET,
    trustProxy: e.TENURE_TRUST_PROXY,
    gateway: gatewayConfig(e),
  };
}

/** The operator's JSON file (policies, and the `seller` section), parsed; `{}` without one. */
function readConfigFile(file: string | undefined): unknown {
  let overrides: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      throw new ConfigError(`${file}: cannot read the policy file`);
    }
    try {
      overrides = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(
        `${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
      );
    }
  }
  return overrides;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The built-in policies, overridden by the operator's JSON file when there is one. */
export function loadPolicies(file: string | undefined): Policies {
  // The file's `seller` section is the seller identity (loadSeller), not a policy.
  const file_ = readConfigFile(file);
  const { seller: _seller, ...sections } = isRecord(file_) ? file_ : {};
  const result = resolvePolicies(isRecord(file_) ? sections : file_);
  if (!result.ok)
    throw new ConfigError(`${file}: invalid policy\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  return result.policies;
}

/**
 * Who issues the invoices (src/domain/seller.ts): the file's `seller` section, validated field by
 * field; without one, the demo's Quebec host when the demo is on, else an unconfigured seller
 * (`configured: false`).
 */
export function loadSeller(file: string | undefined, demo: boolean): { seller: Seller; configured: boolean } {
  const content = readConfigFile(file);
  const seller = isRecord(content) ? content.seller : undefined;
  if (seller === undefined) return { seller: demo ? DEMO_SELLER : UNCONFIGURED_SELLER, configured: demo };
  const result = parseSeller(seller);
  if (!result.ok)
    throw new ConfigError(`${file}: invalid seller\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  return { seller: result.seller, configured: true };
}
