/**
 * The lifecycle invariants that no scenario may break, whatever its cards, actions and dates. Each
 * checker reads an Outcome (events, final rows, gateway ledger) and returns the violations it found,
 * as sentences naming the service, the instant and the rule, so a failing run says what broke.
 *
 * The expectations are computed here from the registrar policy's numbers (docs/policies.md), not by
 * calling the engine's own lifecycle functions, so that a mistake there cannot hide itself.
 */
import { Temporal } from "temporal-polyfill";
import { BUILT_IN_REGISTRARS, type RegistrarPolicy } from "../../src/domain/policies.js";
import type { StoredEvent } from "../../src/modules/events/record-event.js";
import type { Outcome } from "./run-scenario.js";
import type { ScenarioDomain, ScenarioService } from "./scenario-arbitrary.js";

const DAY = 86_400_000;

const iso = (at: number) => new Date(at).toISOString();

function addOneYear(at: number): number {
  return Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO("UTC").add({ years: 1 })
    .epochMilliseconds;
}

type Details = Record<string, unknown>;
const details = (e: StoredEvent) => e.details as Details;
const str = (e: StoredEvent, key: string) => String(details(e)[key]);
const num = (e: StoredEvent, key: string) => Number(details(e)[key]);

function policyOf(registrar: string): RegistrarPolicy {
  const policy = BUILT_IN_REGISTRARS[registrar];
  if (!policy) throw new Error(`no built-in policy for registrar ${registrar}`);
  return policy;
}

function domainsOf(o: Outcome): ScenarioDomain[] {
  return o.scenario.services.filter((s): s is ScenarioDomain => s.kind === "domain");
}

function eventsOf(o: Outcome, service: string): StoredEvent[] {
  return o.events.filter((e) => e.service === service);
}

/**
 * A domain's periods as its events tell them: the expiry from registration, then each renewal's.
 * `expiryAt(i)` is the expiry in force just before the domain's i-th event.
 */
interface DomainHistory {
  events: StoredEvent[];
  /** Expiry in force before each of `events`. */
  expiryBefore: number[];
  /** Every expiry the domain had, in order (the periods). */
  expiries: number[];
  violations: string[];
}

function domainHistory(o: Outcome, domain: ScenarioDomain): DomainHistory {
  const events = eventsOf(o, domain.id);
  const violations: string[] = [];
  const registered = events.find((e) => e.type === "domain.registered");
  let expiry = registered ? Date.parse(str(registered, "expiresAt")) : Number.NaN;
  const expiries = [expiry];
  const expiryBefore: number[] = [];
  for (const e of events) {
    expiryBefore.push(expiry);
    if (e.type !== "domain.renewed") continue;
    const next = Date.parse(str(e, "expiresAt"));
    if (!(next > expiry)) {
      violations.push(
        `${domain.id}: domain.renewed at ${iso(e.at)} moves the expiry back from ${iso(expiry)} to ${iso(next)}`,
      );
    } else if (next !== addOneYear(expiry)) {
      violations.push(
        `${domain.id}: domain.renewed at ${iso(e.at)} sets the expiry to ${iso(next)}, not one year after ${iso(expiry)}`,
      );
    }
    expiry = next;
    expiries.push(expiry);
  }
  return { events, expiryBefore, expiries, violations };
}

/** Invoice ids by what they are for, from the final rows. */
function invoiceIndex(o: Outcome) {
  return new Map(o.invoices.map((i) => [i.id, i]));
}

// ---------------------------------------------------------------------------------------------

/**
 * At most one successful charge per invoice, and the gateway's money matches Tenure's records. The
 * gateway's ledger is keyed by idempotency key; the payment rows say which invoice and attempt each
 * key belongs to (whatever the key scheme), and the events say which payments succeeded.
 */
export function checkOneChargePerInvoice(o: Outcome): string[] {
  const out: string[] = [];
  const rows = new Map(o.payments.map((p) => [p.key, p]));
  const ledgerOk = o.ledger.filter((e) => e.outcome.status === "succeeded");
  const ledgerPerInvoice = new Map<number, string[]>();
  for (const entry of o.ledger) {
    const row = rows.get(entry.idempotencyKey);
    if (!row) {
      out.push(`the gateway was charged under ${entry.idempotencyKey}, which no payment row knows`);
      continue;
    }
    if (entry.outcome.status !== "succeeded") continue;
    ledgerPerInvoice.set(row.invoice, [...(ledgerPerInvoice.get(row.invoice) ?? []), entry.idempotencyKey]);
  }
  for (const [invoice, keys] of ledgerPerInvoice) {
    if (keys.length > 1)
      out.push(`invoice ${invoice}: the gateway took money ${keys.length} times (${keys.join(", ")})`);
  }
  const succeeded = o.events.filter((e) => e.type === "payment.succeeded");
  const eventsPerInvoice = new Map<number, number>();
  for (const e of succeeded)
    eventsPerInvoice.set(num(e, "invoice"), (eventsPerInvoice.get(num(e, "invoice")) ?? 0) + 1);
  for (const [invoice, count] of eventsPerInvoice) {
    if (count > 1) out.push(`invoice ${invoice}: ${count} payment.succeeded events`);
  }
  const attemptOf = (invoice: number, attempt: number) => `invoice ${invoice} attempt ${attempt}`;
  const ledgerAttempts = ledgerOk
    .map((e) => rows.get(e.idempotencyKey))
    .filter((row) => row !== undefined)
    .map((row) => attemptOf(row.invoice, row.attempt))
    .sort();
  const eventAttempts = succeeded.map((e) => attemptOf(num(e, "invoice"), num(e, "attempt"))).sort();
  if (JSON.stringify(ledgerAttempts) !== JSON.stringify(eventAttempts)) {
    out.push(
      `the gateway's successful charges [${ledgerAttempts.join(", ")}] differ from the payment.succeeded events [${eventAttempts.join(", ")}]`,
    );
  }
  for (const e of succeeded) {
    const row = o.payments.find((p) => p.invoice === num(e, "invoice") && p.attempt === num(e, "attempt"));
    const entry = row && ledgerOk.find((l) => l.idempotencyKey === row.key);
    const amount = details(e).amount as { amount: number; currency: string };
    if (entry && (entry.amount !== amount.amount || entry.currency !== amount.currency)) {
      out.push(
        `invoice ${num(e, "invoice")}: the gateway took ${entry.amount} ${entry.currency}, the event says ${amount.amount} ${amount.currency}`,
      );
    }
  }
  const pending = o.payments.filter((p) => p.status === "pending");
  if (pending.length > 0) out.push(`payments left pending: ${pending.map((p) => p.key).join(", ")}`);
  const succeededRows = o.payments
    .filter((p) => p.status === "succeeded")
    .map((p) => p.key)
    .sort();
  const ledgerKeys = ledgerOk.map((e) => e.idempotencyKey).sort();
  if (JSON.stringify(succeededRows) !== JSON.stringify(ledgerKeys)) {
    out.push(
      `succeeded payment rows [${succeededRows.join(", ")}] differ from the gateway [${ledgerKeys.join(", ")}]`,
    );
  }
  return out;
}

/** A domain's expiry never moves back, and each renewal (reactivation included) adds exactly one year. */
export function checkExpiryMovesForward(o: Outcome): string[] {
  const out: string[] = [];
  for (const domain of domainsOf(o)) {
    const h = domainHistory(o, domain);
    out.push(...h.violations);
    h.events.forEach((e, i) => {
      if (e.type !== "domain.reactivated" && e.type !== "domain.restored") return;
      const expected = addOneYear(h.expiryBefore[i]!);
      if (Date.parse(str(e, "expiresAt")) !== expected) {
        out.push(
          `${domain.id}: ${e.type} at ${iso(e.at)} gives expiry ${str(e, "expiresAt")}, not ${iso(expected)} (the cycle must be kept)`,
        );
      }
      const renewed = h.events.some(
        (r) => r.type === "domain.renewed" && r.at === e.at && str(r, "expiresAt") === str(e, "expiresAt"),
      );
      if (!renewed) out.push(`${domain.id}: ${e.type} at ${iso(e.at)} without its domain.renewed`);
    });
    const last = h.expiries.at(-1)!;
    const row = o.domains[domain.id];
    if (row && row.expiresAt !== last) {
      out.push(
        `${domain.id}: the stored expiry ${iso(row.expiresAt)} is not the last one told by events ${iso(last)}`,
      );
    }
  }
  return out;
}

/**
 * A subscription's term never moves back either: each service.renewed extends the term end by one
 * whole term (a calendar month, 28 to 31 days, or a year), starting from the first term's end.
 */
export function checkTermMovesForward(o: Outcome): string[] {
  const out: string[] = [];
  const month = [28 * DAY, 31 * DAY];
  const year = [365 * DAY, 366 * DAY];
  for (const sub of o.scenario.services) {
    if (sub.kind === "domain") continue;
    const anchor = Temporal.Instant.fromEpochMilliseconds(Date.parse(sub.startedAt)).toZonedDateTimeISO(
      "UTC",
    );
    let termEnd = anchor.add(sub.plan === "monthly" ? { months: 1 } : { years: 1 }).epochMilliseconds;
    for (const e of eventsOf(o, sub.id)) {
      if (e.type !== "service.renewed") continue;
      const next = Date.parse(str(e, "termEndsAt"));
      const step = next - termEnd;
      const isOneTerm = (step >= month[0]! && step <= month[1]!) || (step >= year[0]! && step <= year[1]!);
      if (!isOneTerm) {
        out.push(
          `${sub.id}: service.renewed at ${iso(e.at)} moves the term end from ${iso(termEnd)} to ${iso(next)} (${(step / DAY).toFixed(1)} days, not one term)`,
        );
      }
      termEnd = next;
    }
  }
  return out;
}

/** Expiry only at the expiry instant and release only after grace (and redemption), never while paid up. */
export function checkReleaseAfterGrace(o: Outcome): string[] {
  const out: string[] = [];
  const invoices = invoiceIndex(o);
  for (const domain of domainsOf(o)) {
    const policy = policyOf(domain.registrar);
    const h = domainHistory(o, domain);
    // Paid before the event (in the order things happened, several may share an instant).
    const paidForPeriod = (period: number, before: number) =>
      h.events
        .slice(0, before)
        .find((e) => e.type === "invoice.paid" && invoices.get(num(e, "invoice"))?.periodStartAt === period);
    h.events.forEach((e, i) => {
      const expiry = h.expiryBefore[i]!;
      if (e.type === "domain.expired") {
        if (e.at < expiry)
          out.push(`${domain.id}: expired at ${iso(e.at)}, before its expiry ${iso(expiry)}`);
        const paid = paidForPeriod(expiry, i);
        if (paid) {
          out.push(
            `${domain.id}: expired at ${iso(e.at)} although invoice ${num(paid, "invoice")} for the period was paid`,
          );
        }
      }
      if (e.type === "domain.released") {
        const releaseFrom =
          expiry +
          (policy.graceDays + 1) * DAY +
          (policy.redemption?.days ?? 0) * DAY +
          policy.pendingDeleteDays * DAY;
        if (e.at < releaseFrom) {
          out.push(
            `${domain.id}: released at ${iso(e.at)}, before the end of grace (expiry ${iso(expiry)}, release due ${iso(releaseFrom)})`,
          );
        }
        const paid = paidForPeriod(expiry, i);
        if (paid) {
          out.push(
            `${domain.id}: released at ${iso(e.at)} although invoice ${num(paid, "invoice")} for the period was paid`,
          );
        }
      }
    });
  }
  return out;
}

/** After a cancellation request (until withdrawn), and once cancelled or terminated, no new invoice. */
export function checkCancellationStopsInvoicing(o: Outcome): string[] {
  const out: string[] = [];
  for (const service of o.scenario.services) {
    if (service.kind === "domain") continue;
    let pending: { at: number; when: string; effectiveAt: number } | null = null;
    let ended: StoredEvent | null = null;
    for (const e of eventsOf(o, service.id)) {
      if (e.type === "service.cancellation_requested") {
        pending = { at: e.at, when: str(e, "when"), effectiveAt: Date.parse(str(e, "effectiveAt")) };
      } else if (e.type === "service.cancellation_withdrawn") {
        pending = null;
      } else if (e.type === "service.cancelled" || e.type === "service.terminated") {
        if (e.type === "service.cancelled") {
          if (pending === null) out.push(`${service.id}: cancelled at ${iso(e.at)} with no pending request`);
          else if (e.at !== pending.effectiveAt) {
            out.push(
              `${service.id}: cancelled at ${iso(e.at)}, but the ${pending.when} request of ${iso(pending.at)} takes effect at ${iso(pending.effectiveAt)}`,
            );
          }
        }
        ended = e;
        pending = null;
      } else if (e.type === "invoice.issued" || e.type === "service.renewed") {
        if (pending) {
          out.push(
            `${service.id}: ${e.type} at ${iso(e.at)} after the ${pending.when} cancellation requested at ${iso(pending.at)}`,
          );
        }
        if (ended)
          out.push(`${service.id}: ${e.type} at ${iso(e.at)} after ${ended.type} at ${iso(ended.at)}`);
      }
    }
  }
  return out;
}

/** Notices whose unique key names their cause: at most one per cause event at the same instant. */
const NOTICE_CAUSES: Record<string, string> = {
  "cancellation-confirmed": "service.cancellation_requested",
  "invoice-issued": "invoice.issued",
  "payment-failed": "payment.failed",
  "payment-receipt": "invoice.paid",
  "domain-expired": "domain.expired",
  "domain-suspended": "domain.suspended",
  "service-suspended": "service.suspended",
  "service-terminated": "service.terminated",
  "invoice-adjustment-needed": "invoice.voided",
};

/** No notice twice: same template, service and period (the outbox key), checked on the events. */
export function checkNoticesOnce(o: Outcome): string[] {
  const out: string[] = [];
  const notices = o.events.filter((e) => e.type === "notice.sent");
  const count = new Map<string, number>();
  for (const n of notices) {
    const key = `${str(n, "template")}|${n.service ?? "-"}|${n.at}`;
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  for (const [key, n] of count) {
    const [template, service, at] = key.split("|") as [string, string, string];
    const cause = NOTICE_CAUSES[template];
    const allowed =
      cause === undefined || template === "invoice-adjustment-needed"
        ? 1
        : o.events.filter((e) => e.type === cause && (e.service ?? "-") === service && e.at === Number(at))
            .length;
    if (n > allowed) {
      out.push(
        `${service}: notice ${template} sent ${n} times at ${iso(Number(at))}${cause ? ` for ${allowed} ${cause}` : ""}`,
      );
    }
  }
  for (const domain of domainsOf(o)) {
    const policy = policyOf(domain.registrar);
    const h = domainHistory(o, domain);
    const perPeriod = new Map<string, number>();
    h.events.forEach((e, i) => {
      if (e.type !== "notice.sent") return;
      const template = str(e, "template");
      const key = ["verification-required", "domain-suspended"].includes(template)
        ? template
        : `${template}@${iso(h.expiryBefore[i]!)}`;
      perPeriod.set(key, (perPeriod.get(key) ?? 0) + 1);
    });
    for (const [key, n] of perPeriod) {
      const limit = key.startsWith("expiry-warning@")
        ? policy.expiryWarningDaysBefore.length
        : key.startsWith("renewal-upcoming@") || key.startsWith("domain-expired@") || !key.includes("@")
          ? 1
          : Number.POSITIVE_INFINITY;
      if (n > limit) out.push(`${domain.id}: ${n} notices ${key} (at most ${limit})`);
    }
  }
  const sentEvents = notices.length;
  if (sentEvents !== o.noticeKeys.length) {
    out.push(`${o.noticeKeys.length} notices in the outbox but ${sentEvents} notice.sent events`);
  }
  return out;
}

const DOMAIN_TRANSITIONS: Record<string, { from: string[] | null; to: string }> = {
  "domain.registered": { from: null, to: "active" },
  "domain.suspended": { from: ["active"], to: "suspended" },
  "domain.unsuspended": { from: ["suspended"], to: "active" },
  "domain.expired": { from: ["active", "suspended"], to: "expired" },
  "domain.redemption_started": { from: ["expired"], to: "redemption" },
  "domain.reactivated": { from: ["expired"], to: "active" },
  "domain.restored": { from: ["redemption"], to: "active" },
  "domain.released": { from: ["expired", "redemption"], to: "released" },
  "domain.transferred_out": { from: ["active", "suspended"], to: "transferred-out" },
  "domain.deleted": { from: null, to: "deleted" },
};

const SUBSCRIPTION_TRANSITIONS: Record<string, { from: string[] | null; to: string }> = {
  "service.activated": { from: null, to: "active" },
  "service.suspended": { from: ["active"], to: "suspended" },
  "service.unsuspended": { from: ["suspended"], to: "active" },
  "service.cancelled": { from: ["active", "suspended"], to: "cancelled" },
  "service.terminated": { from: ["active", "suspended"], to: "terminated" },
};

/**
 * Every state change has its event: replaying each service's lifecycle events from the start gives
 * its final status, through allowed transitions only; every paid invoice has its renewal and every
 * renewal its paid invoice; invoices' final states match their events.
 */
export function checkEveryChangeHasItsEvent(o: Outcome): string[] {
  const out: string[] = [];
  for (const service of o.scenario.services) {
    const table = service.kind === "domain" ? DOMAIN_TRANSITIONS : SUBSCRIPTION_TRANSITIONS;
    let status: string | null = null;
    for (const e of eventsOf(o, service.id)) {
      const t = table[e.type];
      if (!t) continue;
      if (t.from !== null && (status === null || !t.from.includes(status))) {
        out.push(`${service.id}: ${e.type} at ${iso(e.at)} from status ${status}`);
      }
      status = t.to;
    }
    const final = o.statuses[service.id];
    if (final !== status) {
      out.push(`${service.id}: final status ${final}, but its last lifecycle event leaves it ${status}`);
    }
  }
  const invoices = invoiceIndex(o);
  for (const service of o.scenario.services) {
    const events = eventsOf(o, service.id);
    const paid = events.filter((e) => e.type === "invoice.paid");
    const renewedType = service.kind === "domain" ? "domain.renewed" : "service.renewed";
    for (const p of paid) {
      const invoice = invoices.get(num(p, "invoice"));
      if (!invoice || !["renewal", "reactivation", "restore"].includes(invoice.purpose)) continue;
      if (!events.some((e) => e.type === renewedType && e.at === p.at)) {
        out.push(
          `${service.id}: invoice ${invoice.id} (${invoice.purpose}) paid at ${iso(p.at)} without ${renewedType}`,
        );
      }
    }
    const renewals = events.filter((e) => e.type === renewedType);
    for (const r of renewals) {
      const amount = service.kind === "domain" ? (details(r).amount as { amount: number }).amount : 1;
      if (amount > 0 && !paid.some((p) => p.at === r.at)) {
        out.push(`${service.id}: ${renewedType} at ${iso(r.at)} without a paid invoice`);
      }
    }
  }
  const told = new Map<number, string[]>();
  for (const e of o.events) {
    if (!["invoice.issued", "invoice.paid", "invoice.voided"].includes(e.type)) continue;
    const id = num(e, "invoice");
    told.set(id, [...(told.get(id) ?? []), e.type]);
  }
  for (const invoice of o.invoices) {
    const types = told.get(invoice.id) ?? [];
    const expected =
      invoice.status === "paid"
        ? ["invoice.issued", "invoice.paid"]
        : invoice.status === "void"
          ? ["invoice.issued", "invoice.voided"]
          : ["invoice.issued"];
    if (JSON.stringify(types) !== JSON.stringify(expected)) {
      out.push(`invoice ${invoice.id} (${invoice.service}, ${invoice.status}): events [${types.join(", ")}]`);
    }
  }
  return out;
}

/**
 * Seed 004: auto-renew turned off at least a day before the charge (and never back on) means no
 * renewal invoice and no charge for that period.
 */
export function checkNoChargeWithAutoRenewOff(o: Outcome): string[] {
  const out: string[] = [];
  for (const domain of domainsOf(o)) {
    const policy = policyOf(domain.registrar);
    const h = domainHistory(o, domain);
    const changes = h.events.filter((e) => e.type === "domain.auto_renew_changed");
    for (const expiry of h.expiries) {
      const deadline = expiry - (policy.chargeLeadDays + policy.autoRenewOffLeadDays) * DAY;
      const before = changes.filter((c) => c.at <= deadline);
      const lastBefore = before.at(-1);
      const offAtDeadline = lastBefore ? details(lastBefore).on === false : !domain.autoRenew;
      if (!offAtDeadline) continue;
      const offSince = lastBefore?.at ?? Number.NEGATIVE_INFINITY;
      if (changes.some((c) => c.at > offSince && details(c).on === true)) continue;
      const renewals = o.invoices.filter(
        (i) => i.service === domain.id && i.purpose === "renewal" && i.periodStartAt === expiry,
      );
      for (const invoice of renewals) {
        const charged = o.payments.filter((p) => p.invoice === invoice.id);
        out.push(
          `${domain.id}: auto-renew off since ${Number.isFinite(offSince) ? iso(offSince) : "registration"} (charge deadline ${iso(deadline)}), yet renewal invoice ${invoice.id} for the period ending ${iso(expiry)} was issued (${charged.length} charge attempts, ${invoice.status})`,
        );
      }
    }
  }
  return out;
}

/**
 * Never misses a renewal: a domain whose auto-renew nobody touched, of a customer whose card is
 * `ok` and never changed, renews at its charge instant (or at the window's start when that passed).
 */
export function checkRenewsOnTime(o: Outcome): string[] {
  const out: string[] = [];
  const start = Date.parse(o.scenario.start);
  const until = Date.parse(o.scenario.until);
  for (const domain of domainsOf(o)) {
    const customer = o.scenario.customers.find((c) => c.id === domain.customer);
    if (customer?.card !== "ok" || !domain.autoRenew) continue;
    const touched = o.scenario.actions.some(
      (a) =>
        (a.do === "set-card" && a.customer === domain.customer) ||
        ("service" in a &&
          a.service === domain.id &&
          a.do !== "verify-email" &&
          a.do !== "request-transfer-out") ||
        (a.do === "cancel" && a.stopDomainRenewal.includes(domain.id)),
    );
    if (touched) continue;
    const policy = policyOf(domain.registrar);
    const h = domainHistory(o, domain);
    for (const expiry of h.expiries) {
      const chargeAt = Math.max(start, expiry - policy.chargeLeadDays * DAY);
      if (chargeAt > until) continue;
      const renewed = h.events.find(
        (e) => e.type === "domain.renewed" && h.expiryBefore[h.events.indexOf(e)] === expiry,
      );
      if (!renewed) {
        out.push(
          `${domain.id}: the period ending ${iso(expiry)} was not renewed (charge due ${iso(chargeAt)})`,
        );
      } else if (renewed.at !== chargeAt) {
        out.push(
          `${domain.id}: the period ending ${iso(expiry)} renewed at ${iso(renewed.at)}, not at ${iso(chargeAt)}`,
        );
      }
    }
  }
  return out;
}

/** The status a service's lifecycle events give it just before `at` (null before it exists). */
function statusBefore(events: StoredEvent[], at: number, kind: ScenarioService["kind"]): string | null {
  const table = kind === "domain" ? DOMAIN_TRANSITIONS : SUBSCRIPTION_TRANSITIONS;
  let status: string | null = null;
  for (const e of events) {
    if (e.at >= at) break;
    const t = table[e.type];
    if (t) status = t.to;
  }
  return status;
}

/**
 * Seed 004, the other way round: when auto-renew is in force at the charge instant (on, or turned
 * off less than a day before it), the renewal is invoiced and charged at that instant.
 */
export function checkChargedWhenAutoRenewOn(o: Outcome): string[] {
  const out: string[] = [];
  const start = Date.parse(o.scenario.start);
  const until = Date.parse(o.scenario.until);
  for (const domain of domainsOf(o)) {
    const policy = policyOf(domain.registrar);
    const h = domainHistory(o, domain);
    const changes = h.events.filter((e) => e.type === "domain.auto_renew_changed");
    for (const expiry of h.expiries) {
      const chargeAt = expiry - policy.chargeLeadDays * DAY;
      const deadline = chargeAt - policy.autoRenewOffLeadDays * DAY;
      if (chargeAt < start || chargeAt > until) continue;
      const status = statusBefore(h.events, chargeAt, "domain");
      if (status !== "active" && status !== "suspended") continue;
      const last = changes.filter((c) => c.at < chargeAt).at(-1);
      const inForce = last ? details(last).on === true || last.at > deadline : domain.autoRenew;
      if (!inForce) continue;
      const invoiced = h.events.some(
        (e) =>
          e.type === "invoice.issued" &&
          e.at === chargeAt &&
          o.invoices.some(
            (i) => i.id === num(e, "invoice") && i.purpose === "renewal" && i.periodStartAt === expiry,
          ),
      );
      if (!invoiced) {
        out.push(
          `${domain.id}: auto-renew in force at the charge instant ${iso(chargeAt)} (last change ${last ? `${iso(last.at)} on=${String(details(last).on)}` : "none"}), but no renewal invoice for the period ending ${iso(expiry)} was issued then`,
        );
      }
    }
  }
  return out;
}

/**
 * Turned back on after the charge instant and before expiry, auto-renew means a renewal again: the
 * period's renewal invoice is open or paid once everything at that instant has happened (a voided
 * one is issued again), so the name is not left to expire with auto-renew on.
 */
export function checkAutoRenewOnReopensRenewal(o: Outcome): string[] {
  const out: string[] = [];
  for (const domain of domainsOf(o)) {
    const policy = policyOf(domain.registrar);
    const h = domainHistory(o, domain);
    h.events.forEach((e, i) => {
      if (e.type !== "domain.auto_renew_changed" || details(e).on !== true) return;
      const expiry = h.expiryBefore[i]!;
      const chargeAt = expiry - policy.chargeLeadDays * DAY;
      if (e.at < chargeAt || e.at >= expiry) return;
      if (!["active", "suspended"].includes(statusBefore(h.events, e.at + 1, "domain") ?? "")) return;
      const state = new Map<number, string>();
      for (const x of h.events) {
        if (x.at > e.at) break;
        if (!["invoice.issued", "invoice.paid", "invoice.voided"].includes(x.type)) continue;
        const invoice = o.invoices.find((inv) => inv.id === num(x, "invoice"));
        if (invoice?.purpose !== "renewal" || invoice.periodStartAt !== expiry) continue;
        state.set(invoice.id, x.type.slice("invoice.".length));
      }
      const states = [...state.values()];
      if (!states.includes("issued") && !states.includes("paid")) {
        out.push(
          `${domain.id}: auto-renew turned back on at ${iso(e.at)} (charge instant ${iso(chargeAt)}, expiry ${iso(expiry)}), but no renewal invoice is open or paid for the period (invoices: ${[...state].map(([id, st]) => `${id} ${st}`).join(", ") || "none"})`,
        );
      }
    });
  }
  return out;
}

/**
 * Seed 000: a cancellation request voids the service's open renewal invoices at once, and turning a
 * domain's auto-renew off in time voids its open renewal invoice.
 */
export function checkRequestsVoidOpenInvoices(o: Outcome): string[] {
  const out: string[] = [];
  for (const service of o.scenario.services) {
    const open = new Set<number>();
    const events = eventsOf(o, service.id);
    events.forEach((e, i) => {
      if (e.type === "invoice.issued") open.add(num(e, "invoice"));
      if (e.type === "invoice.paid" || e.type === "invoice.voided") open.delete(num(e, "invoice"));
      const voids =
        e.type === "service.cancellation_requested" ||
        (e.type === "domain.auto_renew_changed" &&
          details(e).on === false &&
          details(e).chargeStillDue !== true);
      if (!voids) return;
      const later = events.slice(i + 1).filter((v) => v.at === e.at && v.type === "invoice.voided");
      for (const invoice of open) {
        if (!later.some((v) => num(v, "invoice") === invoice)) {
          out.push(`${service.id}: ${e.type} at ${iso(e.at)} left invoice ${invoice} open`);
        }
      }
    });
  }
  return out;
}

/**
 * Never misses a renewal, hosting side: a subscription nobody touched, of a customer whose card is
 * `ok` and never changed, renews once per term at its due date (monthly terms anchored to the start
 * date), or at the window's start for terms that ended before it.
 */
export function checkSubscriptionRenewsOnTime(o: Outcome): string[] {
  const out: string[] = [];
  const start = Date.parse(o.scenario.start);
  const until = Date.parse(o.scenario.until);
  for (const sub of o.scenario.services) {
    if (sub.kind === "domain") continue;
    const customer = o.scenario.customers.find((c) => c.id === sub.customer);
    if (customer?.card !== "ok") continue;
    const touched = o.scenario.actions.some(
      (a) => (a.do === "set-card" && a.customer === sub.customer) || ("service" in a && a.service === sub.id),
    );
    if (touched) continue;
    const anchor = Temporal.Instant.fromEpochMilliseconds(Date.parse(sub.startedAt)).toZonedDateTimeISO(
      "UTC",
    );
    const termEnd = (n: number) =>
      anchor.add(sub.plan === "monthly" ? { months: n } : { years: n }).epochMilliseconds;
    const expected: string[] = [];
    for (let n = 1; termEnd(n) <= until; n += 1) {
      expected.push(`${iso(Math.max(start, termEnd(n)))} → ${iso(termEnd(n + 1))}`);
    }
    const actual = eventsOf(o, sub.id)
      .filter((e) => e.type === "service.renewed")
      .map((e) => `${iso(e.at)} → ${str(e, "termEndsAt")}`);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      out.push(`${sub.id}: renewals [${actual.join(", ")}], expected [${expected.join(", ")}]`);
    }
  }
  return out;
}

export const INVARIANTS: Record<string, (o: Outcome) => string[]> = {
  "at most one successful charge per invoice, gateway = payment.succeeded": checkOneChargePerInvoice,
  "a domain's expiry never moves back, +1 year per renewal": checkExpiryMovesForward,
  "never released while paid up or in grace": checkReleaseAfterGrace,
  "no invoice after a cancellation request (unless withdrawn)": checkCancellationStopsInvoicing,
  "no notice issued twice": checkNoticesOnce,
  "every state change has its event": checkEveryChangeHasItsEvent,
  "no charge when auto-renew was turned off in time": checkNoChargeWithAutoRenewOff,
  "an untouched domain with a working card renews on time": checkRenewsOnTime,
  "auto-renew in force at the charge instant means a renewal invoice then": checkChargedWhenAutoRenewOn,
  "auto-renew turned back on before expiry means a renewal again": checkAutoRenewOnReopensRenewal,
  "a subscription's term end never moves back, one term per renewal": checkTermMovesForward,
  "a cancellation or auto-renew off voids the open renewal invoice": checkRequestsVoidOpenInvoices,
  "an untouched subscription with a working card renews every term on time": checkSubscriptionRenewsOnTime,
};

/** Every rule's violations, by rule; empty when the outcome keeps them all. */
export function violations(o: Outcome): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [rule, check] of Object.entries(INVARIANTS)) {
    const v = check(o);
    if (v.length > 0) found[rule] = v;
  }
  return found;
}
