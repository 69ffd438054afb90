/**
 * The book format (docs/import.md): what `tenure import` reads and `tenure export` writes. A
 * JSON Lines file (`book.jsonl`): a header line, then one record per line, customers first, then
 * subscriptions, then domains; or CSV files for the flat tables (customers.csv, subscriptions.csv,
 * domains.csv). Ids are the host's own (external) ids and become Tenure's: importing a file again
 * finds them and writes nothing.
 */
import { z } from "zod";
import { SUBSCRIPTION_STATUSES } from "../../domain/subscription-lifecycle.js";
import { billingAddressSchema } from "../../domain/taxes.js";
import { type Instant, isValidTimeZone, parseInstant } from "../../domain/time.js";
import { LOCALES } from "../../views/notices/notice-types.js";
import { isValidDomainName } from "../domains/import-domain.js";
import { SUBSCRIPTION_KINDS } from "../services/import-subscription.js";

export const BOOK_FORMAT = "tenure-book";
export const BOOK_VERSION = 1;
export const BOOK_FILE = "book.jsonl";

export const headerSchema = z.strictObject({
  format: z.literal(BOOK_FORMAT),
  version: z.literal(BOOK_VERSION),
  exported_at: z.string().optional(),
});

/** Ids travel in URLs and become primary keys: letters, digits and `._:@-`, up to 64. */
const externalId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$/,
    "expected 1-64 letters, digits or ._:@- (starting with a letter or digit)",
  );

/** The form export writes (and most exports use): read without the calendar library, a million times over. */
const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function readInstant(text: string): Instant | null {
  if (CANONICAL_INSTANT.test(text)) {
    const at = Date.parse(text);
    // Date.parse rolls 02-30 over to 03-01: only a date that reads back the same is taken.
    if (!Number.isNaN(at) && new Date(at).toISOString().slice(0, 19) === text.slice(0, 19)) return at;
  }
  return parseInstant(text);
}

const knownZones = new Map<string, boolean>();

/** Time zones are few and checking one builds a calendar: each is checked once per process. */
function isKnownTimeZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    known = isValidTimeZone(zone);
    knownZones.set(zone, known);
  }
  return known;
}

const instant = z.string().transform((text, ctx): Instant => {
  const at = readInstant(text);
  if (at === null) {
    ctx.addIssue({ code: "custom", message: "expected an ISO-8601 instant (2024-03-01T00:00:00Z) or date" });
    return z.NEVER;
  }
  return at;
});

const currency = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as CAD or USD");
const minorUnits = z.int("expected an integer amount in minor units (cents)").min(0);

/** The billing address, snake_case in the file; the same rules as the account page's form. */
const billingAddress = z
  .strictObject({
    country: z.string(),
    province: z.string().nullable().default(null),
    postal_code: z.string(),
    business_name: z.string().nullable().default(null),
    vat_number: z.string().nullable().default(null),
    tax_exempt: z.boolean().default(false),
    tax_exempt_reason: z.string().nullable().default(null),
  })
  .transform((a, ctx) => {
    const parsed = billingAddressSchema.safeParse({
      country: a.country,
      province: a.province,
      postalCode: a.postal_code,
      businessName: a.business_name,
      vatNumber: a.vat_number,
      taxExempt: a.tax_exempt,
      taxExemptReason: a.tax_exempt_reason,
    });
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? "");
      ctx.addIssue({ code: "custom", path: [snakeCase(field)], message: issue.message });
    }
    return z.NEVER;
  });

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export const customerRecord = z.strictObject({
  type: z.literal("customer"),
  id: externalId,
  email: z.email(),
  name: z.string().trim().min(1).max(200),
  locale: z.enum(LOCALES),
  currency,
  time_zone: z
    .string()
    .refine(isKnownTimeZone, "unknown time zone (expected an IANA name such as America/Toronto)"),
  created_at: instant,
  billing_address: billingAddress.nullable().default(null),
});

export const IMPORTED_DOMAIN_STATUSES = [
  "active",
  "suspended",
  "expired",
  "redemption",
  "released",
  "transferred-out",
  "deleted",
] as const;

export const subscriptionRecord = z.strictObject({
  type: z.literal("subscription"),
  id: externalId,
  customer: externalId,
  kind: z.enum(SUBSCRIPTION_KINDS),
  label: z.string().trim().min(1).max(200),
  product: externalId.nullable().default(null),
  plan: z.enum(["monthly", "yearly"]),
  price: minorUnits,
  currency,
  started_at: instant,
  /** The end of the current (paid) term: the next renewal's date. */
  term_ends_at: instant,
  status: z.enum(SUBSCRIPTION_STATUSES),
});

const contact = z.strictObject({
  name: z.string().trim().min(1).max(200),
  organization: z.string().trim().max(200).nullable().default(null),
  email: z.email(),
  phone: z.string().trim().max(40).nullable().default(null),
  street: z.array(z.string().trim().min(1).max(200)).max(3).default([]),
  city: z.string().trim().max(100).nullable().default(null),
  province: z.string().trim().max(100).nullable().default(null),
  postal_code: z.string().trim().max(16).nullable().default(null),
  country: z.string().regex(/^[A-Z]{2}$/, "expected a two-letter country code"),
});

export const contactsSchema = z.strictObject({
  registrant: contact.optional(),
  admin: contact.optional(),
  tech: contact.optional(),
  billing: contact.optional(),
});

export const domainRecord = z.strictObject({
  type: z.literal("domain"),
  id: externalId,
  customer: externalId,
  name: z
    .string()
    .transform((name) => name.trim().toLowerCase())
    .refine(isValidDomainName, "not a valid domain name"),
  registrar: z.string().min(1),
  registered_at: instant,
  expires_at: instant,
  auto_renew: z.boolean(),
  email_verified: z.boolean(),
  offer: z.enum(["free-first-year", "legacy-free"]).nullable().default(null),
  /** The price the domain last renewed at (a price lock keeps it; docs/policies.md). */
  renewal_price: z.strictObject({ amount: minorUnits, currency }),
  /** The subscription (site) the domain is bundled with, by its id in this book or in Tenure. */
  site: externalId.nullable().default(null),
  status: z.enum(IMPORTED_DOMAIN_STATUSES),
  contacts: contactsSchema.nullable().default(null),
});

export type CustomerRecord = z.output<typeof customerRecord>;
export type SubscriptionRecord = z.output<typeof subscriptionRecord>;
export type DomainRecord = z.output<typeof domainRecord>;
export type BookRecord = CustomerRecord | SubscriptionRecord | DomainRecord;
export type RecordType = BookRecord["type"];

/** Records appear in this order: what a record refers to is written before it. */
export const RECORD_ORDER: RecordType[] = ["customer", "subscription", "domain"];

export const recordSchema = z.discriminatedUnion("type", [customerRecord, subscriptionRecord, domainRecord]);

/** The file's own words, so a host can write the same book by hand or from a spreadsheet. */
export type BookLine = z.input<typeof recordSchema>;

/**
 * The CSV columns of each flat table. A CSV cell is text: `""` is null, booleans are
 * true/false (or 1/0, yes/no), amounts are integers. Nested fields are flattened as named here.
 */
export const CSV_COLUMNS = {
  customer: [
    "id",
    "email",
    "name",
    "locale",
    "currency",
    "time_zone",
    "created_at",
    "billing_country",
    "billing_province",
    "billing_postal_code",
    "billing_business_name",
    "billing_vat_number",
    "tax_exempt",
    "tax_exempt_reason",
  ],
  subscription: [
    "id",
    "customer",
    "kind",
    "label",
    "product",
    "plan",
    "price",
    "currency",
    "started_at",
    "term_ends_at",
    "status",
  ],
  domain: [
    "id",
    "customer",
    "name",
    "registrar",
    "registered_at",
    "expires_at",
    "auto_renew",
    "email_verified",
    "offer",
    "renewal_price",
    "renewal_currency",
    "site",
    "status",
    "contacts",
  ],
} as const satisfies Record<RecordType, readonly string[]>;

/** The table a CSV file holds, from its name: customers.csv, whmcs-domains.csv… */
export function csvTableOf(fileName: string): RecordType | null {
  const name = fileName.toLowerCase();
  if (name.endsWith("customers.csv")) return "customer";
  if (name.endsWith("subscriptions.csv")) return "subscription";
  if (name.endsWith("domains.csv")) return "domain";
  return null;
}

type Cells = Record<string, string | undefined>;

function cell(cells: Cells, column: string): string | null {
  const value = cells[column];
  return value === undefined || value === "" ? null : value;
}

function flag(cells: Cells, column: string): boolean | string | null {
  const value = cell(cells, column);
  if (value === null) return null;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  return value; // left as text: the schema names the field
}

function integer(cells: Cells, column: string): number | string | null {
  const value = cell(cells, column);
  if (value === null) return null;
  return /^-?\d+$/.test(value) ? Number(value) : value;
}

function json(cells: Cells, column: string): unknown {
  const value = cell(cells, column);
  if (value === null) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A CSV row in the JSON shape, for the same schema to validate. */
export function csvRowToRecord(type: RecordType, cells: Cells): Record<string, unknown> {
  switch (type) {
    case "customer": {
      const country = cell(cells, "billing_country");
      return {
        type,
        id: cell(cells, "id"),
        email: cell(cells, "email"),
        name: cell(cells, "name"),
        locale: cell(cells, "locale"),
        currency: cell(cells, "currency"),
        time_zone: cell(cells, "time_zone"),
        created_at: cell(cells, "created_at"),
        billing_address:
          country === null
            ? null
            : {
                country,
                province: cell(cells, "billing_province"),
                postal_code: cell(cells, "billing_postal_code") ?? "",
                business_name: cell(cells, "billing_business_name"),
                vat_number: cell(cells, "billing_vat_number"),
                tax_exempt: flag(cells, "tax_exempt") ?? false,
                tax_exempt_reason: cell(cells, "tax_exempt_reason"),
              },
      };
    }
    case "subscription":
      return {
        type,
        id: cell(cells, "id"),
        customer: cell(cells, "customer"),
        kind: cell(cells, "kind"),
        label: cell(cells, "label"),
        product: cell(cells, "product"),
        plan: cell(cells, "plan"),
        price: integer(cells, "price"),
        currency: cell(cells, "currency"),
        started_at: cell(cells, "started_at"),
        term_ends_at: cell(cells, "term_ends_at"),
        status: cell(cells, "status"),
      };
    case "domain":
      return {
        type,
        id: cell(cells, "id"),
        customer: cell(cells, "customer"),
        name: cell(cells, "name"),
        registrar: cell(cells, "registrar"),
        registered_at: cell(cells, "registered_at"),
        expires_at: cell(cells, "expires_at"),
        auto_renew: flag(cells, "auto_renew"),
        email_verified: flag(cells, "email_verified"),
        offer: cell(cells, "offer"),
        renewal_price: { amount: integer(cells, "renewal_price"), currency: cell(cells, "renewal_currency") },
        site: cell(cells, "site"),
        status: cell(cells, "status"),
        contacts: json(cells, "contacts"),
      };
  }
}

/** A JSON field path as the CSV column that holds it (billing_address.postal_code → billing_postal_code). */
export function csvColumnOf(type: RecordType, path: string): string {
  if (type === "customer" && path.startsWith("billing_address.")) {
    const field = path.slice("billing_address.".length);
    return field.startsWith("tax_exempt") ? field : `billing_${field}`;
  }
  if (type === "domain" && path === "renewal_price.amount") return "renewal_price";
  if (type === "domain" && path === "renewal_price.currency") return "renewal_currency";
  if (type === "domain" && path.startsWith("contacts."))
    return `contacts (${path.slice("contacts.".length)})`;
  return path;
}
