/**
 * Generates a realistic book straight into the schema, in bulk: customers with 1 to 50 services
 * (about 60% domains over three registrars and ten TLDs, 30% hosting on monthly and yearly terms,
 * 10% SSL and apps), due dates spread over the year, a share of failing cards. Rows are those the
 * import use cases write (importDomain, importSubscription, setCard), and each service's
 * next_due_at is what the engine computes for it: the book is up to date at `asOf`, nothing due.
 */

import { type Insertable, type Kysely, sql } from "kysely";
import type { Store } from "../../src/db/database.js";
import type { Database } from "../../src/db/schema.js";
import { type DomainFacts, nextDomainStep } from "../../src/domain/domain-lifecycle.js";
import { defaultPolicies, type Policies } from "../../src/domain/policies.js";
import { quoteDomainRenewal } from "../../src/domain/pricing.js";
import { nextSubscriptionStep, type Plan, termEnd } from "../../src/domain/subscription-lifecycle.js";
import { addMonths, addYears, DAY, formatInstant, type Instant } from "../../src/domain/time.js";
import { createAccount } from "../../src/modules/accounts/account-repository.js";
import { compactCustomerChanges } from "../../src/modules/customers/customer-versions.js";
import { Random } from "./random.js";

const MINUTE = 60_000;

/** Public renewal prices (minor units) by TLD and currency; every TLD has all three currencies. */
export const BOOK_TLD_PRICES: Record<string, Record<string, number>> = {
  com: { USD: 2000, CAD: 2600, EUR: 1800 },
  net: { USD: 2200, CAD: 2900, EUR: 2000 },
  org: { USD: 2100, CAD: 2800, EUR: 1900 },
  ca: { USD: 1900, CAD: 2600, EUR: 1800 },
  io: { USD: 5900, CAD: 7900, EUR: 5400 },
  dev: { USD: 1800, CAD: 2400, EUR: 1700 },
  app: { USD: 2000, CAD: 2600, EUR: 1800 },
  co: { USD: 3200, CAD: 4300, EUR: 2900 },
  shop: { USD: 3900, CAD: 5200, EUR: 3600 },
  // Price-locked before 2021-01-11 (DEFAULT_PRICING): some renew at their recorded price.
  life: { USD: 3500, CAD: 4700, EUR: 3200 },
};
const TLD_WEIGHTS: [string, number][] = [
  ["com", 40],
  ["net", 8],
  ["org", 8],
  ["ca", 12],
  ["io", 6],
  ["dev", 4],
  ["app", 4],
  ["co", 6],
  ["shop", 6],
  ["life", 6],
];
const REGISTRAR_WEIGHTS: [string, number][] = [
  ["squarespace-domains", 5],
  ["tucows", 3],
  ["gtld-registry", 2],
];
const CURRENCIES: [string, number][] = [
  ["USD", 70],
  ["CAD", 20],
  ["EUR", 10],
];
const TIME_ZONES: Record<string, string> = {
  USD: "America/New_York",
  CAD: "America/Toronto",
  EUR: "Europe/Paris",
};
/** The failing test cards and their share among failing customers. */
const FAILING_CARDS: [string, number][] = [
  ["declined", 3],
  ["insufficient-funds", 2],
  ["expired", 1],
  ["fails-1-then-ok", 2],
];
const CARD_LAST4: Record<string, string> = { ok: "4242", declined: "0002", expired: "0069" };

export interface FeaturedLogin {
  customerId: string;
  email: string;
  password: string;
}

export interface BookOptions {
  /** Services due over the year (the ordinary book). */
  services: number;
  /** The instant the book is up to date at: every next_due_at lies after it. */
  asOf: Instant;
  seed?: number;
  /** Share of customers whose card fails (declined, no funds, expired, fails once): default 8%. */
  failingCardShare?: number;
  /** Monthly hosting services whose term ends on `day` (within 24 h after it), all with good cards. */
  peak?: { services: number; day: Instant };
  /** One customer with 50 services (30 domains) and a client-area login. */
  featured?: FeaturedLogin;
  policies?: Policies;
  /** Called after each bulk flush with the services written so far. */
  onProgress?: (servicesWritten: number) => void;
}

export interface BookSummary {
  customers: number;
  services: number;
  domains: number;
  hosting: number;
  sslAndApps: number;
  failingCustomers: number;
  peakServices: number;
  /** The earliest next_due_at written: proves the book starts with nothing due. */
  earliestDueAt: Instant;
}

/** Buffers rows per table and writes them as multi-row INSERTs inside one transaction per flush. */
class BulkWriter {
  private readonly buffers = new Map<keyof Database, Record<string, unknown>[]>();
  private buffered = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly flushEvery = 20_000,
  ) {}

  async add<T extends keyof Database>(table: T, row: Insertable<Database[T]>): Promise<void> {
    let buffer = this.buffers.get(table);
    if (!buffer) {
      buffer = [];
      this.buffers.set(table, buffer);
    }
    buffer.push(row as Record<string, unknown>);
    this.buffered += 1;
    if (this.buffered >= this.flushEvery) await this.flush();
  }

  /** Tables go in the order they were first written to, so foreign keys are satisfied. */
  async flush(): Promise<void> {
    if (this.buffered === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const [table, rows] of this.buffers) {
        if (rows.length === 0) continue;
        const columns = Object.keys(rows[0]!).length;
        // Under SQLite's 32,766 bound variables per statement (PostgreSQL allows 65,535).
        const perStatement = Math.floor(30_000 / columns);
        for (let i = 0; i < rows.length; i += perStatement) {
          // Rows were typed per table by add(); `never` only spares re-proving it here.
          await tx
            .insertInto(table)
            .values(rows.slice(i, i + perStatement) as never)
            .execute();
        }
        rows.length = 0;
      }
    });
    this.buffered = 0;
  }
}

interface CustomerDraft {
  id: string;
  currency: string;
}

/** Writes the book; the database must be migrated and empty. */
export async function generateBook(
  store: Pick<Store, "db" | "dialect">,
  options: BookOptions,
): Promise<BookSummary> {
  const db: Kysely<Database> = store.db;
  const policies = options.policies ?? defaultPolicies();
  const random = new Random(options.seed ?? 20_240_601);
  const failingShare = options.failingCardShare ?? 0.08;
  const writer = new BulkWriter(db);
  const summary: BookSummary = {
    customers: 0,
    services: 0,
    domains: 0,
    hosting: 0,
    sslAndApps: 0,
    failingCustomers: 0,
    peakServices: 0,
    earliestDueAt: Number.POSITIVE_INFINITY,
  };
  const { asOf } = options;

  for (const [tld, prices] of Object.entries(BOOK_TLD_PRICES)) {
    for (const [currency, amount] of Object.entries(prices))
      await writer.add("tld_prices", { tld, currency, renew_amount: amount });
  }

  let serviceNumber = 0;
  const nextServiceId = () => `s${String(++serviceNumber).padStart(8, "0")}`;

  const addCustomer = async (id: string, email: string, card: string | null): Promise<CustomerDraft> => {
    const currency = random.weighted(CURRENCIES);
    const locale = currency === "CAD" && random.next() < 0.5 ? "fr-CA" : "en";
    const sequence = summary.customers + 1;
    await writer.add("customers", {
      id,
      email,
      name: `Customer ${sequence}`,
      locale,
      currency,
      time_zone: TIME_ZONES[currency]!,
      // What TestGateway.saveCard returns: test_<card>_<customer>_<n>.
      card_token: card === null ? null : `test_${card}_${id}_${sequence}`,
      card_label: card === null ? null : `Visa •••• ${CARD_LAST4[card] ?? "9995"}`,
      created_at: asOf - 11 * 365 * DAY,
    });
    summary.customers += 1;
    return { id, currency };
  };

  const addService = async (customer: CustomerDraft, kind: string, label: string, createdAt: Instant) => {
    const id = nextServiceId();
    summary.services += 1;
    return { id, kind, label, createdAt, customer };
  };

  const writeService = async (
    service: { id: string; kind: string; label: string; createdAt: Instant; customer: CustomerDraft },
    nextDueAt: Instant,
  ) => {
    summary.earliestDueAt = Math.min(summary.earliestDueAt, nextDueAt);
    await writer.add("services", {
      id: service.id,
      customer_id: service.customer.id,
      kind: service.kind,
      label: service.label,
      status: "active",
      created_at: service.createdAt,
      next_due_at: nextDueAt,
      lease_owner: null,
      lease_until: null,
      failure_count: 0,
      last_error: null,
    });
  };

  const addDomain = async (customer: CustomerDraft) => {
    const tld = random.weighted(TLD_WEIGHTS);
    const registrar = tld === "ca" ? "tucows" : random.weighted(REGISTRAR_WEIGHTS);
    const policy = policies.registrars[registrar]!;
    const autoRenew = random.next() < 0.9;
    const registeredAt = asOf - random.int(0, 10 * 365) * DAY - random.int(0, 1439) * MINUTE;
    const publicPrices = BOOK_TLD_PRICES[tld]!;
    const recordedPrice = { amount: publicPrices[customer.currency]!, currency: customer.currency };
    const quote = quoteDomainRenewal(
      {
        tld,
        registeredAt,
        offer: null,
        legacyLostReason: null,
        recordedPrice,
        billingCurrency: customer.currency,
        publicPrices,
        site: null,
      },
      policies.pricing,
    );
    // Registered for as many years as bring its next step past `asOf` (importDomain's `years`).
    let years = Math.max(1, Math.floor((asOf - registeredAt) / (366 * DAY)));
    let expiresAt: Instant;
    let nextAt: Instant;
    for (;;) {
      expiresAt = addYears(registeredAt, years);
      const facts: DomainFacts = {
        status: "active",
        registeredAt,
        expiresAt,
        autoRenew,
        autoRenewChangedAt: null,
        emailVerified: true,
        isLegacySiteLapsed: false,
        quote,
        renewal: null,
        reactivation: null,
        pendingPaymentSince: null,
        sentNotices: new Set(),
      };
      const step = nextDomainStep(facts, policy, asOf);
      if (step && step.at > asOf) {
        nextAt = step.at;
        break;
      }
      years += 1;
    }
    const service = await addService(customer, "domain", "", registeredAt);
    const name = `site${service.id.slice(1)}.${tld}`;
    service.label = name;
    await writeService(service, nextAt);
    await writer.add("domains", {
      service_id: service.id,
      name,
      tld,
      registrar,
      registered_at: registeredAt,
      lock_start_at: registeredAt,
      expires_at: expiresAt,
      auto_renew: autoRenew ? 1 : 0,
      auto_renew_changed_at: null,
      email_verified: 1,
      site_service_id: null,
      site_connected: 0,
      offer: null,
      legacy_lost_reason: null,
      recorded_price: recordedPrice.amount,
      recorded_currency: recordedPrice.currency,
    });
    await writer.add("events", {
      at: registeredAt,
      type: "domain.registered",
      customer_id: customer.id,
      service_id: service.id,
      details: JSON.stringify({ name, expiresAt: formatInstant(expiresAt) }),
    });
    summary.domains += 1;
  };

  const addSubscription = async (
    customer: CustomerDraft,
    kind: "hosting" | "ssl" | "app",
    plan: Plan,
    startedAt: Instant,
  ) => {
    const price =
      kind === "hosting"
        ? plan === "monthly"
          ? random.weighted([
              [999, 3],
              [1499, 2],
              [2499, 1],
            ])
          : random.weighted([
              [9999, 3],
              [14999, 2],
              [23999, 1],
            ])
        : plan === "monthly"
          ? 900
          : random.weighted([
              [4900, 1],
              [6900, 1],
            ]);
    const label =
      kind === "hosting" ? "Web hosting — Pro" : kind === "ssl" ? "SSL certificate" : "App — Booking";
    const step = plan === "monthly" ? 31 * DAY : 366 * DAY;
    let terms = Math.max(1, Math.floor((asOf - startedAt) / step));
    let termEndsAt: Instant;
    let nextAt: Instant;
    for (;;) {
      termEndsAt = termEnd(startedAt, terms, plan);
      const next = nextSubscriptionStep(
        { status: "active", termEndsAt, pendingCancellation: null, renewal: null, pendingPaymentSince: null },
        policies.billing,
      );
      if (next && next.at > asOf) {
        nextAt = next.at;
        break;
      }
      terms += 1;
    }
    const service = await addService(customer, kind, label, startedAt);
    await writeService(service, nextAt);
    await writer.add("subscriptions", {
      service_id: service.id,
      product_id: null,
      plan,
      price,
      currency: customer.currency,
      started_at: startedAt,
      anchor_at: startedAt,
      terms_since_anchor: terms,
      term_ends_at: termEndsAt,
    });
    await writer.add("events", {
      at: startedAt,
      type: "service.activated",
      customer_id: customer.id,
      service_id: service.id,
      details: JSON.stringify({ plan }),
    });
    if (kind === "hosting") summary.hosting += 1;
    else summary.sslAndApps += 1;
    return service.id;
  };

  const pastStart = () => asOf - random.int(1, 3 * 365) * DAY - random.int(0, 1439) * MINUTE;

  const addOrdinaryService = async (customer: CustomerDraft) => {
    const roll = random.next();
    if (roll < 0.6) return addDomain(customer);
    if (roll < 0.9)
      return addSubscription(customer, "hosting", random.next() < 0.5 ? "monthly" : "yearly", pastStart());
    if (roll < 0.96) return addSubscription(customer, "ssl", "yearly", pastStart());
    return addSubscription(customer, "app", random.next() < 0.5 ? "monthly" : "yearly", pastStart());
  };

  /** 1 to 50 services, most customers having a few (mean about 3.5). */
  const servicesPerCustomer = () => Math.min(50, 1 + Math.floor(-Math.log(1 - random.next()) * 2.5));

  const report = () => options.onProgress?.(summary.services);

  if (options.featured) {
    const customer = await addCustomer(options.featured.customerId, options.featured.email, "ok");
    for (let i = 0; i < 30; i += 1) await addDomain(customer);
    for (let i = 0; i < 15; i += 1)
      await addSubscription(customer, "hosting", i % 3 === 0 ? "yearly" : "monthly", pastStart());
    for (let i = 0; i < 5; i += 1)
      await addSubscription(customer, i % 2 === 0 ? "ssl" : "app", "yearly", pastStart());
  }

  let ordinary = 0;
  while (ordinary < options.services) {
    const n = `${summary.customers + 1}`;
    const failing = random.next() < failingShare;
    const card = failing ? random.weighted(FAILING_CARDS) : random.next() < 0.01 ? null : "ok";
    if (failing) summary.failingCustomers += 1;
    const customer = await addCustomer(`c${n.padStart(8, "0")}`, `c${n}@bench.example`, card);
    const count = Math.min(servicesPerCustomer(), options.services - ordinary);
    for (let i = 0; i < count; i += 1) await addOrdinaryService(customer);
    ordinary += count;
    if (summary.customers % 5000 === 0) report();
  }

  if (options.peak) {
    const { day } = options.peak;
    let written = 0;
    while (written < options.peak.services) {
      const n = `${summary.customers + 1}`;
      const customer = await addCustomer(`p${n.padStart(8, "0")}`, `p${n}@bench.example`, "ok");
      const count = Math.min(servicesPerCustomer(), options.peak.services - written);
      for (let i = 0; i < count; i += 1) {
        // Started 1 to 24 months before, on the peak day's date, at a minute of that day.
        const dueAt = day + random.int(1, 1439) * MINUTE;
        await addSubscription(customer, "hosting", "monthly", addMonths(dueAt, -random.int(1, 24)));
      }
      written += count;
      summary.peakServices += count;
      if (summary.customers % 5000 === 0) report();
    }
  }

  await writer.flush();
  report();
  if (options.featured) {
    const { customerId, email, password } = options.featured;
    await createAccount(db, customerId, email, password, asOf);
  }
  // As after any bulk load: fold the customers' change rows, and give the planner statistics
  // (PostgreSQL hash-joined whole tables for the client area's queries without them).
  await compactCustomerChanges(store);
  await sql`ANALYZE`.execute(db);
  return summary;
}
