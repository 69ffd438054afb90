/** Money is an integer amount of minor units with an ISO 4217 currency code; never a float. */

export interface Money {
  amount: number;
  currency: string;
}

export function money(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount))
    throw new RangeError(`amount must be an integer of minor units: ${amount}`);
  return { amount, currency };
}

export function isZero(m: Money): boolean {
  return m.amount === 0;
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new RangeError(`cannot add ${a.currency} and ${b.currency}`);
  return money(a.amount + b.amount, a.currency);
}

/** The one rounding function: integer division rounded half away from zero. */
export function divideRounded(amount: number, divisor: number): number {
  const q = amount / divisor;
  const rounded = Math.sign(q) * Math.round(Math.abs(q));
  return rounded === 0 ? 0 : rounded; // never -0
}

// Building an Intl formatter costs far more than using one: notices and pages format thousands.
const currencyFormats = new Map<string, Intl.NumberFormat>();
function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale}|${currency}`;
  let format = currencyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: "currency", currency });
    currencyFormats.set(key, format);
  }
  return format;
}

const minorDigits = new Map<string, number>();

export function formatMoney(m: Money, locale: string): string {
  let digits = minorDigits.get(m.currency);
  if (digits === undefined) {
    digits = currencyFormat("en", m.currency).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigits.set(m.currency, digits);
  }
  return currencyFormat(formatLocaleOf(locale, m.currency), m.currency).format(m.amount / 10 ** digits);
}

/**
 * Canadian dollars are written as Canadians write them: `$20.00` in English (Intl's plain `en`
 * says `CA$20.00`), `20,00 $` in French; other currencies keep the locale's own spelling.
 */
function formatLocaleOf(locale: string, currency: string): string {
  return currency === "CAD" && locale === "en" ? "en-CA" : locale;
}
