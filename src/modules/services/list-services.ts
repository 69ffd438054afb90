/**
 * Read-only queries for the client area's services pages: the dashboard (subscriptions and
 * domains of one customer, with what needs attention) and one subscription with what its pages
 * show. Every query is scoped to the customer; another customer's id is NOT_FOUND.
 */
import { fromDbBool } from "../../db/columns.js";
import { AppError } from "../../domain/app-error.js";
import {
  type DomainFacts,
  type DomainStatus,
  domainSchedule,
  isRenewalPlanned,
  reactivationWindow,
} from "../../domain/domain-lifecycle.js";
import type { Money } from "../../domain/money.js";
import type { CancellationWhen, Plan, SubscriptionStatus } from "../../domain/subscription-lifecycle.js";
import type { Instant } from "../../domain/time.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { type DomainRecord, findDomains, loadDomainFactsOf } from "../domains/domain-repository.js";
import { buildTimeline, type Timeline } from "../timeline/build-timeline.js";
import {
  findPendingCancellation,
  findSubscription,
  type PendingCancellation,
  type SubscriptionRecord,
} from "./subscription-repository.js";

export interface SubscriptionSummary {
  serviceId: string;
  kind: string;
  label: string;
  status: SubscriptionStatus;
  plan: Plan;
  price: Money;
  termEndsAt: Instant;
  pendingCancellation: { when: CancellationWhen; effectiveAt: Instant } | null;
}

export interface DomainSummary {
  serviceId: string;
  name: string;
  status: DomainStatus;
  expiresAt: Instant;
  autoRenew: boolean;
  /** When the renewal will be charged (expiry − the registrar's charge lead), if it renews. */
  nextPaymentAt: Instant | null;
  /** The renewal charge failed: the payment is past due since this instant. */
  pastDueSince: Instant | null;
  /** Auto-renew is off: the domain expires then. */
  expiresWithoutRenewalAt: Instant | null;
  /** Expired, and can be reactivated until this instant. */
  graceEndsAt: Instant | null;
  /** The next renewal's price; null when it cannot be quoted (no price in the billing currency). */
  renewalPrice: Money | null;
  renewalYears: number;
}

export interface Attention {
  overdueInvoices: { invoice: number; total: Money; dueAt: Instant }[];
  pendingCancellations: { serviceId: string; label: string; effectiveAt: Instant }[];
  suspended: { serviceId: string; label: string; isDomain: boolean }[];
}

export interface Dashboard {
  subscriptions: SubscriptionSummary[];
  domains: DomainSummary[];
  attention: Attention;
}

const STATUS_ORDER: Record<string, number> = { suspended: 0, active: 1, expired: 2, redemption: 3 };

function byStatusThenName<T extends { status: string }>(name: (item: T) => string) {
  return (a: T, b: T) =>
    (STATUS_ORDER[a.status] ?? 9) - (STATUS_ORDER[b.status] ?? 9) || name(a).localeCompare(name(b));
}

/** The domains' facts, read together; null for a domain with no renewal price in its currency. */
async function domainFactsOrNull(
  deps: Deps,
  domains: DomainRecord[],
): Promise<Map<string, DomainFacts | null>> {
  const { facts, errors } = await loadDomainFactsOf(deps, domains);
  const result = new Map<string, DomainFacts | null>();
  for (const domain of domains) {
    const error = errors.get(domain.serviceId);
    // No renewal price in the billing currency: staff must set one; the page shows no price.
    if (error !== undefined && !(error instanceof AppError && error.code === "CONFLICT")) throw error;
    result.set(domain.serviceId, facts.get(domain.serviceId) ?? null);
  }
  return result;
}

function summarizeDomain(
  deps: Deps,
  domain: DomainRecord,
  facts: DomainFacts | null,
  now: Instant,
): DomainSummary {
  const policy = registrarPolicy(deps, domain.registrar);
  const schedule = domainSchedule(domain.expiresAt, policy, domain.overrides);
  const summary: DomainSummary = {
    serviceId: domain.serviceId,
    name: domain.name,
    status: domain.status,
    expiresAt: domain.expiresAt,
    autoRenew: domain.autoRenew,
    nextPaymentAt: null,
    pastDueSince: null,
    expiresWithoutRenewalAt: null,
    graceEndsAt: null,
    renewalPrice: facts?.quote.price ?? null,
    renewalYears: policy.renewalYears,
  };
  if (domain.status === "active" || domain.status === "suspended") {
    const renews = facts ? isRenewalPlanned(facts, policy) : domain.autoRenew;
    const renewal = facts?.renewal ?? null;
    if (renewal?.status === "open" && renewal.attempts > 0) summary.pastDueSince = schedule.chargeAt;
    else if (renews) summary.nextPaymentAt = schedule.chargeAt;
    else summary.expiresWithoutRenewalAt = domain.expiresAt;
  } else if (reactivationWindow(domain, policy, now) === "reactivate") {
    summary.graceEndsAt = schedule.graceEndsAt;
  }
  return summary;
}

export async function loadDashboard(deps: Deps, customerId: string, now: Instant): Promise<Dashboard> {
  const db = deps.db;
  const subs = await db
    .selectFrom("subscriptions")
    .innerJoin("services", "services.id", "subscriptions.service_id")
    .select([
      "services.id",
      "services.kind",
      "services.label",
      "services.status",
      "subscriptions.plan",
      "subscriptions.price",
      "subscriptions.currency",
      "subscriptions.term_ends_at",
    ])
    .where("services.customer_id", "=", customerId)
    .execute();
  const pending = await db
    .selectFrom("cancellation_requests")
    .innerJoin("services", "services.id", "cancellation_requests.service_id")
    .select([
      "cancellation_requests.service_id",
      "cancellation_requests.mode",
      "cancellation_requests.effective_at",
    ])
    .where("services.customer_id", "=", customerId)
    .where("cancellation_requests.status", "=", "pending")
    .execute();
  const pendingBy = new Map(pending.map((p) => [p.service_id, p]));
  const subscriptions: SubscriptionSummary[] = subs
    .map((row) => {
      const p = pendingBy.get(row.id);
      return {
        serviceId: row.id,
        kind: row.kind,
        label: row.label,
        status: row.status as SubscriptionStatus,
        plan: row.plan as Plan,
        price: { amount: row.price, currency: row.currency },
        termEndsAt: row.term_ends_at,
        pendingCancellation: p ? { when: p.mode as CancellationWhen, effectiveAt: p.effective_at } : null,
      };
    })
    .sort(byStatusThenName((s) => s.label));

  const domainIds = await db
    .selectFrom("domains")
    .innerJoin("services", "services.id", "domains.service_id")
    .select("domains.service_id")
    .where("services.customer_id", "=", customerId)
    .execute();
  const found = [
    ...(
      await findDomains(
        db,
        domainIds.map((row) => row.service_id),
      )
    ).values(),
  ];
  const facts = await domainFactsOrNull(deps, found);
  const domains = found.map((domain) =>
    summarizeDomain(deps, domain, facts.get(domain.serviceId) ?? null, now),
  );
  domains.sort(byStatusThenName((d) => d.name));

  const overdue = await db
    .selectFrom("invoices")
    .select(["id", "total", "amount_paid", "currency", "due_at"])
    .where("customer_id", "=", customerId)
    .where("status", "=", "open")
    .where("due_at", "<", now)
    .orderBy("due_at")
    .orderBy("id")
    .execute();
  const labels = new Map([
    ...subscriptions.map((s) => [s.serviceId, s.label] as const),
    ...domains.map((d) => [d.serviceId, d.name] as const),
  ]);
  return {
    subscriptions,
    domains,
    attention: {
      overdueInvoices: overdue.map((i) => ({
        invoice: i.id,
        total: { amount: i.total - i.amount_paid, currency: i.currency },
        dueAt: i.due_at,
      })),
      pendingCancellations: subscriptions.flatMap((s) =>
        s.pendingCancellation
          ? [{ serviceId: s.serviceId, label: s.label, effectiveAt: s.pendingCancellation.effectiveAt }]
          : [],
      ),
      suspended: [
        ...subscriptions.filter((s) => s.status === "suspended").map((s) => ({ ...s, isDomain: false })),
        ...domains.filter((d) => d.status === "suspended").map((d) => ({ ...d, isDomain: true })),
      ].map((s) => ({ serviceId: s.serviceId, label: labels.get(s.serviceId) ?? "", isDomain: s.isDomain })),
    },
  };
}

export interface LinkedDomain {
  serviceId: string;
  name: string;
  status: DomainStatus;
  autoRenew: boolean;
  expiresAt: Instant;
}

export interface ServiceDetails {
  service: SubscriptionRecord;
  pendingCancellation: PendingCancellation | null;
  /** When the service was cancelled (its cancellation took effect), if it was. */
  cancelledAt: Instant | null;
  /** Domains registered with this service (`domains.site_service_id`). */
  linkedDomains: LinkedDomain[];
  cardLabel: string | null;
}

/** One subscription of this customer with what its pages show; NOT_FOUND for anything else. */
export async function loadServiceDetails(
  deps: Deps,
  input: { customerId: string; serviceId: string },
): Promise<ServiceDetails> {
  const db = deps.db;
  const service = await findSubscription(db, input.serviceId);
  if (!service || service.customerId !== input.customerId) {
    throw new AppError("NOT_FOUND", "Service not found.");
  }
  const done = await db
    .selectFrom("cancellation_requests")
    .select("closed_at")
    .where("service_id", "=", service.serviceId)
    .where("status", "=", "done")
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  const linked = await db
    .selectFrom("domains")
    .innerJoin("services", "services.id", "domains.service_id")
    .select([
      "domains.service_id",
      "domains.name",
      "services.status",
      "domains.auto_renew",
      "domains.expires_at",
    ])
    .where("domains.site_service_id", "=", service.serviceId)
    .where("services.customer_id", "=", input.customerId)
    .orderBy("domains.name")
    .execute();
  const customer = await db
    .selectFrom("customers")
    .select("card_label")
    .where("id", "=", input.customerId)
    .executeTakeFirst();
  return {
    service,
    pendingCancellation: await findPendingCancellation(db, service.serviceId),
    cancelledAt: service.status === "cancelled" ? (done?.closed_at ?? null) : null,
    linkedDomains: linked.map((d) => ({
      serviceId: d.service_id,
      name: d.name,
      status: d.status as DomainStatus,
      autoRenew: fromDbBool(d.auto_renew),
      expiresAt: d.expires_at,
    })),
    cardLabel: customer?.card_label ?? null,
  };
}

/** The manage page: the details and the service's timeline. */
export async function loadServiceOverview(
  deps: Deps,
  input: { customerId: string; serviceId: string },
  now: Instant,
): Promise<ServiceDetails & { timeline: Timeline }> {
  const details = await loadServiceDetails(deps, input);
  return { ...details, timeline: await buildTimeline(deps, details.service.serviceId, now) };
}
