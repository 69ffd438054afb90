/** Invoices and their lines: issue, read as lifecycle facts, void. */
import { sql } from "kysely";
import { chunks, KEYS_PER_STATEMENT, readInChunks } from "../../db/chunks.js";
import type { InvoiceStatus, PeriodInvoiceFacts, VoidabilityFacts } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import { DEFAULT_NUMBERING } from "../../domain/numbering.js";
import type { Policies } from "../../domain/policies.js";
import { computeTaxes, DEFAULT_TAXES, decideTaxes, type TaxedInvoice, taxName } from "../../domain/taxes.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import type { LineWording } from "../../views/wording.js";
import { taxProfilesOf } from "../customers/billing-address.js";
import type { Db, FaultPoints, Tx } from "../deps.js";
import { newEvent, recordEvent, recordEvents } from "../events/record-event.js";
import { takeDocumentNumbers } from "./document-numbers.js";

/**
 * What names an invoice in keys that leave the database (gateway idempotency keys, notice keys):
 * its issue key, derived from the decision that issued it, never its number. A number comes from
 * the database's counter, which a restore or a point-in-time recovery rolls back, so it can be
 * given to another invoice; the issue key cannot.
 */
export function invoiceIdentity(row: { id: number; issue_key: string | null }): string {
  return row.issue_key ?? `invoice-${row.id}`;
}

export type InvoicePurpose = "renewal" | "reactivation" | "restore" | "manual";

export interface NewInvoiceLine {
  serviceId: string | null;
  /** The English words; with `wording`, pages, PDFs and e-mails word it in the reader's language. */
  description: string;
  /** What the line is and is about (src/views/wording.ts), stored as `kind` + `params`. */
  wording?: LineWording;
  amount: number;
  periodStartAt: Instant | null;
  periodEndAt: Instant | null;
}

export interface NewInvoice {
  customerId: string;
  /** Deterministic key of the decision issuing it; a second issue under the same key is a no-op. */
  issueKey: string;
  serviceId: string | null;
  purpose: InvoicePurpose;
  periodStartAt: Instant | null;
  currency: string;
  issuedAt: Instant;
  dueAt: Instant;
  lines: NewInvoiceLine[];
}

/**
 * What issuing needs beyond the transaction: the tax and numbering policies, the seller (where it
 * collects taxes) and the fault points. Without it (tests writing invoices by hand), no tax and
 * the default number prefix.
 */
export interface IssuingContext {
  policies: Pick<Policies, "taxes" | "numbering">;
  /** Where the seller collects taxes (the configuration's `seller`); none: no tax. */
  seller?: { country: string; province?: string | undefined } | undefined;
  faults?: FaultPoints | undefined;
}

/** Issues an invoice and records `invoice.issued`; returns its id, or null if the key was used. */
export async function issueInvoice(
  tx: Tx,
  invoice: NewInvoice,
  context?: IssuingContext,
): Promise<number | null> {
  const [id] = await issueInvoices(tx, [invoice], context);
  return id ?? null;
}

/** Many invoices at once (an engine batch), with multi-row inserts; per invoice, its id or null. */
export async function issueInvoices(
  tx: Tx,
  invoices: NewInvoice[],
  context?: IssuingContext,
): Promise<(number | null)[]> {
  return (await issueInvoicesTaxed(tx, invoices, context)).map((issued) => issued?.id ?? null);
}

export interface IssuedInvoice {
  id: number;
  /** The document number (`INV-000123`). */
  number: string;
  /** What is charged: the subtotal and its taxes. */
  total: Money;
  subtotal: Money;
}

/**
 * Issues invoices with their taxes (computed for each customer's billing address at the issue
 * instant, docs/taxes.md) and their numbers, taken in this transaction; per invoice, what was
 * issued, or null when its key was already used.
 */
export async function issueInvoicesTaxed(
  tx: Tx,
  invoices: NewInvoice[],
  context?: IssuingContext,
): Promise<(IssuedInvoice | null)[]> {
  const taxPolicy = context?.policies.taxes ?? DEFAULT_TAXES;
  const seller = context?.seller ?? null;
  const profiles = seller
    ? await taxProfilesOf(
        tx,
        invoices.map((invoice) => invoice.customerId),
      )
    : new Map<string, { locale: string; address: null }>();
  const taxed: { invoice: NewInvoice; taxes: TaxedInvoice; note: string | null; locale: string }[] =
    invoices.map((invoice) => {
      const profile = profiles.get(invoice.customerId);
      const decision = decideTaxes(taxPolicy, seller, profile?.address ?? null, invoice.issuedAt);
      return {
        invoice,
        taxes: computeTaxes(
          invoice.lines.map((line) => line.amount),
          decision.taxes,
          taxPolicy.rounding,
        ),
        note: decision.note,
        locale: profile?.locale ?? "en",
      };
    });
  const totals = taxed.map((t) => t.taxes.total);
  const idByKey = new Map<string, number>();
  for (const chunk of chunks(taxed, 300)) {
    const rows = await tx
      .insertInto("invoices")
      .values(
        chunk.map(({ invoice, taxes, note }) => ({
          customer_id: invoice.customerId,
          issue_key: invoice.issueKey,
          service_id: invoice.serviceId,
          purpose: invoice.purpose,
          period_start_at: invoice.periodStartAt,
          currency: invoice.currency,
          total: taxes.total,
          subtotal: taxes.subtotal,
          tax_total: taxes.taxTotal,
          tax_note: note,
          amount_paid: 0,
          status: "open",
          issued_at: invoice.issuedAt,
          due_at: invoice.dueAt,
          paid_at: null,
          voided_at: null,
        })),
      )
      .onConflict((oc) => oc.column("issue_key").doNothing())
      .returning(["id", "issue_key"])
      .execute();
    for (const row of rows) if (row.issue_key !== null) idByKey.set(row.issue_key, row.id);
  }
  const ids = invoices.map((invoice) => {
    const id = idByKey.get(invoice.issueKey) ?? null;
    idByKey.delete(invoice.issueKey); // a key repeated in one batch issues one invoice
    return id;
  });
  // Numbers only for the invoices this transaction wrote, in order: a used key takes none.
  const written = ids.flatMap((id) => (id === null ? [] : [id]));
  const numbers = await takeDocumentNumbers(
    tx,
    "invoice",
    written.length,
    context?.policies.numbering ?? DEFAULT_NUMBERING,
  );
  const numberOf = new Map(written.map((id, i) => [id, numbers[i] ?? ""]));
  for (const batch of chunks(written, 200)) {
    await tx
      .updateTable("invoices")
      .set({
        number: sql<string>`case ${sql.ref("id")} ${sql.join(
          batch.map((id) => sql`when ${id} then ${numberOf.get(id) ?? ""}`),
          sql` `,
        )} end`,
      })
      .where("id", "in", batch)
      .execute();
  }
  context?.faults?.reach("invoice:numbered");
  const lines = taxed.flatMap(({ invoice, taxes }, i) => {
    const id = ids[i];
    if (id === null || id === undefined) return [];
    return invoice.lines.map((line, j) => ({
      invoice_id: id,
      service_id: line.serviceId,
      description: line.description,
      kind: line.wording?.kind ?? null,
      params: line.wording ? JSON.stringify(line.wording.params) : null,
      amount: line.amount,
      period_start_at: line.periodStartAt,
      period_end_at: line.periodEndAt,
      taxes: JSON.stringify(taxes.lines[j]?.taxes ?? []),
    }));
  });
  for (const chunk of chunks(lines, 500)) await tx.insertInto("invoice_lines").values(chunk).execute();
  const taxRows = taxed.flatMap(({ taxes }, i) => {
    const id = ids[i];
    if (id === null || id === undefined) return [];
    return taxes.taxes.map((tax) => ({
      invoice_id: id,
      code: tax.code,
      jurisdiction: tax.jurisdiction,
      rate: tax.rate,
      base: tax.base,
      amount: tax.amount,
    }));
  });
  for (const chunk of chunks(taxRows, 500)) await tx.insertInto("invoice_taxes").values(chunk).execute();
  await recordEvents(
    tx,
    invoices.flatMap((invoice, i) => {
      const id = ids[i];
      if (id === null || id === undefined) return [];
      const { taxes, note, locale } = taxed[i]!;
      const money = (amount: number) => ({ amount, currency: invoice.currency });
      return [
        newEvent(
          "invoice.issued",
          invoice.issuedAt,
          { customer: invoice.customerId, service: invoice.serviceId },
          {
            invoice: id,
            number: numberOf.get(id) ?? "",
            amount: money(totals[i] ?? 0),
            subtotal: money(taxes.subtotal),
            taxes: taxes.taxes.map((tax) => ({
              name: taxName(tax.code, locale),
              rate: tax.rate,
              jurisdiction: tax.jurisdiction,
              amount: money(tax.amount),
            })),
            ...(note ? { taxNote: note } : {}),
            dueAt: formatInstant(invoice.dueAt),
          },
        ),
      ];
    }),
  );
  return ids.map((id, i) => {
    if (id === null) return null;
    const currency = invoices[i]?.currency ?? "";
    return {
      id,
      number: numberOf.get(id) ?? "",
      total: { amount: totals[i] ?? 0, currency },
      subtotal: { amount: taxed[i]?.taxes.subtotal ?? 0, currency },
    };
  });
}

/** How many invoices were issued for this purpose and period: the suffix of the next issue key. */
export async function countPeriodInvoices(
  db: Db | Tx,
  serviceId: string,
  purposes: InvoicePurpose[],
  periodStartAt: Instant,
): Promise<number> {
  return (await countPeriodInvoicesOf(db, [{ serviceId, periodStartAt }], purposes)).get(serviceId) ?? 0;
}

/** The same for many services at once (an engine batch), by service id (absent: none). */
export async function countPeriodInvoicesOf(
  db: Db | Tx,
  periods: { serviceId: string; periodStartAt: Instant }[],
  purposes: InvoicePurpose[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const row of await periodInvoiceRows(db, periods, purposes)) {
    counts.set(row.serviceId, (counts.get(row.serviceId) ?? 0) + 1);
  }
  return counts;
}

/** Each service's invoices of these purposes for its given period. */
async function periodInvoiceRows(
  db: Db | Tx,
  periods: { serviceId: string; periodStartAt: Instant }[],
  purposes: InvoicePurpose[],
) {
  const wanted = new Map(periods.map((p) => [p.serviceId, p.periodStartAt]));
  const matched = [];
  for (const batch of chunks(periods, 400)) {
    const rows = await db
      .selectFrom("invoices")
      .select(["id", "service_id", "period_start_at", "status", "issued_at", "paid_at", "voided_at"])
      .where(
        "service_id",
        "in",
        batch.map((p) => p.serviceId),
      )
      .where("purpose", "in", purposes)
      // Not `period_start_at in (…)`: two lists multiply the index probes. The batch's earliest
      // period bounds the history read; the exact period is matched below.
      .where("period_start_at", ">=", Math.min(...batch.map((p) => p.periodStartAt)))
      .execute();
    for (const row of rows) {
      if (row.service_id === null || wanted.get(row.service_id) !== row.period_start_at) continue;
      matched.push({ ...row, serviceId: row.service_id });
    }
  }
  return matched;
}

/** The latest invoice of these purposes for one period of a service, with its charge attempts. */
export async function periodInvoiceFacts(
  db: Db | Tx,
  serviceId: string,
  purposes: InvoicePurpose[],
  periodStartAt: Instant,
): Promise<PeriodInvoiceFacts | null> {
  return (await periodInvoiceFactsOf(db, [{ serviceId, periodStartAt }], purposes)).get(serviceId) ?? null;
}

/** The same for many services at once (an engine batch, a page listing domains), by service id. */
export async function periodInvoiceFactsOf(
  db: Db | Tx,
  periods: { serviceId: string; periodStartAt: Instant }[],
  purposes: InvoicePurpose[],
): Promise<Map<string, PeriodInvoiceFacts>> {
  const latest = new Map<
    string,
    { id: number; status: string; issued_at: Instant; paid_at: Instant | null; voided_at: Instant | null }
  >();
  for (const row of await periodInvoiceRows(db, periods, purposes)) {
    const known = latest.get(row.serviceId);
    if (!known || row.id > known.id) latest.set(row.serviceId, row);
  }
  const attempts = new Map<number, { n: number; last: Instant | null }>();
  for (const ids of chunks(
    [...latest.values()].map((invoice) => invoice.id),
    KEYS_PER_STATEMENT,
  )) {
    const rows = await db
      .selectFrom("payments")
      .select((eb) => ["invoice_id", eb.fn.countAll<number>().as("n"), eb.fn.max("created_at").as("last")])
      .where("invoice_id", "in", ids)
      .groupBy("invoice_id")
      .execute();
    for (const row of rows)
      attempts.set(row.invoice_id, { n: Number(row.n), last: row.last === null ? null : Number(row.last) });
  }
  const facts = new Map<string, PeriodInvoiceFacts>();
  for (const [serviceId, invoice] of latest) {
    const tries = attempts.get(invoice.id);
    facts.set(serviceId, {
      id: invoice.id,
      status: invoice.status as InvoiceStatus,
      issuedAt: invoice.issued_at,
      paidAt: invoice.paid_at,
      voidedAt: invoice.voided_at,
      attempts: tries?.n ?? 0,
      lastAttemptAt: tries?.last ?? null,
    });
  }
  return facts;
}

/** Per service, since when its oldest charge (or refund) has been waiting for its outcome. */
export async function pendingPaymentSinceOf(
  db: Db | Tx,
  serviceIds: string[],
): Promise<Map<string, Instant>> {
  const since = new Map<string, Instant>();
  const rows = await readInChunks(serviceIds, (ids) =>
    db
      .selectFrom("payments")
      .innerJoin("invoices", "invoices.id", "payments.invoice_id")
      .select((eb) => ["invoices.service_id", eb.fn.min("payments.created_at").as("since")])
      .where("invoices.service_id", "in", ids)
      .where("payments.status", "=", "pending")
      .groupBy("invoices.service_id")
      .execute(),
  );
  const refunds = await readInChunks(serviceIds, (ids) =>
    db
      .selectFrom("refunds")
      .innerJoin("invoices", "invoices.id", "refunds.invoice_id")
      .select((eb) => ["invoices.service_id", eb.fn.min("refunds.created_at").as("since")])
      .where("invoices.service_id", "in", ids)
      .where("refunds.status", "=", "pending")
      .groupBy("invoices.service_id")
      .execute(),
  );
  for (const row of [...rows, ...refunds]) {
    if (row.service_id === null || row.since === null) continue;
    const known = since.get(row.service_id);
    since.set(row.service_id, Math.min(known ?? Number(row.since), Number(row.since)));
  }
  return since;
}

export interface InvoiceRow {
  id: number;
  /** Stable identity of the invoice (see invoiceIdentity). */
  identity: string;
  customerId: string;
  serviceId: string | null;
  purpose: InvoicePurpose;
  periodStartAt: Instant | null;
  status: InvoiceStatus;
  total: Money;
  amountPaid: number;
  /** A void asked for while a charge was in flight; carried out when the charge is settled. */
  voidRequestedAt: Instant | null;
  voidReason: string | null;
}

export async function findInvoice(db: Db | Tx, invoiceId: number): Promise<InvoiceRow | null> {
  return (await findInvoices(db, [invoiceId])).get(invoiceId) ?? null;
}

export async function findInvoices(db: Db | Tx, invoiceIds: number[]): Promise<Map<number, InvoiceRow>> {
  const invoices = new Map<number, InvoiceRow>();
  const rows = await readInChunks(invoiceIds, (ids) =>
    db.selectFrom("invoices").selectAll().where("id", "in", ids).execute(),
  );
  for (const row of rows) {
    invoices.set(row.id, {
      id: row.id,
      identity: invoiceIdentity(row),
      customerId: row.customer_id,
      serviceId: row.service_id,
      purpose: row.purpose as InvoicePurpose,
      periodStartAt: row.period_start_at,
      status: row.status as InvoiceStatus,
      total: { amount: row.total, currency: row.currency },
      amountPaid: row.amount_paid,
      voidRequestedAt: row.void_requested_at,
      voidReason: row.void_reason,
    });
  }
  return invoices;
}

/** Open invoices with a line for any of these services, with what decides whether they can be voided. */
export async function openInvoicesFor(
  tx: Tx,
  serviceIds: string[],
): Promise<(VoidabilityFacts & { id: number; identity: string; customerId: string; total: Money })[]> {
  if (serviceIds.length === 0) return [];
  const invoices = await tx
    .selectFrom("invoices")
    .selectAll()
    .where("status", "=", "open")
    .where("id", "in", (eb) =>
      eb.selectFrom("invoice_lines").select("invoice_id").where("service_id", "in", serviceIds),
    )
    .orderBy("id")
    .execute();
  const result = [];
  for (const invoice of invoices) {
    const lines = await tx
      .selectFrom("invoice_lines")
      .select("service_id")
      .where("invoice_id", "=", invoice.id)
      .execute();
    result.push({
      id: invoice.id,
      identity: invoiceIdentity(invoice),
      customerId: invoice.customer_id,
      status: invoice.status as InvoiceStatus,
      amountPaid: invoice.amount_paid,
      total: { amount: invoice.total, currency: invoice.currency },
      lineServiceIds: lines.map((line) => line.service_id),
    });
  }
  return result;
}

export type VoidResult = "voided" | "deferred" | "not-open";

/**
 * Voids an open invoice and records `invoice.voided`. A charge in flight is settled first: while
 * one is pending the void is only requested (`deferred`), and the settlement carries it out (a
 * charge that succeeded is refunded then). The first UPDATE takes the invoice's row lock, so a
 * charge being committed for it is seen here, and one committed after sees the request.
 */
export async function voidInvoice(
  tx: Tx,
  invoiceId: number,
  at: Instant,
  reason: string,
): Promise<VoidResult> {
  const requested = await tx
    .updateTable("invoices")
    .set((eb) => ({
      void_requested_at: eb.fn.coalesce("void_requested_at", eb.val(at)),
      void_reason: eb.fn.coalesce("void_reason", eb.val(reason)),
    }))
    .where("id", "=", invoiceId)
    .where("status", "=", "open")
    .where("amount_paid", "=", 0)
    .executeTakeFirst();
  if (Number(requested.numUpdatedRows) === 0) return "not-open";
  const inFlight = await tx
    .selectFrom("payments")
    .select("id")
    .where("invoice_id", "=", invoiceId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  if (inFlight) return "deferred";
  await tx
    .updateTable("invoices")
    .set({ status: "void", voided_at: at })
    .where("id", "=", invoiceId)
    .execute();
  const invoice = await findInvoice(tx, invoiceId);
  if (!invoice) return "not-open";
  await recordEvent(
    tx,
    "invoice.voided",
    at,
    { customer: invoice.customerId, service: invoice.serviceId },
    { invoice: invoiceId, amount: invoice.total, reason: invoice.voidReason ?? reason },
  );
  return "voided";
}
