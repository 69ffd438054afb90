/**
 * Process configuration from the environment, and the operator's policy file. Every problem is
 * reported with the variable or field named, never as a stack trace.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type Policies, resolvePolicies } from "../domain/policies.js";

export class ConfigError extends Error {}

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
  TENURE_DEMO: z.enum(["0", "1"]).default("1"),
  TENURE_PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  TENURE_HOST: z.string().min(1).default("127.0.0.1"),
  TENURE_BASE_URL: z.url().optional(),
  TENURE_SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  TENURE_TRUST_PROXY: z.string().default("0"),
});

export interface RuntimeConfig {
  databaseUrl: string;
  configFile: string | undefined;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Where the built-in test gateway and registrar keep their ledgers. */
  stateDir: string;
  workerIntervalMs: number;
  demoData: boolean;
  port: number;
  host: string;
  /** Public address of the client area, for links in e-mails. */
  baseUrl: string;
  /** Signs session cookies; a random one per process when unset (sessions end at restart). */
  sessionSecret: string | undefined;
  /** false, true, or the proxy's address: whom to believe for X-Forwarded-For and -Proto. */
  trustProxy: boolean | string;
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
    demoData: e.TENURE_DEMO === "1",
    port: e.TENURE_PORT,
    host: e.TENURE_HOST,
    baseUrl: e.TENURE_BASE_URL ?? `http://localhost:${e.TENURE_PORT}`,
    sessionSecret: e.TENURE_SESSION_SECRET,
    trustProxy:
      e.TENURE_TRUST_PROXY === "1" ? true : e.TENURE_TRUST_PROXY === "0" ? false : e.TENURE_TRUST_PROXY,
  };
}

/** The built-in policies, overridden by the operator's JSON file when there is one. */
export function loadPolicies(file: string | undefined): Policies {
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
  const result = resolvePolicies(overrides);
  if (!result.ok)
    throw new ConfigError(`${file}: invalid policy\n${result.errors.map((e) => `  ${e}`).join("\n")}`);
  return result.policies;
}
