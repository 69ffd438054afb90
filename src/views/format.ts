/** Formatting shared by pages and e-mails: escaping, amounts, and dates in the customer's zone. */
import { formatMoney, type Money } from "../domain/money.js";
import { formatDate, type Instant } from "../domain/time.js";
import type { Locale } from "./notices/notice-types.js";

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

const longDateFormats = new Map<string, Intl.DateTimeFormat>();
function longDateFormat(locale: Locale): Intl.DateTimeFormat {
  let format = longDateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" });
    longDateFormats.set(locale, format);
  }
  return format;
}

/**
 * Pages spell the same few dates again and again (a customer's renewal dates, on every view), and
 * a calendar day in a zone costs a Temporal conversion: spelled dates are kept, a bounded number.
 */
const spelledDates = new Map<string, string>();
const SPELLED_DATES_KEPT = 50_000;

/** "31 mars 2022" / "March 31, 2022": the calendar day in `timeZone`, spelled for the locale. */
export function formatLongDate(at: Instant, locale: Locale, timeZone: string): string {
  const key = `${at}|${locale}|${timeZone}`;
  const known = spelledDates.get(key);
  if (known !== undefined) return known;
  // The calendar day comes from time.ts (the customer's zone); Intl only spells it out.
  const firstDay = locale === "fr-CA" ? "1er" : "1"; // French writes the first of the month "1er".
  const spelled = longDateFormat(locale)
    .formatToParts(Date.parse(formatDate(at, timeZone)))
    .map((part) => (part.type === "day" && part.value === "1" ? firstDay : part.value))
    .join("");
  if (spelledDates.size >= SPELLED_DATES_KEPT) spelledDates.clear();
  spelledDates.set(key, spelled);
  return spelled;
}

export interface Formatters {
  money(value: Money): string;
  date(at: Instant): string;
}

export function formattersFor(locale: Locale, timeZone: string): Formatters {
  return { money: (value) => formatMoney(value, locale), date: (at) => formatLongDate(at, locale, timeZone) };
}
