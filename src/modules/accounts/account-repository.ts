/**
 * Client-area logins: argon2id password hashes (@node-rs/argon2), optional TOTP (otpauth), and
 * single-use password reset links whose token is stored only as a SHA-256 hash.
 */
import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import * as OTPAuth from "otpauth";
import { fromDbBool, toDbBool } from "../../db/columns.js";
import { addHours, type Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";

export const MIN_PASSWORD_LENGTH = 12;
const RESET_LINK_HOURS = 1;

export interface Account {
  customerId: string;
  email: string;
  totpEnabled: boolean;
}

export async function createAccount(
  db: Db | Tx,
  customerId: string,
  email: string,
  password: string,
  at: Instant,
) {
  await db
    .insertInto("accounts")
    .values({
      customer_id: customerId,
      email: email.toLowerCase(),
      password_hash: await hash(password),
      totp_secret: null,
      totp_enabled: 0,
      created_at: at,
    })
    .execute();
}

export async function setPassword(db: Db | Tx, customerId: string, password: string): Promise<void> {
  await db
    .updateTable("accounts")
    .set({ password_hash: await hash(password) })
    .where("customer_id", "=", customerId)
    .execute();
}

// Verifying against a fixed hash when the e-mail is unknown keeps the timing of both answers alike.
const DECOY_HASH = hash("decoy password that matches nothing");

export type Authentication = { ok: true; account: Account } | { ok: false };

export async function authenticate(db: Db, email: string, password: string): Promise<Authentication> {
  const row = await db
    .selectFrom("accounts")
    .selectAll()
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  const isValid = await verify(row?.password_hash ?? (await DECOY_HASH), password).catch(() => false);
  if (!row || !isValid) return { ok: false };
  return {
    ok: true,
    account: { customerId: row.customer_id, email: row.email, totpEnabled: fromDbBool(row.totp_enabled) },
  };
}

export async function findAccount(db: Db, customerId: string): Promise<Account | null> {
  const row = await db
    .selectFrom("accounts")
    .selectAll()
    .where("customer_id", "=", customerId)
    .executeTakeFirst();
  return row
    ? { customerId: row.customer_id, email: row.email, totpEnabled: fromDbBool(row.totp_enabled) }
    : null;
}

function sha256(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * Creates a reset link token for the account with this e-mail; null when there is none. `id` names
 * the link (the start of the token's hash, which is stored anyway): usable in keys, not as a token.
 */
export async function startPasswordReset(
  db: Db,
  email: string,
  now: Instant,
): Promise<{ customerId: string; id: string; token: string; expiresAt: Instant } | null> {
  const account = await db
    .selectFrom("accounts")
    .select("customer_id")
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  if (!account) return null;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = addHours(now, RESET_LINK_HOURS);
  const tokenHash = sha256(token);
  await db
    .insertInto("password_resets")
    .values({
      token_hash: tokenHash,
      customer_id: account.customer_id,
      expires_at: expiresAt,
      used_at: null,
      created_at: now,
    })
    .execute();
  return { customerId: account.customer_id, id: tokenHash.slice(0, 16), token, expiresAt };
}

export async function isResetTokenUsable(db: Db, token: string, now: Instant): Promise<boolean> {
  const row = await db
    .selectFrom("password_resets")
    .selectAll()
    .where("token_hash", "=", sha256(token))
    .executeTakeFirst();
  return row !== undefined && row.used_at === null && row.expires_at > now;
}

/**
 * Uses the token once: sets the password, voids the account's other outstanding links, and ends
 * every session of the account.
 */
export async function completePasswordReset(
  db: Db,
  token: string,
  password: string,
  now: Instant,
): Promise<boolean> {
  const passwordHash = await hash(password);
  return db.transaction().execute(async (tx) => {
    const used = await tx
      .updateTable("password_resets")
      .set({ used_at: now })
      .where("token_hash", "=", sha256(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning("customer_id")
      .executeTakeFirst();
    if (!used) return false;
    await tx
      .updateTable("password_resets")
      .set({ used_at: now })
      .where("customer_id", "=", used.customer_id)
      .where("used_at", "is", null)
      .execute();
    await tx
      .updateTable("accounts")
      .set({ password_hash: passwordHash })
      .where("customer_id", "=", used.customer_id)
      .execute();
    await tx.deleteFrom("sessions").where("customer_id", "=", used.customer_id).execute();
    return true;
  });
}

function totpFor(secret: string, email: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: "Tenure",
    label: email,
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, email: string): string {
  return totpFor(secret, email).toString();
}

/**
 * The time step (30-second window number) of a code valid now, or null: a code is valid in its
 * window and the neighbouring ones (clock drift). Validity alone does not make a code usable: see
 * `acceptTotpStep`.
 */
export function totpStepOf(secret: string, email: string, code: string, now: Instant): number | null {
  const totp = totpFor(secret, email);
  const delta = totp.validate({ token: code.replace(/\s/g, ""), timestamp: now, window: 1 });
  return delta === null ? null : totp.counter({ timestamp: now }) + delta;
}

/**
 * Uses a code's time step once: true only if it is later than the account's last accepted step,
 * which it then becomes. One guarded UPDATE, so two requests with the same code cannot both pass.
 */
export async function acceptTotpStep(db: Db | Tx, customerId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable("accounts")
    .set({ totp_last_step: step })
    .where("customer_id", "=", customerId)
    .where("totp_last_step", "<", step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Turns two-step verification on with a secret the customer proved to hold, consuming the step of
 * the code that proved it (so that code cannot sign in afterwards). False when that step was used.
 */
export async function enableTotp(db: Db, customerId: string, secret: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable("accounts")
    .set({ totp_secret: secret, totp_enabled: toDbBool(true), totp_last_step: step })
    .where("customer_id", "=", customerId)
    .where("totp_last_step", "<", step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function totpSecretOf(db: Db, customerId: string): Promise<string | null> {
  const row = await db
    .selectFrom("accounts")
    .select("totp_secret")
    .where("customer_id", "=", customerId)
    .executeTakeFirst();
  return row?.totp_secret ?? null;
}

export async function setTotp(db: Db, customerId: string, secret: string | null): Promise<void> {
  await db
    .updateTable("accounts")
    .set({ totp_secret: secret, totp_enabled: toDbBool(secret !== null) })
    .where("customer_id", "=", customerId)
    .execute();
}

export async function setLocale(db: Db, customerId: string, locale: string): Promise<void> {
  await db.updateTable("customers").set({ locale }).where("id", "=", customerId).execute();
}
