/** Server-side sessions for @fastify/session, kept in the database so that every web node sees them. */
import type { SessionStore } from "@fastify/session";
import type { Session } from "fastify";
import type { Clock } from "../domain/clock.js";
import { DAY } from "../domain/time.js";
import type { Db } from "../modules/deps.js";

type Callback = (error?: unknown) => void;
type GetCallback = (error: unknown, session?: Session | null) => void;

export const SESSION_DAYS = 7;

export class DatabaseSessionStore implements SessionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logError: (error: unknown) => void = () => {},
  ) {}

  set(sid: string, session: Session, callback: Callback): void {
    const expiresAt = session.cookie.expires
      ? new Date(session.cookie.expires).getTime()
      : this.clock.now() + SESSION_DAYS * DAY;
    const row = {
      customer_id: session.customerId ?? null,
      data: JSON.stringify(session),
      expires_at: expiresAt,
    };
    this.db
      .insertInto("sessions")
      .values({ sid, ...row })
      .onConflict((oc) => oc.column("sid").doUpdateSet(row))
      .execute()
      .then(() => callback(), callback)
      .catch((error: unknown) => this.onCallbackError(error));
  }

  /**
   * What the session plugin does after a save (sending the reply) must never become an unhandled
   * rejection: that would stop the whole process for one bad request.
   */
  private onCallbackError(error: unknown): void {
    this.logError(error);
  }

  get(sid: string, callback: GetCallback): void {
    this.db
      .selectFrom("sessions")
      .select(["data", "expires_at"])
      .where("sid", "=", sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expires_at <= this.clock.now()) return callback(null, null);
        callback(null, JSON.parse(row.data) as Session);
      }, callback)
      .catch((error: unknown) => this.onCallbackError(error));
  }

  destroy(sid: string, callback: Callback): void {
    this.db
      .deleteFrom("sessions")
      .where("sid", "=", sid)
      .execute()
      .then(() => callback(), callback)
      .catch((error: unknown) => this.onCallbackError(error));
  }
}
