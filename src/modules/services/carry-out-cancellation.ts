/**
 * Back office: a staff member carries out a pending cancellation now (the queue's "carry out").
 * Nothing here cancels: the request is brought forward (its effective instant becomes now, and who
 * asked is recorded with the audit line, in one transaction), then the engine's own step does the
 * rest through processService — the same path as a request that falls due. So money in flight is
 * settled first (a charge whose outcome is unknown defers the cancellation; one that went through
 * on an invoice being voided is refunded), and a second click, or two staff at once, does it once.
 */
import { decideVoidability, type InvoiceStatus } from "../../domain/invoice-rules.js";
import type { Money } from "../../domain/money.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import { processService, StepFailure } from "../../engine/process-service.js";
import { type Db, type Deps, inTransaction } from "../deps.js";
import { actorMark, recordAudit, type StaffActor } from "../staff/audit-log.js";
import { markDue } from "./mark-due.js";

/** What carrying it out would do to each open invoice of the service, for the confirmation page. */
export interface CarryOutPreview {
  invoices: {
    id: number;
    total: Money;
    /** void: voided now; deferred: voided once the charge in flight is settled (refunded if it went through); adjustment: left for staff (partly paid, other items). */
    outcome: "void" | "deferred" | "adjustment";
  }[];
  /** A charge of this service awaits the bank: the engine settles it before cancelling. */
  pendingCharge: boolean;
}

async function openInvoicesOf(db: Db, serviceId: string) {
  const invoices = await db
    .selectFrom("invoices")
    .select(["id", "status", "amount_paid", "total", "currency"])
    .where("status", "=", "open")
    .where("id", "in", (eb) =>
      eb.selectFrom("invoice_lines").select("invoice_id").where("service_id", "=", serviceId),
    )
    .orderBy("id")
    .execute();
  if (invoices.length === 0) return [];
  const lines = await db
    .selectFrom("invoice_lines")
    .select(["invoice_id", "service_id"])
    .where(
      "invoice_id",
      "in",
      invoices.map((i) => i.id),
    )
    .execute();
  const pending = await db
    .selectFrom("payments")
    .select("invoice_id")
    .where(
      "invoice_id",
      "in",
      invoices.map((i) => i.id),
    )
    .where("status", "=", "pending")
    .execute();
  const inFlight = new Set(pending.map((p) => p.invoice_id));
  return invoices.map((invoice) => ({
    id: invoice.id,
    total: { amount: invoice.total, currency: invoice.currency },
    inFlight: inFlight.has(invoice.id),
    facts: {
      status: invoice.status as InvoiceStatus,
      amountPaid: invoice.amount_paid,
      lineServiceIds: lines.filter((l) => l.invoice_id === invoice.id).map((l) => l.service_id),
    },
  }));
}

export async function previewCarryOut(deps: Deps, serviceId: string): Promise<CarryOutPreview> {
  const invoices = await openInvoicesOf(deps.db, serviceId);
  const pendingCharge = await deps.db
    .selectFrom("payments")
    .innerJoin("invoices", "invoices.id", "payments.invoice_id")
    .select("payments.id")
    .where("payments.status", "=", "pending")
    .where("invoices.service_id", "=", serviceId)
    .executeTakeFirst();
  return {
    invoices: invoices.map((invoice) => {
      // The same rule the engine's void applies (void-open-invoices.ts).
      const decision = decideVoidability(invoice.facts, [serviceId]);
      const outcome = !decision.canVoid ? "adjustment" : invoice.inFlight ? "deferred" : "void";
      return { id: invoice.id, total: invoice.total, outcome };
    }),
    pendingCharge: pendingCharge !== undefined || invoices.some((i) => i.inFlight),
  };
}

export type CarryOutResult =
  | {
      ok: true;
      /** The service is cancelled now. */
      done: boolean;
      /** Not done yet: a charge awaits the bank's answer, or the engine's step failed (`error`). */
      waitingFor: "payment" | "engine" | null;
      error: string | null;
      voided: number[];
      deferred: number[];
      refunded: { invoice: number; amount: Money }[];
      needsAdjustment: number[];
    }
  | { ok: false; reason: "not-pending" | "already-asked" | "not-found" };

export async function carryOutCancellation(
  deps: Deps,
  input: { requestId: number; actor: StaffActor; reason: string },
  now: Instant,
): Promise<CarryOutResult> {
  const by = actorMark(input.actor);
  const asked = await inTransaction(deps, "cancellation:carry-out", async (tx) => {
    let query = tx.selectFrom("cancellation_requests").selectAll().where("id", "=", input.requestId);
    if (deps.dialect === "postgres") query = query.forUpdate();
    const request = await query.executeTakeFirst();
    if (!request) return { kind: "not-found" as const };
    if (request.status !== "pending") return { kind: "not-pending" as const };
    if (request.carried_out_by !== null) return { kind: "already-asked" as const };
    const effectiveAt = Math.min(request.effective_at, now);
    // Guarded: of two staff pressing at once, one brings it forward, the other is told it was.
    const updated = await tx
      .updateTable("cancellation_requests")
      .set({ carried_out_by: by, effective_at: effectiveAt })
      .where("id", "=", request.id)
      .where("status", "=", "pending")
      .where("carried_out_by", "is", null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { kind: "already-asked" as const };
    const service = await tx
      .selectFrom("services")
      .select("customer_id")
      .where("id", "=", request.service_id)
      .executeTakeFirstOrThrow();
    await markDue(tx, request.service_id, now);
    await recordAudit(tx, input.actor, now, {
      action: "cancellation.carried_out",
      objectType: "service",
      objectId: request.service_id,
      customerId: service.customer_id,
      reason: input.reason,
      before: {
        cancellation: request.id,
        effectiveAt: formatInstant(request.effective_at),
        carriedOutBy: null,
      },
      after: { cancellation: request.id, effectiveAt: formatInstant(effectiveAt), carriedOutBy: by },
    });
    return { kind: "asked" as const, serviceId: request.service_id };
  });
  if (asked.kind !== "asked") return { ok: false, reason: asked.kind };

  const before = await openInvoicesOf(deps.db, asked.serviceId);
  let error: string | null = null;
  try {
    // The engine's path: settle money in flight, then the "cancel" step (subscription-steps.ts).
    await processService(deps, asked.serviceId, now);
  } catch (caught) {
    if (!(caught instanceof StepFailure)) throw caught;
    // The request stands and stays due: the next run retries the step and records its failure.
    error = caught.message;
    await deps.db
      .updateTable("services")
      .set({ next_due_at: now })
      .where("id", "=", asked.serviceId)
      .execute();
  }
  const outcome = await outcomeOf(deps.db, input.requestId, before, now);
  const waitingFor = outcome.done ? null : error !== null ? "engine" : "payment";
  return { ok: true, ...outcome, waitingFor, error };
}

/** What happened to the request and to the invoices that were open before. */
async function outcomeOf(
  db: Db,
  requestId: number,
  before: Awaited<ReturnType<typeof openInvoicesOf>>,
  now: Instant,
): Promise<Omit<Extract<CarryOutResult, { ok: true }>, "ok" | "error" | "waitingFor">> {
  const request = await db
    .selectFrom("cancellation_requests")
    .select("status")
    .where("id", "=", requestId)
    .executeTakeFirstOrThrow();
  const done = request.status === "done";
  const ids = before.map((i) => i.id);
  const after =
    ids.length === 0
      ? []
      : await db
          .selectFrom("invoices")
          .select(["id", "status", "void_requested_at"])
          .where("id", "in", ids)
          .execute();
  const refunds =
    ids.length === 0
      ? []
      : await db
          .selectFrom("refunds")
          .select(["invoice_id", "amount", "currency"])
          .where("invoice_id", "in", ids)
          .where("status", "=", "succeeded")
          .where("created_at", ">=", now)
          .orderBy("id")
          .execute();
  return {
    done,
    voided: after.filter((i) => i.status === "void").map((i) => i.id),
    deferred: after.filter((i) => i.status === "open" && i.void_requested_at !== null).map((i) => i.id),
    refunded: refunds.map((r) => ({
      invoice: r.invoice_id,
      amount: { amount: r.amount, currency: r.currency },
    })),
    // Left open by the cancellation itself: partly paid, or carrying other items (staff adjust it).
    needsAdjustment: done
      ? after.filter((i) => i.status === "open" && i.void_requested_at === null).map((i) => i.id)
      : [],
  };
}
