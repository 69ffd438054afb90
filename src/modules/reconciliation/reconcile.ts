/**
 * The reconciliation job: Tenure's domains against their registry (domain:info in batches, rate
 * limited per registrar), the registry's poll queue (transfers out, registry deletions), and
 * payments against the gateway (every pending one and those settled recently). A difference is
 * never written blindly (rules.ts): it becomes a drift row for staff, except an expiry moved
 * forward by exactly the renewals Tenure paid for, accepted on its own. Each decision is an event
 * and an audit entry. Run by the worker on the policy's schedule and by `tenure reconcile`.
 */
import { DAY, formatInstant, HOUR, type Instant } from "../../domain/time.js";
import { EppRegistrar, type PollMessage } from "../../providers/registrar/epp/epp-registrar.js";
import type { RegistrarDomainInfo } from "../../providers/registrar/registrar.js";
import { type Deps, inTransaction, registrarPolicy, type Tx } from "../deps.js";
import { GONE_DOMAIN_STATUSES } from "../domains/delete-domain.js";
import { recordEvent } from "../events/record-event.js";
import { voidOpenInvoices } from "../invoices/void-open-invoices.js";
import { recordAudit, type StaffActor } from "../staff/audit-log.js";
import { insertDrift, type NewDrift } from "./drift-repository.js";
import { judgeDomain, judgePayment } from "./rules.js";

/** Who the audit log names for the job's own decisions. */
export const RECONCILIATION_ACTOR: StaffActor = {
  id: "system:reconciliation",
  email: "reconciliation",
  // The audit log keeps the role as text; the job acts with no staff role of its own.
  role: "admin",
  address: "",
};

export interface ReconciliationReport {
  domainsChecked: number;
  paymentsChecked: number;
  flagged: number;
  accepted: number;
  pollMessages: number;
  transferredOut: string[];
  /** Names the registry deleted by itself (its poll queue), now deleted in Tenure too. */
  deletedByRegistry: string[];
  errors: string[];
}

export interface ReconcileOptions {
  /** Waits between batches to keep under a registrar's rate (real time; tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

const LIVE_DOMAIN = ["active", "suspended", "expired", "redemption"];

interface DomainToCheck {
  serviceId: string;
  customerId: string;
  name: string;
  registrar: string;
  expiresAt: number;
  registeredAt: number;
}

export async function runReconciliation(
  deps: Deps,
  now: Instant,
  options: ReconcileOptions = {},
): Promise<ReconciliationReport> {
  const report: ReconciliationReport = {
    domainsChecked: 0,
    paymentsChecked: 0,
    flagged: 0,
    accepted: 0,
    pollMessages: 0,
    transferredOut: [],
    deletedByRegistry: [],
    errors: [],
  };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // The poll queue first: a name transferred away is no longer compared as if it were ours.
  const registrars = await deps.db
    .selectFrom("domains")
    .select("registrar")
    .distinct()
    .orderBy("registrar")
    .execute();
  for (const { registrar: registrarName } of registrars) {
    const registrar = deps.registrarFor(registrarName);
    if (!(registrar instanceof EppRegistrar)) continue;
    try {
      report.pollMessages += await registrar.drainPoll((message) =>
        applyPoll(deps, registrarName, message, now, report),
      );
    } catch (error) {
      report.errors.push(`${registrarName} poll: ${(error as Error).message}`);
    }
  }
  const domains = (
    await deps.db
      .selectFrom("domains")
      .innerJoin("services", "services.id", "domains.service_id")
      .select([
        "domains.service_id",
        "services.customer_id",
        "domains.name",
        "domains.registrar",
        "domains.expires_at",
        "domains.registered_at",
      ])
      .where("services.status", "in", LIVE_DOMAIN)
      .orderBy("domains.registrar")
      .orderBy("domains.name")
      .execute()
  ).map(
    (row): DomainToCheck => ({
      serviceId: row.service_id,
      customerId: row.customer_id,
      name: row.name,
      registrar: row.registrar,
      expiresAt: Number(row.expires_at),
      registeredAt: Number(row.registered_at),
    }),
  );
  const byRegistrar = new Map<string, DomainToCheck[]>();
  for (const domain of domains)
    byRegistrar.set(domain.registrar, [...(byRegistrar.get(domain.registrar) ?? []), domain]);

  for (const [registrarName, list] of byRegistrar) {
    const registrar = deps.registrarFor(registrarName);
    const policy = registrarPolicy(deps, registrarName);
    const batchSize = deps.policies.reconciliation.batchSize;
    const perSecond = policy.adapter === "epp" ? (policy.epp?.infoPerSecond ?? 5) : Number.POSITIVE_INFINITY;
    for (let at = 0; at < list.length; at += batchSize) {
      const batch = list.slice(at, at + batchSize);
      if (at > 0 && Number.isFinite(perSecond)) await sleep(Math.ceil((batch.length / perSecond) * 1000));
      const seen = await Promise.all(
        batch.map(async (domain) => {
          try {
            return await registrar.info(domain.name);
          } catch (error) {
            report.errors.push(`${domain.name}: ${(error as Error).message}`);
            return undefined;
          }
        }),
      );
      for (const [i, domain] of batch.entries()) {
        const info = seen[i];
        if (info === undefined) continue;
        report.domainsChecked++;
        await compareDomain(deps, domain, info, policy.renewalYears, now, report);
      }
    }
  }
  await comparePayments(deps, now, report);
  return report;
}

async function paidRenewalsFrom(deps: Deps, serviceId: string, expiresAt: number): Promise<number> {
  const row = await deps.db
    .selectFrom("invoices")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("service_id", "=", serviceId)
    .where("purpose", "=", "renewal")
    .where("status", "=", "paid")
    .where("period_start_at", ">=", expiresAt)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

async function compareDomain(
  deps: Deps,
  domain: DomainToCheck,
  info: RegistrarDomainInfo | null,
  renewalYears: number,
  now: Instant,
  report: ReconciliationReport,
): Promise<void> {
  const paidRenewals = await paidRenewalsFrom(deps, domain.serviceId, domain.expiresAt);
  const verdict = judgeDomain({
    ours: { expiresAt: domain.expiresAt, registeredAt: domain.registeredAt },
    theirs: info ? { expiresAt: info.expiresAt, ours: info.ours !== false } : null,
    renewalYears,
    paidRenewals,
  });
  if (verdict.verdict === "same") return;
  const theirs =
    info === null ? "absent" : info.ours === false ? "another registrar" : formatInstant(info.expiresAt);
  const drift: NewDrift = {
    kind: "domain",
    subject: domain.name,
    field: info === null || info.ours === false ? "sponsor" : "expires_at",
    ours: formatInstant(domain.expiresAt),
    theirs,
    rule: verdict.rule,
    registrar: domain.registrar,
    serviceId: domain.serviceId,
    customerId: domain.customerId,
  };
  await inTransaction(deps, "reconciliation:domain", async (tx) => {
    if (verdict.verdict === "accept" && info) {
      const moved = await tx
        .updateTable("domains")
        .set({ expires_at: info.expiresAt })
        .where("service_id", "=", domain.serviceId)
        .where("expires_at", "=", domain.expiresAt)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return;
      const reason = `expiry moved by exactly the ${paidRenewals} renewal(s) Tenure was paid for`;
      const id = await insertDrift(tx, drift, now, { status: "accepted", by: "automatic", reason });
      if (id === null) return;
      await decided(tx, id, drift, "accepted", "automatic", reason, now, RECONCILIATION_ACTOR);
      report.accepted++;
      return;
    }
    const id = await insertDrift(tx, drift, now);
    if (id === null) return;
    await recordEvent(
      tx,
      "reconciliation.drift_found",
      now,
      { customer: domain.customerId, service: domain.serviceId },
      {
        drift: id,
        kind: "domain",
        subject: domain.name,
        name: domain.name,
        field: drift.field,
        rule: drift.rule,
      },
    );
    report.flagged++;
  });
}

/**
 * Records a decision: the event and the audit entry, in the decision's transaction. A domain's
 * difference is recorded on the domain (the event on its service, so its timeline shows it; the
 * audit entry on the domain, so its page's audit trail does); a payment's on the drift row.
 */
export async function decided(
  tx: Tx,
  id: number,
  drift: {
    kind: string;
    subject: string;
    field: string;
    ours: string;
    theirs: string;
    customerId?: string | null;
    serviceId?: string | null;
  },
  status: "accepted" | "rejected",
  by: string,
  reason: string,
  now: Instant,
  actor: StaffActor,
): Promise<void> {
  const onDomain = drift.kind === "domain" && drift.serviceId ? drift.serviceId : null;
  const details = {
    drift: id,
    kind: drift.kind,
    subject: drift.subject,
    field: drift.field,
    by,
    reason,
    ...(onDomain ? { name: drift.subject } : {}),
    // The expiry now in Tenure's record, when accepting wrote the registry's into it.
    ...(status === "accepted" && drift.field === "expires_at" ? { expiresAt: drift.theirs } : {}),
  };
  const refs = { customer: drift.customerId ?? "", ...(onDomain ? { service: onDomain } : {}) };
  if (status === "accepted") await recordEvent(tx, "reconciliation.drift_accepted", now, refs, details);
  else await recordEvent(tx, "reconciliation.drift_rejected", now, refs, details);
  await recordAudit(tx, actor, now, {
    action: status === "accepted" ? "drift.accept" : "drift.reject",
    objectType: onDomain ? "domain" : "drift",
    objectId: onDomain ?? String(id),
    customerId: drift.customerId ?? null,
    reason,
    // Only what changed is kept (audit-log.ts): the drift's number and the registry's value are
    // named on the after side only.
    before: { status: "open", [drift.field]: drift.ours },
    after: {
      drift: id,
      status,
      [drift.field]: status === "accepted" && drift.field === "expires_at" ? drift.theirs : drift.ours,
      registry: drift.theirs,
    },
  });
}

async function applyPoll(
  deps: Deps,
  registrar: string,
  message: PollMessage,
  now: Instant,
  report: ReconciliationReport,
): Promise<void> {
  if (message.kind === "other") return;
  const domain = await deps.db
    .selectFrom("domains")
    .innerJoin("services", "services.id", "domains.service_id")
    .select(["domains.service_id", "services.customer_id", "services.status", "domains.expires_at"])
    .where("domains.name", "=", message.name)
    .where("domains.registrar", "=", registrar)
    .executeTakeFirst();
  if (!domain) return;
  const refs = { customer: domain.customer_id, service: domain.service_id };
  if (message.kind === "transfer") {
    const completed = message.status === "clientApproved" || message.status === "serverApproved";
    const policy = registrarPolicy(deps, registrar);
    if (!completed || message.gaining === policy.epp?.clientId) return;
    await inTransaction(deps, "reconciliation:transferred-out", async (tx) => {
      const moved = await tx
        .updateTable("services")
        .set({ status: "transferred-out", next_due_at: null })
        .where("id", "=", domain.service_id)
        .where("status", "in", LIVE_DOMAIN)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return;
      // The name now renews at the gaining registrar: nothing more is owed here for it.
      await voidOpenInvoices(tx, now, {
        customerId: domain.customer_id,
        serviceIds: [domain.service_id],
        about: message.name,
        reason: "domain-transferred-out",
      });
      await recordEvent(tx, "domain.transferred_out", now, refs, { name: message.name });
      report.transferredOut.push(message.name);
    });
    return;
  }
  // A deletion the registry made by itself (a court order, a UDRP ruling): the name is gone, as
  // after a deletion on the owner's request. The domain leaves every renewal path, its open
  // invoices are voided, and `domain.deleted` (by the registry) tells the back office and the timeline.
  await inTransaction(deps, "reconciliation:registry-deleted", async (tx) => {
    const gone = await tx
      .updateTable("services")
      .set({ status: "deleted", next_due_at: null })
      .where("id", "=", domain.service_id)
      .where("status", "not in", GONE_DOMAIN_STATUSES)
      .executeTakeFirst();
    if (Number(gone.numUpdatedRows) === 0) return;
    await voidOpenInvoices(tx, now, {
      customerId: domain.customer_id,
      serviceIds: [domain.service_id],
      about: message.name,
      reason: "domain-deleted",
    });
    await recordEvent(tx, "domain.deleted", now, refs, { name: message.name, by: "registry" });
    report.deletedByRegistry.push(message.name);
  });
}

async function comparePayments(deps: Deps, now: Instant, report: ReconciliationReport): Promise<void> {
  const since = now - deps.policies.reconciliation.recentPaymentDays * DAY;
  const alarmAfter = deps.policies.billing.pendingChargeAlarmHours * HOUR;
  const payments = await deps.db
    .selectFrom("payments")
    .select(["id", "customer_id", "idempotency_key", "status", "created_at"])
    .where((eb) => eb.or([eb("status", "=", "pending"), eb("created_at", ">=", since)]))
    .orderBy("id")
    .execute();
  for (const payment of payments) {
    let outcome: Awaited<ReturnType<Deps["gateway"]["lookup"]>>;
    try {
      outcome = await deps.gateway.lookup(payment.idempotency_key);
    } catch (error) {
      report.errors.push(`${payment.idempotency_key}: ${(error as Error).message}`);
      continue;
    }
    report.paymentsChecked++;
    const theirs = outcome?.status ?? null;
    const rule = judgePayment(payment.status, theirs, now - Number(payment.created_at) >= alarmAfter);
    if (!rule) continue;
    await inTransaction(deps, "reconciliation:payment", async (tx) => {
      const drift: NewDrift = {
        kind: "payment",
        subject: payment.idempotency_key,
        field: "status",
        ours: payment.status,
        theirs: theirs ?? "absent",
        rule,
        customerId: payment.customer_id,
        paymentId: Number(payment.id),
      };
      const id = await insertDrift(tx, drift, now);
      if (id === null) return;
      await recordEvent(
        tx,
        "reconciliation.drift_found",
        now,
        { customer: payment.customer_id },
        {
          drift: id,
          kind: "payment",
          subject: payment.idempotency_key,
          field: "status",
          rule,
        },
      );
      report.flagged++;
    });
  }
}
