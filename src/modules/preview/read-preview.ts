/**
 * Reads the book for the preview (src/domain/preview.ts) in chunks: only the services due before
 * the horizon (services_next_due: the engine's own due instant is the earliest step a service can
 * take, so one due later has nothing to show), with the facts the engine reads for them, through
 * the engine's own readers; each service is projected purely and added to the tally.
 */
import { readInChunks } from "../../db/chunks.js";
import {
  type DomainState,
  type Preview,
  PreviewTally,
  previewHorizon,
  projectDomain,
  projectSubscription,
  type SubscriptionState,
} from "../../domain/preview.js";
import type { Instant } from "../../domain/time.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { findDomains, loadDomainFactsOf } from "../domains/domain-repository.js";
import { findSubscriptions, loadSubscriptionFactsOf } from "../services/subscription-repository.js";

export interface PreviewRequest {
  now: Instant;
  days: number;
  customerId?: string;
  /** Services read and projected together. */
  chunkSize?: number;
  itemsPerDay?: number;
}

/** A service whose next step cannot be decided (the engine records it as a failed `plan` step). */
export interface Undecidable {
  serviceId: string;
  error: string;
}

export interface PreviewResult extends Preview {
  undecidable: Undecidable[];
}

const CHUNK = 1000;

/** The services the preview has to look at: due before the horizon, in id order. */
export async function dueServiceIds(deps: Deps, until: Instant, customerId?: string): Promise<string[]> {
  let query = deps.db
    .selectFrom("services")
    .select("id")
    .where("next_due_at", "is not", null)
    .where("next_due_at", "<=", until);
  if (customerId !== undefined) query = query.where("customer_id", "=", customerId);
  const rows = await query.execute();
  return rows.map((r) => r.id).sort();
}

export async function readPreview(deps: Deps, request: PreviewRequest): Promise<PreviewResult> {
  const from = request.now;
  const until = previewHorizon(from, request.days);
  const tally = new PreviewTally(from, until, request.itemsPerDay);
  const undecidable: Undecidable[] = [];
  const ids = await dueServiceIds(deps, until, request.customerId);
  const size = request.chunkSize ?? CHUNK;
  for (let i = 0; i < ids.length; i += size) {
    await previewChunk(deps, ids.slice(i, i + size), from, until, tally, undecidable);
  }
  return { ...tally.result(), undecidable };
}

async function previewChunk(
  deps: Deps,
  ids: string[],
  from: Instant,
  until: Instant,
  tally: PreviewTally,
  undecidable: Undecidable[],
): Promise<void> {
  const db = deps.db;
  const subs = await findSubscriptions(db, ids);
  const domains = await findDomains(
    db,
    ids.filter((id) => !subs.has(id)),
  );
  const subFacts = await loadSubscriptionFactsOf(db, [...subs.values()]);
  const domainFacts = await loadDomainFactsOf(deps, [...domains.values()]);

  const customers = [
    ...new Set([...subs.values(), ...domains.values()].map((service) => service.customerId)),
  ];
  const cards = new Set(
    (
      await readInChunks(customers, (chunk) =>
        db
          .selectFrom("customers")
          .select("id")
          .where("id", "in", chunk)
          .where("card_token", "is not", null)
          .execute(),
      )
    ).map((r) => r.id),
  );

  // What the open renewal invoices still ask for, and which waiting charges are theirs.
  const renewalOf = new Map<string, number>();
  for (const [id, facts] of subFacts)
    if (facts.renewal?.status === "open") renewalOf.set(id, facts.renewal.id);
  for (const [id, facts] of domainFacts.facts)
    if (facts.renewal?.status === "open") renewalOf.set(id, facts.renewal.id);
  const invoiceIds = [...renewalOf.values()];
  const due = new Map<number, number>();
  for (const row of await readInChunks(invoiceIds, (chunk) =>
    db.selectFrom("invoices").select(["id", "total", "amount_paid"]).where("id", "in", chunk).execute(),
  ))
    due.set(Number(row.id), row.total - row.amount_paid);
  const waiting = new Set<number>();
  const waitingInvoices = [...renewalOf.entries()]
    .filter(
      ([id]) =>
        (subFacts.get(id)?.pendingPaymentSince ?? domainFacts.facts.get(id)?.pendingPaymentSince ?? null) !==
        null,
    )
    .map(([, invoiceId]) => invoiceId);
  for (const row of await readInChunks(waitingInvoices, (chunk) =>
    db
      .selectFrom("payments")
      .select("invoice_id")
      .where("invoice_id", "in", chunk)
      .where("status", "=", "pending")
      .execute(),
  ))
    waiting.add(Number(row.invoice_id));
  const renewalState = (id: string) => {
    const invoiceId = renewalOf.get(id);
    return {
      renewalDue: invoiceId === undefined ? null : (due.get(invoiceId) ?? null),
      pendingOnRenewal: invoiceId !== undefined && waiting.has(invoiceId),
    };
  };

  for (const id of ids) {
    const sub = subs.get(id);
    if (sub) {
      const facts = subFacts.get(id);
      if (!facts) continue;
      const state: SubscriptionState = {
        serviceId: id,
        customerId: sub.customerId,
        label: sub.label,
        plan: sub.plan,
        price: sub.price,
        currency: sub.currency,
        anchorAt: sub.anchorAt,
        termsSinceAnchor: sub.termsSinceAnchor,
        facts,
        ...renewalState(id),
        hasCard: cards.has(sub.customerId),
      };
      tally.add(projectSubscription(state, deps.policies.billing, from, until));
      continue;
    }
    const domain = domains.get(id);
    if (!domain) continue;
    try {
      const facts = domainFacts.facts.get(id);
      if (!facts) throw domainFacts.errors.get(id) ?? new Error(`no facts for ${id}`);
      const state: DomainState = {
        serviceId: id,
        customerId: domain.customerId,
        name: domain.name,
        facts,
        policy: registrarPolicy(deps, domain.registrar),
        ...renewalState(id),
        hasCard: cards.has(domain.customerId),
      };
      tally.add(projectDomain(state, from, until));
    } catch (error) {
      undecidable.push({ serviceId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
