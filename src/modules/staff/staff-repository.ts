/**
 * Staff accounts (back office): separate from customers' accounts. Passwords are argon2id hashes
 * as in the client area; a new staff member gets a generated one-time password that the first
 * sign-in replaces; TOTP uses the same primitives and the same single-use rule as customers'.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { fromDbBool, toDbBool } from "../../db/columns.js";
import { AppError } from "../../domain/app-error.js";
import { STAFF_ROLES, type StaffRole } from "../../domain/staff-roles.js";
import type { Instant } from "../../domain/time.js";
import { MIN_PASSWORD_LENGTH } from "../accounts/account-repository.js";
import type { Db, Tx } from "../deps.js";

export interface StaffMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  locale: "en" | "fr-CA";
  mustChangePassword: boolean;
  totpEnabled: boolean;
  disabledAt: Instant | null;
  lastSignInAt: Instant | null;
  createdAt: Instant;
}

export const newStaffSchema = z.strictObject({
  email: z.email().max(320),
  role: z.enum(STAFF_ROLES),
  name: z.string().trim().min(1).max(200).optional(),
});
export type NewStaff = z.infer<typeof newStaffSchema>;

type StaffRow = {
  id: string;
  email: string;
  name: string;
  role: string;
  locale: string;
  must_change_password: number;
  totp_enabled: number;
  disabled_at: number | null;
  last_sign_in_at: number | null;
  created_at: number;
};

const COLUMNS = [
  "id",
  "email",
  "name",
  "role",
  "locale",
  "must_change_password",
  "totp_enabled",
  "disabled_at",
  "last_sign_in_at",
  "created_at",
] as const;

function toStaff(row: StaffRow): StaffMember {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as StaffRole,
    locale: row.locale === "fr-CA" ? "fr-CA" : "en",
    mustChangePassword: fromDbBool(row.must_change_password),
    totpEnabled: fromDbBool(row.totp_enabled),
    disabledAt: row.disabled_at,
    lastSignInAt: row.last_sign_in_at,
    createdAt: row.created_at,
  };
}

/** A password nobody chose: 18 random bytes, base64url (24 characters). */
export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

/** Creates a staff member with a one-time password (returned, never stored in clear). */
export async function addStaff(
  db: Db | Tx,
  input: NewStaff,
  at: Instant,
): Promise<{ staff: StaffMember; oneTimePassword: string }> {
  const email = input.email.trim().toLowerCase();
  const existing = await db.selectFrom("staff").select("id").where("email", "=", email).executeTakeFirst();
  if (existing) throw new AppError("CONFLICT", `a staff member with the e-mail ${email} already exists`);
  const oneTimePassword = generatePassword();
  const id = `staff-${randomUUID()}`;
  await db
    .insertInto("staff")
    .values({
      id,
      email,
      name: input.name ?? email.split("@")[0] ?? email,
      role: input.role,
      password_hash: await hash(oneTimePassword),
      must_change_password: toDbBool(true),
      totp_secret: null,
      disabled_at: null,
      last_sign_in_at: null,
      created_at: at,
    })
    .execute();
  const staff = await findStaff(db, id);
  if (!staff) throw new Error("staff member vanished after insert");
  return { staff, oneTimePassword };
}

export async function listStaff(db: Db | Tx): Promise<StaffMember[]> {
  const rows = await db.selectFrom("staff").select(COLUMNS).orderBy("email").execute();
  return rows.map(toStaff);
}

export async function findStaff(db: Db | Tx, id: string): Promise<StaffMember | null> {
  const row = await db.selectFrom("staff").select(COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? toStaff(row) : null;
}

export async function findStaffByEmail(db: Db | Tx, email: string): Promise<StaffMember | null> {
  const row = await db
    .selectFrom("staff")
    .select(COLUMNS)
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  return row ? toStaff(row) : null;
}

/** Disables a staff member and ends their sessions; false when there is no such active member. */
export async function disableStaff(db: Db | Tx, email: string, at: Instant): Promise<StaffMember | null> {
  const staff = await findStaffByEmail(db, email);
  if (!staff || staff.disabledAt !== null) return null;
  const updated = await db
    .updateTable("staff")
    .set({ disabled_at: at })
    .where("id", "=", staff.id)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return null;
  await db.deleteFrom("sessions").where("staff_id", "=", staff.id).execute();
  return { ...staff, disabledAt: at };
}

// The same decoy as customers' sign-in: an unknown e-mail costs as long as a wrong password.
const DECOY_HASH = hash("decoy password that matches no staff member");

export async function authenticateStaff(
  db: Db,
  email: string,
  password: string,
): Promise<StaffMember | null> {
  const row = await db
    .selectFrom("staff")
    .select([...COLUMNS, "password_hash"])
    .where("email", "=", email.trim().toLowerCase())
    .executeTakeFirst();
  const isValid = await verify(row?.password_hash ?? (await DECOY_HASH), password).catch(() => false);
  if (!row || !isValid || row.disabled_at !== null) return null;
  return toStaff(row);
}

export async function recordStaffSignIn(db: Db, id: string, at: Instant): Promise<void> {
  await db.updateTable("staff").set({ last_sign_in_at: at }).where("id", "=", id).execute();
}

/** Replaces the password (the first sign-in's one-time one, or a change). */
export async function changeStaffPassword(db: Db | Tx, id: string, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AppError("INVALID_INPUT", "password too short");
  await db
    .updateTable("staff")
    .set({ password_hash: await hash(password), must_change_password: toDbBool(false) })
    .where("id", "=", id)
    .execute();
}

export async function staffTotpSecretOf(db: Db, id: string): Promise<string | null> {
  const row = await db.selectFrom("staff").select("totp_secret").where("id", "=", id).executeTakeFirst();
  return row?.totp_secret ?? null;
}

/** Uses a code's time step once (one guarded UPDATE), as for customers. */
export async function acceptStaffTotpStep(db: Db, id: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable("staff")
    .set({ totp_last_step: step })
    .where("id", "=", id)
    .where("totp_last_step", "<", step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Enrols a secret the staff member proved to hold, consuming the proving code's step. */
export async function enableStaffTotp(db: Db, id: string, secret: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable("staff")
    .set({ totp_secret: secret, totp_enabled: toDbBool(true), totp_last_step: step })
    .where("id", "=", id)
    .where("totp_last_step", "<", step)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setStaffLocale(db: Db, id: string, locale: string): Promise<void> {
  await db.updateTable("staff").set({ locale }).where("id", "=", id).execute();
}

export async function disableStaffTotp(db: Db, id: string): Promise<void> {
  await db
    .updateTable("staff")
    .set({ totp_secret: null, totp_enabled: toDbBool(false) })
    .where("id", "=", id)
    .execute();
}
