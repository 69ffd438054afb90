/** Server-side sessions for @fastify/session, kept in the database so that every web node sees them. */
import type { SessionStore } from "@fastify/session";
import type { Session } from "fastify";
import type { Clock } from "../domain/clock.js";
import { DAY } from "../domain/time.js";
import type { Db } from "../modules/deps.js";

type Callback = (error?: unknown) => void;
type GetCallback = (error: unknown, session?: Session | null) => void;

export const SESSION_DAYS = 7;

/**
 * A page view does not rewrite an unchanged session: its expiry slides with every request, but the
 * stored one is moved only when it lags by this much. Writing on every GET made each page view a
 * database write, contending with the engine (one writer at a time on SQLite).
 */
const EXPIRY_REFRESH_MS = 60 * 60 * 1000;
/** Sessions this process read lately, as stored: enough to see that a save changes nothing. */
const REMEMBERED_SESSIONS = 10_000;

function withoutCookie(data: string): string {
  const { cookie: _cookie, ...rest } = JSON.parse(data) as Record<string, unknown>;
  return JSON.stringify(rest);
}

export class DatabaseSessionStore implements SessionStore {
  private readonly stored = new Map<string, { content: string; expiresAt: number }>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logError: (error: unknown) => void = () => {},
  ) {}

  private remember(sid: string, content: string, expiresAt: number): void {
    this.stored.delete(sid);
    if (this.stored.size >= REMEMBERED_SESSIONS) {
      const oldest = this.stored.keys().next().value;
      if (oldest !== undefined) this.stored.delete(oldest);
    }
    this.stored.set(sid, { content, expiresAt });
  }

  set(sid: string, session: Session, callback: Callback): void {
    const expiresAt = session.cookie.expires
      ? new Date(session.cookie.expires).getTime()
      : this.clock.now() + SESSION_DAYS * DAY;
    const data = JSON.stringify(session);
    const content = withoutCookie(data);
    const known = this.stored.get(sid);
    if (known && known.content === content && Math.abs(expiresAt - known.expiresAt) < EXPIRY_REFRESH_MS) {
      callback();
      return;
    }
    // The account a session belongs to, signed in or halfway (second step pending): a password
    // reset ends both kinds (deleted by customer_id).
    const row = {
      customer_id: session.customerId ?? session.pendingTotpCustomerId ?? null,
      // Disabling a staff member ends their sessions (deleted by staff_id).
      staff_id: session.staffId ?? session.pendingTotpStaffId ?? null,
      data,
      expires_at: expiresAt,
    };
    this.db
      .insertInto("sessions")
      .values({ sid, ...row })
      .onConflict((oc) => oc.column("sid").doUpdateSet(row))
      .execute()
      .then(() => {
        this.remember(sid, content, expiresAt);
        callback();
      }, callback)
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
        if (!row || row.expires_at <= this.clock.now()) {
          this.stored.delete(sid);
          return callback(null, null);
        }
        this.remember(sid, withoutCookie(row.data), row.expires_at);
        callback(null, JSON.parse(row.data) as Session);
      }, callback)
      .catch((error: unknown) => this.onCallbackError(error));
  }

  destroy(sid: string, callback: Callback): void {
    this.stored.delete(sid);
    this.db
      .deleteFrom("sessions")
      .where("sid", "=", sid)
      .execute()
      .then(() => callback(), callback)
      .catch((error: unknown) => this.onCallbackError(error));
  }
}
