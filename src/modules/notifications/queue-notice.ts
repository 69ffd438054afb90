/**
 * Writes a notice to the outbox in the caller's transaction, at most once per (template, service,
 * period) thanks to a unique key, and records `notice.sent` with it. The row stores the template,
 * the locale, the recipient and the data it says (`params`: amounts, dates, names, links, the
 * customer's name and time zone, all decided now; a secret stays sealed, notice-secrets.ts), not
 * the rendered text: delivery (deliver-notices.ts, after commit) and the pages render it.
 */
import { chunks, readInChunks } from "../../db/chunks.js";
import { noticeMarker } from "../../domain/domain-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import type { Locale, NoticeDataByTemplate, NoticeTemplate } from "../../views/notices/notice-types.js";
import { noticeParams } from "../../views/notices/render-notice.js";
import { type Names, nameIn } from "../../views/wording.js";
import type { Tx } from "../deps.js";
import { newEvent, recordEvents } from "../events/record-event.js";

export interface NoticeRequest<T extends NoticeTemplate> {
  template: T;
  customerId: string;
  serviceId: string | null;
  /** What makes this notice unique for the service: usually the period (expiry or term end). */
  marker: Instant | string;
  /** The domain name or service the notice is about; a service's names in both languages. */
  about: string | Names;
  data: NoticeDataByTemplate[T];
  /** The staff member who sent it (`staff:<email>`), named in its `notice.sent` event. */
  by?: string;
}

export function noticeKey(template: string, marker: Instant | string, serviceId: string | null): string {
  return `${noticeMarker(template, marker)}:${serviceId ?? "-"}`;
}

/** Returns false when this notice was already issued (nothing is written then). */
export async function queueNotice<T extends NoticeTemplate>(
  tx: Tx,
  at: Instant,
  request: NoticeRequest<T>,
): Promise<boolean> {
  const [queued] = await queueNotices(tx, at, [request]);
  return queued ?? false;
}

/**
 * Many notices at once (an engine batch): one read of the customers, multi-row inserts. Returns,
 * per request, whether it was new; `notice.sent` is recorded for the new ones, in request order.
 */
export async function queueNotices(
  tx: Tx,
  at: Instant,
  // biome-ignore lint/suspicious/noExplicitAny: each request is typed by its own template
  requests: NoticeRequest<any>[],
): Promise<boolean[]> {
  if (requests.length === 0) return [];
  const customerIds = [...new Set(requests.map((r) => r.customerId))];
  const found = await readInChunks(customerIds, (ids) =>
    tx
      .selectFrom("customers")
      .select(["id", "email", "name", "locale", "time_zone"])
      .where("id", "in", ids)
      .execute(),
  );
  const customers = new Map(found.map((customer) => [customer.id, customer]));
  const rows = requests.map((request) => {
    const customer = customers.get(request.customerId);
    if (!customer) throw new Error(`notice for unknown customer ${request.customerId}`);
    const locale: Locale = customer.locale === "fr-CA" ? "fr-CA" : "en";
    const about: string | Names = request.about;
    const params = noticeParams({
      customerName: customer.name,
      timeZone: customer.time_zone,
      subject: typeof about === "string" ? about : nameIn(about, locale),
      ...request.data,
    });
    return {
      notice_key: noticeKey(request.template, request.marker, request.serviceId),
      customer_id: request.customerId,
      service_id: request.serviceId,
      template: request.template,
      locale,
      to_address: customer.email,
      params,
      status: "pending",
      attempts: 0,
      created_at: at,
      sent_at: null,
      last_error: null,
    };
  });
  const inserted = new Set<string>();
  for (const chunk of chunks(rows, 200)) {
    const written = await tx
      .insertInto("notices")
      .values(chunk)
      .onConflict((oc) => oc.column("notice_key").doNothing())
      .returning("notice_key")
      .execute();
    for (const row of written) inserted.add(row.notice_key);
  }
  // Two requests with one key in the same batch: only the first is the new one.
  const claimed = new Set<string>();
  const isNew = rows.map((row) => {
    if (!inserted.has(row.notice_key) || claimed.has(row.notice_key)) return false;
    claimed.add(row.notice_key);
    return true;
  });
  await recordEvents(
    tx,
    rows.flatMap((row, i) => {
      if (!isNew[i]) return [];
      const by = requests[i]?.by;
      return [
        newEvent(
          "notice.sent",
          at,
          { customer: row.customer_id, service: row.service_id },
          {
            template: row.template as NoticeTemplate,
            to: row.to_address,
            locale: row.locale,
            ...(by ? { by } : {}),
          },
        ),
      ];
    }),
  );
  return isNew;
}
