/**
 * Staff overrides on a real database, through the engine (issue 9): an extended grace really
 * delays what follows expiry (release, redemption, pending delete) and the notices say the new
 * date; a waived restore fee is never charged, even when a restore invoice carrying it was already
 * open; overrides granted for a period end with its renewal; two grants racing apply once.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatInstant } from "../../src/domain/time.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import { grantDomainOverride } from "../../src/modules/domains/domain-overrides.js";
import { importDomain } from "../../src/modules/domains/import-domain.js";
import { reactivateDomain } from "../../src/modules/domains/reactivate-domain.js";
import { storedNoticeText } from "../../src/modules/notifications/stored-notices.js";
import { listAudit, type StaffActor } from "../../src/modules/staff/audit-log.js";
import { at, createFixture, eventTypes, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const SEED_004 = "2021-04-15T14:00:00Z";
const SUPPORT: StaffActor = {
  id: "staff-s",
  email: "support@staff.test",
  role: "support",
  address: "192.0.2.9",
};

describe.each(DIALECTS)("domain overrides through the engine (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("c1", "declined");
  });
  afterEach(async () => {
    await f.dispose();
  });

  const extend = (serviceId: string, days: number, now: string) =>
    grantDomainOverride(
      f.deps,
      { serviceId, request: { kind: "extend-grace", days }, reason: "Owner in hospital", actor: SUPPORT },
      at(now),
    );
  const status = async (id: string) =>
    await f.deps.db
      .selectFrom("services")
      .select(["status", "next_due_at"])
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
  const events = async (id: string, type: string) =>
    (
      await f.deps.db
        .selectFrom("events")
        .select(["at", "details"])
        .where("service_id", "=", id)
        .where("type", "=", type)
        .orderBy("id")
        .execute()
    ).map((e) => ({ at: formatInstant(Number(e.at)), ...JSON.parse(e.details) }));

  async function addGtld(id: string, name: string) {
    const { expiresAt } = await importDomain(f.deps, {
      id,
      customerId: "c1",
      name,
      registrar: "gtld-registry",
      registeredAt: at(SEED_004),
      years: 1,
      autoRenew: true,
      emailVerified: true,
      siteServiceId: null,
      offer: null,
      recordedPrice: { amount: 2000, currency: "USD" },
    });
    f.registrar.register(name, expiresAt);
  }

  it("squarespace-domains: 10 more days of grace, released on 2022-06-25 instead of 2022-06-15", async () => {
    await f.addDomain("d1", "c1", "late.example", SEED_004);
    await runEngine(f.deps, at("2022-04-20T00:00:00Z"));
    expect((await status("d1")).status).toBe("expired");
    expect(await extend("d1", 10, "2022-04-20T12:00:00Z")).toMatchObject({ ok: true });
    // The engine is told: the next step is the release at the new date.
    expect(formatInstant(Number((await status("d1")).next_due_at))).toBe("2022-06-25T14:00:00.000Z");
    await runEngine(f.deps, at("2022-06-15T14:00:00Z"));
    await runEngine(f.deps, at("2022-06-24T23:00:00Z"));
    expect((await status("d1")).status).toBe("expired");
    expect(await eventTypes(f.deps, "d1")).not.toContain("domain.released");
    // Still in grace on 2022-06-24: the owner can reactivate.
    await setCard(f.deps, "c1", "ok");
    const late = await reactivateDomain(f.deps, { serviceId: "d1" }, at("2022-06-24T23:30:00Z"));
    expect(late).toMatchObject({ ok: true });
    expect((await status("d1")).status).toBe("active");
    // The extension was for the period just renewed: it ends with it.
    const row = await f.deps.db
      .selectFrom("domains")
      .selectAll()
      .where("service_id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(Number(row.grace_extension_days)).toBe(0);
    expect(formatInstant(Number(row.expires_at))).toBe("2023-04-15T14:00:00.000Z");
  });

  it("without the reactivation, the name is released the day after the extended grace", async () => {
    await f.addDomain("d1", "c1", "late.example", SEED_004);
    await runEngine(f.deps, at("2022-04-20T00:00:00Z"));
    await extend("d1", 10, "2022-04-20T12:00:00Z");
    await runEngine(f.deps, at("2022-06-25T13:59:59Z"));
    expect(await events("d1", "domain.released")).toEqual([]);
    await runEngine(f.deps, at("2022-06-25T14:00:00Z"));
    expect(await events("d1", "domain.released")).toMatchObject([{ at: "2022-06-25T14:00:00.000Z" }]);
    expect(await f.registrar.info("late.example")).toBeNull();
  });

  it("gtld-registry, extended before expiry: expiry says the new grace end, redemption and release move 10 days", async () => {
    await addGtld("g1", "later.org");
    expect(await extend("g1", 10, "2022-04-01T00:00:00Z")).toMatchObject({
      ok: true,
      graceEndsAt: at("2022-05-25T14:00:00Z"),
    });
    for (const instant of [
      "2022-04-15T14:00:00Z",
      "2022-05-16T14:00:00Z",
      "2022-05-26T14:00:00Z",
      "2022-06-25T14:00:00Z",
      "2022-06-30T14:00:00Z",
    ]) {
      await runEngine(f.deps, at(instant));
      if (instant === "2022-05-16T14:00:00Z") expect((await status("g1")).status).toBe("expired");
      if (instant === "2022-06-25T14:00:00Z") expect((await status("g1")).status).toBe("redemption");
    }
    // Expiry itself is not moved: a grace extension is time after it.
    expect(await events("g1", "domain.expired")).toMatchObject([
      { at: "2022-04-15T14:00:00.000Z", graceEndsAt: "2022-05-25T14:00:00.000Z" },
    ]);
    expect(await events("g1", "domain.redemption_started")).toMatchObject([
      { at: "2022-05-26T14:00:00.000Z", until: "2022-06-25T14:00:00.000Z" },
    ]);
    expect(await events("g1", "domain.released")).toMatchObject([{ at: "2022-06-30T14:00:00.000Z" }]);
    const row = await f.deps.db
      .selectFrom("notices")
      .selectAll()
      .where("service_id", "=", "g1")
      .where("template", "=", "domain-expired")
      .executeTakeFirstOrThrow();
    const notice = { text_body: storedNoticeText(row).text };
    // The expiry notice tells the owner the extended last day.
    expect(notice.text_body).toContain("May 25, 2022");
    expect(notice.text_body).not.toContain("May 15, 2022");
  });

  it("a waived restore fee is never charged: the open restore invoice carrying it is voided, the restore costs the renewal", async () => {
    await addGtld("g1", "restore.org");
    await runEngine(f.deps, at("2022-05-20T00:00:00Z"));
    expect((await status("g1")).status).toBe("redemption");
    // A restore tried with the declined card: an open invoice of 20.00 + 80.00.
    expect(await reactivateDomain(f.deps, { serviceId: "g1" }, at("2022-05-20T10:00:00Z"))).toMatchObject({
      ok: true,
    });
    const first = await f.deps.db
      .selectFrom("invoices")
      .selectAll()
      .where("service_id", "=", "g1")
      .where("purpose", "=", "restore")
      .executeTakeFirstOrThrow();
    expect([first.status, Number(first.total)]).toEqual(["open", 10000]);

    const waived = await grantDomainOverride(
      f.deps,
      {
        serviceId: "g1",
        request: { kind: "waive-restore-fee" },
        reason: "Goodwill",
        actor: { ...SUPPORT, role: "billing" },
      },
      at("2022-05-21T09:00:00Z"),
    );
    expect(waived).toMatchObject({ ok: true, voidedInvoice: first.id });
    const [line] = await listAudit(f.deps.db, { objectId: "g1" });
    expect(line).toMatchObject({
      action: "domain.restore-fee-waived",
      before: { restore_fee_waived: false, voided_invoice: null },
      after: { restore_fee_waived: true, voided_invoice: first.id },
    });

    await setCard(f.deps, "c1", "ok");
    expect(await reactivateDomain(f.deps, { serviceId: "g1" }, at("2022-05-21T10:00:00Z"))).toMatchObject({
      ok: true,
    });
    expect((await status("g1")).status).toBe("active");
    const invoices = await f.deps.db
      .selectFrom("invoices")
      .select(["id", "status", "total"])
      .where("service_id", "=", "g1")
      .where("purpose", "=", "restore")
      .orderBy("id")
      .execute();
    expect(invoices.map((i) => [i.status, Number(i.total)])).toEqual([
      ["void", 10000],
      ["paid", 2000],
    ]);
    const lines = await f.deps.db
      .selectFrom("invoice_lines")
      .select("description")
      .where("invoice_id", "=", invoices[1]?.id ?? 0)
      .execute();
    expect(lines.map((l) => l.description)).toEqual(["restore.org — restore, 1 year"]);
    // The gateway took 20.00 once; the 80.00 fee never.
    expect(f.gateway.successfulCharges().map((c) => c.amount)).toEqual([2000]);
    // Restored: the waiver was for that period and ends with it.
    const row = await f.deps.db
      .selectFrom("domains")
      .selectAll()
      .where("service_id", "=", "g1")
      .executeTakeFirstOrThrow();
    expect(Number(row.restore_fee_waived)).toBe(0);
  });

  it("waived before redemption: the redemption event names no fee", async () => {
    await addGtld("g1", "nofee.org");
    await grantDomainOverride(
      f.deps,
      { serviceId: "g1", request: { kind: "waive-restore-fee" }, reason: "Goodwill", actor: SUPPORT },
      at("2022-04-20T00:00:00Z"),
    );
    await runEngine(f.deps, at("2022-05-20T00:00:00Z"));
    expect(await events("g1", "domain.redemption_started")).toMatchObject([{ restoreFee: null }]);
  });

  it("two extensions racing: one applies, the other is refused, the total stays within the limit", async () => {
    await f.addDomain("d1", "c1", "race.example", SEED_004);
    await runEngine(f.deps, at("2022-04-20T00:00:00Z"));
    const results = await Promise.all([
      extend("d1", 20, "2022-04-20T12:00:00Z"),
      extend("d1", 20, "2022-04-20T12:00:00Z"),
    ]);
    expect(results.map((r) => r.ok).sort()).toEqual([false, true]);
    const row = await f.deps.db
      .selectFrom("domains")
      .selectAll()
      .where("service_id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(Number(row.grace_extension_days)).toBe(20);
    expect(await events("d1", "domain.override_granted")).toHaveLength(1);
    expect(await listAudit(f.deps.db, { objectId: "d1" })).toHaveLength(1);
  });
});
