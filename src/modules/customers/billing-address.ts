/**
 * A customer's billing address: where they are for taxes (docs/taxes.md). Set by the customer on
 * /account, or by staff; read in the transaction that issues an invoice, so an invoice is taxed by
 * the address in force when it is issued (an invoice already issued is never re-taxed).
 */
import { AppError } from "../../domain/app-error.js";
import { type BillingAddress, type BillingAddressInput, billingAddressSchema } from "../../domain/taxes.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Deps, Tx } from "../deps.js";

export type { BillingAddress, BillingAddressInput };

export type SetBillingAddressResult =
  | { ok: true; address: BillingAddress }
  /** Each problem with the field it is about (`postalCode`, `vatNumber`…), for the form. */
  | { ok: false; reason: "invalid"; errors: { field: string; message: string }[] };

/**
 * Validates and records the address (null clears it); NOT_FOUND for an unknown customer. The
 * tax exemption is not the customer's to declare: `taxExempt` here is ignored, and the exemption
 * already recorded kept (staff set it with setTaxExemption).
 */
export async function setBillingAddress(
  deps: Pick<Deps, "db">,
  customerId: string,
  address: BillingAddressInput | null,
  _now: Instant,
): Promise<SetBillingAddressResult> {
  let parsed: BillingAddress | null = null;
  if (address !== null) {
    const result = billingAddressSchema.safeParse(normalizeInput(address));
    if (!result.success) {
      return {
        ok: false,
        reason: "invalid",
        errors: result.error.issues.map((issue) => ({
          field:
            issue.code === "unrecognized_keys" ? (issue.keys[0] ?? "") : issue.path.map(String).join("."),
          message: issue.code === "unrecognized_keys" ? "unknown field" : issue.message,
        })),
      };
    }
    parsed = result.data;
  }
  const updated = await deps.db
    .updateTable("customers")
    .set({
      billing_country: parsed?.country ?? null,
      billing_province: parsed?.province ?? null,
      billing_postal_code: parsed?.postalCode ?? null,
      billing_business_name: parsed?.businessName ?? null,
      billing_vat_number: parsed?.vatNumber ?? null,
    })
    .where("id", "=", customerId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) throw new AppError("NOT_FOUND", "Customer not found.");
  const stored = await getBillingAddress(deps.db, customerId);
  return { ok: true, address: stored ?? clearedAddress() };
}

/** Staff: the customer is tax-exempt (with the reason: a certificate, a status number) or no longer. */
export async function setTaxExemption(
  deps: Pick<Deps, "db">,
  customerId: string,
  exemption: { exempt: boolean; reason: string | null },
  _now: Instant,
): Promise<{ ok: true } | { ok: false; reason: "reason-required" }> {
  const reason = exemption.reason?.trim() ?? "";
  if (exemption.exempt && reason === "") return { ok: false, reason: "reason-required" };
  const updated = await deps.db
    .updateTable("customers")
    .set({ tax_exempt: exemption.exempt ? 1 : 0, tax_exempt_reason: exemption.exempt ? reason : null })
    .where("id", "=", customerId)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) throw new AppError("NOT_FOUND", "Customer not found.");
  return { ok: true };
}

/** Form posts give strings: empty optional fields become null, codes upper case, `on` a boolean. */
function normalizeInput(input: BillingAddressInput): unknown {
  const raw = input as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value.trim() : value);
  const optional = (value: unknown) => {
    const t = text(value);
    return t === "" || t === undefined ? null : t;
  };
  const upper = (value: unknown) => {
    const t = optional(value);
    return typeof t === "string" ? t.toUpperCase() : t;
  };
  return {
    ...raw,
    country: upper(raw.country),
    province: upper(raw.province),
    postalCode: text(raw.postalCode),
    businessName: optional(raw.businessName),
    vatNumber: optional(raw.vatNumber),
    // Not the customer's to declare (setTaxExemption): validated as not exempt.
    taxExempt: false,
    taxExemptReason: null,
  };
}

function clearedAddress(): BillingAddress {
  return {
    country: "",
    province: null,
    postalCode: "",
    businessName: null,
    vatNumber: null,
    taxExempt: false,
    taxExemptReason: null,
  };
}

type AddressRow = {
  billing_country: string | null;
  billing_province: string | null;
  billing_postal_code: string | null;
  billing_business_name: string | null;
  billing_vat_number: string | null;
  tax_exempt: number;
  tax_exempt_reason: string | null;
};

export function addressOfRow(row: AddressRow): BillingAddress | null {
  if (row.billing_country === null) return null;
  return {
    country: row.billing_country,
    province: row.billing_province,
    postalCode: row.billing_postal_code ?? "",
    businessName: row.billing_business_name,
    vatNumber: row.billing_vat_number,
    taxExempt: Number(row.tax_exempt) === 1,
    taxExemptReason: row.tax_exempt_reason,
  };
}

const ADDRESS_COLUMNS = [
  "billing_country",
  "billing_province",
  "billing_postal_code",
  "billing_business_name",
  "billing_vat_number",
  "tax_exempt",
  "tax_exempt_reason",
] as const;

/** The customer's billing address, or null when none was given. */
export async function getBillingAddress(db: Db | Tx, customerId: string): Promise<BillingAddress | null> {
  const row = await db
    .selectFrom("customers")
    .select(ADDRESS_COLUMNS)
    .where("id", "=", customerId)
    .executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", "Customer not found.");
  return addressOfRow(row);
}

/** Many customers' addresses and languages at once (an engine batch issuing invoices). */
export async function taxProfilesOf(
  db: Db | Tx,
  customerIds: string[],
): Promise<Map<string, { locale: string; address: BillingAddress | null }>> {
  const profiles = new Map<string, { locale: string; address: BillingAddress | null }>();
  const unique = [...new Set(customerIds)];
  for (let i = 0; i < unique.length; i += 500) {
    const rows = await db
      .selectFrom("customers")
      .select(["id", "locale", ...ADDRESS_COLUMNS])
      .where("id", "in", unique.slice(i, i + 500))
      .execute();
    for (const row of rows) profiles.set(row.id, { locale: row.locale, address: addressOfRow(row) });
  }
  return profiles;
}
