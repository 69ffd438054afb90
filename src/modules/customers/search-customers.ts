/**
 * Back office: finding a customer by what staff are told on the phone or read in a ticket — a
 * name, an e-mail address, a domain name, an invoice number (the invoice's id, "#1042" or "1042").
 * Every key is tried at once; a customer found by several is listed once, with what matched.
 */
import { sql } from "kysely";
import type { Db } from "../deps.js";

export const SEARCH_PAGE_SIZE = 25;

export type MatchKey = "name" | "email" | "domain" | "invoice" | "id";

export interface CustomerHit {
  id: string;
  name: string;
  email: string;
  /** What matched: the keys, with the domain names or invoice number found. */
  matches: { key: MatchKey; value: string }[];
}

export interface CustomerSearch {
  q: string;
  page: number;
  hits: CustomerHit[];
  /** Whether a next page exists. */
  more: boolean;
}

/** `%text%` for LIKE, its own wildcards escaped (with `escape '\'`, the same on both engines). */
function containing(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function likeLower(column: string, pattern: string) {
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** An invoice number as staff type it: "1042", "#1042", "n° 1042", "no 1042". */
export function invoiceNumberOf(q: string): number | null {
  const match = /^(?:#|n°\s*|no\.?\s*)?(\d{1,15})$/i.exec(q.trim());
  if (!match?.[1]) return null;
  const n = Number(match[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Customers matching `q` (every customer, by name, when `q` is empty), a page at a time. */
export async function searchCustomers(db: Db, input: { q: string; page: number }): Promise<CustomerSearch> {
  const q = input.q.trim().slice(0, 200);
  const page = Math.max(1, Math.min(10_000, Math.floor(input.page) || 1));
  const pattern = containing(q);
  const invoiceNumber = invoiceNumberOf(q);

  let query = db.selectFrom("customers").select(["id", "name", "email"]);
  if (q !== "") {
    query = query.where((eb) =>
      eb.or([
        likeLower("customers.name", pattern),
        likeLower("customers.email", pattern),
        eb("customers.id", "=", q),
        eb(
          "customers.id",
          "in",
          eb
            .selectFrom("domains")
            .innerJoin("services", "services.id", "domains.service_id")
            .select("services.customer_id")
            .where(likeLower("domains.name", pattern)),
        ),
        ...(invoiceNumber !== null
          ? [
              eb(
                "customers.id",
                "in",
                eb
                  .selectFrom("invoices")
                  .select("invoices.customer_id")
                  .where("invoices.id", "=", invoiceNumber),
              ),
            ]
          : []),
      ]),
    );
  }
  const rows = await query
    .orderBy("customers.name")
    .orderBy("customers.id")
    .limit(SEARCH_PAGE_SIZE + 1)
    .offset((page - 1) * SEARCH_PAGE_SIZE)
    .execute();
  const shown = rows.slice(0, SEARCH_PAGE_SIZE);
  const hits: CustomerHit[] = shown.map((row) => ({
    id: row.id,
    name: row.name,
    email: row.email,
    matches: [],
  }));
  if (q !== "" && hits.length > 0) await explainMatches(db, hits, q, pattern, invoiceNumber);
  return { q, page, hits, more: rows.length > SEARCH_PAGE_SIZE };
}

/** Says, for each customer found, which of the keys found them (a page of at most 25). */
async function explainMatches(
  db: Db,
  hits: CustomerHit[],
  q: string,
  pattern: string,
  invoiceNumber: number | null,
): Promise<void> {
  const ids = hits.map((hit) => hit.id);
  const byId = new Map(hits.map((hit) => [hit.id, hit]));
  const needle = q.toLowerCase();
  for (const hit of hits) {
    if (hit.id === q) hit.matches.push({ key: "id", value: hit.id });
    if (hit.name.toLowerCase().includes(needle)) hit.matches.push({ key: "name", value: hit.name });
    if (hit.email.toLowerCase().includes(needle)) hit.matches.push({ key: "email", value: hit.email });
  }
  const domains = await db
    .selectFrom("domains")
    .innerJoin("services", "services.id", "domains.service_id")
    .select(["services.customer_id", "domains.name"])
    .where("services.customer_id", "in", ids)
    .where(likeLower("domains.name", pattern))
    .orderBy("domains.name")
    .execute();
  for (const row of domains) byId.get(row.customer_id)?.matches.push({ key: "domain", value: row.name });
  if (invoiceNumber !== null) {
    const invoice = await db
      .selectFrom("invoices")
      .select(["customer_id", "id"])
      .where("id", "=", invoiceNumber)
      .where("customer_id", "in", ids)
      .executeTakeFirst();
    if (invoice) byId.get(invoice.customer_id)?.matches.push({ key: "invoice", value: `#${invoice.id}` });
  }
}
