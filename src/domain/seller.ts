/**
 * Who issues the invoices: the host's legal identity, printed on every invoice, PDF, credit note
 * and e-mail, and shown (name and logo) in the client area's header. Configured in the operator's
 * file (`seller`, docs/client-area.md); validated at start, every problem named by its field.
 * The tax rules read `country` and `province` (where the seller is registered).
 */
import { z } from "zod";

export const sellerSchema = z.strictObject({
  /** The registered name, as on the tax registrations ("Hébergement Exemple inc."). */
  legalName: z.string().trim().min(1).max(200),
  /** The name customers know, in the header and e-mails; the legal name when absent. */
  name: z.string().trim().min(1).max(100).optional(),
  /** Postal address, one line per entry (street, city and postal code…), without the country. */
  address: z.array(z.string().trim().min(1).max(200)).min(1).max(6),
  /** ISO 3166-1 alpha-2, upper case ("CA"). */
  country: z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code in capitals, e.g. CA"),
  /** Province or state code for CA and US ("QC"). */
  province: z
    .string()
    .regex(/^[A-Z]{2}$/, "a two-letter code in capitals, e.g. QC")
    .optional(),
  /** Tax registrations as printed: `{ "name": "TPS/GST", "number": "123456789 RT0001" }`. */
  taxNumbers: z
    .array(
      z.strictObject({ name: z.string().trim().min(1).max(40), number: z.string().trim().min(1).max(60) }),
    )
    .max(10)
    .default([]),
  /**
   * The logo: an https URL, or a path under public/ (`/assets/…`). PNG or JPEG under public/ is
   * also drawn on the PDFs.
   */
  logo: z
    .string()
    .regex(/^(https:\/\/\S+|\/assets\/[A-Za-z0-9._/-]+)$/, "an https:// URL or a path under /assets/")
    .optional(),
  supportEmail: z.email("an e-mail address"),
});

export type Seller = z.infer<typeof sellerSchema>;

/** The name for the header and e-mails. */
export function sellerName(seller: Seller): string {
  return seller.name ?? seller.legalName;
}

/** Seed 000's host, a Quebec company registered for TPS and TVQ: the demo's seller. */
export const DEMO_SELLER: Seller = {
  legalName: "Hébergement Boréal inc.",
  name: "Boréal Web",
  address: ["1200, rue Saint-Jean, bureau 300", "Québec (Québec)  G1R 1S2"],
  country: "CA",
  province: "QC",
  taxNumbers: [
    { name: "TPS/GST", number: "812345678 RT0001" },
    { name: "TVQ/QST", number: "1234567890 TQ0001" },
  ],
  logo: "/assets/demo-logo.svg",
  supportEmail: "soutien@boreal-web.example",
};

/**
 * When the operator configured no seller and the demo is off: the product's name only, no
 * address or tax number (the start-up log says so); invoices are then not legal documents.
 */
export const UNCONFIGURED_SELLER: Seller = {
  legalName: "Tenure",
  address: ["(seller not configured)"],
  country: "ZZ",
  taxNumbers: [],
  supportEmail: "billing@localhost",
};

export type SellerResult = { ok: true; seller: Seller } | { ok: false; errors: string[] };

export function parseSeller(value: unknown): SellerResult {
  const parsed = sellerSchema.safeParse(value);
  if (parsed.success) return { ok: true, seller: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const path = ["seller", ...issue.path.map(String)].join(".");
      if (issue.code === "unrecognized_keys") return `${path}.${issue.keys[0]}: unknown field`;
      return `${path}: ${issue.message}`;
    }),
  };
}
