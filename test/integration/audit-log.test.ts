/** The audit log's own rules: only changed fields are kept, and a search matches what was typed. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditCsv, listAudit, recordAudit, type StaffActor } from "../../src/modules/staff/audit-log.js";
import { createTestStore, DIALECTS, type TestStore } from "../support/stores.js";

const actor: StaffActor = { id: "staff-1", email: "ana@staff.test", role: "billing", address: "203.0.113.5" };

describe.each(DIALECTS)("audit log (%s)", (dialect) => {
  let store: TestStore;
  beforeEach(async () => {
    store = await createTestStore(dialect);
  });
  afterEach(async () => {
    await store.dispose();
  });

  const add = (reason: string, before = {}, after = {}) =>
    recordAudit(store.db, actor, 1_000, {
      action: "invoice.adjusted",
      objectType: "invoice",
      objectId: "7",
      customerId: "c1",
      reason,
      before,
      after,
    });

  it("keeps only the fields that changed, before and after", async () => {
    await add(
      "typo",
      { total: 2000, currency: "USD", note: "a" },
      { total: 1500, currency: "USD", note: "a" },
    );
    const [line] = await listAudit(store.db);
    expect(line?.before).toEqual({ total: 2000 });
    expect(line?.after).toEqual({ total: 1500 });
  });

  it("a search for % or _ matches those characters, not any text", async () => {
    await add("50% off, agreed by phone");
    await add("500 off");
    await add("paid_twice");
    await add("paid twice");
    expect((await listAudit(store.db, { q: "50%" })).map((l) => l.reason)).toEqual([
      "50% off, agreed by phone",
    ]);
    expect((await listAudit(store.db, { q: "paid_" })).map((l) => l.reason)).toEqual(["paid_twice"]);
    expect((await listAudit(store.db, { q: "PAID" })).map((l) => l.reason)).toEqual([
      "paid twice",
      "paid_twice",
    ]);
  });

  it("the CSV quotes what a spreadsheet would run as a formula", async () => {
    await add('=HYPERLINK("http://evil")');
    const csv = auditCsv(await listAudit(store.db));
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});
