/**
 * `Idempotency-Key` on POST (docs/api.md): the first response (status and body, 5xx included) is
 * kept 24 hours per API key; the same key with the same request returns it again, with another
 * request it is a 409 `idempotency_conflict`. The row is inserted before the request runs: of two
 * concurrent requests with one key, the second finds it and is told the first is still running.
 */
import { createHash } from "node:crypto";
import type { Instant } from "../../domain/time.js";
import { IDEMPOTENCY_TTL } from "../../modules/api-keys/api-keys.js";
import type { Db } from "../../modules/deps.js";
import { ApiProblem } from "./problem.js";

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export function requestHash(method: string, path: string, body: string): string {
  return createHash("sha256").update(`${method} ${path}\n${body}`, "utf8").digest("hex");
}

export type Claim = { kind: "run" } | { kind: "replay"; status: number; body: string };

export function validIdempotencyKey(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !KEY_PATTERN.test(value)) {
    throw new ApiProblem("validation_failed", "Idempotency-Key: 1 to 255 printable ASCII characters", {
      errors: [{ field: "Idempotency-Key", message: "1 to 255 printable ASCII characters" }],
    });
  }
  return value;
}

export async function claimIdempotencyKey(
  db: Db,
  apiKeyId: string,
  key: string,
  hash: string,
  now: Instant,
): Promise<Claim> {
  // An expired answer is forgotten: the key may be used again.
  await db
    .deleteFrom("api_idempotency")
    .where("api_key_id", "=", apiKeyId)
    .where("idempotency_key", "=", key)
    .where("created_at", "<=", now - IDEMPOTENCY_TTL)
    .execute();
  const inserted = await db
    .insertInto("api_idempotency")
    .values({
      api_key_id: apiKeyId,
      idempotency_key: key,
      request_hash: hash,
      created_at: now,
      status_code: null,
      response_body: null,
    })
    .onConflict((oc) => oc.columns(["api_key_id", "idempotency_key"]).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return { kind: "run" };
  const row = await db
    .selectFrom("api_idempotency")
    .select(["request_hash", "status_code", "response_body"])
    .where("api_key_id", "=", apiKeyId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  if (!row) return { kind: "run" };
  if (row.request_hash !== hash)
    throw new ApiProblem("idempotency_conflict", "This Idempotency-Key was first used with another request.");
  if (row.status_code === null) {
    throw new ApiProblem(
      "idempotency_in_progress",
      "The first request with this Idempotency-Key has not finished.",
      {
        retryAfter: 1,
      },
    );
  }
  return { kind: "replay", status: Number(row.status_code), body: row.response_body ?? "" };
}

export async function storeIdempotentResponse(
  db: Db,
  apiKeyId: string,
  key: string,
  status: number,
  body: string,
): Promise<void> {
  await db
    .updateTable("api_idempotency")
    .set({ status_code: status, response_body: body })
    .where("api_key_id", "=", apiKeyId)
    .where("idempotency_key", "=", key)
    .where("status_code", "is", null)
    .execute();
}
