/**
 * `tenure report taxes|revenue` and `tenure numbering`: the accountant's CSV from a database with
 * a Quebec customer's paid, taxed renewal and a partial refund; exit 2 with one line for bad dates;
 * the counter only moves forward.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openStore } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { defaultPolicies } from "../../src/domain/policies.js";
import { DEMO_SELLER } from "../../src/domain/seller.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { setBillingAddress } from "../../src/modules/customers/billing-address.js";
import { createCustomer, setCard } from "../../src/modules/customers/customer-repository.js";
import type { Deps } from "../../src/modules/deps.js";
import { recordCreditNote } from "../../src/modules/payments/credit-notes.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { at } from "../support/engine-fixture.js";

let env: Record<string, string> = {};

async function tenure(args: string[]) {
  let out = "";
  let err = "";
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "tenure-report-"));
  const url = `sqlite:${join(dir, "tenure.db")}`;
  env = { TENURE_DATABASE_URL: url, TENURE_STATE_DIR: dir, TENURE_DEMO: "0" };
  const store = openStore(url);
  await migrateToLatest(store);
  const registrar = new TestRegistrar();
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    policies: defaultPolicies(),
    gateway: new TestGateway(),
    registrarFor: () => registrar,
    seller: DEMO_SELLER,
  };
  await createCustomer(
    deps.db,
    { id: "ana", email: "ana@example.test", name: "Ana", locale: "fr-CA", currency: "CAD", timeZone: "UTC" },
    at("2021-01-01"),
  );
  await setCard(deps, "ana", "ok");
  await setBillingAddress(deps, "ana", { country: "CA", province: "QC", postalCode: "G1R 1S2" }, 0);
  await importSubscription(deps, {
    id: "site1",
    customerId: "ana",
    kind: "hosting",
    label: "Hébergement",
    plan: "yearly",
    price: 19200,
    currency: "CAD",
    startedAt: at("2021-04-15T14:00:00Z"),
  });
  await runEngine(deps, at("2022-04-01T14:00:00Z"));
  await runEngine(deps, at("2022-04-15T14:00:00Z"));
  // A full refund in May, written as its credit note: TPS and TVQ given back that month.
  await deps.db.transaction().execute((tx) =>
    recordCreditNote(
      tx,
      {
        invoiceId: 1,
        customerId: "ana",
        refundId: null,
        kind: "adjustment",
        amount: { amount: 22075, currency: "CAD" },
        reason: "goodwill",
        createdBy: "staff:billing@example.test",
      },
      at("2022-05-02T10:00:00Z"),
    ),
  );
  await store.close();
});

describe("tenure report", () => {
  it("taxes: per month, tax, rate and jurisdiction, paid invoices less credit notes", async () => {
    const { code, out, err } = await tenure([
      "report",
      "taxes",
      "--from",
      "2022-04-01",
      "--to",
      "2022-05-31",
    ]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.split("\r\n")).toEqual([
      "month,tax,rate_percent,jurisdiction,currency,taxable_base,tax_collected",
      "2022-04,GST,5,CA,CAD,192.00,9.60",
      "2022-04,QST,9.975,CA-QC,CAD,192.00,19.15",
      "2022-05,GST,5,CA,CAD,-192.00,-9.60",
      "2022-05,QST,9.975,CA-QC,CAD,-192.00,-19.15",
      "",
    ]);
    const april = await tenure(["report", "taxes", "--from", "2022-04-01", "--to", "2022-04-30"]);
    expect(april.out).not.toContain("2022-05");
  });

  it("revenue: per product before taxes, credit notes on their own line", async () => {
    const { code, out } = await tenure(["report", "revenue", "--from", "2022-04-01", "--to", "2022-05-31"]);
    expect(code).toBe(0);
    expect(out.split("\r\n")).toEqual([
      "month,product,currency,lines,revenue_before_tax",
      "2022-04,hosting yearly,CAD,1,192.00",
      "2022-05,credit notes,CAD,1,-192.00",
      "",
    ]);
  });

  it("refuses bad dates with exit 2 and one line, before opening the database", async () => {
    const bad = await tenure(["report", "taxes", "--from", "2022-02-30", "--to", "2022-03-31"]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe("");
    expect(bad.err).toBe(
      'tenure: report taxes: --from: "2022-02-30" is not a date (expected YYYY-MM-DD, such as 2026-01-31)\n',
    );
    const reversed = await tenure(["report", "revenue", "--from", "2022-04-01", "--to", "2022-03-31"]);
    expect(reversed.code).toBe(2);
    expect(reversed.err).toContain("--to (2022-03-31) is before --from (2022-04-01)");
    const missing = await tenure(["report", "taxes", "--from", "2022-04-01"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("--to: missing");
    expect((await tenure(["report", "profits", "--from", "2022-04-01", "--to", "2022-04-02"])).code).toBe(2);
  });
});

describe("tenure numbering", () => {
  it("shows the counters and moves one forward after a restore, never back", async () => {
    expect(JSON.parse((await tenure(["numbering", "show"])).out)).toEqual({
      next: { invoice: 2, "credit-note": 2 },
    });
    const bumped = await tenure(["numbering", "bump", "--series", "invoice", "--to", "120"]);
    expect(bumped.code).toBe(0);
    expect(JSON.parse(bumped.out)).toEqual({ series: "invoice", from: 2, next: 120 });
    const back = await tenure(["numbering", "bump", "--series", "invoice", "--to", "50"]);
    expect(back.code).toBe(1);
    expect(back.err).toContain("already at 120; it only moves forward");
    const wrong = await tenure(["numbering", "bump", "--series", "receipts", "--to", "5"]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("--series must be invoice or credit-note");
  });
});
