/**
 * An invoice as a PDF (pdfkit, pure JavaScript): the seller (legal name, address, tax numbers,
 * support e-mail), title, number, dates, customer, lines, subtotal and each tax when there are
 * any, total, paid, balance and status, in the customer's language. Pure: a plain view object and the
 * messages in, the file's bytes out (the creation date is given, so the same input gives the
 * same file).
 */
import PDFDocument from "pdfkit";
import type { InvoiceStatus } from "../../domain/invoice-rules.js";
import { formatMoney, type Money } from "../../domain/money.js";
import type { Seller } from "../../domain/seller.js";
import type { Instant } from "../../domain/time.js";
import { formatLongDate, frenchTypography } from "../../views/format.js";
import type { BillingMessages } from "../../views/i18n/billing.js";
import type { Locale } from "../../views/notices/notice-types.js";
import { taxLabel } from "../../views/wording.js";

export interface InvoicePdfView {
  id: number;
  status: InvoiceStatus;
  issuedAt: Instant;
  dueAt: Instant;
  paidAt: Instant | null;
  customer: { name: string; email: string };
  /** Worded in the document's language (src/views/wording.ts). */
  lines: { description: string; periodStartAt: Instant | null; periodEndAt: Instant | null; amount: Money }[];
  /** Before taxes, and each tax (code, rate in parts per 100,000); absent or empty: no tax rows. */
  subtotal?: Money;
  taxes?: { code: string; rate: number; amount: Money }[];
  total: Money;
  paid: Money;
  balance: Money;
}

export interface InvoicePdfOptions {
  locale: Locale;
  timeZone: string;
  m: BillingMessages;
  /** Who issues the invoice (the client area's name), printed at the top without a seller. */
  issuer: string;
  /** The seller's identity, printed at the top: legal name, address, tax numbers, support e-mail. */
  seller?: Seller;
  /** The file's creation date (the request's "now"). */
  createdAt: Instant;
}

/**
 * The built-in PDF fonts only know the Windows-1252 characters: narrow and thin spaces (French
 * number formatting) become non-breaking spaces, anything else unknown a question mark.
 */
function printable(text: string): string {
  return text
    .replace(/[\u2009\u202f]/g, "\u00a0")
    .replace(/[^\u0020-\u007e\u00a0-\u00ff\u20ac\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026]/g, "?");
}

export function renderInvoicePdf(invoice: InvoicePdfView, options: InvoicePdfOptions): Promise<Buffer> {
  const { m, locale, timeZone } = options;
  const p = m.pdf;
  const date = (at: Instant) => formatLongDate(at, locale, timeZone);
  const amount = (value: Money) => printable(formatMoney(value, locale));
  const doc = new PDFDocument({
    size: "LETTER",
    margin: 54,
    lang: locale,
    info: {
      Title: printable(`${p.title} ${m.invoiceNumber(invoice.id)}`),
      Author: printable(options.issuer),
      CreationDate: new Date(options.createdAt),
      ModDate: new Date(options.createdAt),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (chunk: Buffer) => chunks.push(chunk));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });

  const left = doc.page.margins.left;
  const right = doc.page.width - doc.page.margins.right;
  const width = right - left;

  const typeset = (text: string) => printable(locale === "fr-CA" ? frenchTypography(text) : text);
  if (options.seller) {
    const seller = options.seller;
    doc.font("Helvetica-Bold").fontSize(11).fillColor("#1d2330").text(typeset(seller.legalName), left, 54);
    doc.font("Helvetica").fontSize(9).fillColor("#5b6475");
    for (const line of [
      ...seller.address,
      ...seller.taxNumbers.map((tax) => `${tax.name} ${tax.number}`),
      seller.supportEmail,
    ])
      doc.text(typeset(line), { width: width / 2 });
    doc.moveDown(0.8);
  } else {
    doc.font("Helvetica").fontSize(10).fillColor("#5b6475").text(printable(options.issuer), left, 54);
    doc.y = 74;
  }
  doc
    .font("Helvetica-Bold")
    .fontSize(22)
    .fillColor("#1d2330")
    .text(printable(`${p.title} ${m.invoiceNumber(invoice.id)}`), left, doc.y);
  doc.moveDown(0.8);

  const facts: [string, string][] = [
    [p.number, m.invoiceNumber(invoice.id)],
    [p.issued, date(invoice.issuedAt)],
    [p.due, date(invoice.dueAt)],
    ...(invoice.paidAt !== null ? [[p.paidOn, date(invoice.paidAt)] as [string, string]] : []),
    [p.status, m.status[invoice.status] ?? invoice.status],
  ];
  const factsTop = doc.y;
  doc.fontSize(10);
  for (const [label, value] of facts) {
    const y = doc.y;
    doc.font("Helvetica").fillColor("#5b6475").text(printable(label), left, y, { width: 110 });
    doc
      .font("Helvetica")
      .fillColor("#1d2330")
      .text(printable(value), left + 115, y, { width: 150 });
    doc.moveDown(0.2);
  }
  const factsBottom = doc.y;
  doc
    .font("Helvetica-Bold")
    .fillColor("#5b6475")
    .text(printable(p.billedTo), left + width / 2, factsTop, { width: width / 2 });
  doc
    .font("Helvetica")
    .fillColor("#1d2330")
    .text(printable(invoice.customer.name), { width: width / 2 });
  doc.text(printable(invoice.customer.email), { width: width / 2 });
  doc.y = Math.max(doc.y, factsBottom) + 24;

  // Lines: description | period | amount (right-aligned).
  const cols = { description: left, period: left + width * 0.45, amount: left + width * 0.78 };
  const colWidths = { description: width * 0.43, period: width * 0.31, amount: width * 0.22 };
  const headerY = doc.y;
  doc.font("Helvetica-Bold").fontSize(9).fillColor("#5b6475");
  doc.text(printable(p.description), cols.description, headerY, { width: colWidths.description });
  doc.text(printable(p.period), cols.period, headerY, { width: colWidths.period });
  doc.text(printable(p.amount), cols.amount, headerY, { width: colWidths.amount, align: "right" });
  doc
    .moveTo(left, doc.y + 4)
    .lineTo(right, doc.y + 4)
    .strokeColor("#dde1e8")
    .stroke();
  doc.y += 10;
  doc.font("Helvetica").fontSize(10).fillColor("#1d2330");
  for (const line of invoice.lines) {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 120) doc.addPage();
    const y = doc.y;
    const period =
      line.periodStartAt !== null && line.periodEndAt !== null
        ? m.periodRange(date(line.periodStartAt), date(line.periodEndAt))
        : "";
    doc.text(printable(line.description), cols.description, y, { width: colWidths.description });
    const afterDescription = doc.y;
    doc.text(printable(period), cols.period, y, { width: colWidths.period });
    const afterPeriod = doc.y;
    doc.text(amount(line.amount), cols.amount, y, { width: colWidths.amount, align: "right" });
    doc.y = Math.max(afterDescription, afterPeriod, doc.y) + 6;
  }
  doc.moveTo(left, doc.y).lineTo(right, doc.y).strokeColor("#dde1e8").stroke();
  doc.y += 10;

  const taxes = (invoice.taxes ?? []).map((tax) => ({
    label: taxLabel(tax.code, tax.rate, locale),
    amount: tax.amount,
  }));
  const totals: [string, string, boolean][] = [
    ...(taxes.length > 0 && invoice.subtotal
      ? [[p.subtotal, amount(invoice.subtotal), false] as [string, string, boolean]]
      : []),
    ...taxes.map((tax) => [tax.label, amount(tax.amount), false] as [string, string, boolean]),
    [p.total, amount(invoice.total), false],
    [p.paid, amount(invoice.paid), false],
    [p.balance, amount(invoice.balance), true],
  ];
  for (const [label, value, strong] of totals) {
    const y = doc.y;
    doc.font(strong ? "Helvetica-Bold" : "Helvetica").fontSize(strong ? 12 : 10);
    doc.text(printable(label), cols.period, y, { width: colWidths.period });
    doc.text(value, cols.amount, y, { width: colWidths.amount, align: "right" });
    doc.moveDown(0.3);
  }

  doc.end();
  return done;
}
