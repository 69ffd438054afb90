/**
 * Reading the outbox for the pages (the back office's customer page, tests): a notice is rendered
 * from its stored params exactly as delivery renders it (render-notice.ts).
 */
import type { Seller } from "../../domain/seller.js";
import type { RenderedNotice } from "../../views/notices/notice-types.js";
import { renderStoredNotice, type StoredNotice } from "../../views/notices/render-notice.js";

/** Its subject as sent; a row whose params cannot be rendered says so instead of failing the page. */
export function storedNoticeSubject(row: StoredNotice): string {
  try {
    return renderStoredNotice(row).subject;
  } catch (error) {
    return `(${row.template}: ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** The whole notice as delivery renders it (subject, text, HTML), with the seller's footer. */
export function storedNoticeText(row: StoredNotice, seller?: Seller): RenderedNotice {
  return renderStoredNotice(row, seller ? { seller } : {});
}
