/**
 * The last TOTP time step (30-second window number) accepted for an account: a code whose step is
 * not later than it is refused, so a code works once, even within its window. 0 = none yet.
 */
import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("accounts")
    .addColumn("totp_last_step", "bigint", (c) => c.notNull().defaultTo(0))
    .execute();
}
