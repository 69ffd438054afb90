/**
 * The one reconciliation every crash test ends with: the gateway's ledger, the registry's and
 * Tenure's records must tell the same story, with every effect exactly once. It returns the
 * problems it finds (empty: all is well) so a negative control can assert that it finds them.
 */
import { join } from "node:path";
import type { Instant } from "../../src/domain/time.js";
import type { ChargeOutcome } from "../../src/providers/payments/payment-gateway.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import type { BookService, PeakDayBook } from "./crash-book.js";

interface LedgerCharge {
  idempotencyKey: string;
  amount: number;
  description: string;
  outcome: ChargeOutcome;
}

/** Every charge the book's gateway recorded: the test gateway's ledger file, or the fake Stripe's PaymentIntents. */
function chargesOf(book: PeakDayBook): LedgerCharge[] {
  if (book.gateway.kind === "stripe") {
    return book.gateway.fake.paymentIntents().map((intent) => {
      const metadata = intent.metadata as Record<string, string>;
      const error = intent.last_payment_error as { message?: string } | null;
      return {
        idempotencyKey: metadata.tenure_key ?? "",
        amount: Number(intent.amount),
        description: String(intent.description ?? ""),
        outcome:
          intent.status === "succeeded"
            ? { status: "succeeded", reference: String(intent.id) }
            : { status: "failed", code: "declined", message: error?.message ?? "" },
      };
    });
  }
  const gateway = new TestGateway({ file: join(book.stateDir, "test-gateway.sqlite") });
  try {
    return gateway.allCharges();
  } finally {
    gateway.close();
  }
}

/** What the registry applied (its own durable records), and each book domain's expiry there. */
async function registryOf(book: PeakDayBook) {
  const registryExpiry = new Map<string, number>();
  if (book.registrar.kind === "epp") {
    const { registry } = book.registrar;
    for (const s of book.services)
      if (s.domain) registryExpiry.set(s.domain, registry.domain(s.domain)?.expiresAt ?? -1);
    return { renewals: registry.renewals, registryExpiry };
  }
  const registrar = new TestRegistrar({ file: join(book.stateDir, "test-registrar.sqlite") });
  try {
    for (const s of book.services)
      if (s.domain) registryExpiry.set(s.domain, (await registrar.info(s.domain))?.expiresAt ?? -1);
    return { renewals: registrar.renewals, registryExpiry };
  } finally {
    registrar.close();
  }
}

function countBy<T>(items: T[], key: (item: T) => string | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/** Whether a service's renewal must end up paid: its card works, at once or on the retry. */
export function isPayable(service: BookService): boolean {
  return service.card !== "declined";
}

export async function findExactlyOnceProblems(
  book: PeakDayBook,
  options: { finalAt: Instant; expectPaid?: (service: BookService) => boolean },
): Promise<string[]> {
  const expectPaid = options.expectPaid ?? isPayable;
  const problems: string[] = [];
  const ledger = chargesOf(book);
  const { renewals, registryExpiry } = await registryOf(book);

  const db = book.store.db;
  const payments = await db.selectFrom("payments").selectAll().execute();
  const invoices = await db.selectFrom("invoices").selectAll().execute();
  const notices = await db.selectFrom("notices").select(["notice_key", "template", "service_id"]).execute();
  const events = await db.selectFrom("events").select(["type", "service_id"]).execute();
  const services = await db.selectFrom("services").selectAll().execute();
  const subscriptions = await db
    .selectFrom("subscriptions")
    .select(["service_id", "terms_since_anchor"])
    .execute();
  const domains = await db.selectFrom("domains").select(["service_id", "name", "expires_at"]).execute();

  // The bank's side: never two successful charges for one invoice, whatever keys they came under.
  const succeededInLedger = ledger.filter((c) => c.outcome.status === "succeeded");
  for (const [description, n] of countBy(succeededInLedger, (c) => c.description)) {
    if (n > 1) problems.push(`double charge: "${description}" charged ${n} times in the gateway's ledger`);
  }
  // Tenure and the ledger agree, key by key, both ways; nothing is left pending.
  const paymentByKey = new Map(payments.map((p) => [p.idempotency_key, p]));
  for (const charge of ledger) {
    const payment = paymentByKey.get(charge.idempotencyKey);
    if (!payment) {
      problems.push(
        `the gateway has ${charge.idempotencyKey} (${charge.outcome.status}) but Tenure has no such payment`,
      );
    } else if (payment.status !== charge.outcome.status || payment.amount !== charge.amount) {
      problems.push(`${charge.idempotencyKey}: gateway ${charge.outcome.status}, Tenure ${payment.status}`);
    } else if (charge.outcome.status === "succeeded" && payment.gateway_ref !== charge.outcome.reference) {
      problems.push(
        `${charge.idempotencyKey}: gateway reference ${charge.outcome.reference}, Tenure ${payment.gateway_ref}`,
      );
    }
  }
  const ledgerKeys = new Set(ledger.map((c) => c.idempotencyKey));
  for (const p of payments) {
    if (p.status === "pending") problems.push(`payment ${p.idempotency_key} still pending`);
    else if (p.failure_code !== "no-card-on-file" && !ledgerKeys.has(p.idempotency_key))
      problems.push(`Tenure has ${p.idempotency_key} (${p.status}) but the gateway never saw it`);
  }
  const keys = notices.map((n) => n.notice_key);
  if (new Set(keys).size !== keys.length) problems.push("a notice key was queued twice");

  const succeededLedgerByInvoice = countBy(succeededInLedger, (c) => c.description);
  const eventCounts = countBy(events, (e) => `${e.type}:${e.service_id}`);
  const noticeCounts = countBy(notices, (n) => `${n.template}:${n.service_id}`);
  const serviceById = new Map(services.map((s) => [s.id, s]));
  const termsById = new Map(subscriptions.map((s) => [s.service_id, s.terms_since_anchor]));
  const domainById = new Map(domains.map((d) => [d.service_id, d]));
  const renewalsByName = countBy(renewals, (r) => r.name);
  for (const s of book.services) {
    const say = (text: string) => problems.push(`${s.id} (${s.kind}, ${s.card}): ${text}`);
    const events = (type: string) => eventCounts.get(`${type}:${s.id}`) ?? 0;
    const own = invoices.filter((i) => i.service_id === s.id);
    if (own.length !== 1) say(`${own.length} invoices instead of 1`);
    if (events("invoice.issued") !== own.length) say(`${events("invoice.issued")} invoice.issued events`);
    const isPaid = expectPaid(s);
    for (const invoice of own) {
      if ((invoice.status === "paid") !== isPaid) say(`invoice ${invoice.id} is ${invoice.status}`);
      const mine = payments.filter((p) => p.invoice_id === invoice.id);
      const succeeded = mine.filter((p) => p.status === "succeeded").length;
      const failed = mine.filter((p) => p.status === "failed").length;
      if (succeeded !== (isPaid ? 1 : 0)) say(`${succeeded} successful payments for invoice ${invoice.id}`);
      const charged = succeededLedgerByInvoice.get(`Invoice ${invoice.id}`) ?? 0;
      if (charged !== (isPaid ? 1 : 0)) say(`charged ${charged} times in the gateway's ledger`);
      if (events("payment.succeeded") !== succeeded)
        say(`${events("payment.succeeded")} payment.succeeded events`);
      if (events("payment.failed") !== failed) say(`${events("payment.failed")} payment.failed events`);
      if ((noticeCounts.get(`payment-failed:${s.id}`) ?? 0) !== failed)
        say("payment-failed notices ≠ failed payments");
    }
    const receipts = noticeCounts.get(`payment-receipt:${s.id}`) ?? 0;
    if (receipts !== (isPaid ? 1 : 0)) say(`${receipts} payment receipts`);
    if (s.kind === "hosting") {
      const renewed = events("service.renewed");
      if (renewed !== (isPaid ? 1 : 0)) say(`renewed ${renewed} times`);
      const terms = termsById.get(s.id);
      if (terms !== (isPaid ? 2 : 1)) say(`${terms} terms since anchor`);
    } else if (s.domain) {
      const atRegistry = renewalsByName.get(s.domain) ?? 0;
      if (atRegistry !== (isPaid ? 1 : 0)) say(`renewed ${atRegistry} times at the registry`);
      if (events("domain.renewed") !== atRegistry) say(`${events("domain.renewed")} domain.renewed events`);
      const expiresAt = domainById.get(s.id)?.expires_at;
      if (expiresAt !== registryExpiry.get(s.domain)) say("Tenure's expiry differs from the registry's");
    }
    const row = serviceById.get(s.id);
    if (row?.lease_until != null) say(`still leased by ${row.lease_owner}`);
    if (row?.next_due_at != null && row.next_due_at <= options.finalAt) say("still due after the final run");
  }
  return problems;
}
