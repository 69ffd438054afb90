/**
 * Writes a rendered notice to the outbox in the caller's transaction, at most once per
 * (template, service, period) thanks to a unique key, and records `notice.sent` with it.
 * Delivery happens after commit (deliver-notices.ts).
 */
import { noticeMarker } from "../../domain/domain-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import type { Locale, NoticeDataByTemplate, NoticeTemplate } from "../../views/notices/notice-types.js";
import { renderNotice } from "../../views/notices/render-notice.js";
import type { Tx } from "../deps.js";
import { recordEvent } from "../events/record-event.js";

export interface NoticeRequest<T extends NoticeTemplate> {
  template: T;
  customerId: string;
  serviceId: string | null;
  /** What makes this notice unique for the service: usually the period (expiry or term end). */
  marker: Instant | string;
  /** The domain name or service label the notice is about. */
  about: string;
  data: NoticeDataByTemplate[T];
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
  const customer = await tx
    .selectFrom("customers")
    .select(["email", "name", "locale", "time_zone"])
    .where("id", "=", request.customerId)
    .executeTakeFirstOrThrow();
  const locale: Locale = customer.locale === "fr-CA" ? "fr-CA" : "en";
  const rendered = renderNotice(request.template, locale, {
    customerName: customer.name,
    timeZone: customer.time_zone,
    subject: request.about,
    ...request.data,
  });
  const inserted = await tx
    .insertInto("notices")
    .values({
      notice_key: noticeKey(request.template, request.marker, request.serviceId),
      customer_id: request.customerId,
      service_id: request.serviceId,
      template: request.template,
      locale,
      to_address: customer.email,
      subject: rendered.subject,
      text_body: rendered.text,
      html_body: rendered.html,
      status: "pending",
      attempts: 0,
      created_at: at,
      sent_at: null,
      last_error: null,
    })
    .onConflict((oc) => oc.column("notice_key").doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
  await recordEvent(
    tx,
    "notice.sent",
    at,
    { customer: request.customerId, service: request.serviceId },
    { template: request.template, to: customer.email, locale },
  );
  return true;
}
