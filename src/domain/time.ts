/**
 * Instants and calendar maths. An instant is UTC epoch milliseconds; day offsets are
 * multiples of 24 h (DESIGN.md, principle 3), months and years are calendar arithmetic in UTC.
 */
import { Temporal } from "temporal-polyfill";

export type Instant = number;

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function addDays(at: Instant, days: number): Instant {
  return at + days * DAY;
}

export function addHours(at: Instant, hours: number): Instant {
  return at + hours * HOUR;
}

/**
 * Seed 004 counts a period of N days as the N days that follow the day it starts, and the next
 * step happens on the day after: expiry 04-15 + 60 days of grace → released 06-15; registered
 * 04-15 + 60 days of transfer lock → transferable 06-15.
 */
export function dayAfterPeriod(start: Instant, days: number): Instant {
  return start + (days + 1) * DAY;
}

function toUtc(at: Instant): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO("UTC");
}

/** Calendar months in UTC; the 31st clamps to the month's last day. */
export function addMonths(at: Instant, months: number): Instant {
  return toUtc(at).add({ months }).epochMilliseconds;
}

export function addYears(at: Instant, years: number): Instant {
  return toUtc(at).add({ years }).epochMilliseconds;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Parses an ISO-8601 instant (with Z or an offset) or a plain date (midnight UTC); null if invalid. */
export function parseInstant(text: string): Instant | null {
  try {
    if (ISO_DATE.test(text)) return Temporal.PlainDate.from(text).toZonedDateTime("UTC").epochMilliseconds;
    if (!ISO_INSTANT.test(text)) return null;
    return Temporal.Instant.from(text).epochMilliseconds;
  } catch {
    return null;
  }
}

export function formatInstant(at: Instant): string {
  return new Date(at).toISOString();
}

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function formatDate(at: Instant, timeZone = "UTC"): string {
  return Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/**
 * An IANA zone name ("America/Toronto", "UTC"). A fixed offset ("+05:00") is refused though
 * Temporal takes it: a customer's zone must follow their daylight-saving rules.
 */
export function isValidTimeZone(zone: string): boolean {
  if (/^[+\-\u2212]/.test(zone.trim())) return false;
  try {
    Temporal.Now.instant().toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

export function addMinutes(at: Instant, minutes: number): Instant {
  return at + minutes * 60_000;
}
