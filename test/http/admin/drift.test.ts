/** The drift list (/admin/drift): rows by role, a decision asks first, then records it (both databases). */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays } from "../../../src/domain/time.js";
import { listDrift } from "../../../src/modules/reconciliation/drift-repository.js";
import { runReconciliation } from "../../../src/modules/reconciliation/reconcile.js";
import { at } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

describe.each(DIALECTS)("back office: drift (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "drifted.example", "2021-04-15T14:00:00Z");
    const row = await f.deps.db.selectFrom("domains").select("expires_at").executeTakeFirstOrThrow();
    f.registrar.register("drifted.example", addDays(Number(row.expires_at), -3));
    await runReconciliation(f.deps, at("2021-06-01T00:00:00Z"), { sleep: async () => undefined });
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function signedIn(role: "admin" | "billing" | "support", locale: "en" | "fr-CA" = "en") {
    const staff = await f.addStaffMember(role, { locale, email: `${role}-${locale}@staff.test` });
    const client = f.client();
    await client.staffLogin(staff.email);
    return client;
  }

  it("care roles see a domain difference and decide it after a page saying what happens; money roles do not see it", async () => {
    const [drift] = await listDrift(f.deps.db, { status: "open" });
    if (!drift) throw new Error("drift expected");
    const billing = await signedIn("billing");
    expect((await billing.get("/admin/drift")).body).not.toContain("drifted.example");
    expect((await billing.get(`/admin/drift/${drift.id}/accept`)).statusCode).toBe(404);

    const support = await signedIn("support", "fr-CA");
    const list = await support.get("/admin/drift");
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain("drifted.example");
    expect(list.body).toContain("Leur échéance est antérieure à celle de Tenure.");
    const ask = await support.get(`/admin/drift/${drift.id}/accept`);
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain("passera de 2022-04-15 14:00 UTC à 2022-04-12 14:00 UTC");
    // Without a reason: 400, nothing decided.
    const bare = await support.post(`/admin/drift/${drift.id}/accept`, { reason: "", confirm: "yes" });
    expect(bare.statusCode).toBe(400);
    expect((await listDrift(f.deps.db, { status: "open" })).length).toBe(1);
    // Without confirm: the page again.
    expect(
      (await support.post(`/admin/drift/${drift.id}/reject`, { reason: "sync glitch" })).statusCode,
    ).toBe(200);
    const done = await support.post(`/admin/drift/${drift.id}/reject`, {
      reason: "sync glitch",
      confirm: "yes",
    });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/admin/drift");
    const [decided] = await listDrift(f.deps.db, { status: "decided" });
    expect(decided).toMatchObject({
      status: "rejected",
      decisionReason: "sync glitch",
      decidedBy: "staff:support-fr-ca@staff.test",
    });
    const audit = await f.deps.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "drift.reject")
      .execute();
    expect(audit).toHaveLength(1);
    expect((await support.get(`/admin/drift/${drift.id}/accept`)).statusCode).toBe(303);
  });

  it("a bad id or decision is a 404, never a 500", async () => {
    const admin = await signedIn("admin");
    for (const path of ["/admin/drift/x/accept", "/admin/drift/1/delete", "/admin/drift/999999/reject"])
      expect((await admin.get(path)).statusCode, path).toBe(404);
  });
});
