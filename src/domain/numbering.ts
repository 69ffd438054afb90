/**
 * Document numbers (docs/taxes.md, "Numbering"): one counter per series in the database
 * (`document_series`), taken in the transaction that issues the document, so a number is never
 * skipped (a rolled-back transaction gives its number back) and never given twice.
 */
import { z } from "zod";

export const DOCUMENT_SERIES = ["invoice", "credit-note"] as const;
export type DocumentSeries = (typeof DOCUMENT_SERIES)[number];

const prefix = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/, "letters, digits and dashes, at most 16, e.g. F- or INV-2026-");

export const numberingPolicySchema = z.strictObject({
  /** Printed before an invoice's counter ("INV-" → INV-000123). */
  invoicePrefix: prefix,
  /** Printed before a credit note's counter ("CN-" → CN-000007). */
  creditNotePrefix: prefix,
  /** The counter is zero-padded to this many digits (6 → 000123; a longer counter is printed whole). */
  digits: z.int().min(1).max(12),
});
export type NumberingPolicy = z.infer<typeof numberingPolicySchema>;

export const DEFAULT_NUMBERING: NumberingPolicy = {
  invoicePrefix: "INV-",
  creditNotePrefix: "CN-",
  digits: 6,
};

export function prefixOf(policy: NumberingPolicy, series: DocumentSeries): string {
  return series === "invoice" ? policy.invoicePrefix : policy.creditNotePrefix;
}

/** `INV-000123`: the series' prefix and the counter, zero-padded. */
export function formatDocumentNumber(policy: NumberingPolicy, series: DocumentSeries, n: number): string {
  return `${prefixOf(policy, series)}${String(n).padStart(policy.digits, "0")}`;
}
