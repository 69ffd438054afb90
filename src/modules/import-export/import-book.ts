/**
 * `tenure import`: brings a host's book (customers, subscriptions, domains) in from the system it
 * leaves. Everything is checked before anything is written (every problem with its file, line and
 * field); then the whole book is written in one transaction, so a failure writes nothing. A record
 * whose id is already in Tenure is left as it is: importing a file twice changes nothing.
 *
 * Imported services take their place in the engine at their next due instant. The old system's
 * past is not replayed: no event is recorded for it (nothing reaches the timeline or the webhooks),
 * and a notice whose date has passed is recorded as skipped, never sent.
 */
import { sql } from "kysely";
import { chunks, KEYS_PER_STATEMENT, readInChunks } from "../../db/chunks.js";
import { toDbBool } from "../../db/columns.js";
import {
  type DomainFacts,
  type DomainStep,
  NO_OVERRIDES,
  nextDomainStep,
  noticeMarker,
} from "../../domain/domain-lifecycle.js";
import { domainImportProblems, subscriptionImportProblems } from "../../domain/import-rules.js";
import type { DomainOffer } from "../../domain/pricing.js";
import { nextSubscriptionStep } from "../../domain/subscription-lifecycle.js";
import { formatInstant, type Instant, parseInstant } from "../../domain/time.js";
import type { Deps, Tx } from "../deps.js";
import type { DomainRecord as StoredDomain } from "../domains/domain-repository.js";
import { loadDomainFactsOf } from "../domains/domain-repository.js";
import { noticeKey } from "../notifications/queue-notice.js";
import type {
  BookRecord,
  CustomerRecord,
  DomainRecord,
  RecordType,
  SubscriptionRecord,
} from "./book-format.js";
import { type BookProblem, type BookSource, readBook } from "./read-book.js";

export interface ImportProgress {
  phase: "checking" | "writing";
  records: number;
}

export interface ImportOptions {
  now: Instant;
  /** Checks and writes in a transaction that is then rolled back: says what the import would do. */
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
  /** How many records between two progress calls (each pass also reports its end). */
  progressEvery?: number;
}

export interface ImportCounts {
  customers: number;
  subscriptions: number;
  domains: number;
}

export type ImportOutcome =
  | { ok: false; problems: BookProblem[] }
  | {
      ok: true;
      dryRun: boolean;
      records: number;
      created: ImportCounts;
      /** Already in Tenure under the same id: left as they are. */
      unchanged: ImportCounts;
      /** Services with a step due at the first engine run (a renewal invoice or charge whose date has come). */
      dueAtOnce: number;
      /** Notices whose date had passed at the import: recorded as skipped, not sent. */
      skippedNotices: number;
    };

/** Not a hash: no password verifies against it, only a password-reset link opens the account. */
export const NO_PASSWORD = "!imported:no-password";

/** Rows per multi-row INSERT: well under both databases' caps on parameters per statement. */
const ROWS_PER_INSERT = 500;

const COUNT_KEY: Record<RecordType, keyof ImportCounts> = {
  customer: "customers",
  subscription: "subscriptions",
  domain: "domains",
};

interface Where {
  file: string;
  line: number;
}

const NOWHERE: Where = { file: "", line: 0 };

export async function importBook(
  deps: Deps,
  source: BookSource,
  options: ImportOptions,
): Promise<ImportOutcome> {
  const checked = await checkBook(deps, source, options);
  if (checked.problems.length > 0) return { ok: false, problems: checked.problems };
  const writer = new BookWriter(deps, options.now, checked.existing);
  let written = 0;
  try {
    await deps.db.transaction().execute(async (tx) => {
      for await (const item of readBook(source)) {
        if (!item.ok) throw new ImportFailure(item.problems);
        await writer.add(tx, item.record, { file: item.file, line: item.line });
        written += 1;
        if (options.onProgress && written % (options.progressEvery ?? 10_000) === 0)
          options.onProgress({ phase: "writing", records: written });
      }
      await writer.flush(tx);
      if (options.dryRun) throw new DryRunDone();
    });
  } catch (error) {
    if (error instanceof ImportFailure) return { ok: false, problems: error.problems };
    if (!(error instanceof DryRunDone)) throw error;
  }
  options.onProgress?.({ phase: "writing", records: written });
  // Fresh tables of a million rows: PostgreSQL plans with stale statistics until autovacuum runs.
  if (!options.dryRun && deps.dialect === "postgres" && writer.createdAny()) {
    await sql`analyze customers, services, subscriptions, domains, notices`.execute(deps.db);
  }
  return {
    ok: true,
    dryRun: options.dryRun ?? false,
    records: written,
    created: writer.created,
    unchanged: writer.unchanged,
    dueAtOnce: writer.dueAtOnce,
    skippedNotices: writer.skippedNotices,
  };
}

class ImportFailure extends Error {
  constructor(readonly problems: BookProblem[]) {
    super(`${problems.length} problem(s) in the book`);
  }
}

class DryRunDone extends Error {}

interface Existing {
  customers: Set<string>;
  services: Set<string>;
}

/**
 * The first pass: every record validated (schema, dates against the import instant, the
 * registrar's policy), ids and e-mails and domain names unique, every reference found in the book
 * or in Tenure. Records already in Tenure are noted, to be left alone.
 */
async function checkBook(
  deps: Deps,
  source: BookSource,
  options: ImportOptions,
): Promise<{ problems: BookProblem[]; existing: Existing }> {
  const problems: BookProblem[] = [];
  const customers = new Map<string, Where>();
  const emails = new Map<string, { id: string; where: Where }>();
  const services = new Map<string, { type: RecordType; where: Where }>();
  const names = new Map<string, { id: string; where: Where }>();
  const customerRefs: { id: string; where: Where }[] = [];
  const siteRefs: { id: string; where: Where }[] = [];
  const productRefs: { id: string; where: Where }[] = [];
  const legacyCutoff = parseInstant(deps.policies.pricing.legacyFreeRegisteredBefore) ?? 0;
  const add = (where: Where, field: string, message: string) => problems.push({ ...where, field, message });
  let records = 0;

  for await (const item of readBook(source)) {
    records += 1;
    if (options.onProgress && records % (options.progressEvery ?? 10_000) === 0)
      options.onProgress({ phase: "checking", records });
    if (!item.ok) {
      problems.push(...item.problems);
      // Known by its id all the same: what refers to it is not reported missing as well.
      if (item.id !== undefined && item.type === "customer") customers.set(item.id, NOWHERE);
      else if (item.id !== undefined && item.type) services.set(item.id, { type: item.type, where: NOWHERE });
      continue;
    }
    const where = { file: item.file, line: item.line };
    const record = item.record;
    if (record.type === "customer") {
      if (customers.has(record.id)) add(where, "id", `customer ${record.id} appears twice in the book`);
      customers.set(record.id, where);
      const email = record.email.toLowerCase();
      const other = emails.get(email);
      if (other && other.id !== record.id) add(where, "email", `also the e-mail of customer ${other.id}`);
      else emails.set(email, { id: record.id, where });
      continue;
    }
    if (services.has(record.id)) add(where, "id", `service ${record.id} appears twice in the book`);
    services.set(record.id, { type: record.type, where });
    if (!customers.has(record.customer)) customerRefs.push({ id: record.customer, where });
    if (record.type === "subscription") {
      for (const p of subscriptionImportProblems(
        { status: record.status, startedAt: record.started_at, termEndsAt: record.term_ends_at },
        options.now,
      ))
        add(where, p.field, p.message);
      if (record.product !== null) productRefs.push({ id: record.product, where });
      continue;
    }
    const policy = deps.policies.registrars[record.registrar];
    if (!policy) {
      add(
        where,
        "registrar",
        `unknown registrar (the policy file has ${Object.keys(deps.policies.registrars).join(", ")})`,
      );
    } else {
      const facts = {
        status: record.status,
        registeredAt: record.registered_at,
        expiresAt: record.expires_at,
        emailVerified: record.email_verified,
        offer: record.offer,
      };
      for (const p of domainImportProblems(facts, policy, legacyCutoff, options.now))
        add(where, p.field, p.message);
    }
    const other = names.get(record.name);
    if (other && other.id !== record.id) add(where, "name", `also the name of domain ${other.id}`);
    else names.set(record.name, { id: record.id, where });
    if (record.site !== null) {
      const site = services.get(record.site);
      if (site?.type === "domain") add(where, "site", `${record.site} is a domain, not a subscription`);
      else if (!site) siteRefs.push({ id: record.site, where });
    }
  }
  options.onProgress?.({ phase: "checking", records });

  const db = deps.db;
  const existingCustomers = new Set<string>();
  for (const row of await readInChunks([...customers.keys()], (ids) =>
    db.selectFrom("customers").select("id").where("id", "in", ids).execute(),
  ))
    existingCustomers.add(row.id);
  for (const row of await readInChunks([...emails.keys()], (batch) =>
    db.selectFrom("customers").select(["id", "email"]).where("email", "in", batch).execute(),
  )) {
    const mine = emails.get(row.email.toLowerCase());
    if (mine && mine.id !== row.id)
      add(mine.where, "email", `already the e-mail of customer ${row.id} in Tenure`);
  }
  const existingServices = new Set<string>();
  for (const row of await readInChunks([...services.keys()], (ids) =>
    db.selectFrom("services").select(["id", "kind"]).where("id", "in", ids).execute(),
  )) {
    existingServices.add(row.id);
    const mine = services.get(row.id);
    if (mine && (row.kind === "domain") !== (mine.type === "domain"))
      add(mine.where, "id", `already a ${row.kind === "domain" ? "domain" : "subscription"} in Tenure`);
  }
  for (const row of await readInChunks([...names.keys()], (batch) =>
    db.selectFrom("domains").select(["service_id", "name"]).where("name", "in", batch).execute(),
  )) {
    const mine = names.get(row.name);
    if (mine && mine.id !== row.service_id)
      add(mine.where, "name", `already domain ${row.service_id} in Tenure`);
  }
  const known = async (refs: { id: string }[], find: (ids: string[]) => Promise<{ id: string }[]>) =>
    new Set((await readInChunks([...new Set(refs.map((r) => r.id))], find)).map((r) => r.id));
  const foundCustomers = await known(customerRefs, (ids) =>
    db.selectFrom("customers").select("id").where("id", "in", ids).execute(),
  );
  for (const ref of customerRefs)
    if (!foundCustomers.has(ref.id))
      add(ref.where, "customer", `no customer ${ref.id} in the book or in Tenure`);
  const foundSites = await known(siteRefs, (ids) =>
    db.selectFrom("subscriptions").select("service_id as id").where("service_id", "in", ids).execute(),
  );
  for (const ref of siteRefs)
    if (!foundSites.has(ref.id)) add(ref.where, "site", `no subscription ${ref.id} in the book or in Tenure`);
  const foundProducts = await known(productRefs, (ids) =>
    db.selectFrom("products").select("id").where("id", "in", ids).execute(),
  );
  for (const ref of productRefs)
    if (!foundProducts.has(ref.id)) add(ref.where, "product", `no product ${ref.id} in Tenure`);

  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { problems, existing: { customers: existingCustomers, services: existingServices } };
}

type Buffered<R> = { record: R; where: Where }[];

const NOTICE_OF_STEP: Partial<Record<DomainStep["kind"], true>> = {
  "send-verification-notice": true,
  "send-renewal-notice": true,
  "send-expiry-warning": true,
};

/** The notice a domain's notice step would queue (the same template and marker as domain-steps.ts). */
function noticeOfStep(
  step: DomainStep,
  domain: StoredDomain,
): { template: string; marker: Instant | string } {
  switch (step.kind) {
    case "send-verification-notice":
      return { template: "verification-required", marker: domain.registeredAt };
    case "send-renewal-notice":
      return { template: "renewal-upcoming", marker: domain.expiresAt };
    case "send-expiry-warning":
      return { template: "expiry-warning", marker: `${formatInstant(domain.expiresAt)}-${step.daysBefore}d` };
    default:
      throw new Error(`not a notice step: ${step.kind}`);
  }
}

/** The second pass: multi-row inserts of what is new, each service with its next due instant. */
class BookWriter {
  readonly created: ImportCounts = { customers: 0, subscriptions: 0, domains: 0 };
  readonly unchanged: ImportCounts = { customers: 0, subscriptions: 0, domains: 0 };
  dueAtOnce = 0;
  skippedNotices = 0;
  private customers: Buffered<CustomerRecord> = [];
  private subscriptions: Buffered<SubscriptionRecord> = [];
  private domains: Buffered<DomainRecord> = [];

  constructor(
    private readonly deps: Deps,
    private readonly now: Instant,
    private readonly existing: Existing,
  ) {}

  createdAny(): boolean {
    return this.created.customers + this.created.subscriptions + this.created.domains > 0;
  }

  async add(tx: Tx, record: BookRecord, where: Where): Promise<void> {
    const isKnown =
      record.type === "customer"
        ? this.existing.customers.has(record.id)
        : this.existing.services.has(record.id);
    if (isKnown) {
      this.unchanged[COUNT_KEY[record.type]] += 1;
      return;
    }
    // Records come in type order: whatever a record refers to is flushed before it.
    if (record.type !== "customer" && this.customers.length > 0) await this.flushCustomers(tx);
    if (record.type === "domain" && this.subscriptions.length > 0) await this.flushSubscriptions(tx);
    if (record.type === "customer") this.customers.push({ record, where });
    else if (record.type === "subscription") this.subscriptions.push({ record, where });
    else this.domains.push({ record, where });
    if (this.customers.length >= ROWS_PER_INSERT) await this.flushCustomers(tx);
    if (this.subscriptions.length >= ROWS_PER_INSERT) await this.flushSubscriptions(tx);
    if (this.domains.length >= ROWS_PER_INSERT) await this.flushDomains(tx);
  }

  async flush(tx: Tx): Promise<void> {
    await this.flushCustomers(tx);
    await this.flushSubscriptions(tx);
    await this.flushDomains(tx);
  }

  private async flushCustomers(tx: Tx): Promise<void> {
    const batch = this.customers;
    this.customers = [];
    if (batch.length === 0) return;
    await tx
      .insertInto("customers")
      .values(
        batch.map(({ record: c }) => ({
          id: c.id,
          email: c.email,
          name: c.name,
          locale: c.locale,
          currency: c.currency,
          time_zone: c.time_zone,
          card_token: null,
          card_label: null,
          created_at: c.created_at,
          billing_country: c.billing_address?.country ?? null,
          billing_province: c.billing_address?.province ?? null,
          billing_postal_code: c.billing_address?.postalCode ?? null,
          billing_business_name: c.billing_address?.businessName ?? null,
          billing_vat_number: c.billing_address?.vatNumber ?? null,
          tax_exempt: toDbBool(c.billing_address?.taxExempt ?? false),
          tax_exempt_reason: c.billing_address?.taxExemptReason ?? null,
        })),
      )
      .execute();
    // A sign-in without a password: the customer sets one through "Forgot your password?".
    await tx
      .insertInto("accounts")
      .values(
        batch.map(({ record: c }) => ({
          customer_id: c.id,
          email: c.email.toLowerCase(),
          password_hash: NO_PASSWORD,
          totp_secret: null,
          totp_enabled: 0,
          created_at: this.now,
        })),
      )
      .execute();
    this.created.customers += batch.length;
  }

  private async flushSubscriptions(tx: Tx): Promise<void> {
    const batch = this.subscriptions;
    this.subscriptions = [];
    if (batch.length === 0) return;
    const services = batch.map(({ record: s }) => {
      const step = nextSubscriptionStep(
        {
          status: s.status,
          termEndsAt: s.term_ends_at,
          pendingCancellation: null,
          renewal: null,
          pendingPaymentSince: null,
        },
        this.deps.policies.billing,
      );
      if (step !== null && step.at <= this.now) this.dueAtOnce += 1;
      return {
        id: s.id,
        customer_id: s.customer,
        kind: s.kind,
        label: s.label,
        status: s.status,
        created_at: s.started_at,
        next_due_at: step?.at ?? null,
        lease_owner: null,
        lease_until: null,
        failure_count: 0,
        last_error: null,
      };
    });
    await tx.insertInto("services").values(services).execute();
    await tx
      .insertInto("subscriptions")
      .values(
        batch.map(({ record: s }) => ({
          service_id: s.id,
          product_id: s.product,
          plan: s.plan,
          price: s.price,
          currency: s.currency,
          started_at: s.started_at,
          // The term to come is counted from the end of the current one, as after a plan change.
          anchor_at: s.term_ends_at,
          terms_since_anchor: 0,
          term_ends_at: s.term_ends_at,
        })),
      )
      .execute();
    this.created.subscriptions += batch.length;
  }

  private async flushDomains(tx: Tx): Promise<void> {
    const batch = this.domains;
    this.domains = [];
    if (batch.length === 0) return;
    const stored: StoredDomain[] = batch.map(({ record: d }) => ({
      serviceId: d.id,
      customerId: d.customer,
      status: d.status,
      name: d.name,
      tld: d.name.slice(d.name.indexOf(".") + 1),
      registrar: d.registrar,
      registeredAt: d.registered_at,
      lockStartAt: d.registered_at,
      expiresAt: d.expires_at,
      autoRenew: d.auto_renew,
      autoRenewChangedAt: null,
      emailVerified: d.email_verified,
      siteServiceId: d.site,
      siteConnected: d.site !== null,
      offer: d.offer as DomainOffer,
      legacyLostReason: null,
      recordedPrice: d.renewal_price,
      overrides: NO_OVERRIDES,
    }));
    // The lifecycle's own facts (the site and prices read in this transaction): what the engine will decide.
    const { facts, errors } = await loadDomainFactsOf({ ...this.deps, db: tx }, stored);
    const problems = batch.flatMap(({ record, where }): BookProblem[] => {
      const error = errors.get(record.id);
      if (error === undefined && facts.has(record.id)) return [];
      const message = error instanceof Error ? error.message : "its renewal cannot be priced";
      return [{ ...where, field: "renewal_price", message }];
    });
    if (problems.length > 0) throw new ImportFailure(problems);

    const skipped: { domain: StoredDomain; template: string; marker: Instant | string }[] = [];
    const nextDue = new Map<string, Instant | null>();
    for (const domain of stored) {
      let current = facts.get(domain.serviceId) as DomainFacts;
      const policy = this.deps.policies.registrars[domain.registrar];
      if (!policy) throw new Error(`unknown registrar ${domain.registrar}`); // checked in the first pass
      let step = nextDomainStep(current, policy, this.now);
      // A notice whose date is past is the old system's: recorded as skipped so it is never sent.
      while (step !== null && step.at < this.now && NOTICE_OF_STEP[step.kind]) {
        const notice = noticeOfStep(step, domain);
        skipped.push({ domain, ...notice });
        const sent = new Set(current.sentNotices);
        sent.add(noticeMarker(notice.template, notice.marker));
        current = { ...current, sentNotices: sent };
        step = nextDomainStep(current, policy, this.now);
      }
      if (step !== null && step.at <= this.now) this.dueAtOnce += 1;
      nextDue.set(domain.serviceId, step?.at ?? null);
    }

    await tx
      .insertInto("services")
      .values(
        batch.map(({ record: d }) => ({
          id: d.id,
          customer_id: d.customer,
          kind: "domain",
          label: d.name,
          status: d.status,
          created_at: d.registered_at,
          next_due_at: nextDue.get(d.id) ?? null,
          lease_owner: null,
          lease_until: null,
          failure_count: 0,
          last_error: null,
        })),
      )
      .execute();
    await tx
      .insertInto("domains")
      .values(
        stored.map((d, i) => ({
          service_id: d.serviceId,
          name: d.name,
          tld: d.tld,
          registrar: d.registrar,
          registered_at: d.registeredAt,
          lock_start_at: d.lockStartAt,
          expires_at: d.expiresAt,
          auto_renew: toDbBool(d.autoRenew),
          auto_renew_changed_at: null,
          email_verified: toDbBool(d.emailVerified),
          site_service_id: d.siteServiceId,
          site_connected: toDbBool(d.siteConnected),
          offer: d.offer,
          legacy_lost_reason: null,
          recorded_price: d.recordedPrice.amount,
          recorded_currency: d.recordedPrice.currency,
          contacts: batch[i]?.record.contacts ? JSON.stringify(batch[i]?.record.contacts) : null,
        })),
      )
      .execute();
    await this.insertSkippedNotices(tx, skipped);
    this.created.domains += batch.length;
  }

  private async insertSkippedNotices(
    tx: Tx,
    skipped: { domain: StoredDomain; template: string; marker: Instant | string }[],
  ): Promise<void> {
    if (skipped.length === 0) return;
    const ids = [...new Set(skipped.map((s) => s.domain.customerId))];
    const customers = new Map(
      (
        await readInChunks(ids, (batch) =>
          tx.selectFrom("customers").select(["id", "email", "locale"]).where("id", "in", batch).execute(),
        )
      ).map((c) => [c.id, c]),
    );
    const rows = skipped.map(({ domain, template, marker }) => ({
      notice_key: noticeKey(template, marker, domain.serviceId),
      customer_id: domain.customerId,
      service_id: domain.serviceId,
      template,
      locale: customers.get(domain.customerId)?.locale ?? "en",
      to_address: customers.get(domain.customerId)?.email ?? "",
      subject: null,
      text_body: null,
      html_body: null,
      params: null,
      status: "skipped",
      attempts: 0,
      created_at: this.now,
      sent_at: null,
      last_error: "due before the import: sent by the previous system, or not at all",
    }));
    for (const chunk of chunks(rows, KEYS_PER_STATEMENT / 2))
      await tx
        .insertInto("notices")
        .values(chunk)
        .onConflict((oc) => oc.column("notice_key").doNothing())
        .execute();
    this.skippedNotices += rows.length;
  }
}
