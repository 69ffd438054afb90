/**
 * API keys (docs/api.md): created by an admin (back office or `tenure api-key create`), shown once,
 * stored as the SHA-256 of the key (a 256-bit random secret needs no slow hash), revocable, with
 * their last use. A key may be restricted to one customer: it then sees only that customer's objects.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";
import type {} from "./tables.js";

/** `webhooks` (webhook endpoints) is the host's own configuration: only a key of no one customer may hold it. */
export const API_SCOPES = ["read", "billing", "domains", "services", "webhooks"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const KEY_PREFIX = "tnr_";

export const newApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1, "a name is required").max(100),
    scopes: z.array(z.enum(API_SCOPES)).min(1, "at least one scope").max(API_SCOPES.length),
    customerId: z.string().trim().min(1).nullable().default(null),
  })
  .refine((key) => key.customerId === null || !key.scopes.includes("webhooks"), {
    path: ["scopes"],
    message: "the webhooks scope is for a host-wide key (no customer)",
  });
export type NewApiKey = z.input<typeof newApiKeySchema>;

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  customerId: string | null;
  createdAt: Instant;
  createdBy: string;
  lastUsedAt: Instant | null;
  revokedAt: Instant | null;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

function parseScopes(text: string): ApiScope[] {
  return text.split(",").filter((s): s is ApiScope => (API_SCOPES as readonly string[]).includes(s));
}

type Row = {
  id: string;
  name: string;
  prefix: string;
  scopes: string;
  customer_id: string | null;
  created_at: number | string;
  created_by: string;
  last_used_at: number | string | null;
  revoked_at: number | string | null;
};

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: parseScopes(r.scopes),
    customerId: r.customer_id,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}

const COLUMNS = [
  "id",
  "name",
  "prefix",
  "scopes",
  "customer_id",
  "created_at",
  "created_by",
  "last_used_at",
  "revoked_at",
] as const;

/** Creates a key; the returned `key` is the only time it exists in clear. */
export async function createApiKey(
  db: Db | Tx,
  input: NewApiKey & { createdBy: string },
  now: Instant,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const parsed = newApiKeySchema.safeParse({
    name: input.name,
    scopes: input.scopes,
    customerId: input.customerId,
  });
  if (!parsed.success) {
    throw new AppError(
      "INVALID_INPUT",
      parsed.error.issues.map((i) => `${i.path.join(".") || "key"}: ${i.message}`).join("; "),
    );
  }
  const { name, scopes, customerId } = parsed.data;
  if (customerId !== null) {
    const customer = await db
      .selectFrom("customers")
      .select("id")
      .where("id", "=", customerId)
      .executeTakeFirst();
    if (!customer) throw new AppError("INVALID_INPUT", "customerId: no such customer");
  }
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const id = `key_${randomUUID()}`;
  const row = {
    id,
    name,
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    key_hash: hashKey(key),
    scopes: [...new Set(scopes)].join(","),
    customer_id: customerId,
    created_at: now,
    created_by: input.createdBy,
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto("api_keys").values(row).execute();
  return { key, record: toRecord(row) };
}

export async function listApiKeys(db: Db): Promise<ApiKeyRecord[]> {
  const rows = await db
    .selectFrom("api_keys")
    .select(COLUMNS)
    .orderBy("created_at", "desc")
    .orderBy("id")
    .execute();
  return rows.map(toRecord);
}

export async function findApiKey(db: Db, id: string): Promise<ApiKeyRecord | null> {
  const row = await db.selectFrom("api_keys").select(COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Revokes a key at once; true when it was live. */
export async function revokeApiKey(db: Db | Tx, id: string, now: Instant): Promise<boolean> {
  const result = await db
    .updateTable("api_keys")
    .set({ revoked_at: now })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The live key a bearer token names, with its last use recorded; null for an unknown or revoked key. */
export async function authenticateApiKey(db: Db, key: string, now: Instant): Promise<ApiKeyRecord | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 200) return null;
  const row = await db
    .selectFrom("api_keys")
    .select(COLUMNS)
    .where("key_hash", "=", hashKey(key))
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  // Recorded at most once a minute per key: a busy integration does not write on every request.
  const last = row.last_used_at === null ? null : Number(row.last_used_at);
  if (last === null || now - last >= 60_000 || now < last) {
    await db.updateTable("api_keys").set({ last_used_at: now }).where("id", "=", row.id).execute();
    row.last_used_at = now;
  }
  return toRecord(row);
}

/** How long the first answer to an `Idempotency-Key` is kept (at least 24 hours, docs/api.md). */
export const IDEMPOTENCY_TTL = 24 * 3_600_000;

/** Answers older than IDEMPOTENCY_TTL are deleted (the worker calls this at every run). */
export async function purgeIdempotency(db: Db, now: Instant): Promise<void> {
  await db
    .deleteFrom("api_idempotency")
    .where("created_at", "<=", now - IDEMPOTENCY_TTL)
    .execute();
}
