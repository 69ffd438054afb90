/**
 * `tenure export DIR`: the book in the format `tenure import` reads (book-format.ts), written as
 * DIR/book.jsonl page by page (never the whole book in memory). Importing it into an empty
 * Tenure gives back the same customers, subscriptions and domains.
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fromDbBool } from "../../db/columns.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import type { Db } from "../deps.js";
import { BOOK_FILE, BOOK_FORMAT, BOOK_VERSION, type BookLine } from "./book-format.js";

const PAGE = 1000;

export interface ExportCounts {
  customers: number;
  subscriptions: number;
  domains: number;
}

/** Keyset pages in id order: stable, and each page one indexed read. */
async function* pages<R extends { id: string }>(
  read: (after: string | null) => Promise<R[]>,
): AsyncGenerator<R> {
  let after: string | null = null;
  for (;;) {
    const rows = await read(after);
    yield* rows;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]?.id ?? null;
  }
}

export async function exportBook(
  db: Db,
  dir: string,
  now: Instant,
): Promise<{ file: string; counts: ExportCounts }> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, BOOK_FILE);
  const out = createWriteStream(file, { encoding: "utf8" });
  const write = async (value: object) => {
    if (!out.write(`${JSON.stringify(value)}\n`)) await once(out, "drain");
  };
  const counts: ExportCounts = { customers: 0, subscriptions: 0, domains: 0 };
  try {
    await write({ format: BOOK_FORMAT, version: BOOK_VERSION, exported_at: formatInstant(now) });

    for await (const c of pages((after) => {
      let query = db.selectFrom("customers").selectAll().orderBy("id").limit(PAGE);
      if (after !== null) query = query.where("id", ">", after);
      return query.execute();
    })) {
      const line: BookLine = {
        type: "customer",
        id: c.id,
        email: c.email,
        name: c.name,
        locale: c.locale as "en" | "fr-CA",
        currency: c.currency,
        time_zone: c.time_zone,
        created_at: formatInstant(Number(c.created_at)),
        billing_address:
          c.billing_country === null
            ? null
            : {
                country: c.billing_country,
                province: c.billing_province,
                postal_code: c.billing_postal_code ?? "",
                business_name: c.billing_business_name,
                vat_number: c.billing_vat_number,
                tax_exempt: fromDbBool(Number(c.tax_exempt)),
                tax_exempt_reason: c.tax_exempt_reason,
              },
      };
      await write(line);
      counts.customers += 1;
    }

    for await (const s of pages((after) => {
      let query = db
        .selectFrom("subscriptions")
        .innerJoin("services", "services.id", "subscriptions.service_id")
        .select([
          "services.id as id",
          "services.customer_id",
          "services.kind",
          "services.label",
          "services.status",
          "subscriptions.product_id",
          "subscriptions.plan",
          "subscriptions.price",
          "subscriptions.currency",
          "subscriptions.started_at",
          "subscriptions.term_ends_at",
        ])
        .orderBy("services.id")
        .limit(PAGE);
      if (after !== null) query = query.where("services.id", ">", after);
      return query.execute();
    })) {
      const line: BookLine = {
        type: "subscription",
        id: s.id,
        customer: s.customer_id,
        kind: s.kind as "hosting",
        label: s.label,
        product: s.product_id,
        plan: s.plan as "monthly",
        price: Number(s.price),
        currency: s.currency,
        started_at: formatInstant(Number(s.started_at)),
        term_ends_at: formatInstant(Number(s.term_ends_at)),
        status: s.status as "active",
      };
      await write(line);
      counts.subscriptions += 1;
    }

    for await (const d of pages((after) => {
      let query = db
        .selectFrom("domains")
        .innerJoin("services", "services.id", "domains.service_id")
        .select([
          "services.id as id",
          "services.customer_id",
          "services.status",
          "domains.name",
          "domains.registrar",
          "domains.registered_at",
          "domains.expires_at",
          "domains.auto_renew",
          "domains.email_verified",
          "domains.offer",
          "domains.recorded_price",
          "domains.recorded_currency",
          "domains.site_service_id",
          "domains.contacts",
        ])
        .orderBy("services.id")
        .limit(PAGE);
      if (after !== null) query = query.where("services.id", ">", after);
      return query.execute();
    })) {
      const line: BookLine = {
        type: "domain",
        id: d.id,
        customer: d.customer_id,
        name: d.name,
        registrar: d.registrar,
        registered_at: formatInstant(Number(d.registered_at)),
        expires_at: formatInstant(Number(d.expires_at)),
        auto_renew: fromDbBool(Number(d.auto_renew)),
        email_verified: fromDbBool(Number(d.email_verified)),
        offer: d.offer as "legacy-free" | null,
        renewal_price: { amount: Number(d.recorded_price), currency: d.recorded_currency },
        site: d.site_service_id,
        status: d.status as "active",
        contacts: d.contacts === null ? null : JSON.parse(d.contacts),
      };
      await write(line);
      counts.domains += 1;
    }
  } finally {
    out.end();
    await once(out, "finish");
  }
  return { file, counts };
}
