/**
 * Renders a notice into subject, plain text and a small self-contained HTML e-mail in the
 * customer's language. Amounts and dates are formatted for the locale; dates are the calendar day
 * in the customer's time zone. Every interpolated value is escaped in the HTML part. The footer
 * names the seller (legal name, address, tax numbers, support e-mail).
 *
 * A notice is stored as its template, locale and data (`params`, decided when it was queued) and
 * rendered here at delivery and on the pages that show it (`renderStoredNotice`); rows written
 * before migration 0010 carry their rendered text instead, shown as written.
 */
import { type Seller, sellerName } from "../../domain/seller.js";
import { escapeHtml, formattersFor, frenchTypography } from "../format.js";
import { MESSAGES, type NoticeMessages, type TemplateMessages } from "./messages.js";
import {
  type Locale,
  NOTICE_TEMPLATES,
  type NoticeData,
  type NoticeTemplate,
  type RenderedNotice,
} from "./notice-types.js";

export { escapeHtml };

function templateMessages<T extends NoticeTemplate>(
  catalog: NoticeMessages,
  template: T,
): TemplateMessages<T> {
  return catalog.templates[template];
}

/** The seller's lines at the foot of every e-mail: name, address, tax numbers, support e-mail. */
function sellerLines(seller: Seller, locale: Locale): string[] {
  const lines = [
    seller.legalName,
    ...seller.address,
    ...seller.taxNumbers.map((tax) => `${tax.name} ${tax.number}`),
    seller.supportEmail,
  ];
  return locale === "fr-CA" ? lines.map(frenchTypography) : lines;
}

export interface RenderOptions {
  /** Who sends it, named in the footer; the notice has no seller block without one. */
  seller?: Seller;
}

export function renderNotice<T extends NoticeTemplate>(
  template: T,
  locale: Locale,
  data: NoticeData<T>,
  options: RenderOptions = {},
): RenderedNotice {
  const catalog = MESSAGES[locale];
  const messages = templateMessages(catalog, template);
  const f = formattersFor(locale, data.timeZone);
  const subject = messages.subject(data, f);
  const paragraphs = messages.paragraphs(data, f);
  const greeting = catalog.greeting(data.customerName);
  const seller = options.seller ? sellerLines(options.seller, locale) : [];
  const signature = options.seller
    ? `${catalog.signature} · ${sellerName(options.seller)}`
    : catalog.signature;

  const text = [
    greeting,
    ...paragraphs,
    `${catalog.signOff}\n${signature}`,
    `-- \n${catalog.footer}${seller.length > 0 ? `\n\n${seller.join("\n")}` : ""}`,
  ].join("\n\n");

  return {
    subject,
    text: `${text}\n`,
    html: renderHtml(locale, subject, greeting, paragraphs, catalog, signature, seller),
  };
}

/** What the outbox stores for a notice: its data, as JSON (the template and locale are columns). */
export function noticeParams<T extends NoticeTemplate>(data: NoticeData<T>): string {
  return JSON.stringify(data);
}

export interface StoredNotice {
  template: string;
  locale: string;
  params: string | null;
  subject: string | null;
  text_body: string | null;
  html_body: string | null;
}

const TEMPLATES = new Set<string>(NOTICE_TEMPLATES);

/**
 * A stored notice as it is sent and shown: rendered from its params (the data decided when it
 * was queued; only the seller's footer is today's), or, for a row written before migration 0010,
 * the text it was stored with.
 */
export function renderStoredNotice(row: StoredNotice, options: RenderOptions = {}): RenderedNotice {
  if (row.params === null) {
    return { subject: row.subject ?? "", text: row.text_body ?? "", html: row.html_body ?? "" };
  }
  if (!TEMPLATES.has(row.template)) throw new Error(`notice with an unknown template: ${row.template}`);
  const locale: Locale = row.locale === "fr-CA" ? "fr-CA" : "en";
  return renderNotice(
    row.template as NoticeTemplate,
    locale,
    JSON.parse(row.params) as NoticeData<NoticeTemplate>,
    options,
  );
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
const P = "margin:0 0 16px 0;";

function renderHtml(
  locale: Locale,
  subject: string,
  greeting: string,
  paragraphs: string[],
  catalog: NoticeMessages,
  signature: string,
  seller: string[],
): string {
  const body = [greeting, ...paragraphs].map((p) => `<p style="${P}">${escapeHtml(p)}</p>`).join("\n");
  const preheader = escapeHtml(paragraphs[0] ?? "");
  return `<!DOCTYPE html>
<html lang="${escapeHtml(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6;">
<div style="display:none;max-height:0;overflow:hidden;">${preheader}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f3f4f6;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;background-color:#ffffff;border-radius:6px;">
<tr><td style="padding:24px;${FONT}font-size:16px;line-height:1.5;color:#1f2933;">
<h1 style="margin:0 0 20px 0;font-size:20px;line-height:1.3;color:#111827;">${escapeHtml(subject)}</h1>
${body}
<p style="margin:0;">${escapeHtml(catalog.signOff)}<br>${escapeHtml(signature)}</p>
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e5e7eb;${FONT}font-size:13px;line-height:1.4;color:#6b7280;">${escapeHtml(catalog.footer)}${
    seller.length > 0
      ? `<p style="margin:12px 0 0 0;">${seller.map((line) => escapeHtml(line)).join("<br>")}</p>`
      : ""
  }</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
