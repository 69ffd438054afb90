/**
 * What an invoice line says, in the reader's language. Since migration 0010 a line stores what it
 * is (`kind`) and what it is about (`params`, JSON: the domain, the years, the product's names in
 * both languages, the plan), frozen when the invoice is issued; pages, PDFs and e-mails word it
 * here. A line without a kind (written before, or by staff) shows its stored description.
 */
import type { Locale } from "./notices/notice-types.js";

/** A name in both languages (products, plans, add-ons, services). */
export interface Names {
  en: string;
  fr: string;
}

export function nameIn(names: Names, locale: Locale): string {
  return locale === "fr-CA" ? names.fr : names.en;
}

/** A service's names in both languages: its own, else its label. */
export function serviceNames(service: {
  label: string;
  nameEn?: string | null;
  nameFr?: string | null;
}): Names {
  return { en: service.nameEn ?? service.label, fr: service.nameFr ?? service.label };
}

/** A service's name for the viewer: its own French or English name, else its label. */
export function serviceNameIn(
  service: { label: string; nameEn?: string | null; nameFr?: string | null },
  locale: Locale,
): string {
  const own = locale === "fr-CA" ? service.nameFr : service.nameEn;
  return own ?? service.label;
}

export type LineKind =
  | "domain-renewal"
  | "domain-reactivation"
  | "domain-restore"
  | "domain-restore-fee"
  | "subscription-renewal";

export interface LineParamsByKind {
  "domain-renewal": { domain: string; years: number };
  "domain-reactivation": { domain: string; years: number };
  "domain-restore": { domain: string; years: number };
  "domain-restore-fee": { domain: string };
  "subscription-renewal": { names: Names; plan: string };
}

export type LineWording = { [K in LineKind]: { kind: K; params: LineParamsByKind[K] } }[LineKind];

const PLAN_NAMES: Record<Locale, Record<string, string>> = {
  en: { monthly: "monthly", yearly: "yearly" },
  "fr-CA": { monthly: "mensuel", yearly: "annuel" },
};

const years = (n: number, locale: Locale) =>
  locale === "fr-CA" ? `${n}\u00a0${n > 1 ? "ans" : "an"}` : `${n} ${n === 1 ? "year" : "years"}`;

/** The words of a line of this kind, in `locale`. */
export function wordLine(line: LineWording, locale: Locale): string {
  const fr = locale === "fr-CA";
  switch (line.kind) {
    case "domain-renewal":
      return `${line.params.domain} — ${fr ? "renouvellement" : "renewal"}, ${years(line.params.years, locale)}`;
    case "domain-reactivation":
      return `${line.params.domain} — ${fr ? "réactivation" : "reactivation"}, ${years(line.params.years, locale)}`;
    case "domain-restore":
      return `${line.params.domain} — ${fr ? "restauration" : "restore"}, ${years(line.params.years, locale)}`;
    case "domain-restore-fee":
      return `${line.params.domain} — ${fr ? "frais de restauration" : "restore fee"}`;
    case "subscription-renewal": {
      const plan = PLAN_NAMES[locale][line.params.plan] ?? line.params.plan;
      return `${nameIn(line.params.names, locale)} — ${plan}`;
    }
  }
}

/** A new invoice line's words: its wording, and the English words as its stored description. */
export function wordedLine(wording: LineWording): { description: string; wording: LineWording } {
  return { description: wordLine(wording, "en"), wording };
}

const KINDS = new Set<string>([
  "domain-renewal",
  "domain-reactivation",
  "domain-restore",
  "domain-restore-fee",
  "subscription-renewal",
]);

/** A stored line's words in `locale`: worded from its kind, else its description as written. */
export function describeStoredLine(
  row: { description: string; kind?: string | null; params?: string | null },
  locale: Locale,
): string {
  if (!row.kind || !row.params || !KINDS.has(row.kind)) return row.description;
  try {
    return wordLine({ kind: row.kind, params: JSON.parse(row.params) } as LineWording, locale);
  } catch {
    return row.description;
  }
}

const TAX_NAMES: Record<string, { en: string; fr: string }> = {
  GST: { en: "GST", fr: "TPS" },
  HST: { en: "HST", fr: "TVH" },
  QST: { en: "QST", fr: "TVQ" },
  PST: { en: "PST", fr: "TVP" },
  VAT: { en: "VAT", fr: "TVA" },
};

/** A tax as an invoice's total rows name it: "TPS 5 %", "TVQ 9,975 %", "QST 9.975%". */
export function taxLabel(code: string, rate: number, locale: Locale): string {
  const names = TAX_NAMES[code];
  const name = names ? (locale === "fr-CA" ? names.fr : names.en) : code;
  const whole = Math.floor(rate / 1000);
  const fraction = String(rate % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  const sep = locale === "fr-CA" ? "," : ".";
  const percent = `${whole}${fraction ? `${sep}${fraction}` : ""}`;
  return locale === "fr-CA" ? `${name} ${percent}\u00a0%` : `${name} ${percent}%`;
}
