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

/** Creates a reset link token for the account with this e-mail; null when there is none. */
export async function startPasswordReset(
  db: Db,
  email: string,
  now: Instant,
): Promise<{ customerId: string; token: string; expiresAt: Instant } | null> {
  const account = await db
    .selectFrom("accounts")
    .select("customer_id")
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  if (!account) return null;
  const token = randomBytes(32).toString("base64url");
  const expiresAt = addHours(now, RESET_LINK_HOURS);
  await db
    .insertInto("password_resets")
    .values({
      token_hash: sha256(token),
      customer_id: account.customer_id,
      expires_at: expiresAt,
      used_at: null,
      created_at: now,
    })
    .execute();
  return { customerId: account.customer_id, token, expiresAt };
}

export async function isResetTokenUsable(db: Db, token: string, now: Instant): Promise<boolean> {
  const row = await db
    .selectFrom("password_resets")
    .selectAll()
    .where("token_hash", "=", sha256(token))
    .executeTakeFirst();
  return row !== undefined && row.used_at === null && row.expires_at > now;
}

/** Uses the token once: sets the password and ends every session of the account. */
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

/** A code is valid in its 30-second window and the neighbouring ones (clock drift). */
export function isValidTotp(secret: string, email: string, code: string, now: Instant): boolean {
  return (
    totpFor(secret, email).validate({ token: code.replace(/\s/g, ""), timestamp: now, window: 1 }) !== null
  );
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
