/**
 * Delivers outbox notices after commit, each rendered from what was decided when it was queued
 * (render-notice.ts `renderStoredNotice`; the footer names the seller). A failed delivery stays in
 * the outbox and is retried on the next pass; after `maxAttempts` it is marked failed and shows in
 * the run report.
 */
import type { Seller } from "../../domain/seller.js";
import type { Instant } from "../../domain/time.js";
import type { Mailer } from "../../providers/mailer/mailer.js";
import { renderStoredNotice } from "../../views/notices/render-notice.js";
import type { Db } from "../deps.js";

export interface DeliveryReport {
  sent: number;
  failed: number;
}

export async function deliverPendingNotices(
  db: Db,
  mailer: Mailer,
  now: Instant,
  options: { batchSize?: number; maxAttempts?: number; seller?: Seller | undefined } = {},
): Promise<DeliveryReport> {
  const batchSize = options.batchSize ?? 100;
  const maxAttempts = options.maxAttempts ?? 5;
  const report: DeliveryReport = { sent: 0, failed: 0 };
  const pending = await db
    .selectFrom("notices")
    .select([
      "id",
      "template",
      "locale",
      "params",
      "to_address",
      "subject",
      "text_body",
      "html_body",
      "attempts",
    ])
    .where("status", "=", "pending")
    .orderBy("id")
    .limit(batchSize)
    .execute();
  for (const notice of pending) {
    try {
      const rendered = renderStoredNotice(notice, options.seller ? { seller: options.seller } : {});
      await mailer.send({ to: notice.to_address, ...rendered });
      await db
        .updateTable("notices")
        .set({ status: "sent", sent_at: now, attempts: notice.attempts + 1, last_error: null })
        .where("id", "=", notice.id)
        .execute();
      report.sent += 1;
    } catch (error) {
      const attempts = notice.attempts + 1;
      await db
        .updateTable("notices")
        .set({
          status: attempts >= maxAttempts ? "failed" : "pending",
          attempts,
          last_error: error instanceof Error ? error.message : String(error),
        })
        .where("id", "=", notice.id)
        .execute();
      report.failed += 1;
    }
  }
  return report;
}
