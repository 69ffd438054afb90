/**
 * Engine step survivors (docs/testing.md, mutation testing, engine steps): what a cancellation and
 * a termination carried out by the engine record: the void reason of what they void, the closed
 * request (closed by the run that carries it out), the events' details.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { issueInvoice } from "../../src/modules/invoices/invoice-repository.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("engine steps' records (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  const events = async (type: string) =>
    (
      await f.deps.db
        .selectFrom("events")
        .select("details")
        .where("type", "=", type)
        .where("service_id", "=", "h1")
        .orderBy("id")
        .execute()
    ).map((e) => JSON.parse(e.details));
  const invoices = () =>
    f.deps.db
      .selectFrom("invoices")
      .select(["purpose", "status", "void_reason"])
      .where("service_id", "=", "h1")
      .orderBy("id")
      .execute();

  it("an end-of-term cancellation voids what was billed since, as service-cancelled, and closes the request", async () => {
    await f.addCustomer("c1", "ok");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    const requested = await requestCancellation(
      f.deps,
      { serviceId: "h1", requestedBy: "c1", request: { when: "end-of-term", reason: "closing the shop" } },
      at("2022-01-10T10:00:00Z"),
    );
    expect(requested.ok).toBe(true);
    await f.deps.db.transaction().execute((tx) =>
      issueInvoice(tx, {
        customerId: "c1",
        issueKey: "extra-1",
        serviceId: "h1",
        purpose: "manual",
        periodStartAt: null,
        currency: "USD",
        issuedAt: at("2022-02-01T10:00:00Z"),
        dueAt: at("2022-02-15T10:00:00Z"),
        lines: [
          { serviceId: "h1", description: "extra", amount: 500, periodStartAt: null, periodEndAt: null },
        ],
      }),
    );
    await runEngine(f.deps, at("2022-04-16T00:00:00Z"));
    expect(await invoices()).toEqual([
      { purpose: "manual", status: "void", void_reason: "service-cancelled" },
    ]);
    expect(await events("service.cancelled")).toEqual([{ when: "end-of-term" }]);
    const request = await f.deps.db
      .selectFrom("cancellation_requests")
      .select(["status", "closed_at"])
      .executeTakeFirstOrThrow();
    expect(request).toEqual({ status: "done", closed_at: at("2022-04-16T00:00:00Z") });
  });

  it("an unpaid service is suspended, then terminated, each recorded as unpaid; its invoice voided as service-terminated", async () => {
    await f.addCustomer("c1", "declined");
    await f.addHosting("h1", "c1", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-05-30T00:00:00Z"));
    expect(await events("service.suspended")).toEqual([{ reason: "unpaid" }]);
    expect(await events("service.terminated")).toEqual([{ reason: "unpaid" }]);
    expect(await invoices()).toEqual([
      { purpose: "renewal", status: "void", void_reason: "service-terminated" },
    ]);
  });
});
