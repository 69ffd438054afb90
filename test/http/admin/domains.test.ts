/**
 * Back office, a domain's page and its overrides (issue 9): who may open and post them, the
 * refusals (no reason, bad days, a state that refuses it, no CSRF token), and what each override
 * changes: the dates and prices the pure rules compute, the client area's page, the event on the
 * timeline and the audit line with its reason and before/after.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../../src/engine/run-engine.js";
import { setCard } from "../../../src/modules/customers/customer-repository.js";
import { importDomain } from "../../../src/modules/domains/import-domain.js";
import { requestTransferOut } from "../../../src/modules/domains/request-transfer-out.js";
import { listAudit } from "../../../src/modules/staff/audit-log.js";
import { at, eventTypes } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

const SEED_004 = "2021-04-15T14:00:00Z";

async function staffClient(f: HttpFixture, role: "admin" | "billing" | "support", locale?: "fr-CA" | "en") {
  const staff = await f.addStaffMember(role, locale ? { locale, email: `${role}.${locale}@staff.test` } : {});
  const client = f.client();
  expect((await client.staffLogin(staff.email)).statusCode).toBe(303);
  await client.get("/admin");
  return client;
}

async function domainRow(f: HttpFixture, id: string) {
  return f.deps.db.selectFrom("domains").selectAll().where("service_id", "=", id).executeTakeFirstOrThrow();
}

async function statusOf(f: HttpFixture, id: string) {
  const row = await f.deps.db
    .selectFrom("services")
    .select("status")
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
  return row.status;
}

async function addGtld(
  f: HttpFixture,
  id: string,
  customer: string,
  name: string,
  options: { emailVerified?: boolean; registeredAt?: string } = {},
) {
  const { expiresAt } = await importDomain(f.deps, {
    id,
    customerId: customer,
    name,
    registrar: "gtld-registry",
    registeredAt: at(options.registeredAt ?? SEED_004),
    years: 1,
    autoRenew: true,
    emailVerified: options.emailVerified ?? true,
    siteServiceId: null,
    offer: null,
    recordedPrice: { amount: 2000, currency: "USD" },
  });
  f.registrar.register(name, expiresAt);
}

describe.each(DIALECTS)("back office: domain page and overrides (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect, { now: "2022-04-20T12:00:00Z" });
    // A declined card: the renewal fails and the domains expire on 2022-04-15.
    await f.addLogin("c1", "declined");
    await f.addDomain("d1", "c1", "lapsed.example", SEED_004);
    await addGtld(f, "g1", "c1", "lapsed.org");
    await runEngine(f.deps, at("2022-04-20T12:00:00Z"));
    expect(await statusOf(f, "d1")).toBe("expired");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("the page: visitor sent to sign in, any staff role reads it, unknown ids are 404", async () => {
    const visitor = await f.client().get("/admin/domains/d1");
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/admin/login?next=${encodeURIComponent("/admin/domains/d1")}`);
    for (const role of ["admin", "billing", "support"] as const) {
      const client = await staffClient(f, role);
      const page = await client.get("/admin/domains/d1");
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain("lapsed.example");
      expect(page.body).toContain("squarespace-domains");
      // Grace of 60 days: the last day to reactivate is 2022-06-14.
      expect(page.body).toMatch(/data-testid="grace-ends">2022-06-14/);
      expect(page.body).toContain("Invoices");
      expect(page.body).toContain("Timeline");
      expect(page.body).toContain("Staff actions");
      expect((await client.get("/admin/domains/nope")).statusCode).toBe(404);
    }
    const gtld = await (await staffClient(f, "admin", "fr-CA")).get("/admin/domains/g1");
    expect(gtld.statusCode).toBe(200);
    expect(gtld.body).toContain("Frais de restauration");
    expect(gtld.body).toMatch(/data-testid="restore-fee">80,00/);
  });

  it("support extends grace by 10 days with a reason: the engine, the client area, the timeline and the audit log follow", async () => {
    const support = await staffClient(f, "support");
    const done = await support.post("/admin/domains/d1/extend-grace", {
      days: "10",
      reason: "Owner in hospital",
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/admin/domains/d1");
    const page = await support.get("/admin/domains/d1");
    expect(page.body).toContain("Grace extended by 10 days: the domain can be reactivated until 2022-06-24.");
    expect(page.body).toMatch(/data-testid="grace-ends">2022-06-24 \(including 10 days added by staff\)/);
    expect(page.body).toContain("Our team extended the grace period by 10 days");
    expect(page.body).toContain("Owner in hospital");
    expect(page.body).toContain("domain.grace-extended");
    expect((await domainRow(f, "d1")).grace_extension_days).toBe(10);

    const [line] = await listAudit(f.deps.db, { objectType: "domain", objectId: "d1" });
    expect(line).toMatchObject({
      action: "domain.grace-extended",
      staffEmail: "support@staff.test",
      role: "support",
      customerId: "c1",
      reason: "Owner in hospital",
      before: { grace_extension_days: 0 },
      after: { grace_extension_days: 10 },
    });
    const event = await f.deps.db
      .selectFrom("events")
      .select("details")
      .where("type", "=", "domain.override_granted")
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.details)).toEqual({
      override: "grace-extended",
      by: "staff:support@staff.test",
      reason: "Owner in hospital",
      days: 10,
      graceEndsAt: "2022-06-24T14:00:00.000Z",
    });

    // The customer sees the extended date on their own domain page.
    const customer = f.client();
    await customer.login("c1@example.test");
    const own = await customer.get("/domains/d1");
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain("June 24, 2022");

    // Released the day after the extended grace, not on 2022-06-15.
    await runEngine(f.deps, at("2022-06-20T00:00:00Z"));
    expect(await statusOf(f, "d1")).toBe("expired");
    await runEngine(f.deps, at("2022-06-25T14:00:00Z"));
    expect(await statusOf(f, "d1")).toBe("released");
  });

  it("refusals: no reason or bad days is 400 with the form again, no CSRF token 403, billing 403, a visitor sent to sign in; nothing changes", async () => {
    const support = await staffClient(f, "support");
    const noReason = await support.post("/admin/domains/d1/extend-grace", { days: "10", reason: "   " });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("A reason is required.");
    expect(noReason.body).toContain('value="10"');
    for (const days of ["0", "31", "abc", "-3", "2.5", ""]) {
      const bad = await support.post("/admin/domains/d1/extend-grace", { days, reason: "why not" });
      expect(bad.statusCode, days).toBe(400);
      expect(bad.body).toContain("Enter a whole number of days from 1 to 30.");
    }
    expect(
      (await support.post("/admin/domains/d1/extend-grace", { days: "5", reason: "x" }, { csrf: false }))
        .statusCode,
    ).toBe(403);
    expect(
      (await support.post("/admin/domains/nope/extend-grace", { days: "5", reason: "x" })).statusCode,
    ).toBe(404);
    const billing = await staffClient(f, "billing");
    const refused = await billing.post("/admin/domains/d1/extend-grace", { days: "5", reason: "x" });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("This page needs the role Admin or Support");
    const visitor = await f.client().post("/admin/domains/d1/extend-grace", { days: "5", reason: "x" });
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toContain("/admin/login");
    expect((await domainRow(f, "d1")).grace_extension_days).toBe(0);
    expect(await listAudit(f.deps.db, { objectType: "domain" })).toEqual([]);

    // 25 days, then only 5 are left; once grace is over it cannot be extended at all.
    expect(
      (await support.post("/admin/domains/d1/extend-grace", { days: "25", reason: "one" })).statusCode,
    ).toBe(303);
    const tooMany = await support.post("/admin/domains/d1/extend-grace", { days: "6", reason: "two" });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.body).toContain("from 1 to 5.");
    f.clock.set(at("2022-07-15T00:00:00Z"));
    const over = await support.post("/admin/domains/d1/extend-grace", { days: "1", reason: "late" });
    expect(over.statusCode).toBe(409);
    expect(over.body).toContain("The grace period is over");
    expect((await domainRow(f, "d1")).grace_extension_days).toBe(25);
  });

  it("the restore fee is waived by billing (not support); a restore then costs the renewal alone", async () => {
    const support = await staffClient(f, "support");
    expect(
      (await support.post("/admin/domains/g1/waive-restore-fee", { reason: "goodwill" })).statusCode,
    ).toBe(403);
    const billing = await staffClient(f, "billing");
    expect((await billing.post("/admin/domains/g1/waive-restore-fee", { reason: "" })).statusCode).toBe(400);
    // A squarespace domain has no redemption, so no fee to waive.
    const none = await billing.post("/admin/domains/d1/waive-restore-fee", { reason: "goodwill" });
    expect(none.statusCode).toBe(409);
    expect(none.body).toContain("no restore fee");
    const done = await billing.post("/admin/domains/g1/waive-restore-fee", {
      reason: "Our outage delayed the notice",
    });
    expect(done.statusCode).toBe(303);
    expect((await billing.get("/admin/domains/g1")).body).toContain("Restore fee waived.");
    expect(Number((await domainRow(f, "g1")).restore_fee_waived)).toBe(1);
    expect((await billing.post("/admin/domains/g1/waive-restore-fee", { reason: "again" })).statusCode).toBe(
      409,
    );

    // In redemption (from 2022-05-16), the customer restores with a good card: 20.00, no fee line.
    await runEngine(f.deps, at("2022-05-20T00:00:00Z"));
    expect(await statusOf(f, "g1")).toBe("redemption");
    await setCard(f.deps, "c1", "ok");
    f.clock.set(at("2022-05-20T10:00:00Z"));
    const customer = f.client();
    await customer.login("c1@example.test");
    await customer.get("/domains/g1");
    expect((await customer.post("/domains/g1/reactivate", { confirm: "1" })).statusCode).toBe(303);
    expect(await statusOf(f, "g1")).toBe("active");
    const restore = await f.deps.db
      .selectFrom("invoices")
      .selectAll()
      .where("service_id", "=", "g1")
      .where("purpose", "=", "restore")
      .executeTakeFirstOrThrow();
    expect(Number(restore.total)).toBe(2000);
    expect(f.gateway.successfulCharges().map((c) => c.amount)).toEqual([2000]);
  });

  it("marking the e-mail verified puts a domain suspended for it back, through the client area's path", async () => {
    await addGtld(f, "u1", "c1", "unverified.org", {
      emailVerified: false,
      registeredAt: "2022-04-01T00:00:00Z",
    });
    await runEngine(f.deps, at("2022-04-20T12:00:00Z"));
    expect(await statusOf(f, "u1")).toBe("suspended");
    const support = await staffClient(f, "support");
    expect((await support.post("/admin/domains/u1/verify-email", {})).statusCode).toBe(400);
    const done = await support.post("/admin/domains/u1/verify-email", { reason: "Owner confirmed by phone" });
    expect(done.statusCode).toBe(303);
    const page = await support.get("/admin/domains/u1");
    expect(page.body).toContain("the domain, suspended for it, is active again");
    expect(page.body).toContain("Our team marked the contact e-mail as verified");
    expect(await statusOf(f, "u1")).toBe("active");
    expect(Number((await domainRow(f, "u1")).email_verified)).toBe(1);
    expect(await eventTypes(f.deps, "u1")).toEqual(
      expect.arrayContaining(["domain.override_granted", "domain.unsuspended"]),
    );
    expect((await f.registrar.info("unverified.org"))?.onHold).toBe(false);
    const [line] = await listAudit(f.deps.db, { objectId: "u1" });
    expect(line).toMatchObject({ action: "domain.email-verified", reason: "Owner confirmed by phone" });
    expect((await support.post("/admin/domains/u1/verify-email", { reason: "again" })).statusCode).toBe(409);
  });

  it("lifting the transfer lock early lets the customer transfer now", async () => {
    await addGtld(f, "t1", "c1", "new.org", { registeredAt: "2022-04-01T00:00:00Z" });
    const now = f.clock.now();
    expect(await requestTransferOut(f.deps, { serviceId: "t1" }, now)).toMatchObject({
      ok: false,
      reason: "transfer-locked",
    });
    const support = await staffClient(f, "support", "fr-CA");
    const noReason = await support.post("/admin/domains/t1/lift-transfer-lock", { reason: "" });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toContain("Un motif est obligatoire.");
    const done = await support.post("/admin/domains/t1/lift-transfer-lock", { reason: "Vente du domaine" });
    expect(done.statusCode).toBe(303);
    const page = await support.get("/admin/domains/t1");
    expect(page.body).toContain("Verrou de transfert levé");
    expect(page.body).toContain("Notre équipe a levé le verrou de transfert plus tôt que prévu");
    expect(await requestTransferOut(f.deps, { serviceId: "t1" }, f.clock.now())).toMatchObject({ ok: true });
    expect(
      (await support.post("/admin/domains/t1/lift-transfer-lock", { reason: "encore" })).statusCode,
    ).toBe(409);
  });
});
