/**
 * Renders a notice into subject, plain text and a small self-contained HTML e-mail in the
 * customer's language. Amounts and dates are formatted for the locale; dates are the calendar day
 * in the customer's time zone. Every interpolated value is escaped in the HTML part.
 */
import { escapeHtml, formattersFor } from "../format.js";
import { MESSAGES, type NoticeMessages, type TemplateMessages } from "./messages.js";
import type { Locale, NoticeData, NoticeTemplate, RenderedNotice } from "./notice-types.js";

export { escapeHtml };

function templateMessages<T extends NoticeTemplate>(
  catalog: NoticeMessages,
  template: T,
): TemplateMessages<T> {
  return catalog.templates[template];
}

export function renderNotice<T extends NoticeTemplate>(
  template: T,
  locale: Locale,
  data: NoticeData<T>,
): RenderedNotice {
  const catalog = MESSAGES[locale];
  const messages = templateMessages(catalog, template);
  const f = formattersFor(locale, data.timeZone);
  const subject = messages.subject(data, f);
  const paragraphs = messages.paragraphs(data, f);
  const greeting = catalog.greeting(data.customerName);

  const text = [
    greeting,
    ...paragraphs,
    `${catalog.signOff}\n${catalog.signature}`,
    `-- \n${catalog.footer}`,
  ].join("\n\n");

  return { subject, text: `${text}\n`, html: renderHtml(locale, subject, greeting, paragraphs, catalog) };
}

const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
const P = "margin:0 0 16px 0;";

function renderHtml(
  locale: Locale,
  subject: string,
  greeting: string,
  paragraphs: string[],
  catalog: NoticeMessages,
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
<p style="margin:0;">${escapeHtml(catalog.signOff)}<br>${escapeHtml(catalog.signature)}</p>
</td></tr>
<tr><td style="padding:16px 24px;border-top:1px solid #e5e7eb;${FONT}font-size:13px;line-height:1.4;color:#6b7280;">${escapeHtml(catalog.footer)}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}
