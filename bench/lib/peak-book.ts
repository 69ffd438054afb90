/**
 * The peak day's book: N monthly hosting services whose term ends during one day, with good cards,
 * under a billing policy that invoices on the due date, so each service's invoice, charge and
 * receipt notice all fall on that day.
 */
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import type { Store } from "../../src/db/database.js";
import { type PolicyOverrides, resolvePolicies } from "../../src/domain/policies.js";
import { DAY, parseInstant } from "../../src/domain/time.js";
import { check, progress } from "./cli.js";
import { generateBook } from "./generator.js";
import { type BenchDialect, openBenchStore, recreateBenchDatabase } from "./store.js";

export const PEAK_DAY = parseInstant("2025-03-15T00:00:00Z")!;
/** The run at the end of the peak day: every peak service is due by then. */
export const PEAK_RUN_AT = PEAK_DAY + DAY;
export const PEAK_POLICIES: PolicyOverrides = { billing: { invoiceDaysBefore: 0 } };

export async function preparePeakBook(
  dialect: BenchDialect,
  services: number,
): Promise<{ url: string; store: Store; generateSeconds: number }> {
  const url = await recreateBenchDatabase(dialect, "peak");
  const store = openBenchStore(url);
  const policies = resolvePolicies(PEAK_POLICIES);
  if (!policies.ok) throw new Error(policies.errors.join("; "));
  progress(`generating the peak book: ${services} monthly hosting services due on one day (${dialect})`);
  const started = performance.now();
  const book = await generateBook(store, {
    services: 0,
    asOf: PEAK_DAY,
    peak: { services, day: PEAK_DAY },
    policies: policies.policies,
  });
  check(book.peakServices === services, `generated ${book.peakServices} peak services, not ${services}`);
  return { url, store, generateSeconds: (performance.now() - started) / 1000 };
}

async function count(store: Store, query: ReturnType<typeof sql<{ n: number | string }>>) {
  return Number((await query.execute(store.db)).rows[0]?.n);
}

/** What the peak day must have produced, whoever wrote it: one paid invoice and receipt each. */
export async function checkPeakDone(store: Store, services: number, who: string): Promise<void> {
  const paid = await count(store, sql`select count(*) as n from invoices where status = 'paid'`);
  const receipts = await count(
    store,
    sql`select count(*) as n from notices where template = 'payment-receipt'`,
  );
  const charged = await count(store, sql`select count(*) as n from payments where status = 'succeeded'`);
  const stillDue = await count(
    store,
    sql`select count(*) as n from services where next_due_at <= ${PEAK_RUN_AT}`,
  );
  check(paid === services, `${who}: ${paid} paid invoices for ${services} services`);
  check(receipts === services, `${who}: ${receipts} receipt notices for ${services} services`);
  check(charged === services, `${who}: ${charged} succeeded payments for ${services} services`);
  check(stillDue === 0, `${who}: ${stillDue} services still due`);
}
