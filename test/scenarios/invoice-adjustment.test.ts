/**
 * Seed 000: cancelling a service, or turning a domain's auto-renew off, voids its open renewal
 * invoice; when that cannot be done automatically (the invoice carries other items, or is partly
 * paid) the invoice stays open and the customer is told to file an invoice-adjustment request
 * quoting its number. Such invoices cannot be built through the scenario format, so these stories
 * drive the use cases directly on a store.
 */
import { afterEach, describe, expect, it } from "vitest";
import { defaultPolicies } from "../../src/domain/policies.js";
import { parseInstant } from "../../src/domain/time.js";
import { advanceTo } from "../../src/engine/advance.js";
import { createCustomer, setCard } from "../../src/modules/customers/customer-repository.js";
import type { Deps } from "../../src/modules/deps.js";
import { importDomain } from "../../src/modules/domains/import-domain.js";
import { setAutoRenew } from "../../src/modules/domains/set-auto-renew.js";
import { issueInvoice, type NewInvoiceLine } from "../../src/modules/invoices/invoice-repository.js";
import { storedNoticeText } from "../../src/modules/notifications/stored-notices.js";
import { importSubscription } from "../../src/modules/services/import-subscription.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";
import { createTestStore, DIALECTS, type TestDialect, type TestStore } from "../support/stores.js";

const at = (iso: string) => parseInstant(iso) as number;
const STARTED = at("2021-04-15T14:00:00Z");
const TERM_END = at("2022-04-15T14:00:00Z");

let store: TestStore | null = null;

afterEach(async () => {
  await store?.dispose();
  store = null;
});

/** A customer with a working card, two hosting plans (site1, site2) and a domain on site1 (d1). */
async function setUp(dialect: TestDialect): Promise<Deps> {
  store = await createTestStore(dialect);
  const registrar = new TestRegistrar();
  const deps: Deps = {
    db: store.db,
    dialect: store.dialect,
    policies: defaultPolicies(),
    gateway: new TestGateway(),
    registrarFor: () => registrar,
  };
  await createCustomer(
    deps.db,
    { id: "c1", email: "c1@example.test", name: "Camille", locale: "en", currency: "USD", timeZone: "UTC" },
    STARTED,
  );
  await setCard(deps, "c1", "ok");
  for (const id of ["site1", "site2"]) {
    await importSubscription(deps, {
      id,
      customerId: "c1",
      kind: "hosting",
      label: `Hosting ${id}`,
      plan: "yearly",
      price: 19200,
      currency: "USD",
      startedAt: STARTED,
    });
  }
  const { expiresAt } = await importDomain(deps, {
    id: "d1",
    customerId: "c1",
    name: "example.com",
    registrar: "squarespace-domains",
    registeredAt: STARTED,
    years: 1,
    autoRenew: true,
    emailVerified: true,
    siteServiceId: "site1",
    offer: null,
    recordedPrice: { amount: 2000, currency: "USD" },
  });
  registrar.register("example.com", expiresAt);
  return deps;
}

const line = (serviceId: string | null, amount: number): NewInvoiceLine => ({
  serviceId,
  description: serviceId ? `Renewal of ${serviceId}` : "Setup fee",
  amount,
  periodStartAt: serviceId ? TERM_END : null,
  periodEndAt: serviceId ? at("2023-04-15T14:00:00Z") : null,
});

/** A renewal invoice for `serviceId`'s next period (2022-04-15), issued 2022-04-01 with these lines. */
async function issue(deps: Deps, serviceId: string, lines: NewInvoiceLine[]): Promise<number> {
  const id = await deps.db.transaction().execute((tx) =>
    issueInvoice(tx, {
      customerId: "c1",
      issueKey: `test:${serviceId}:${lines.length}:${lines[0]?.amount}`,
      serviceId,
      purpose: "renewal",
      periodStartAt: TERM_END,
      currency: "USD",
      issuedAt: at("2022-04-01T14:00:00Z"),
      dueAt: TERM_END,
      lines,
    }),
  );
  if (id === null) throw new Error("invoice not issued");
  return id;
}

async function invoiceState(deps: Deps, id: number) {
  return deps.db
    .selectFrom("invoices")
    .select(["status", "amount_paid"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function adjustmentNotices(deps: Deps) {
  const rows = await deps.db
    .selectFrom("notices")
    .selectAll()
    .where("template", "=", "invoice-adjustment-needed")
    .execute();
  return rows.map((row) => {
    const rendered = storedNoticeText(row);
    return { service_id: row.service_id, subject: rendered.subject, text_body: rendered.text };
  });
}

async function paymentsFor(deps: Deps, invoiceId: number) {
  return deps.db
    .selectFrom("payments")
    .select(["attempt", "status"])
    .where("invoice_id", "=", invoiceId)
    .execute();
}

const cancelSite1 = (deps: Deps, now: string) =>
  requestCancellation(
    deps,
    {
      serviceId: "site1",
      requestedBy: "c1",
      request: { when: "end-of-term", reason: "Moving to another host" },
    },
    at(now),
  );

describe.each(DIALECTS)("invoice adjustment (%s)", (dialect) => {
  it("2022-04-05 cancel, the renewal invoice also bills site2: it stays open, adjustment requested (other-items)", async () => {
    const deps = await setUp(dialect);
    const invoice = await issue(deps, "site1", [line("site1", 19200), line("site2", 19200)]);
    const result = await cancelSite1(deps, "2022-04-05T10:00:00Z");
    expect(result).toMatchObject({
      ok: true,
      voided: [],
      needsAdjustment: [{ invoice, reason: "other-items" }],
    });
    expect(await invoiceState(deps, invoice)).toEqual({ status: "open", amount_paid: 0 });
    const notices = await adjustmentNotices(deps);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.service_id).toBe("site1");
    expect(notices[0]?.subject).toContain(`#${invoice}`);
    expect(notices[0]?.text_body).toContain(`quoting invoice number ${invoice}`);
    expect(notices[0]?.text_body).toContain("other items");
  });

  it("a line with no service (a setup fee) is another item too", async () => {
    const deps = await setUp(dialect);
    const invoice = await issue(deps, "site1", [line("site1", 19200), line(null, 5000)]);
    const result = await cancelSite1(deps, "2022-04-05T10:00:00Z");
    expect(result).toMatchObject({
      ok: true,
      voided: [],
      needsAdjustment: [{ invoice, reason: "other-items" }],
    });
    expect((await invoiceState(deps, invoice)).status).toBe("open");
  });

  it("2022-04-05 cancel, the renewal invoice is partly paid: it stays open, adjustment requested (partly-paid)", async () => {
    const deps = await setUp(dialect);
    const invoice = await issue(deps, "site1", [line("site1", 19200)]);
    await deps.db.updateTable("invoices").set({ amount_paid: 5000 }).where("id", "=", invoice).execute();
    const result = await cancelSite1(deps, "2022-04-05T10:00:00Z");
    expect(result).toMatchObject({
      ok: true,
      voided: [],
      needsAdjustment: [{ invoice, reason: "partly-paid" }],
    });
    expect(await invoiceState(deps, invoice)).toEqual({ status: "open", amount_paid: 5000 });
    const notices = await adjustmentNotices(deps);
    expect(notices).toHaveLength(1);
    expect(notices[0]?.text_body).toContain("partly paid");
  });

  it("the same invoice with only site1 on it, unpaid, is simply voided: no adjustment, no notice", async () => {
    const deps = await setUp(dialect);
    const invoice = await issue(deps, "site1", [line("site1", 19200)]);
    const result = await cancelSite1(deps, "2022-04-05T10:00:00Z");
    expect(result).toMatchObject({ ok: true, voided: [invoice], needsAdjustment: [] });
    expect((await invoiceState(deps, invoice)).status).toBe("void");
    expect(await adjustmentNotices(deps)).toEqual([]);
  });

  it("after the request, the engine never charges the invoice awaiting adjustment, and asks only once", async () => {
    const deps = await setUp(dialect);
    const invoice = await issue(deps, "site1", [line("site1", 19200), line("site2", 19200)]);
    await cancelSite1(deps, "2022-04-05T10:00:00Z");
    await advanceTo(deps, at("2022-04-05T10:00:00Z"), at("2022-06-01T00:00:00Z"));
    expect(await paymentsFor(deps, invoice)).toEqual([]);
    expect((await invoiceState(deps, invoice)).status).toBe("open");
    const site1 = await deps.db
      .selectFrom("services")
      .select("status")
      .where("id", "=", "site1")
      .executeTakeFirstOrThrow();
    expect(site1.status).toBe("cancelled");
    expect(await adjustmentNotices(deps)).toHaveLength(1);
  });

  it("domain: auto-renew off 2022-03-20 with a renewal invoice that also bills a setup fee: open, adjustment, never charged", async () => {
    const deps = await setUp(dialect);
    const expiry = at("2022-04-15T14:00:00Z");
    const invoice = await deps.db.transaction().execute((tx) =>
      issueInvoice(tx, {
        customerId: "c1",
        issueKey: "test:d1:combined",
        serviceId: "d1",
        purpose: "renewal",
        periodStartAt: expiry,
        currency: "USD",
        issuedAt: at("2022-03-16T14:00:00Z"),
        dueAt: at("2022-03-31T14:00:00Z"),
        lines: [
          { ...line("d1", 2000), periodStartAt: expiry },
          { ...line(null, 500), description: "Premium DNS" },
        ],
      }),
    );
    if (invoice === null) throw new Error("invoice not issued");
    const result = await setAutoRenew(deps, { serviceId: "d1", on: false }, at("2022-03-20T10:00:00Z"));
    expect(result).toMatchObject({
      ok: true,
      changed: true,
      voided: [],
      needsAdjustment: [{ invoice, reason: "other-items" }],
    });
    expect((await invoiceState(deps, invoice)).status).toBe("open");
    expect((await adjustmentNotices(deps)).map((n) => n.service_id)).toEqual(["d1"]);
    // Auto-renew is off, more than a day before the charge: the engine must not take the money anyway.
    await advanceTo(deps, at("2022-03-20T10:00:00Z"), at("2022-05-01T00:00:00Z"));
    expect(await paymentsFor(deps, invoice)).toEqual([]);
    const d1 = await deps.db
      .selectFrom("services")
      .select("status")
      .where("id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(d1.status).toBe("expired");
    expect(await adjustmentNotices(deps)).toHaveLength(1);
  });

  it("domain: off 2022-04-02, after the declined attempt of 03-31 on such an invoice: no further attempt", async () => {
    const deps = await setUp(dialect);
    await setCard(deps, "c1", "declined");
    const expiry = at("2022-04-15T14:00:00Z");
    const invoice = await deps.db.transaction().execute((tx) =>
      issueInvoice(tx, {
        customerId: "c1",
        issueKey: "test:d1:combined",
        serviceId: "d1",
        purpose: "renewal",
        periodStartAt: expiry,
        currency: "USD",
        issuedAt: at("2022-03-16T14:00:00Z"),
        dueAt: at("2022-03-31T14:00:00Z"),
        lines: [
          { ...line("d1", 2000), periodStartAt: expiry },
          { ...line(null, 500), description: "Premium DNS" },
        ],
      }),
    );
    if (invoice === null) throw new Error("invoice not issued");
    await advanceTo(deps, at("2022-03-16T14:00:00Z"), at("2022-04-02T00:00:00Z"));
    expect(await paymentsFor(deps, invoice)).toEqual([{ attempt: 1, status: "failed" }]);
    const result = await setAutoRenew(deps, { serviceId: "d1", on: false }, at("2022-04-02T10:00:00Z"));
    expect(result).toMatchObject({
      ok: true,
      voided: [],
      needsAdjustment: [{ invoice, reason: "other-items" }],
    });
    await advanceTo(deps, at("2022-04-02T10:00:00Z"), at("2022-05-01T00:00:00Z"));
    expect(await paymentsFor(deps, invoice)).toEqual([{ attempt: 1, status: "failed" }]);
    const d1 = await deps.db
      .selectFrom("services")
      .select("status")
      .where("id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(d1.status).toBe("expired");
  });
});
