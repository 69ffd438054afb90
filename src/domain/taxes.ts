/**
 * Sales taxes as data (docs/taxes.md): which taxes an invoice carries, at which rates, rounded how.
 * Pure: the rates and their effective dates come from the `taxes` policy, the seller's location
 * from the configuration, the customer's from their billing address.
 *
 * - Rates are integers in parts per 100,000 (`9975` = 9.975 %), so no rate is a float.
 * - Amounts are integer minor units; one rounding rule, half up (half away from zero for a negative
 *   base), either on each line (`perLine`, the default) or once per tax on the invoice's subtotal
 *   (`perInvoice`).
 * - A rate applies from its effective instant, judged by the invoice's issue instant.
 */
import { z } from "zod";
import { parseInstant } from "./time.js";

/** Parts per 100,000: 5000 = 5 %, 9975 = 9.975 %. */
export const RATE_SCALE = 100_000;

/** Canada's provinces and territories (ISO 3166-2:CA codes without the `CA-`). */
export const CA_PROVINCES = [
  "AB",
  "BC",
  "MB",
  "NB",
  "NL",
  "NS",
  "NT",
  "NU",
  "ON",
  "PE",
  "QC",
  "SK",
  "YT",
] as const;
export type CaProvince = (typeof CA_PROVINCES)[number];

/** The EU member states (ISO 3166-1 alpha-2; Greece's VAT numbers start with EL). */
export const EU_COUNTRIES = [
  "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
  "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
] as const; // biome-ignore format: a table
export type EuCountry = (typeof EU_COUNTRIES)[number];

/**
 * What a VAT number looks like in each member state, after its prefix (the country code, EL for
 * Greece): the shape only; whether the number is registered is VIES's business, not checked here.
 */
const VAT_PATTERNS: Record<EuCountry, RegExp> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[A-HJ-NP-Z0-9]{2}\d{9}$/,
  GR: /^\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^(\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^\d{2,10}$/,
  SE: /^\d{12}$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
};

export function isEuCountry(country: string): country is EuCountry {
  return (EU_COUNTRIES as readonly string[]).includes(country);
}

export function isCaProvince(province: string): province is CaProvince {
  return (CA_PROVINCES as readonly string[]).includes(province);
}

/** A VAT number as written (spaces, dots and dashes dropped, upper case): `FR 40 303265045` → `FR40303265045`. */
export function normalizeVatNumber(text: string): string {
  return text.replace(/[\s.-]/g, "").toUpperCase();
}

/** Whether a VAT number has the shape of one issued by `country` (prefix included). */
export function isValidVatNumber(vatNumber: string, country: string): boolean {
  if (!isEuCountry(country)) return false;
  const number = normalizeVatNumber(vatNumber);
  const prefix = country === "GR" ? "EL" : country;
  if (!number.startsWith(prefix)) return false;
  return VAT_PATTERNS[country].test(number.slice(prefix.length));
}

const CA_POSTAL_CODE = /^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$/i;

/** The customer's billing address, which decides where they are for taxes. */
export const billingAddressSchema = z
  .strictObject({
    /** ISO 3166-1 alpha-2, upper case (CA, FR, US…). */
    country: z.string().regex(/^[A-Z]{2}$/, "expected a two-letter country code such as CA or FR"),
    /** For Canada, the province or territory code (QC, ON…); otherwise optional (a US state…). */
    province: z
      .string()
      .regex(/^[A-Z0-9]{1,3}$/, "expected a province or state code such as QC")
      .nullable()
      .default(null),
    postalCode: z.string().trim().min(1, "required").max(16),
    businessName: z.string().trim().max(200).nullable().default(null),
    vatNumber: z.string().trim().max(20).nullable().default(null),
    taxExempt: z.boolean().default(false),
    /** Why (an exemption certificate, a status number): required when taxExempt. */
    taxExemptReason: z.string().trim().max(500).nullable().default(null),
  })
  .superRefine((a, ctx) => {
    if (a.country === "CA") {
      if (a.province === null || !isCaProvince(a.province))
        ctx.addIssue({
          code: "custom",
          path: ["province"],
          message: `expected a Canadian province or territory: ${CA_PROVINCES.join(", ")}`,
        });
      if (!CA_POSTAL_CODE.test(a.postalCode))
        ctx.addIssue({
          code: "custom",
          path: ["postalCode"],
          message: "expected a Canadian postal code such as H2X 1Y4",
        });
    }
    if (a.vatNumber !== null && a.vatNumber !== "") {
      if (!isEuCountry(a.country))
        ctx.addIssue({
          code: "custom",
          path: ["vatNumber"],
          message: "a VAT number is for a customer in the EU",
        });
      else if (!isValidVatNumber(a.vatNumber, a.country))
        ctx.addIssue({
          code: "custom",
          path: ["vatNumber"],
          message: `not a ${a.country} VAT number: expected ${a.country === "GR" ? "EL" : a.country} followed by its digits`,
        });
    }
    if (a.taxExempt && !a.taxExemptReason)
      ctx.addIssue({
        code: "custom",
        path: ["taxExemptReason"],
        message: "say why the customer is tax-exempt",
      });
  })
  .transform((a) => ({
    ...a,
    vatNumber: a.vatNumber ? normalizeVatNumber(a.vatNumber) : null,
    businessName: a.businessName || null,
    taxExemptReason: a.taxExempt ? a.taxExemptReason : null,
    postalCode:
      a.country === "CA" ? a.postalCode.toUpperCase().replace(/^(\w{3}) ?(\w{3})$/, "$1 $2") : a.postalCode,
  }));
export type BillingAddress = z.output<typeof billingAddressSchema>;
export type BillingAddressInput = z.input<typeof billingAddressSchema>;

/** A rate from an effective instant (an ISO date is 00:00 UTC; give an offset for local midnight). */
const effectiveRate = z.strictObject({
  from: z.string().refine((s) => parseInstant(s) !== null, "expected an ISO-8601 date or instant"),
  /** Parts per 100,000 (5000 = 5 %). */
  rate: z.int().min(0).max(RATE_SCALE),
});
export type EffectiveRate = z.infer<typeof effectiveRate>;
const schedule = z.array(effectiveRate).min(1);

export const taxPolicySchema = z.strictObject({
  /** `perLine`: each line's tax rounded, the invoice's the sum; `perInvoice`: rounded once per tax. */
  rounding: z.enum(["perLine", "perInvoice"]),
  /** A customer with no billing address: taxed as if at the seller's location, or not at all. */
  withoutAddress: z.enum(["seller-location", "none"]),
  /** Canada: GST (TPS) everywhere, HST (TVH) instead of it in the HST provinces, QST (TVQ) in Quebec. */
  gst: schedule,
  hst: z.record(z.string().regex(/^[A-Z]{2}$/), schedule),
  qst: schedule,
  /** QST is collected by a Quebec seller; a seller elsewhere only when registered for it (true). */
  qstRegisteredOutsideQuebec: z.boolean(),
  /** Provincial sales taxes (BC, MB, SK): none unless configured here, which says the seller is registered. */
  pst: z.record(z.string().regex(/^[A-Z]{2}$/), schedule),
  /** EU VAT standard rates by member state. */
  vat: z.record(z.string().regex(/^[A-Z]{2}$/), schedule),
});
export type TaxPolicy = z.infer<typeof taxPolicySchema>;

const since = (from: string, rate: number): EffectiveRate => ({ from, rate });

export const DEFAULT_TAXES: TaxPolicy = {
  rounding: "perLine",
  withoutAddress: "none",
  gst: [since("2008-01-01", 5000)],
  hst: {
    ON: [since("2010-07-01", 13000)],
    NS: [since("2010-07-01", 15000), since("2025-04-01T00:00:00-03:00", 14000)],
    NB: [since("2016-07-01", 15000)],
    NL: [since("2016-07-01", 15000)],
    PE: [since("2016-10-01", 15000)],
  },
  qst: [since("2013-01-01", 9975)],
  qstRegisteredOutsideQuebec: false,
  pst: {},
  vat: {
    AT: [since("2016-01-01", 20000)],
    BE: [since("1996-01-01", 21000)],
    BG: [since("2007-01-01", 20000)],
    CY: [since("2014-01-13", 19000)],
    CZ: [since("2013-01-01", 21000)],
    DE: [since("2007-01-01", 19000), since("2020-07-01", 16000), since("2021-01-01", 19000)],
    DK: [since("1992-01-01", 25000)],
    EE: [since("2009-07-01", 20000), since("2024-01-01", 22000), since("2025-07-01", 24000)],
    ES: [since("2012-09-01", 21000)],
    FI: [since("2013-01-01", 24000), since("2024-09-01", 25500)],
    FR: [since("2014-01-01", 20000)],
    GR: [since("2016-06-01", 24000)],
    HR: [since("2013-01-01", 25000)],
    HU: [since("2012-01-01", 27000)],
    IE: [since("2012-01-01", 23000), since("2020-09-01", 21000), since("2021-03-01", 23000)],
    IT: [since("2013-10-01", 22000)],
    LT: [since("2009-09-01", 21000)],
    LU: [since("2015-01-01", 17000), since("2023-01-01", 16000), since("2024-01-01", 17000)],
    LV: [since("2011-01-01", 21000)],
    MT: [since("2004-01-01", 18000)],
    NL: [since("2012-10-01", 21000)],
    PL: [since("2011-01-01", 23000)],
    PT: [since("2011-01-01", 23000)],
    RO: [since("2017-01-01", 19000), since("2025-08-01", 21000)],
    SE: [since("1990-07-01", 25000)],
    SI: [since("2013-07-01", 22000)],
    SK: [since("2011-01-01", 20000), since("2025-01-01", 23000)],
  },
};

export type TaxCode = "GST" | "HST" | "QST" | "PST" | "VAT";

/** Each tax's name on the invoice, per language. */
export const TAX_NAMES: Record<TaxCode, { en: string; "fr-CA": string }> = {
  GST: { en: "GST", "fr-CA": "TPS" },
  HST: { en: "HST", "fr-CA": "TVH" },
  QST: { en: "QST", "fr-CA": "TVQ" },
  PST: { en: "PST", "fr-CA": "TVP" },
  VAT: { en: "VAT", "fr-CA": "TVA" },
};

export function taxName(code: string, locale: string): string {
  const names = TAX_NAMES[code as TaxCode];
  if (!names) return code;
  return locale === "fr-CA" ? names["fr-CA"] : names.en;
}

/** A rate of parts per 100,000 as a percentage for people: 9975 → "9.975", 5000 → "5". */
export function formatRate(rate: number, locale = "en"): string {
  const whole = Math.floor(rate / 1000);
  const fraction = String(rate % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  const text = fraction ? `${whole}${locale === "fr-CA" ? "," : "."}${fraction}` : String(whole);
  return `${text}${locale === "fr-CA" ? "\u00a0%" : "%"}`;
}

/** One tax that applies: its code, rate and where (`CA`, `CA-QC`, `FR`). */
export interface ApplicableTax {
  code: TaxCode;
  rate: number;
  jurisdiction: string;
}

export interface TaxDecision {
  taxes: ApplicableTax[];
  /** `reverse-charge`: an EU business customer in another member state accounts for the VAT. */
  note: "reverse-charge" | null;
}

/** The rate in force at `at` (the schedule's latest `from` not after it); null before the first. */
export function rateAt(rates: EffectiveRate[], at: number): number | null {
  let found: { from: number; rate: number } | null = null;
  for (const entry of rates) {
    const from = parseInstant(entry.from);
    if (from === null || from > at) continue;
    if (!found || from >= found.from) found = { from, rate: entry.rate };
  }
  return found?.rate ?? null;
}

/**
 * Which taxes apply to a sale by `seller` to a customer at `address` (null: no billing address),
 * on an invoice issued at `at`. Canada: GST, or HST in an HST province, plus QST for Quebec when
 * the seller collects it, plus a configured PST; the EU: the customer's country's VAT for a
 * consumer (one-stop shop) or a business in the seller's own country, reverse charge for a business
 * with a valid VAT number in another member state; anywhere else, none. Tax-exempt: none.
 */
export function decideTaxes(
  policy: TaxPolicy,
  seller: { country: string; province?: string | null | undefined } | null,
  address: BillingAddress | null,
  at: number,
): TaxDecision {
  const none: TaxDecision = { taxes: [], note: null };
  if (!seller) return none;
  let where: { country: string; province: string | null; vatNumber: string | null; taxExempt: boolean };
  if (address) where = address;
  else if (policy.withoutAddress === "seller-location")
    where = { country: seller.country, province: seller.province ?? null, vatNumber: null, taxExempt: false };
  else return none;
  if (where.taxExempt) return none;
  const taxes: ApplicableTax[] = [];
  const add = (code: TaxCode, rates: EffectiveRate[] | undefined, jurisdiction: string) => {
    const rate = rates ? rateAt(rates, at) : null;
    if (rate !== null && rate > 0) taxes.push({ code, rate, jurisdiction });
  };
  if (seller.country === "CA") {
    if (where.country !== "CA") return none; // an export of services: zero-rated
    const province = where.province ?? "";
    const hst = policy.hst[province];
    if (hst && rateAt(hst, at) !== null) add("HST", hst, `CA-${province}`);
    else add("GST", policy.gst, "CA");
    if (province === "QC" && (seller.province === "QC" || policy.qstRegisteredOutsideQuebec))
      add("QST", policy.qst, "CA-QC");
    add("PST", policy.pst[province], `CA-${province}`);
    return { taxes, note: null };
  }
  if (isEuCountry(seller.country)) {
    if (!isEuCountry(where.country)) return none; // outside the EU: not EU VAT
    const business = where.vatNumber !== null && isValidVatNumber(where.vatNumber, where.country);
    if (business && where.country !== seller.country) return { taxes: [], note: "reverse-charge" };
    add("VAT", policy.vat[where.country], where.country);
    return { taxes, note: null };
  }
  return none;
}

/** `base × rate`, rounded half up (half away from zero), in exact integer arithmetic. */
export function roundedTax(base: number, rate: number): number {
  const product = BigInt(Math.abs(base)) * BigInt(rate);
  const scale = BigInt(RATE_SCALE);
  const rounded = Number((product + scale / 2n) / scale);
  return base < 0 && rounded !== 0 ? -rounded : rounded;
}

export interface TaxAmount extends ApplicableTax {
  /** The amount the tax is computed on (the lines' amounts, before any tax). */
  base: number;
  amount: number;
}

export interface TaxedInvoice {
  subtotal: number;
  /** Per line, in order: its taxes (under perInvoice, the invoice's share allocated to it). */
  lines: { amount: number; taxes: TaxAmount[] }[];
  /** Per tax, in the order decided. */
  taxes: TaxAmount[];
  taxTotal: number;
  total: number;
}

/**
 * The taxes of an invoice's lines. perLine: each line's tax is rounded, the invoice's tax is their
 * sum. perInvoice: each tax is rounded once on the subtotal, then allocated to the lines in
 * proportion (largest remainder) so that the lines always add up to the invoice.
 */
export function computeTaxes(
  lineAmounts: number[],
  taxes: ApplicableTax[],
  rounding: TaxPolicy["rounding"],
): TaxedInvoice {
  const subtotal = lineAmounts.reduce((sum, a) => sum + a, 0);
  const lines = lineAmounts.map((amount) => ({ amount, taxes: [] as TaxAmount[] }));
  const totals: TaxAmount[] = [];
  for (const tax of taxes) {
    let amount: number;
    if (rounding === "perLine") {
      const perLine = lineAmounts.map((a) => roundedTax(a, tax.rate));
      for (const [i, t] of perLine.entries())
        lines[i]?.taxes.push({ ...tax, base: lineAmounts[i] ?? 0, amount: t });
      amount = perLine.reduce((sum, t) => sum + t, 0);
    } else {
      amount = roundedTax(subtotal, tax.rate);
      for (const [i, t] of allocate(amount, lineAmounts).entries())
        lines[i]?.taxes.push({ ...tax, base: lineAmounts[i] ?? 0, amount: t });
    }
    totals.push({ ...tax, base: subtotal, amount });
  }
  const taxTotal = totals.reduce((sum, t) => sum + t.amount, 0);
  return { subtotal, lines, taxes: totals, taxTotal, total: subtotal + taxTotal };
}

/** Splits `amount` over `weights` in proportion, the remainder to the largest fractions (ties: first). */
function allocate(amount: number, weights: number[]): number[] {
  const sum = weights.reduce((s, w) => s + w, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? amount : 0));
  const exact = weights.map((w) => (amount * w) / sum);
  const shares = exact.map((x) => Math.trunc(x));
  let left = amount - shares.reduce((s, x) => s + x, 0);
  const order = exact
    .map((x, i) => ({ i, frac: Math.abs(x - Math.trunc(x)) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  const step = Math.sign(left);
  for (let k = 0; left !== 0 && order.length > 0; k += 1) {
    const at = order[k % order.length]!.i;
    shares[at] = (shares[at] ?? 0) + step;
    left -= step;
  }
  return shares;
}

/** What an operator writes under `taxes`: any field; `hst`, `pst` and `vat` are merged per key. */
export const taxPolicyOverridesSchema = taxPolicySchema.partial().strict();

/** The built-in tax policy with an operator's overrides: a key of `hst`/`pst`/`vat` replaces that key only. */
export function mergeTaxPolicy(overrides: z.infer<typeof taxPolicyOverridesSchema> | undefined): TaxPolicy {
  const base = structuredClone(DEFAULT_TAXES);
  if (!overrides) return base;
  return {
    ...base,
    ...overrides,
    hst: { ...base.hst, ...overrides.hst },
    pst: { ...base.pst, ...overrides.pst },
    vat: { ...base.vat, ...overrides.vat },
  };
}

/** What an invoice says for its tax note, per language (the legal mention, e.g. on an EU invoice). */
export const TAX_NOTES: Record<NonNullable<TaxDecision["note"]>, { en: string; "fr-CA": string }> = {
  "reverse-charge": { en: "Reverse charge", "fr-CA": "Autoliquidation" },
};

export function taxNoteText(note: string, locale: string): string {
  const text = TAX_NOTES[note as keyof typeof TAX_NOTES];
  if (!text) return note;
  return locale === "fr-CA" ? text["fr-CA"] : text.en;
}
