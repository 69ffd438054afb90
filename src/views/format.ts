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

const NBSP = "\u00a0";
const NNBSP = "\u202f";

/**
 * French typography (fr-CA), applied to every French string a page, an e-mail or a PDF shows:
 * - a no-break space before `:` and a narrow no-break space before `;` `!` `?` (a plain space is
 *   replaced, a missing one added); a colon not followed by a space (`10:30`, `https://`) or a
 *   `?` inside a word (`/reset?token=`) is left alone, and so is `?!`;
 * - no-break spaces inside « »;
 * - one mark for numbers: `n°`, `no` or `#` before a number becomes `nº` and a no-break space.
 * Idempotent: French text already set this way comes out unchanged.
 */
export function frenchTypography(text: string): string {
  return text
    .replace(/(^|[\s(])(?:n[°ºo]|#)[ \u00a0\u202f]?(?=\d)/g, `$1nº${NBSP}`)
    .replace(/([^\s;:!?])[ \u00a0\u202f]*([;!?]+)(?=$|[\s)»”’.,])/gu, `$1${NNBSP}$2`)
    .replace(/([^\s;:!?])[ \u00a0\u202f]*:(?=$|\s)/gu, `$1${NBSP}:`)
    .replace(/«[ \u00a0\u202f]*/g, `«${NBSP}`)
    .replace(/[ \u00a0\u202f]*»/g, `${NBSP}»`);
}

/**
 * A French catalog with `frenchTypography` applied to each string, and to what each function
 * returns, at any depth; English catalogs are used as they are.
 */
export function withFrenchTypography<T>(catalog: T): T {
  if (typeof catalog === "string") return frenchTypography(catalog) as T;
  if (typeof catalog === "function") {
    const fn = catalog as unknown as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => {
      const result = fn(...args);
      return typeof result === "string" ? frenchTypography(result) : withFrenchTypography(result);
    }) as T;
  }
  if (Array.isArray(catalog)) return catalog.map((item) => withFrenchTypography(item)) as T;
  if (catalog !== null && typeof catalog === "object") {
    return Object.fromEntries(
      Object.entries(catalog).map(([key, value]) => [key, withFrenchTypography(value)]),
    ) as T;
  }
  return catalog;
}
