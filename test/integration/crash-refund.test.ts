/**
 * A staff refund interrupted at every point of its path is never paid twice. The refund from a
 * request (ticket-refund.ts) is replayed once per fault point it reaches, crashing there (the
 * transaction open at that point rolls back, as when the process dies); then, as after a restart,
 * the engine runs a minute later and the staff member posts the same confirmation again (in both
 * orders). Whatever the point, the gateway's ledger shows exactly one refund of the amount, and
 * Tenure exactly one succeeded refund, one credit note and one `payment.refunded`.
 */
import { describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import { completeRefunds } from "../../src/modules/payments/refund-payment.js";
import { addStaff } from "../../src/modules/staff/staff-repository.js";
import { openTicket } from "../../src/modules/tickets/open-ticket.js";
import {
  refundablePayment,
  refundFromTicket,
  type TicketRefundRequest,
} from "../../src/modules/tickets/ticket-refund.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { CountingFaults, CrashAt, InjectedCrash } from "../support/faults.js";
import { DIALECTS, type TestDialect } from "../support/stores.js";

const AMOUNT = 7_500;

function isInjected(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof InjectedCrash) return true;
  return false;
}

interface Story {
  f: Fixture;
  actor: { id: string; email: string; role: "billing"; address: string };
  request: TicketRefundRequest;
  now: number;
}

/** ana paid her hosting renewal and asks for part of it back. */
async function setUp(dialect: TestDialect): Promise<Story> {
  const f = await createFixture(dialect);
  await f.addCustomer("ana", "ok");
  await f.addHosting("site-ana", "ana", "2021-04-15T14:00:00Z");
  await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
  const invoice = await f.deps.db
    .selectFrom("invoices")
    .select("id")
    .where("service_id", "=", "site-ana")
    .executeTakeFirstOrThrow();
  const now = at("2022-04-02T09:00:00Z");
  expect((await payInvoice(f.deps, { invoiceId: invoice.id }, now)).ok).toBe(true);
  const payment = await f.deps.db
    .selectFrom("payments")
    .select("id")
    .where("invoice_id", "=", invoice.id)
    .executeTakeFirstOrThrow();
  const { ticket } = await openTicket(
    f.deps,
    {
      customerId: "ana",
      openedBy: "ana",
      ticket: { kind: "refund", subject: "Refund please", body: "Unused months.", serviceId: "site-ana" },
    },
    now,
  );
  const { staff } = await addStaff(f.deps.db, { email: "billing@staff.test", role: "billing" }, now);
  // The confirmation page: the refund's rank on the payment is fixed there.
  const seq = (await refundablePayment(f.deps.db, "ana", payment.id))?.nextSeq ?? 0;
  return {
    f,
    actor: { id: staff.id, email: staff.email, role: "billing", address: "203.0.113.7" },
    request: { ticketId: ticket, paymentId: payment.id, amount: AMOUNT, reason: "Unused months", seq },
    now,
  };
}

async function outcomeOf(story: Story) {
  const { f } = story;
  const refunds = await f.deps.db
    .selectFrom("refunds")
    .select(["status", "amount", "idempotency_key"])
    .execute();
  const notes = await f.deps.db.selectFrom("credit_notes").select(["kind", "amount", "refund_id"]).execute();
  const events = await f.deps.db
    .selectFrom("events")
    .select("type")
    .where("type", "=", "payment.refunded")
    .execute();
  const audit = await f.deps.db
    .selectFrom("audit_log")
    .select("action")
    .where("action", "=", "payment.refund-requested")
    .execute();
  return {
    ledger: f.gateway.refunds().map((r) => `${r.idempotencyKey}:${r.amount}`),
    refunds: refunds.map((r) => `${r.idempotency_key}:${r.status}:${Number(r.amount)}`),
    notes: notes.map((n) => `${n.kind}:${Number(n.amount)}`),
    events: events.length,
    audit: audit.length,
  };
}

/** Crashes at the n-th fault point (none: n = 0), then recovers in the given order. */
async function run(
  dialect: TestDialect,
  n: number,
  order: "engine-first" | "retry-first",
  /** Negative control: a retry under a fresh key, as a random per-post token would give. */
  naive = false,
) {
  const story = await setUp(dialect);
  const { f } = story;
  try {
    const counting = new CountingFaults();
    const crash = n === 0 ? null : new CrashAt(n);
    f.deps.faults = crash ?? counting;
    try {
      await refundFromTicket(f.deps, story.actor, story.request, story.now);
    } catch (error) {
      if (!isInjected(error)) throw error;
    }
    // A crash right after the gateway's answer reaches refundFromTicket as a lost answer (the
    // refund stays pending); every other one as the exception itself.
    const crashed = crash?.crashedAt != null;
    // The process is restarted: no more faults.
    f.deps.faults = undefined;
    const later = story.now + 60_000;
    const engine = () => runEngine(f.deps, later);
    // The staff member saw an error (or nothing) and posts the same confirmation again.
    const retry = async () => {
      const seq = naive
        ? ((await refundablePayment(f.deps.db, "ana", story.request.paymentId))?.nextSeq ?? 0)
        : story.request.seq;
      return refundFromTicket(f.deps, story.actor, { ...story.request, seq }, later + 60_000);
    };
    if (order === "engine-first") {
      await engine();
      await retry();
    } else {
      await retry();
      await engine();
    }
    // A gateway that answers again (a duplicate webhook, a second look-up) changes nothing.
    const ids = await f.deps.db.selectFrom("refunds").select("id").execute();
    await completeRefunds(
      f.deps,
      ids.map((r) => r.id),
      later + 120_000,
    );
    return {
      outcome: await outcomeOf(story),
      crashed,
      crashedAt: crash?.crashedAt ?? null,
      points: counting.points,
    };
  } finally {
    await f.dispose();
  }
}

describe.each(DIALECTS)("a staff refund interrupted anywhere is paid once (%s)", (dialect) => {
  it(
    "crashing at each fault point of the refund's path, then restarting, refunds exactly once with one credit note",
    async () => {
      const baseline = await run(dialect, 0, "engine-first");
      expect(baseline.crashed).toBe(false);
      for (const point of [
        "tx:staff-refund",
        "refund:pending-committed",
        "refund:gateway-answered",
        "tx:settle-refund",
        "refund:settled",
      ]) {
        expect(baseline.points).toContain(point);
      }
      const key = baseline.outcome.ledger[0]?.split(":staff-")[0];
      expect(key).toMatch(/^refund:charge:/);
      expect(baseline.outcome).toEqual({
        ledger: [expect.stringMatching(/:staff-1:7500$/)],
        refunds: [expect.stringMatching(/:staff-1:succeeded:7500$/)],
        notes: ["refund:7500"],
        events: 1,
        audit: 1,
      });
      for (let n = 1; n <= baseline.points.length; n += 1) {
        for (const order of ["engine-first", "retry-first"] as const) {
          const result = await run(dialect, n, order);
          const label = `crash #${n} at ${result.crashedAt} (${order})`;
          expect(result.crashed, label).toBe(true);
          expect(result.outcome, label).toEqual(baseline.outcome);
        }
      }
    },
    5 * 60_000,
  );

  it("detects the double refund of a retry under a fresh key (negative control)", async () => {
    const baseline = await run(dialect, 0, "engine-first");
    const doubled: string[] = [];
    for (let n = 1; n <= baseline.points.length; n += 1) {
      const result = await run(dialect, n, "engine-first", true);
      if (result.outcome.ledger.length > 1) doubled.push(result.crashedAt ?? "");
    }
    // Once the gateway has refunded, a retry under another key refunds a second time.
    expect(doubled).toContain("refund:gateway-answered");
  });

  it("a confirmation posted while the first is still with the gateway waits for the same refund", async () => {
    const story = await setUp(dialect);
    const { f } = story;
    try {
      // Two posts of the same confirmation at once (a double click): one refund between them.
      const results = await Promise.all([
        refundFromTicket(f.deps, story.actor, story.request, story.now),
        refundFromTicket(f.deps, story.actor, story.request, story.now),
      ]);
      expect(results.map((r) => r.kind).sort()).toEqual(["succeeded", "succeeded"]);
      expect(f.gateway.refunds().map((r) => r.amount)).toEqual([AMOUNT]);
      const notes = await f.deps.db.selectFrom("credit_notes").select("id").execute();
      expect(notes).toHaveLength(1);
      // A second confirmation made on a fresh page is a second refund, within the limit only.
      const next = (await refundablePayment(f.deps.db, "ana", story.request.paymentId))?.nextSeq ?? 0;
      expect(next).toBe(2);
      const over = await refundFromTicket(
        f.deps,
        story.actor,
        { ...story.request, seq: next, amount: 19_200 - AMOUNT + 1 },
        story.now,
      );
      expect(over).toEqual({ kind: "exceeds", max: { amount: 19_200 - AMOUNT, currency: "USD" } });
      expect(f.gateway.refunds()).toHaveLength(1);
      // The first confirmation posted again with another amount is not a new refund.
      expect(await refundFromTicket(f.deps, story.actor, { ...story.request, amount: 1 }, story.now)).toEqual(
        { kind: "stale" },
      );
      expect(f.gateway.refunds()).toHaveLength(1);
    } finally {
      await f.dispose();
    }
  });
});
