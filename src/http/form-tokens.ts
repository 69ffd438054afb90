/**
 * One-time form tokens: every form that creates something carries `form_token` (a random value
 * rendered with the form); the first post that carries it claims it (a row whose primary key is
 * the token, so two concurrent posts cannot both claim it) and creates the thing; a repeated post
 * (a double click, a second tab, a resent request) creates nothing and is sent where the first one
 * went. A post without a token is refused as an outdated form.
 */
import { randomBytes } from "node:crypto";
import type { Instant } from "../domain/time.js";
import type { Db } from "../modules/deps.js";

export const FORM_TOKEN_FIELD = "form_token";
const TOKEN = /^[A-Za-z0-9_-]{24}$/;
const WAIT_FOR_FIRST_MS = 5_000;

export function newFormToken(): string {
  return randomBytes(18).toString("base64url");
}

export function formTokenOf(body: unknown): string | null {
  const value = (body as Record<string, unknown> | undefined)?.[FORM_TOKEN_FIELD];
  return typeof value === "string" && TOKEN.test(value) ? value : null;
}

export type Once =
  | { first: true; location: string }
  /** Another post with this token came first: where it went (null while it has not finished). */
  | { first: false; location: string | null };

/**
 * Runs `create` once per token (per customer and purpose) and returns where to send the visitor.
 * If `create` throws, the token is released so that the form can be sent again.
 */
export async function oncePerToken(
  db: Db,
  claim: { token: string; customerId: string; purpose: string },
  now: Instant,
  create: () => Promise<string>,
): Promise<Once> {
  const inserted = await db
    .insertInto("form_submissions")
    .values({
      token: claim.token,
      customer_id: claim.customerId,
      purpose: claim.purpose,
      created_at: now,
      location: null,
    })
    .onConflict((oc) => oc.column("token").doNothing())
    .returning("token")
    .executeTakeFirst();
  if (inserted) {
    let location: string;
    try {
      location = await create();
    } catch (error) {
      await db.deleteFrom("form_submissions").where("token", "=", claim.token).execute();
      throw error;
    }
    await db.updateTable("form_submissions").set({ location }).where("token", "=", claim.token).execute();
    return { first: true, location };
  }
  // The first post may still be running: wait for it a little (real time: it is another request).
  const started = performance.now();
  for (;;) {
    const row = await db
      .selectFrom("form_submissions")
      .select(["customer_id", "purpose", "location"])
      .where("token", "=", claim.token)
      .executeTakeFirst();
    // Another customer's token, or one for another form: it says nothing about this post.
    if (row && (row.customer_id !== claim.customerId || row.purpose !== claim.purpose))
      return { first: false, location: null };
    if (!row || row.location !== null || performance.now() - started > WAIT_FOR_FIRST_MS)
      return { first: false, location: row?.location ?? null };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
