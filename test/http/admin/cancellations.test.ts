/**
 * Back office, the cancellation queue: pending requests with their window (late ones marked), the
 * carry-out confirmed first and done by the engine's own step once however often it is pressed,
 * a charge in flight deferring it, and the reasons report by category and month.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { reasonCategory, reasonReport } from "../../../src/domain/cancellation-reasons.js";
import { resolvePolicies } from "../../../src/domain/policies.js";
import { runEngine } from "../../../src/engine/run-engine.js";
import { listAudit } from "../../../src/modules/staff/audit-log.js";
import { GatewayUnavailableError } from "../../../src/providers/payments/payment-gateway.js";
import { TestGateway } from "../../../src/providers/payments/test-gateway.js";
import { at } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

const HOUR = 3_600_000;

/** A request the engine has not carried out yet (as if the worker had been stopped). */
async function pendingRequest(
  f: HttpFixture,
  serviceId: string,
  mode: "immediate" | "end-of-term",
  requestedAt: number,
  reason: string,
  effectiveAt = requestedAt,
  status = "pending",
): Promise<number> {
  const row = await f.deps.db
    .insertInto("cancellation_requests")
    .values({
      service_id: serviceId,
      reason,
      mode,
      stop_domain_ids: "[]",
      status,
      requested_at: requestedAt,
      effective_at: effectiveAt,
      requested_by: "customer",
      closed_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

describe.each(DIALECTS)("back office: cancellations (%s)", (dialect) => {
  let f: HttpFixture;
  let now: number;
  let late: number;
  let fresh: number;
  let endOfTerm: number;

  async function staff(role: "admin" | "billing" | "support"): Promise<HttpClient> {
    const member = await f.addStaffMember(role);
    const client = f.client();
    expect((await client.staffLogin(member.email)).headers.location).toBe("/admin");
    return client;
  }

  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("ana");
    await f.deps.db.updateTable("customers").set({ name: "Ana Tremblay" }).where("id", "=", "ana").execute();
    await f.addHosting("site-late", "ana", "2021-04-15T14:00:00Z");
    await f.addHosting("site-fresh", "ana", "2021-05-15T14:00:00Z");
    await f.addHosting("site-end", "ana", "2021-06-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    now = at("2022-04-02T09:00:00Z");
    f.clock.set(now);
    late = await pendingRequest(f, "site-late", "immediate", now - 30 * HOUR, "Too expensive for us now");
    fresh = await pendingRequest(f, "site-fresh", "immediate", now - 3 * HOUR, "Moving to another provider");
    endOfTerm = await pendingRequest(
      f,
      "site-end",
      "end-of-term",
      now - HOUR,
      "Closing the shop",
      at("2022-06-15T14:00:00Z"),
    );
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("the queue: late immediate requests first, in red; the time left for the others", async () => {
    expect((await f.client().get("/admin/cancellations")).statusCode).toBe(303);
    const page = await (await staff("support")).get("/admin/cancellations");
    expect(page.statusCode).toBe(200);
    const body = page.body;
    const rows = [...body.matchAll(/<tr class="(late)?" data-request="(\d+)">/g)].map((m) => [
      m[2],
      m[1] ?? "",
    ]);
    expect(rows).toEqual([
      [String(late), "late"],
      [String(fresh), ""],
      [String(endOfTerm), ""],
    ]);
    expect(body).toContain('class="badge badge-late"');
    expect(body).toContain("late by 6 h 0 min");
    expect(body).toContain("21 h 0 min left");
    expect(body).toContain("Too expensive for us now");
    expect(body).toContain("2022-06-15 14:00 UTC");
    // Support reads the queue but carries nothing out.
    expect(body).not.toContain("/carry-out");
    const billing = await (await staff("billing")).get("/admin/cancellations");
    expect(billing.body).toContain(`/admin/cancellations/${late}/carry-out`);
  });

  it("in French, the same queue", async () => {
    const member = await f.addStaffMember("billing", { locale: "fr-CA" });
    const client = f.client();
    await client.staffLogin(member.email);
    const page = await client.get("/admin/cancellations");
    expect(page.body).toContain("en retard de 6 h 0 min");
    expect(page.body).toContain("Effectuer maintenant");
  });

  it("carry out: confirmation first, then the engine's step — attributed, audited, once", async () => {
    const url = `/admin/cancellations/${late}/carry-out`;
    expect((await (await staff("support")).get(url)).statusCode).toBe(403);
    const client = await staff("billing");
    const confirm = await client.get(url);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain("Hosting site-late (Ana Tremblay) is cancelled now");
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "site-late")
      .executeTakeFirstOrThrow();
    expect(confirm.body).toContain(`Open invoice #${invoice.id} ($192.00) is voided.`);

    expect((await client.post(url, { reason: "", confirm: "yes" })).statusCode).toBe(400);
    expect(
      (await client.post(url, { reason: "Customer waited long enough" }, { csrf: false })).statusCode,
    ).toBe(403);
    // Without the confirmation page's field: the page again, nothing done.
    expect((await client.post(url, { reason: "Customer waited long enough" })).statusCode).toBe(200);
    const service = () =>
      f.deps.db
        .selectFrom("services")
        .select("status")
        .where("id", "=", "site-late")
        .executeTakeFirstOrThrow();
    expect((await service()).status).toBe("active");

    const done = await client.post(url, { reason: "Customer waited long enough", confirm: "yes" });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe("/admin/cancellations");
    const queue = await client.get("/admin/cancellations");
    expect(queue.body).toContain("Hosting site-late (Ana Tremblay) is cancelled.");
    expect(queue.body).toContain(`Voided: #${invoice.id} ($192.00)`);
    expect(queue.body).not.toContain(`data-request="${late}"`);
    expect((await service()).status).toBe("cancelled");
    const request = await f.deps.db
      .selectFrom("cancellation_requests")
      .selectAll()
      .where("id", "=", late)
      .executeTakeFirstOrThrow();
    expect(request.status).toBe("done");
    expect(request.carried_out_by).toBe("staff:billing@staff.test");

    // Twice: told it is done, nothing more happens.
    const again = await client.post(url, { reason: "Customer waited long enough", confirm: "yes" });
    expect(again.headers.location).toBe("/admin/cancellations");
    expect((await client.get("/admin/cancellations")).body).toContain("no longer pending");
    const cancelled = await f.deps.db
      .selectFrom("events")
      .select("details")
      .where("type", "=", "service.cancelled")
      .where("service_id", "=", "site-late")
      .execute();
    expect(cancelled.map((e) => JSON.parse(e.details))).toEqual([
      { when: "immediate", by: "staff:billing@staff.test" },
    ]);
    const lines = await listAudit(f.deps.db, { objectId: "site-late" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      action: "cancellation.carried_out",
      customerId: "ana",
      reason: "Customer waited long enough",
      after: { carriedOutBy: "staff:billing@staff.test" },
    });
    // The customer's page shows the line too.
    expect((await client.get("/admin/customers/ana")).body).toContain("cancellation.carried_out");
  });

  it("an end-of-term request carried out now takes effect now", async () => {
    const client = await staff("admin");
    await client.get(`/admin/cancellations/${endOfTerm}/carry-out`);
    await client.post(`/admin/cancellations/${endOfTerm}/carry-out`, {
      reason: "Asked by phone",
      confirm: "yes",
    });
    const row = await f.deps.db
      .selectFrom("cancellation_requests")
      .select(["status", "effective_at"])
      .where("id", "=", endOfTerm)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: "done", effective_at: now });
  });

  it("a charge awaiting the bank defers it: asked once, carried out once the charge is settled", async () => {
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select("id")
      .where("service_id", "=", "site-late")
      .executeTakeFirstOrThrow();
    await f.deps.db
      .insertInto("payments")
      .values({
        invoice_id: invoice.id,
        customer_id: "ana",
        attempt: 1,
        idempotency_key: `charge:test:${invoice.id}:1`,
        amount: 19200,
        currency: "USD",
        status: "pending",
        gateway_ref: null,
        failure_code: null,
        created_at: now - HOUR,
        resolved_at: null,
      })
      .execute();
    const real = f.deps.gateway;
    class Silent extends TestGateway {
      override async lookup(): Promise<never> {
        throw new GatewayUnavailableError(new Error("the bank is not answering"));
      }
    }
    f.deps.gateway = new Silent();
    const client = await staff("billing");
    const url = `/admin/cancellations/${late}/carry-out`;
    const confirm = await client.get(url);
    expect(confirm.body).toContain("awaits the bank");
    expect(confirm.body).toContain(`Invoice #${invoice.id} ($192.00) has a charge awaiting the bank`);
    await client.post(url, { reason: "Customer insists", confirm: "yes" });
    expect((await client.get("/admin/cancellations")).body).toContain("a charge awaits the bank");
    const service = () =>
      f.deps.db
        .selectFrom("services")
        .select("status")
        .where("id", "=", "site-late")
        .executeTakeFirstOrThrow();
    expect((await service()).status).toBe("active");
    // A second press is told it is under way; no second audit line.
    await client.post(url, { reason: "Customer insists", confirm: "yes" });
    expect((await client.get("/admin/cancellations")).body).toContain("already asked");
    expect(await listAudit(f.deps.db, { objectId: "site-late" })).toHaveLength(1);
    // The bank answers "never received": the engine settles, then cancels by the same step.
    f.deps.gateway = real;
    await runEngine(f.deps, now + HOUR);
    expect((await service()).status).toBe("cancelled");
    const cancelled = await f.deps.db
      .selectFrom("events")
      .select("details")
      .where("type", "=", "service.cancelled")
      .where("service_id", "=", "site-late")
      .execute();
    expect(cancelled.map((e) => JSON.parse(e.details).by)).toEqual(["staff:billing@staff.test"]);
  });

  it("unknown or malformed ids are 404s", async () => {
    const client = await staff("billing");
    expect((await client.get("/admin/cancellations/99999/carry-out")).statusCode).toBe(404);
    expect((await client.get("/admin/cancellations/abc/carry-out")).statusCode).toBe(404);
    expect(
      (await client.post("/admin/cancellations/99999/carry-out", { reason: "Asked", confirm: "yes" }))
        .statusCode,
    ).toBe(404);
  });

  it("reasons by category and month (UTC); a bad month count is a 400", async () => {
    expect((await f.client().get("/admin/cancellations/reasons")).statusCode).toBe(303);
    const march = at("2022-03-31T23:30:00Z");
    await pendingRequest(f, "site-late", "end-of-term", march, "Trop cher pour nous", march, "withdrawn");
    const client = await staff("support");
    const page = await client.get("/admin/cancellations/reasons?months=2");
    expect(page.statusCode).toBe(200);
    const row = (label: string) =>
      [
        ...(
          new RegExp(`<th scope="row" data-label="Category">${label}</th>([\\s\\S]*?)</tr>`).exec(
            page.body,
          )?.[1] ?? ""
        ).matchAll(/>(\d+)</g),
      ].map((m) => Number(m[1]));
    expect(page.body).toContain("<th>2022-03</th><th>2022-04</th>");
    expect(row("Price")).toEqual([1, 1, 2]);
    expect(row("Moving to another provider")).toEqual([0, 1, 1]);
    expect(row("Closing the business or site")).toEqual([0, 1, 1]);
    expect((await client.get("/admin/cancellations/reasons?months=0")).statusCode).toBe(400);
    expect((await client.get("/admin/cancellations/reasons?months=x")).statusCode).toBe(400);
  });
});

describe("cancellation reasons and the window policy", () => {
  it("sorts reasons in either language into categories", () => {
    expect(reasonCategory("Too expensive: we use our provider's free filter now.")).toBe("price");
    expect(reasonCategory("C'est trop cher")).toBe("price");
    expect(reasonCategory("Je cherche un autre fournisseur")).toBe("switching");
    expect(reasonCategory("Nous fermons la boutique")).toBe("closing");
    expect(reasonCategory("We no longer need it")).toBe("not-needed");
    expect(reasonCategory("Le site est trop lent")).toBe("problems");
    expect(reasonCategory("Raisons personnelles")).toBe("other");
    const report = reasonReport(
      [
        { reason: "cher", requestedAt: at("2022-02-28T23:59:59Z") },
        { reason: "cher ", requestedAt: at("2022-03-01T00:00:00Z") },
      ],
      ["2022-03"],
    );
    expect(report.total).toBe(1);
    expect(report.counts.price["2022-03"]).toBe(1);
  });

  it("the window is a policy number, at least the delay before an immediate cancellation", () => {
    const ok = resolvePolicies({});
    expect(ok.ok && ok.policies.billing.immediateCancellationHours).toBe(24);
    const bad = resolvePolicies({
      billing: { immediateCancellationAfterHours: 24, immediateCancellationHours: 12 },
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join("\n")).toContain("billing.immediateCancellationAfterHours");
    expect(resolvePolicies({ billing: { immediateCancellationHours: 0 } }).ok).toBe(false);
  });
});
