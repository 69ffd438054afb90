/**
 * Benchmark 7: `tenure import` of a book of N services (1,000,000), as a host moving in would run
 * it, against its floor: plain multi-row INSERTs of the same rows, in the same run, no checks and
 * no lifecycle. Target: under 2 minutes on SQLite.
 * `npm run bench:import -- --db sqlite|postgres [--services 1000000]`
 */
import { once } from "node:events";
import { createReadStream, createWriteStream, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import type { Insertable, Kysely } from "kysely";
import type { Database } from "../src/db/schema.js";
import { addMonths, addYears, DAY, formatInstant, parseInstant } from "../src/domain/time.js";
import type { BookLine } from "../src/modules/import-export/book-format.js";
import { importBook } from "../src/modules/import-export/import-book.js";
import { findBookSource } from "../src/modules/import-export/read-book.js";
import { check, parseBenchArgs, printResult, progress, round } from "./lib/cli.js";
import { Random } from "./lib/random.js";
import { benchDeps, openBenchStore, recreateBenchDatabase } from "./lib/store.js";

const IMPORT_AT = parseInstant("2025-01-01T00:00:00Z") ?? 0;
const TARGET_SECONDS = 120;
const ROWS_PER_INSERT = 500;

interface Written {
  customers: number;
  subscriptions: number;
  domains: number;
}

/** A seeded book in the import format: customers with 1 to 6 services, 60% domains, all live and current. */
async function writeBook(path: string, services: number): Promise<Written> {
  const random = new Random(13);
  const out = createWriteStream(path, { encoding: "utf8" });
  const write = async (line: object) => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, "drain");
  };
  await write({ format: "tenure-book", version: 1 });
  const counts: Written = { customers: 0, subscriptions: 0, domains: 0 };
  // Customers first, then what they own (the format's order): each customer's services are decided up front.
  const owners: { customer: string; currency: string; kinds: ("domain" | "hosting" | "ssl")[] }[] = [];
  let planned = 0;
  while (planned < services) {
    const id = `c-${owners.length + 1}`;
    const currency = random.weighted([
      ["USD", 7],
      ["CAD", 2],
      ["EUR", 1],
    ] as const);
    const count = Math.min(random.int(1, 6), services - planned);
    const kinds = Array.from({ length: count }, () =>
      random.weighted([
        ["domain", 6],
        ["hosting", 3],
        ["ssl", 1],
      ] as const),
    );
    owners.push({ customer: id, currency, kinds });
    planned += count;
    const line: BookLine = {
      type: "customer",
      id,
      email: `${id}@book.example`,
      name: `Customer ${owners.length}`,
      locale: currency === "CAD" && random.next() < 0.5 ? "fr-CA" : "en",
      currency,
      time_zone: "America/Toronto",
      created_at: formatInstant(IMPORT_AT - random.int(30, 3000) * DAY),
      billing_address: null,
    };
    await write(line);
    counts.customers += 1;
  }
  let serial = 0;
  for (const owner of owners) {
    for (const kind of owner.kinds) {
      if (kind === "domain") continue;
      serial += 1;
      const plan = random.next() < 0.5 ? "monthly" : "yearly";
      const termEnds = IMPORT_AT + random.int(1, plan === "monthly" ? 30 : 365) * DAY;
      const line: BookLine = {
        type: "subscription",
        id: `s-${serial}`,
        customer: owner.customer,
        kind,
        label: kind === "hosting" ? "Hosting" : "SSL certificate",
        product: null,
        plan,
        price: plan === "monthly" ? 999 : 9900,
        currency: owner.currency,
        started_at: formatInstant(
          plan === "monthly"
            ? addMonths(termEnds, -random.int(1, 36))
            : addYears(termEnds, -random.int(1, 3)),
        ),
        term_ends_at: formatInstant(termEnds),
        status: "active",
      };
      await write(line);
      counts.subscriptions += 1;
    }
  }
  const registrars = ["squarespace-domains", "tucows", "gtld-registry"] as const;
  const tlds = ["com", "net", "org", "ca", "io"] as const;
  for (const owner of owners) {
    for (const kind of owner.kinds) {
      if (kind !== "domain") continue;
      serial += 1;
      const expires = IMPORT_AT + random.int(1, 364) * DAY + random.int(0, 86_399) * 1000;
      const line: BookLine = {
        type: "domain",
        id: `d-${serial}`,
        customer: owner.customer,
        name: `name-${serial}.${tlds[serial % tlds.length]}`,
        registrar: registrars[serial % registrars.length] ?? "tucows",
        registered_at: formatInstant(addYears(expires, -random.int(1, 10))),
        expires_at: formatInstant(expires),
        auto_renew: random.next() < 0.9,
        email_verified: true,
        offer: null,
        renewal_price: { amount: 2000, currency: owner.currency },
        site: null,
        status: "active",
        contacts: null,
      };
      await write(line);
      counts.domains += 1;
    }
  }
  out.end();
  await once(out, "finish");
  return counts;
}

/** The floor: the same rows, read from the same file, as plain multi-row INSERTs in one transaction. */
async function insertFloor(db: Kysely<Database>, path: string): Promise<number> {
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let rows = 0;
  await db.transaction().execute(async (tx) => {
    let customers: Insertable<Database["customers"]>[] = [];
    let services: Insertable<Database["services"]>[] = [];
    let subscriptions: Insertable<Database["subscriptions"]>[] = [];
    let domains: Insertable<Database["domains"]>[] = [];
    const flush = async () => {
      if (customers.length) await tx.insertInto("customers").values(customers).execute();
      if (services.length) await tx.insertInto("services").values(services).execute();
      if (subscriptions.length) await tx.insertInto("subscriptions").values(subscriptions).execute();
      if (domains.length) await tx.insertInto("domains").values(domains).execute();
      customers = [];
      services = [];
      subscriptions = [];
      domains = [];
    };
    const at = (text: string) => Date.parse(text);
    for await (const text of lines) {
      const line = JSON.parse(text);
      if (line.type === "customer") {
        customers.push({
          id: line.id,
          email: line.email,
          name: line.name,
          locale: line.locale,
          currency: line.currency,
          time_zone: line.time_zone,
          card_token: null,
          card_label: null,
          created_at: at(line.created_at),
        } as Insertable<Database["customers"]>);
      } else if (line.type === "subscription" || line.type === "domain") {
        const isDomain = line.type === "domain";
        services.push({
          id: line.id,
          customer_id: line.customer,
          kind: isDomain ? "domain" : line.kind,
          label: isDomain ? line.name : line.label,
          status: line.status,
          created_at: at(isDomain ? line.registered_at : line.started_at),
          next_due_at: at(isDomain ? line.expires_at : line.term_ends_at),
          lease_owner: null,
          lease_until: null,
          failure_count: 0,
          last_error: null,
        } as Insertable<Database["services"]>);
        if (isDomain) {
          domains.push({
            service_id: line.id,
            name: line.name,
            tld: line.name.slice(line.name.indexOf(".") + 1),
            registrar: line.registrar,
            registered_at: at(line.registered_at),
            lock_start_at: at(line.registered_at),
            expires_at: at(line.expires_at),
            auto_renew: line.auto_renew ? 1 : 0,
            auto_renew_changed_at: null,
            email_verified: 1,
            site_service_id: null,
            site_connected: 0,
            offer: null,
            legacy_lost_reason: null,
            recorded_price: line.renewal_price.amount,
            recorded_currency: line.renewal_price.currency,
          } as Insertable<Database["domains"]>);
        } else {
          subscriptions.push({
            service_id: line.id,
            product_id: null,
            plan: line.plan,
            price: line.price,
            currency: line.currency,
            started_at: at(line.started_at),
            anchor_at: at(line.term_ends_at),
            terms_since_anchor: 0,
            term_ends_at: at(line.term_ends_at),
          });
        }
      } else continue;
      rows += 1;
      // Services before their subscription or domain row, customers before both: flush in that order.
      if (customers.length + services.length >= ROWS_PER_INSERT) await flush();
    }
    await flush();
  });
  return rows;
}

async function countRows(db: Kysely<Database>): Promise<Written> {
  const count = async (table: "customers" | "subscriptions" | "domains") =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    customers: await count("customers"),
    subscriptions: await count("subscriptions"),
    domains: await count("domains"),
  };
}

const args = parseBenchArgs({ services: 1_000_000 });
const dir = process.env.TENURE_BENCH_DIR ?? join(tmpdir(), "tenure-bench");
mkdirSync(dir, { recursive: true });
const file = join(dir, "import-book.jsonl");
progress(`import: writing a book of ${args.services} services to ${file}`);
const written = await writeBook(file, args.services);

progress("import: tenure import (check, then write) into a fresh database");
const importStore = openBenchStore(await recreateBenchDatabase(args.db, "import"));
const started = performance.now();
const outcome = await importBook(benchDeps(importStore), await findBookSource(file), {
  now: IMPORT_AT,
  progressEvery: 100_000,
  onProgress: (p) => progress(`import: ${p.phase} ${p.records} records`),
});
const importSeconds = (performance.now() - started) / 1000;
check(
  outcome.ok,
  `the import reported problems: ${JSON.stringify(outcome.ok ? [] : outcome.problems.slice(0, 3))}`,
);
check(
  JSON.stringify(await countRows(importStore.db)) === JSON.stringify(written),
  "the import did not write every record",
);
await importStore.close();

progress("import: the floor, plain INSERTs of the same rows, into a fresh database");
const floorStore = openBenchStore(await recreateBenchDatabase(args.db, "import-floor"));
const floorStarted = performance.now();
await insertFloor(floorStore.db, file);
const floorSeconds = (performance.now() - floorStarted) / 1000;
check(
  JSON.stringify(await countRows(floorStore.db)) === JSON.stringify(written),
  "the floor did not write every record",
);
await floorStore.close();

printResult({
  bench: "import",
  dialect: args.db,
  services: args.services,
  customers: written.customers,
  seconds: round(importSeconds, 2),
  servicesPerSecond: Math.round(args.services / importSeconds),
  floorSeconds: round(floorSeconds, 2),
  ratio: round(importSeconds / floorSeconds, 2),
  targetSeconds: TARGET_SECONDS,
  met: importSeconds < TARGET_SECONDS,
  dueAtOnce: outcome.ok ? outcome.dueAtOnce : null,
});
