/**
 * The accountant's reports (docs/taxes.md, "Reports"): tax collected per tax and month, and
 * revenue per product, over a period of whole days (UTC). Collected means paid: an invoice counts
 * in the month it was paid, and a credit note (refund or adjustment) takes its part back in the
 * month it was written. Amounts are integer minor units; the CSV prints them as decimals.
 */
import { readInChunks } from "../../db/chunks.js";
import { formatRate, taxName } from "../../domain/taxes.js";
import { DAY, formatDate, type Instant, parseInstant } from "../../domain/time.js";
import type { Db } from "../deps.js";
import { parseTaxes } from "../payments/credit-notes.js";

export interface ReportPeriod {
  /** First day, 00:00 UTC. */
  from: Instant;
  /** The day after the last day, 00:00 UTC (exclusive). */
  until: Instant;
}

export type PeriodResult = { ok: true; period: ReportPeriod } | { ok: false; error: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `--from 2026-01-01 --to 2026-03-31`: both days included; a clear message for anything else. */
export function parseReportPeriod(from: string | undefined, to: string | undefined): PeriodResult {
  const day = (name: string, text: string | undefined): Instant | string => {
    if (text === undefined || text === "") return `${name}: missing (expected a date such as 2026-01-31)`;
    const at = DATE.test(text) ? parseInstant(text) : null;
    if (at === null) return `${name}: "${text}" is not a date (expected YYYY-MM-DD, such as 2026-01-31)`;
    return at;
  };
  const start = day("--from", from);
  if (typeof start === "string") return { ok: false, error: start };
  const end = day("--to", to);
  if (typeof end === "string") return { ok: false, error: end };
  if (end < start) return { ok: false, error: `--to (${to}) is before --from (${from})` };
  if (end - start > 3660 * DAY) return { ok: false, error: "at most ten years in one report" };
  return { ok: true, period: { from: start, until: end + DAY } };
}

export interface TaxReportRow {
  /** YYYY-MM (UTC). */
  month: string;
  code: string;
  rate: number;
  jurisdiction: string;
  currency: string;
  /** What the tax was computed on, less what credit notes gave back. */
  taxableBase: number;
  taxCollected: number;
}

function monthOf(at: Instant): string {
  return formatDate(at, "UTC").slice(0, 7);
}

/** Tax collected per month, tax, rate, jurisdiction and currency: paid invoices less credit notes. */
export async function taxReport(db: Db, period: ReportPeriod): Promise<TaxReportRow[]> {
  const rows = new Map<string, TaxReportRow>();
  const add = (
    month: string,
    t: { code: string; rate: number; jurisdiction: string },
    currency: string,
    base: number,
    amount: number,
  ) => {
    const key = [month, t.code, t.rate, t.jurisdiction, currency].join("|");
    const row = rows.get(key) ?? {
      month,
      code: t.code,
      rate: t.rate,
      jurisdiction: t.jurisdiction,
      currency,
      taxableBase: 0,
      taxCollected: 0,
    };
    row.taxableBase += base;
    row.taxCollected += amount;
    rows.set(key, row);
  };
  const paid = await db
    .selectFrom("invoice_taxes")
    .innerJoin("invoices", "invoices.id", "invoice_taxes.invoice_id")
    .select([
      "invoices.paid_at",
      "invoices.currency",
      "invoice_taxes.code",
      "invoice_taxes.rate",
      "invoice_taxes.jurisdiction",
      "invoice_taxes.base",
      "invoice_taxes.amount",
    ])
    .where("invoices.status", "=", "paid")
    .where("invoices.paid_at", ">=", period.from)
    .where("invoices.paid_at", "<", period.until)
    .execute();
  for (const r of paid) {
    add(
      monthOf(Number(r.paid_at)),
      { code: r.code, rate: Number(r.rate), jurisdiction: r.jurisdiction },
      r.currency,
      Number(r.base),
      Number(r.amount),
    );
  }
  for (const note of await creditNotesIn(db, period)) {
    for (const t of parseTaxes(note.taxes)) add(monthOf(note.at), t, note.currency, -t.base, -t.amount);
  }
  return [...rows.values()].sort(
    (a, b) =>
      a.month.localeCompare(b.month) ||
      a.jurisdiction.localeCompare(b.jurisdiction) ||
      a.code.localeCompare(b.code) ||
      a.rate - b.rate ||
      a.currency.localeCompare(b.currency),
  );
}

async function creditNotesIn(db: Db, period: ReportPeriod) {
  const rows = await db
    .selectFrom("credit_notes")
    .select(["created_at", "currency", "amount", "subtotal", "taxes", "invoice_id"])
    .where("created_at", ">=", period.from)
    .where("created_at", "<", period.until)
    .execute();
  return rows.map((r) => ({
    at: Number(r.created_at),
    currency: r.currency,
    invoiceId: Number(r.invoice_id),
    subtotal: Number(r.subtotal ?? r.amount),
    taxes: r.taxes,
  }));
}

export interface RevenueReportRow {
  month: string;
  /** The product's name, `domain .tld`, or `credit notes` (what was given back, negative). */
  product: string;
  currency: string;
  /** Invoice lines counted (credit notes: notes). */
  count: number;
  /** Before taxes. */
  revenue: number;
}

/** Revenue before taxes per month, product and currency: lines of paid invoices, less credit notes. */
export async function revenueReport(db: Db, period: ReportPeriod): Promise<RevenueReportRow[]> {
  const lines = await db
    .selectFrom("invoice_lines")
    .innerJoin("invoices", "invoices.id", "invoice_lines.invoice_id")
    .select(["invoices.paid_at", "invoices.currency", "invoice_lines.service_id", "invoice_lines.amount"])
    .where("invoices.status", "=", "paid")
    .where("invoices.paid_at", ">=", period.from)
    .where("invoices.paid_at", "<", period.until)
    .execute();
  const serviceIds = [...new Set(lines.flatMap((l) => (l.service_id ? [l.service_id] : [])))];
  const products = new Map<string, string>();
  const subs = await readInChunks(serviceIds, (ids) =>
    db
      .selectFrom("subscriptions")
      .innerJoin("services", "services.id", "subscriptions.service_id")
      .leftJoin("products", "products.id", "subscriptions.product_id")
      .select(["subscriptions.service_id", "services.kind", "subscriptions.plan", "products.name"])
      .where("subscriptions.service_id", "in", ids)
      .execute(),
  );
  for (const s of subs) products.set(s.service_id, s.name ?? `${s.kind} ${s.plan}`);
  const domains = await readInChunks(serviceIds, (ids) =>
    db.selectFrom("domains").select(["service_id", "tld"]).where("service_id", "in", ids).execute(),
  );
  for (const d of domains) products.set(d.service_id, `domain .${d.tld}`);
  const rows = new Map<string, RevenueReportRow>();
  const add = (month: string, product: string, currency: string, amount: number) => {
    const key = [month, product, currency].join("|");
    const row = rows.get(key) ?? { month, product, currency, count: 0, revenue: 0 };
    row.count += 1;
    row.revenue += amount;
    rows.set(key, row);
  };
  for (const l of lines) {
    const product = (l.service_id && products.get(l.service_id)) || "other";
    add(monthOf(Number(l.paid_at)), product, l.currency, Number(l.amount));
  }
  for (const note of await creditNotesIn(db, period))
    add(monthOf(note.at), "credit notes", note.currency, -note.subtotal);
  return [...rows.values()].sort(
    (a, b) =>
      a.month.localeCompare(b.month) ||
      Number(a.product === "credit notes") - Number(b.product === "credit notes") ||
      a.product.localeCompare(b.product) ||
      a.currency.localeCompare(b.currency),
  );
}

const fractionDigits = new Map<string, number>();
/** Minor units as a decimal for a spreadsheet: 22075 CAD → 220.75 (no grouping, a dot). */
export function decimalAmount(amount: number, currency: string): string {
  let digits = fractionDigits.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
          .maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    fractionDigits.set(currency, digits);
  }
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  if (digits === 0) return `${sign}${abs}`;
  const scale = 10 ** digits;
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, "0")}`;
}

function csvCell(value: string | number): string {
  const text = String(value);
  // A cell a spreadsheet would run as a formula is quoted with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-\d/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csv(header: string[], rows: (string | number)[][]): string {
  return `${[header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

export function taxReportCsv(rows: TaxReportRow[]): string {
  return csv(
    ["month", "tax", "rate_percent", "jurisdiction", "currency", "taxable_base", "tax_collected"],
    rows.map((r) => [
      r.month,
      taxName(r.code, "en"),
      formatRate(r.rate).replace("%", ""),
      r.jurisdiction,
      r.currency,
      decimalAmount(r.taxableBase, r.currency),
      decimalAmount(r.taxCollected, r.currency),
    ]),
  );
}

export function revenueReportCsv(rows: RevenueReportRow[]): string {
  return csv(
    ["month", "product", "currency", "lines", "revenue_before_tax"],
    rows.map((r) => [r.month, r.product, r.currency, r.count, decimalAmount(r.revenue, r.currency)]),
  );
}
