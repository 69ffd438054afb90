import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  addYears,
  DAY,
  dayAfterPeriod,
  formatDate,
  formatInstant,
  isValidTimeZone,
  parseInstant,
} from "../../src/domain/time.js";

/** Reference instants are built with Date.parse, never with the function under test. */
const utc = (text: string): number => Date.parse(text);
const iso = (at: number | null): string | null => (at === null ? null : new Date(at).toISOString());

describe("reading dates and instants from configuration and input", () => {
  it("reads a UTC instant written with Z", () => {
    expect(parseInstant("2021-04-15T14:00:00Z")).toBe(Date.UTC(2021, 3, 15, 14));
  });

  it("reads an instant without seconds and one with milliseconds", () => {
    expect(parseInstant("2021-04-15T14:00Z")).toBe(Date.UTC(2021, 3, 15, 14));
    expect(parseInstant("2021-04-15T14:00:00.250Z")).toBe(Date.UTC(2021, 3, 15, 14, 0, 0, 250));
  });

  it("converts an instant written with a UTC offset to UTC", () => {
    expect(iso(parseInstant("2021-04-15T14:00:00+02:00"))).toBe("2021-04-15T12:00:00.000Z");
    expect(iso(parseInstant("2021-04-15T22:30:00-04:00"))).toBe("2021-04-16T02:30:00.000Z");
  });

  it("reads a plain date as midnight UTC of that day", () => {
    expect(iso(parseInstant("2015-03-05"))).toBe("2015-03-05T00:00:00.000Z");
  });

  it("accepts February 29 in a leap year", () => {
    expect(iso(parseInstant("2024-02-29"))).toBe("2024-02-29T00:00:00.000Z");
  });

  it.each([
    ["garbage", "next tuesday"],
    ["an empty string", ""],
    ["a day that does not exist (February 30)", "2021-02-30"],
    ["February 29 outside a leap year", "2021-02-29"],
    ["a thirteenth month", "2021-13-01"],
    ["April 31 in an instant", "2021-04-31T00:00:00Z"],
    ["an instant without a time zone", "2021-04-15T14:00:00"],
    ["an instant with a lower-case z", "2021-04-15T14:00:00z"],
    ["a date with slashes", "2021/04/15"],
    ["a bracketed zone name instead of an offset", "2021-04-15T14:00:00[America/Toronto]"],
  ])("refuses %s", (_label, text) => {
    expect(parseInstant(text)).toBeNull();
  });
});

describe("calendar months and years in UTC", () => {
  it("one month after January 31 is the last day of February (28 in 2022)", () => {
    expect(iso(addMonths(utc("2022-01-31T10:00:00Z"), 1))).toBe("2022-02-28T10:00:00.000Z");
  });

  it("one month after January 31 is February 29 in a leap year", () => {
    expect(iso(addMonths(utc("2024-01-31T10:00:00Z"), 1))).toBe("2024-02-29T10:00:00.000Z");
  });

  it("two months after January 31 is March 31, not March 28", () => {
    expect(iso(addMonths(utc("2022-01-31T00:00:00Z"), 2))).toBe("2022-03-31T00:00:00.000Z");
  });

  it("twelve months cross the year boundary", () => {
    expect(iso(addMonths(utc("2021-12-15T00:00:00Z"), 1))).toBe("2022-01-15T00:00:00.000Z");
  });

  it("one year after February 29, 2024 is February 28, 2025", () => {
    expect(iso(addYears(utc("2024-02-29T08:00:00Z"), 1))).toBe("2025-02-28T08:00:00.000Z");
  });

  it("four years after February 29, 2024 is February 29, 2028", () => {
    expect(iso(addYears(utc("2024-02-29T08:00:00Z"), 4))).toBe("2028-02-29T08:00:00.000Z");
  });

  it("a one-year renewal keeps the registration's time of day", () => {
    expect(iso(addYears(utc("2021-04-15T14:00:00Z"), 1))).toBe("2022-04-15T14:00:00.000Z");
  });
});

describe("day offsets are whole 24-hour days", () => {
  it("15 days before the expiry is the charge instant of seed 004", () => {
    expect(iso(addDays(utc("2022-04-15T14:00:00Z"), -15))).toBe("2022-03-31T14:00:00.000Z");
  });

  it("a day offset across a daylight-saving change in Toronto is still 24 hours", () => {
    const before = utc("2022-03-12T14:00:00Z");
    expect(addDays(before, 1) - before).toBe(86_400_000);
    expect(DAY).toBe(86_400_000);
  });
});

describe("the day after a period of N days (seed 004)", () => {
  it("a domain expired on 2022-04-15 with 60 days of grace is released on 2022-06-15", () => {
    expect(iso(dayAfterPeriod(utc("2022-04-15T14:00:00Z"), 60))).toBe("2022-06-15T14:00:00.000Z");
  });

  it("a domain registered on 2021-04-15 with a 60-day transfer lock is transferable on 2021-06-15", () => {
    expect(iso(dayAfterPeriod(utc("2021-04-15T00:00:00Z"), 60))).toBe("2021-06-15T00:00:00.000Z");
  });

  it("tucows' 30 days of grace after 2022-04-15 end with a release on 2022-05-16", () => {
    expect(iso(dayAfterPeriod(utc("2022-04-15T14:00:00Z"), 30))).toBe("2022-05-16T14:00:00.000Z");
  });
});

describe("showing dates in the customer's time zone", () => {
  it("an instant just after midnight UTC is still the previous day in Toronto (summer time)", () => {
    expect(formatDate(utc("2022-03-31T02:00:00Z"), "America/Toronto")).toBe("2022-03-30");
    expect(formatDate(utc("2022-03-31T02:00:00Z"))).toBe("2022-03-31");
  });

  it("in winter Toronto is five hours behind UTC", () => {
    expect(formatDate(utc("2022-01-15T04:59:00Z"), "America/Toronto")).toBe("2022-01-14");
    expect(formatDate(utc("2022-01-15T05:00:00Z"), "America/Toronto")).toBe("2022-01-15");
  });

  it("an instant is written as ISO-8601 UTC with milliseconds", () => {
    expect(formatInstant(Date.UTC(2022, 3, 15, 14))).toBe("2022-04-15T14:00:00.000Z");
  });

  it("recognises IANA time zones and refuses made-up ones", () => {
    expect(isValidTimeZone("America/Toronto")).toBe(true);
    expect(isValidTimeZone("Europe/Paris")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isValidTimeZone("UTC")).toBe(true);
  });

  it("refuses fixed offsets: a customer's zone follows daylight-saving rules", () => {
    for (const offset of ["+05:00", "-04:00", "+00:00", "\u221205:00"])
      expect(isValidTimeZone(offset)).toBe(false);
  });
});
