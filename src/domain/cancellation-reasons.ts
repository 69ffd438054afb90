/**
 * Why customers leave (the back office's reasons report, issue 9). The client area asks for a short
 * reason in the customer's own words (seed 000), in French or English; this sorts each one into a
 * category by its words, so staff see trends by month. The first category whose words appear wins,
 * in the order below; anything else is "other". Pure and deterministic.
 */
import { addMonths, type Instant } from "./time.js";

export const REASON_CATEGORIES = [
  "price",
  "switching",
  "closing",
  "not-needed",
  "problems",
  "other",
] as const;
export type ReasonCategory = (typeof REASON_CATEGORIES)[number];

/** Word stems per category, accents removed and lower case (matched at the start of a word). */
const STEMS: Record<Exclude<ReasonCategory, "other">, string[]> = {
  price: [
    "pric",
    "expensive",
    "cost",
    "cheap",
    "budget",
    "afford",
    "prix",
    "cher ",
    "couteu",
    "tarif",
    "econom",
  ],
  switching: [
    "switch",
    "moving",
    "another provider",
    "other provider",
    "another host",
    "competitor",
    "migr",
    "transf",
    "demenag",
    "autre fournisseur",
    "autre hebergeur",
    "concurr",
  ],
  closing: ["clos", "shut", "bankrupt", "retire", "ferm", "faillite", "cess", "retraite"],
  "not-needed": [
    "no longer",
    "not needed",
    "don't need",
    "do not need",
    "unused",
    "not using",
    "stopped using",
    "plus besoin",
    "inutil",
    "n'utilise plus",
    "ne sert plus",
    "free ",
    "gratuit",
  ],
  problems: [
    "slow",
    "bug",
    "outage",
    "downtime",
    "support",
    "problem",
    "issue",
    "lent",
    "panne",
    "probleme",
    "souci",
    "soutien",
  ],
};

function normalize(text: string): string {
  return ` ${text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[’`]/g, "'")
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/\s+/g, " ")} `;
}

export function reasonCategory(reason: string): ReasonCategory {
  const text = normalize(reason);
  for (const category of REASON_CATEGORIES) {
    if (category === "other") break;
    if (STEMS[category].some((stem) => text.includes(` ${stem}`))) return category;
  }
  return "other";
}

/** "2026-11": the calendar month of an instant, in UTC. */
export function monthOf(at: Instant): string {
  return new Date(at).toISOString().slice(0, 7);
}

/** The first instant (UTC) of the month `monthsBack` months before the one `now` is in. */
export function monthStart(now: Instant, monthsBack = 0): Instant {
  const d = new Date(now);
  return addMonths(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), -monthsBack);
}

/** The last `count` months up to the one `now` is in, oldest first ("2025-12" … "2026-11"). */
export function lastMonths(now: Instant, count: number): string[] {
  return Array.from({ length: count }, (_, i) => monthOf(monthStart(now, count - 1 - i)));
}

export interface ReasonReport {
  months: string[];
  /** counts[category][month]; every category and month present, zero when none. */
  counts: Record<ReasonCategory, Record<string, number>>;
  totalsByMonth: Record<string, number>;
  totalsByCategory: Record<ReasonCategory, number>;
  total: number;
}

/** Counts requests by category and month (UTC); requests outside `months` are left out. */
export function reasonReport(
  requests: { reason: string; requestedAt: Instant }[],
  months: string[],
): ReasonReport {
  const known = new Set(months);
  const zeroes = () => Object.fromEntries(months.map((m) => [m, 0])) as Record<string, number>;
  const counts = Object.fromEntries(REASON_CATEGORIES.map((c) => [c, zeroes()])) as ReasonReport["counts"];
  const totalsByMonth = zeroes();
  const totalsByCategory = Object.fromEntries(
    REASON_CATEGORIES.map((c) => [c, 0]),
  ) as ReasonReport["totalsByCategory"];
  let total = 0;
  for (const request of requests) {
    const month = monthOf(request.requestedAt);
    if (!known.has(month)) continue;
    const category = reasonCategory(request.reason);
    counts[category][month] = (counts[category][month] ?? 0) + 1;
    totalsByMonth[month] = (totalsByMonth[month] ?? 0) + 1;
    totalsByCategory[category] += 1;
    total += 1;
  }
  return { months, counts, totalsByMonth, totalsByCategory, total };
}
