/** Removes sessions and password reset links past their expiry (run by the worker). */
import type { Instant } from "../../domain/time.js";
import type { Db } from "../deps.js";

export async function purgeExpiredLogins(
  db: Db,
  now: Instant,
): Promise<{ sessions: number; resets: number }> {
  const sessions = await db.deleteFrom("sessions").where("expires_at", "<=", now).executeTakeFirst();
  const resets = await db.deleteFrom("password_resets").where("expires_at", "<=", now).executeTakeFirst();
  return { sessions: Number(sessions.numDeletedRows), resets: Number(resets.numDeletedRows) };
}
