/**
 * Reconciliation on both databases: registry differences are never written blindly (drift rows
 * for staff), an expiry moved by exactly the renewals Tenure paid for is accepted on its own,
 * staff decisions are events and audit entries, payments are compared with the gateway, and the
 * EPP poll queue turns a transfer out into `domain.transferred_out`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays, addYears, formatInstant } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { issueInvoice } from "../../src/modules/invoices/invoice-repository.js";
import { decideDrift } from "../../src/modules/reconciliation/decide-drift.js";
import { listDrift } from "../../src/modules/reconciliation/drift-repository.js";
import { runReconciliation } from "../../src/modules/reconciliation/reconcile.js";
import { listAudit, type StaffActor } from "../../src/modules/staff/audit-log.js";
import { buildTimeline } from "../../src/modules/timeline/build-timeline.js";
import { EppClient } from "../../src/providers/registrar/epp/client.js";
import { EppRegistrar } from "../../src/providers/registrar/epp/epp-registrar.js";
import type { Registrar } from "../../src/providers/registrar/registrar.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { clientConfigFor, EppTestRegistry, makeCertificates } from "../support/epp-registry.js";
import { DIALECTS } from "../support/stores.js";

const noWait = async () => undefined;
const support: StaffActor = { id: "s1", email: "sam@host.test", role: "support", address: "127.0.0.1" };
const billing: StaffActor = { id: "s2", email: "bea@host.test", role: "billing", address: "127.0.0.1" };

async function expiryOf(f: Fixture, service: string): Promise<number> {
  const row = await f.deps.db
    .selectFrom("domains")
    .select("expires_at")
    .where("service_id", "=", service)
    .executeTakeFirstOrThrow();
  return Number(row.expires_at);
}

async function events(f: Fixture, type: string) {
  return f.deps.db.selectFrom("events").selectAll().where("type", "=", type).execute();
}

describe.each(DIALECTS)("reconciliation (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "ok");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("finds nothing when the registry agrees, and writes nothing", async () => {
    await f.addDomain("d1", "c1", "same.example", "2021-04-15T14:00:00Z");
    const report = await runReconciliation(f.deps, at("2021-06-01T00:00:00Z"), { sleep: noWait });
    expect(report).toMatchObject({ domainsChecked: 1, flagged: 0, accepted: 0, errors: [] });
    expect(await listDrift(f.deps.db, {})).toEqual([]);
  });

  it("flags an earlier expiry, a date before registration, a jump too far, an unpaid move and a name not at the registry", async () => {
    const cases: [string, (expiresAt: number) => number | null, string][] = [
      ["earlier.example", (e) => addDays(e, -1), "expiry-earlier"],
      ["epoch.example", () => at("1969-12-31T00:00:00Z"), "before-registration"],
      ["jump.example", (e) => addYears(e, 3), "jump-too-far"],
      ["unpaid.example", (e) => addYears(e, 1), "unpaid-renewal"],
      ["gone.example", () => null, "not-at-registry"],
    ];
    for (const [i, [name, theirs]] of cases.entries()) {
      await f.addDomain(`d${i}`, "c1", name, "2021-04-15T14:00:00Z");
      const ours = await expiryOf(f, `d${i}`);
      const moved = theirs(ours);
      if (moved === null) await f.registrar.delete(name);
      else f.registrar.register(name, moved);
    }
    const before = await Promise.all(cases.map((_, i) => expiryOf(f, `d${i}`)));
    const report = await runReconciliation(f.deps, at("2021-06-01T00:00:00Z"), { sleep: noWait });
    expect(report.flagged).toBe(5);
    const drift = await listDrift(f.deps.db, { status: "open" });
    expect(Object.fromEntries(drift.map((d) => [d.subject, d.rule]))).toEqual(
      Object.fromEntries(cases.map(([name, , rule]) => [name, rule])),
    );
    // Nothing was written into Tenure's records.
    expect(await Promise.all(cases.map((_, i) => expiryOf(f, `d${i}`)))).toEqual(before);
    expect(await events(f, "reconciliation.drift_found")).toHaveLength(5);
    // The same difference is not flagged twice.
    const again = await runReconciliation(f.deps, at("2021-06-02T00:00:00Z"), { sleep: noWait });
    expect(again.flagged).toBe(0);
  });

  it("accepts on its own an expiry moved by exactly the renewal Tenure was paid for (answer lost)", async () => {
    await f.addDomain("d1", "c1", "paid.example", "2021-04-15T14:00:00Z");
    const ours = await expiryOf(f, "d1");
    // The registry applies the renewal but its answer never reaches Tenure.
    const lost: Registrar = {
      renew: async (name, expiry, years) => {
        await f.registrar.renew(name, expiry, years);
        throw new Error("connection lost");
      },
      info: (n) => f.registrar.info(n),
      hold: (n) => f.registrar.hold(n),
      unhold: (n) => f.registrar.unhold(n),
      delete: (n) => f.registrar.delete(n),
      transferCode: (n) => f.registrar.transferCode(n),
    };
    f.useRegistrar(lost);
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    expect(await expiryOf(f, "d1")).toBe(ours);
    f.useRegistrar(f.registrar);
    const report = await runReconciliation(f.deps, at("2022-03-31T15:00:00Z"), { sleep: noWait });
    expect(report).toMatchObject({ accepted: 1, flagged: 0 });
    expect(await expiryOf(f, "d1")).toBe(addYears(ours, 1));
    const [row] = await listDrift(f.deps.db, {});
    expect(row).toMatchObject({ status: "accepted", decidedBy: "automatic", rule: "paid-renewals" });
    expect(await events(f, "reconciliation.drift_accepted")).toHaveLength(1);
    const audit = await f.deps.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "drift.accept")
      .execute();
    expect(audit).toHaveLength(1);
    // The registry renewed once; nothing renews again.
    expect(f.registrar.renewals).toHaveLength(1);
  });

  it("staff accept or reject with a reason, by role, audited; an accepted expiry is written guarded", async () => {
    await f.addDomain("d1", "c1", "earlier.example", "2021-04-15T14:00:00Z");
    await f.addDomain("d2", "c1", "later.example", "2021-04-15T14:00:00Z");
    const ours = await expiryOf(f, "d1");
    f.registrar.register("earlier.example", addDays(ours, -2));
    f.registrar.register("later.example", addYears(ours, 1));
    await runReconciliation(f.deps, at("2021-06-01T00:00:00Z"), { sleep: noWait });
    const rows = await listDrift(f.deps.db, { status: "open" });
    const earlier = rows.find((r) => r.subject === "earlier.example");
    const later = rows.find((r) => r.subject === "later.example");
    if (!earlier || !later) throw new Error("drift expected");
    const now = at("2021-06-02T00:00:00Z");
    expect(
      await decideDrift(f.deps, billing, { id: earlier.id, decision: "reject", reason: "no" }, now),
    ).toEqual({
      ok: false,
      reason: "forbidden",
    });
    expect(
      await decideDrift(f.deps, support, { id: earlier.id, decision: "reject", reason: "  " }, now),
    ).toEqual({
      ok: false,
      reason: "reason-required",
    });
    expect(
      await decideDrift(
        f.deps,
        support,
        { id: earlier.id, decision: "reject", reason: "registry sync glitch" },
        now,
      ),
    ).toEqual({ ok: true, status: "rejected" });
    expect(await expiryOf(f, "d1")).toBe(ours);
    expect(
      await decideDrift(
        f.deps,
        support,
        { id: earlier.id, decision: "accept", reason: "changed my mind" },
        now,
      ),
    ).toEqual({ ok: false, reason: "already-decided" });
    expect(
      await decideDrift(
        f.deps,
        support,
        { id: later.id, decision: "accept", reason: "renewed at the registry by hand" },
        now,
      ),
    ).toEqual({ ok: true, status: "accepted" });
    expect(await expiryOf(f, "d2")).toBe(addYears(ours, 1));
    const audit = await f.deps.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "like", "drift.%")
      .orderBy("id")
      .execute();
    expect(audit.map((a) => [a.action, a.staff_email, a.reason])).toEqual([
      ["drift.reject", "sam@host.test", "registry sync glitch"],
      ["drift.accept", "sam@host.test", "renewed at the registry by hand"],
    ]);
    expect(await events(f, "reconciliation.drift_rejected")).toHaveLength(1);
    expect(await events(f, "reconciliation.drift_accepted")).toHaveLength(1);
  });

  it("a domain's drift names its service: found, rejected and accepted show on the domain's timeline and audit trail", async () => {
    await f.addDomain("d1", "c1", "earlier.example", "2021-04-15T14:00:00Z");
    await f.addDomain("d2", "c1", "later.example", "2021-04-15T14:00:00Z");
    const ours = await expiryOf(f, "d1");
    f.registrar.register("earlier.example", addDays(ours, -2));
    f.registrar.register("later.example", addYears(ours, 1));
    await runReconciliation(f.deps, at("2021-06-01T00:00:00Z"), { sleep: noWait });
    const rows = await listDrift(f.deps.db, { status: "open" });
    const earlier = rows.find((r) => r.subject === "earlier.example");
    const later = rows.find((r) => r.subject === "later.example");
    if (!earlier || !later) throw new Error("drift expected");
    expect([earlier.serviceId, later.serviceId]).toEqual(["d1", "d2"]);
    const now = at("2021-06-02T00:00:00Z");
    await decideDrift(
      f.deps,
      support,
      { id: earlier.id, decision: "reject", reason: "registry glitch" },
      now,
    );
    await decideDrift(f.deps, support, { id: later.id, decision: "accept", reason: "renewed by hand" }, now);
    const pastOf = async (service: string) =>
      (await buildTimeline(f.deps, service, now)).past
        .filter((e) => e.type.startsWith("reconciliation."))
        .map((e) => [e.type, e.details.name, e.details.expiresAt]);
    expect(await pastOf("d1")).toEqual([
      ["reconciliation.drift_found", "earlier.example", undefined],
      ["reconciliation.drift_rejected", "earlier.example", undefined],
    ]);
    expect(await pastOf("d2")).toEqual([
      ["reconciliation.drift_found", "later.example", undefined],
      ["reconciliation.drift_accepted", "later.example", formatInstant(addYears(ours, 1))],
    ]);
    // The domain's audit trail (its back-office page) carries the decisions, with the drift's number.
    const trail = await listAudit(f.deps.db, { objectType: "domain", objectId: "d2" });
    expect(trail.map((line) => [line.action, line.before, line.after])).toEqual([
      [
        "drift.accept",
        { status: "open", expires_at: formatInstant(ours) },
        {
          drift: later.id,
          status: "accepted",
          expires_at: formatInstant(addYears(ours, 1)),
          registry: formatInstant(addYears(ours, 1)),
        },
      ],
    ]);
  });

  it("compares payments with the gateway: a payment recorded succeeded that the gateway never took is flagged for money roles", async () => {
    await f.addDomain("d1", "c1", "pay.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-03-31T14:00:00Z"));
    const payment = await f.deps.db.selectFrom("payments").selectAll().executeTakeFirstOrThrow();
    expect(payment.status).toBe("succeeded");
    await f.deps.db
      .updateTable("payments")
      .set({ idempotency_key: "charge:forged:1" })
      .where("id", "=", payment.id)
      .execute();
    const report = await runReconciliation(f.deps, at("2022-04-01T00:00:00Z"), { sleep: noWait });
    expect(report.paymentsChecked).toBe(1);
    const [drift] = await listDrift(f.deps.db, { kinds: ["payment"] });
    expect(drift).toMatchObject({
      subject: "charge:forged:1",
      rule: "succeeded-not-at-gateway",
      ours: "succeeded",
      theirs: "absent",
    });
    expect(
      await decideDrift(
        f.deps,
        support,
        { id: drift?.id ?? 0, decision: "accept", reason: "x" },
        at("2022-04-02"),
      ),
    ).toEqual({
      ok: false,
      reason: "forbidden",
    });
    expect(
      await decideDrift(
        f.deps,
        billing,
        { id: drift?.id ?? 0, decision: "accept", reason: "refunded by hand" },
        at("2022-04-02"),
      ),
    ).toEqual({ ok: true, status: "accepted" });
  });

  it("over EPP: a transfer out seen through poll becomes domain.transferred_out, once; info is read in batches", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tenure-recon-"));
    const tls = await makeCertificates();
    const clock = { now: at("2022-01-10T00:00:00Z") };
    const registry = new EppTestRegistry({
      file: join(dir, "registry.sqlite"),
      tls,
      clients: { tenure: "Tenure-pw-1", otherreg: "Other-pw-1" },
      now: () => clock.now,
    });
    await registry.start();
    const client = (clientId: string, password: string) =>
      new EppClient(clientConfigFor(registry, tls, { clientId, password }, { poolSize: 2 }));
    const ours = new EppRegistrar(client("tenure", "Tenure-pw-1"), "tenure");
    const theirs = new EppRegistrar(client("otherreg", "Other-pw-1"), "otherreg");
    try {
      for (const i of [1, 2, 3]) {
        await f.addDomain(`e${i}`, "c1", `epp${i}.example`, "2021-04-15T14:00:00Z");
        registry.register(`epp${i}.example`, await expiryOf(f, `e${i}`), {
          createdAt: at("2021-04-15T14:00:00Z"),
          authInfo: `Auth-${i}-xyz`,
        });
      }
      f.useRegistrar(ours);
      // An open renewal invoice for the name that leaves: nothing more is owed once it is gone.
      const renewal = await f.deps.db.transaction().execute((tx) =>
        issueInvoice(tx, {
          customerId: "c1",
          issueKey: "renewal:e2:test",
          serviceId: "e2",
          purpose: "renewal",
          periodStartAt: null,
          currency: "USD",
          issuedAt: clock.now,
          dueAt: clock.now,
          lines: [
            {
              serviceId: "e2",
              description: "epp2.example",
              amount: 2200,
              periodStartAt: null,
              periodEndAt: null,
            },
          ],
        }),
      );
      await theirs.transferIn("epp2.example", "Auth-2-xyz");
      clock.now = addDays(clock.now, 5);
      registry.advance();
      const f2 = {
        ...f.deps,
        policies: { ...f.deps.policies, reconciliation: { ...f.deps.policies.reconciliation, batchSize: 2 } },
      };
      const waits: number[] = [];
      const report = await runReconciliation(f2, clock.now, { sleep: async (ms) => void waits.push(ms) });
      expect(report.transferredOut).toEqual(["epp2.example"]);
      expect(report.pollMessages).toBe(2);
      expect(report.errors).toEqual([]);
      const status = await f.deps.db
        .selectFrom("services")
        .select(["status", "next_due_at"])
        .where("id", "=", "e2")
        .executeTakeFirstOrThrow();
      expect(status).toEqual({ status: "transferred-out", next_due_at: null });
      const invoice = await f.deps.db
        .selectFrom("invoices")
        .select("status")
        .where("id", "=", Number(renewal))
        .executeTakeFirstOrThrow();
      expect(invoice.status).toBe("void");
      expect(await events(f, "domain.transferred_out")).toHaveLength(1);
      expect(report.domainsChecked).toBe(2);
      expect(report.flagged).toBe(0);
      expect(waits).toHaveLength(0);
      const again = await runReconciliation(f2, clock.now, { sleep: noWait });
      expect(again.pollMessages).toBe(0);
      expect(await events(f, "domain.transferred_out")).toHaveLength(1);
      expect(registry.invalidFrames).toEqual([]);
    } finally {
      await ours.close();
      await theirs.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("over EPP: a deletion by the registry seen through poll deletes the domain in Tenure (domain.deleted), acknowledged once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tenure-recon-"));
    const tls = await makeCertificates();
    const now = at("2022-01-10T00:00:00Z");
    const registry = new EppTestRegistry({
      file: join(dir, "registry.sqlite"),
      tls,
      clients: { tenure: "Tenure-pw-1" },
      now: () => now,
    });
    await registry.start();
    const ours = new EppRegistrar(
      new EppClient(clientConfigFor(registry, tls, { clientId: "tenure", password: "Tenure-pw-1" })),
      "tenure",
    );
    try {
      for (const i of [1, 2]) {
        await f.addDomain(`r${i}`, "c1", `kept${i}.example`, "2021-04-15T14:00:00Z");
        registry.register(`kept${i}.example`, await expiryOf(f, `r${i}`), {
          createdAt: at("2021-04-15T14:00:00Z"),
        });
      }
      f.useRegistrar(ours);
      registry.deleteByRegistry("kept2.example");
      expect(registry.pendingPoll()).toBe(1);
      const report = await runReconciliation(f.deps, now, { sleep: noWait });
      expect(report).toMatchObject({ pollMessages: 1, deletedByRegistry: ["kept2.example"], errors: [] });
      const services = await f.deps.db
        .selectFrom("services")
        .select(["id", "status", "next_due_at"])
        .where("id", "in", ["r1", "r2"])
        .orderBy("id")
        .execute();
      expect(services.map((s) => [s.id, s.status])).toEqual([
        ["r1", "active"],
        ["r2", "deleted"],
      ]);
      expect(services[1]?.next_due_at).toBeNull();
      const deleted = await events(f, "domain.deleted");
      expect(deleted.map((e) => [e.service_id, JSON.parse(String(e.details))])).toEqual([
        ["r2", { name: "kept2.example", by: "registry" }],
      ]);
      // Acknowledged at the registry once recorded: the next run reads nothing and changes nothing.
      expect(registry.pendingPoll()).toBe(0);
      const again = await runReconciliation(f.deps, now, { sleep: noWait });
      expect(again).toMatchObject({ pollMessages: 0, deletedByRegistry: [] });
      expect(await events(f, "domain.deleted")).toHaveLength(1);
      // A deleted domain is no longer compared with the registry (no "not at the registry" drift).
      expect(await listDrift(f.deps.db, {})).toEqual([]);
      expect(registry.invalidFrames).toEqual([]);
    } finally {
      await ours.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
