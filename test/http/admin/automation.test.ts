/**
 * The automation page (issue 9): the health line, engine runs and their failures, retry now on a
 * failing service (the engine's one-service path under its lease, audited), and check now on a
 * charge awaiting the bank; each route's outcomes on both databases.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../../src/engine/run-engine.js";
import { listAudit } from "../../../src/modules/staff/audit-log.js";
import type { Registrar } from "../../../src/providers/registrar/registrar.js";
import { at } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

const CHARGE_DAY = "2022-03-31T14:00:00Z";

describe.each(DIALECTS)("back office: automation (%s)", (dialect) => {
  let f: HttpFixture;
  let broken: boolean;

  /** A registrar that times out on broken.example while `broken` is set. */
  function useFlakyRegistrar() {
    const registrar: Registrar = {
      renew: async (name, expiry, years) => {
        if (broken && name === "broken.example") throw new Error("registry timeout");
        return f.registrar.renew(name, expiry, years);
      },
      info: (n) => f.registrar.info(n),
      hold: (n) => f.registrar.hold(n),
      unhold: (n) => f.registrar.unhold(n),
      delete: (n) => f.registrar.delete(n),
      transferCode: (n) => f.registrar.transferCode(n),
    };
    f.useRegistrar(registrar);
  }

  /**
   * d-broken fails at the registrar (renew-at-registrar), d-lost's charge goes through but its
   * answers are lost twice (a charge awaiting the bank, a failed `resolve-payment` step), d-fine renews.
   */
  async function failingBook() {
    broken = true;
    useFlakyRegistrar();
    await f.addCustomer("c-broken", "ok");
    await f.addCustomer("c-lost", "lost-answer-2");
    await f.addDomain("d-broken", "c-broken", "broken.example", "2021-04-15T14:00:00Z");
    await f.addDomain("d-lost", "c-lost", "lost.example", "2021-04-15T14:00:00Z");
    await f.addDomain("d-fine", "c-broken", "fine.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2021-04-15T14:00:00Z"));
    const report = await runEngine(f.deps, at(CHARGE_DAY));
    expect(report.failures.map((x) => [x.service, x.step]).sort()).toEqual([
      ["d-broken", "renew-at-registrar"],
      ["d-lost", "resolve-payment"],
    ]);
    return report;
  }

  async function signedIn(role: "admin" | "billing" | "support", locale: "en" | "fr-CA" = "en") {
    const staff = await f.addStaffMember(role, { locale, email: `${role}-${locale}@staff.test` });
    const client = f.client();
    await client.staffLogin(staff.email);
    // A page first, for its CSRF token (the session is new since sign-in).
    await client.get("/admin");
    return client;
  }

  beforeEach(async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-31T14:05:00Z" });
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("a visitor is sent to sign in; every staff role reads the page", async () => {
    const visitor = await f.client().get("/admin/automation");
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/admin/login?next=${encodeURIComponent("/admin/automation")}`);
    for (const role of ["admin", "billing", "support"] as const) {
      const page = await (await signedIn(role)).get("/admin/automation");
      expect(page.statusCode, role).toBe(200);
    }
  });

  it("the health line: failing before any run, green after one on time, late after missed ticks", async () => {
    const client = await signedIn("support");
    const never = await client.get("/admin/automation");
    expect(never.body).toContain('data-state="failing"');
    expect(never.body).toContain("never completed a run");
    await runEngine(f.deps, f.clock.now());
    const green = await client.get("/admin");
    expect(green.body).toContain('data-state="green"');
    expect(green.body).toContain("Running on time");
    // The overview keeps its tiles.
    expect(green.body).toContain("Open requests");
    f.clock.advance(4 * 60_000);
    const late = await client.get("/admin/automation");
    expect(late.body).toContain('data-state="late"');
    expect(late.body).toContain("4 minutes ago");
    f.clock.advance(60 * 60_000);
    expect((await client.get("/admin")).body).toContain("the worker seems stopped");
  });

  it("lists runs newest first with their counts, and a run's failures", async () => {
    const report = await failingBook();
    await runEngine(f.deps, f.clock.now());
    const client = await signedIn("billing");
    const page = await client.get("/admin/automation");
    expect(page.statusCode).toBe(200);
    const runs = page.body.slice(page.body.indexOf('data-testid="engine-runs"'));
    const ids = [...runs.matchAll(/href="\/admin\/automation\/runs\/(\d+)"/g)].map((m) => Number(m[1]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids).toContain(report.runId);
    // Services whose last step failed, with what failed; two of them: failing before the run's three tries.
    expect(page.body).toContain("broken.example");
    expect(page.body).toContain("renew-at-registrar: registry timeout");
    expect(page.body).toContain('data-state="late"');
    const run = await client.get(`/admin/automation/runs/${report.runId}`);
    expect(run.statusCode).toBe(200);
    expect(run.body).toContain("d-broken");
    expect(run.body).toContain("registry timeout");
    expect(run.body).toContain("d-lost");
    expect((await client.get("/admin/automation/runs/999999")).statusCode).toBe(404);
    expect((await client.get("/admin/automation/runs/abc")).statusCode).toBe(404);
  });

  it("retry now: asks first, then brings the service up to date as a run of its own, audited", async () => {
    await failingBook();
    broken = false;
    const client = await signedIn("support");
    const ask = await client.post("/admin/automation/services/d-broken/retry", {});
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain("renew-at-registrar: registry timeout");
    // Nothing happened yet.
    const before = await f.deps.db
      .selectFrom("services")
      .select("failure_count")
      .where("id", "=", "d-broken")
      .executeTakeFirstOrThrow();
    expect(before.failure_count).toBe(1);
    const done = await client.post("/admin/automation/services/d-broken/retry", { confirm: "yes" });
    expect(done.statusCode).toBe(303);
    const page = await client.get("/admin/automation");
    expect(page.body).toContain("broken.example: retried, 1 step applied; the service is up to date.");
    const service = await f.deps.db
      .selectFrom("services")
      .select(["failure_count", "last_error", "lease_owner"])
      .where("id", "=", "d-broken")
      .executeTakeFirstOrThrow();
    expect(service).toEqual({ failure_count: 0, last_error: null, lease_owner: null });
    const renewed = await f.registrar.info("broken.example");
    expect(renewed?.expiresAt).toBe(at("2023-04-15T14:00:00Z"));
    const runs = await f.deps.db.selectFrom("engine_runs").selectAll().orderBy("id", "desc").execute();
    expect(runs[0]).toMatchObject({ worker: "staff:support-en@staff.test", status: "ok", steps_applied: 1 });
    const audit = await listAudit(f.deps.db, { objectType: "service", objectId: "d-broken" });
    expect(audit.map((a) => a.action)).toEqual(["service.retried"]);
    expect(audit[0]?.before).toMatchObject({ failureCount: 1 });
    // Retried again: nothing failing any more, said plainly.
    expect(
      (await client.post("/admin/automation/services/d-broken/retry", { confirm: "yes" })).statusCode,
    ).toBe(400);
  });

  it("retry now that fails again is recorded against the service, as a run records it", async () => {
    await failingBook();
    const client = await signedIn("admin");
    await client.get("/admin/automation");
    await client.post("/admin/automation/services/d-broken/retry", { confirm: "yes" });
    const page = await client.get("/admin/automation");
    expect(page.body).toContain("broken.example: retried, failed again at step renew-at-registrar");
    const service = await f.deps.db
      .selectFrom("services")
      .select(["failure_count", "lease_owner"])
      .where("id", "=", "d-broken")
      .executeTakeFirstOrThrow();
    expect(service).toEqual({ failure_count: 2, lease_owner: null });
  });

  it("retry now leaves alone a service a worker holds, and a money step is not support's", async () => {
    await failingBook();
    broken = false;
    const support = await signedIn("support");
    // d-lost failed settling its charge: support may not move money.
    const refused = await support.post("/admin/automation/services/d-lost/retry", {});
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("Billing");
    await f.deps.db
      .updateTable("services")
      .set({ lease_owner: "worker-1", lease_until: f.clock.now() + 5 * 60_000 })
      .where("id", "=", "d-broken")
      .execute();
    await support.post("/admin/automation/services/d-broken/retry", { confirm: "yes" });
    const page = await support.get("/admin/automation");
    expect(page.body).toContain("A worker is processing this service right now");
    const still = await f.deps.db
      .selectFrom("services")
      .select(["failure_count", "lease_owner"])
      .where("id", "=", "d-broken")
      .executeTakeFirstOrThrow();
    expect(still).toEqual({ failure_count: 1, lease_owner: "worker-1" });
    expect((await support.post("/admin/automation/services/nope/retry", {})).statusCode).toBe(404);
  });

  it("check now: the charge awaiting the bank, asked about by its key, settled once; billing only", async () => {
    await failingBook();
    const payment = await f.deps.db
      .selectFrom("payments")
      .select(["id", "idempotency_key", "invoice_id"])
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow();
    const support = await signedIn("support");
    expect((await support.post(`/admin/automation/charges/${payment.id}/check`, {})).statusCode).toBe(403);
    const billing = await signedIn("billing", "fr-CA");
    const page = await billing.get("/admin/automation");
    expect(page.body).toContain(payment.idempotency_key);
    const ask = await billing.post(`/admin/automation/charges/${payment.id}/check`, {});
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain(payment.idempotency_key);
    expect(f.gateway.allCharges().filter((c) => c.idempotencyKey === payment.idempotency_key)).toHaveLength(
      1,
    );
    const done = await billing.post(`/admin/automation/charges/${payment.id}/check`, { confirm: "yes" });
    expect(done.statusCode).toBe(303);
    const after = await billing.get("/admin/automation");
    expect(after.body).toContain(`La passerelle confirme le paiement\u00a0: facture ${payment.invoice_id}`);
    const settled = await f.deps.db
      .selectFrom("payments")
      .select("status")
      .where("id", "=", payment.id)
      .executeTakeFirstOrThrow();
    expect(settled.status).toBe("succeeded");
    // One charge at the gateway for that key, whatever was asked.
    expect(f.gateway.allCharges().filter((c) => c.idempotencyKey === payment.idempotency_key)).toHaveLength(
      1,
    );
    const again = await billing.post(`/admin/automation/charges/${payment.id}/check`, { confirm: "yes" });
    expect(again.statusCode).toBe(303);
    expect((await billing.get("/admin/automation")).body).toContain("plus en attente\u00a0: il est réussi");
    const audit = await listAudit(f.deps.db, { objectType: "payment", objectId: String(payment.id) });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.after).toMatchObject({ status: "succeeded", gatewayAnswer: "succeeded" });
    expect((await billing.post("/admin/automation/charges/999999/check", {})).statusCode).toBe(404);
    expect((await billing.post("/admin/automation/charges/x1/check", {})).statusCode).toBe(404);
  });

  it("a post without the CSRF token is refused", async () => {
    await failingBook();
    const client: HttpClient = await signedIn("admin");
    await client.get("/admin/automation");
    const retry = await client.post(
      "/admin/automation/services/d-broken/retry",
      { confirm: "yes" },
      { csrf: false },
    );
    expect(retry.statusCode).toBe(403);
    const check = await client.post("/admin/automation/charges/1/check", { confirm: "yes" }, { csrf: false });
    expect(check.statusCode).toBe(403);
    const service = await f.deps.db
      .selectFrom("services")
      .select("failure_count")
      .where("id", "=", "d-broken")
      .executeTakeFirstOrThrow();
    expect(service.failure_count).toBe(1);
  });

  it("a malformed confirmation is a 400 with the question asked again", async () => {
    await failingBook();
    const client = await signedIn("admin");
    const bad = await client.post("/admin/automation/services/d-broken/retry", { confirm: "maybe" });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Retry now");
  });
});
