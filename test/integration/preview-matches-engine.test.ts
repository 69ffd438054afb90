/**
 * The preview says what the engine will do because it asks the engine's rules: proven here by
 * running the engine itself over the same days on the same book and comparing, day by day, the
 * kinds, counts, notice templates and amounts both give (issue 9, "same rules").
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PREVIEW_KINDS } from "../../src/domain/preview.js";
import { DAY, type Instant } from "../../src/domain/time.js";
import { advanceTo } from "../../src/engine/advance.js";
import { createCustomer } from "../../src/modules/customers/customer-repository.js";
import { importDomain } from "../../src/modules/domains/import-domain.js";
import { type PreviewResult, readPreview } from "../../src/modules/preview/read-preview.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

const NOW = at("2025-01-01T00:00:00Z");

type DaySummary = Record<string, number>;

const dayOf = (instant: Instant) => new Date(instant).toISOString().slice(0, 10);

function bump(into: Map<string, DaySummary>, day: string, key: string, by = 1) {
  const summary = into.get(day) ?? {};
  summary[key] = (summary[key] ?? 0) + by;
  into.set(day, summary);
}

/** The preview as one summary per day: counts per kind, notices per template, amounts per currency. */
function previewSummary(preview: PreviewResult): Map<string, DaySummary> {
  const days = new Map<string, DaySummary>();
  for (const day of preview.days) {
    expect(day.more).toBe(0);
    for (const item of day.items) {
      if (item.kind === "settlement") continue;
      bump(days, day.day, item.kind);
      if (item.template) bump(days, day.day, `notice:${item.template}`);
      if ((item.kind === "charge" || item.kind === "invoice") && item.amount)
        bump(days, day.day, `${item.kind}:${item.amount.currency}`, item.amount.amount);
    }
    for (const kind of PREVIEW_KINDS) {
      const listed = day.items.filter((i) => i.kind === kind).length;
      expect(day.counts[kind]).toBe(listed);
    }
  }
  return days;
}

const EVENT_KINDS: Record<string, string> = {
  "service.suspended": "suspension",
  "domain.suspended": "suspension",
  "service.cancelled": "cancellation",
  "service.terminated": "termination",
  "domain.expired": "expiry",
  "domain.redemption_started": "redemption",
  "domain.released": "release",
  "domain.renewed": "renewal",
  "service.renewed": "renewal",
};

type Table = "notices" | "invoices" | "payments" | "events";

/** The last row of each table the engine writes: what is there before it runs is not its doing. */
async function marks(f: Fixture): Promise<Record<Table, number>> {
  const last = async (table: Table) => {
    const row = await f.deps.db
      .selectFrom(table)
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirst();
    return Number(row?.id ?? 0);
  };
  return {
    notices: await last("notices"),
    invoices: await last("invoices"),
    payments: await last("payments"),
    events: await last("events"),
  };
}

/** What the engine wrote after `before`, up to `until`, summarised the same way. */
async function engineSummary(
  f: Fixture,
  before: Record<Table, number>,
  until: Instant,
): Promise<Map<string, DaySummary>> {
  const db = f.deps.db;
  const days = new Map<string, DaySummary>();
  const inRange = (instant: number) => instant <= until;
  for (const n of await db
    .selectFrom("notices")
    .select(["template", "created_at"])
    .where("id", ">", before.notices)
    .execute()) {
    if (!inRange(Number(n.created_at))) continue;
    bump(days, dayOf(Number(n.created_at)), "notice");
    bump(days, dayOf(Number(n.created_at)), `notice:${n.template}`);
  }
  for (const i of await db
    .selectFrom("invoices")
    .select(["issued_at", "total", "currency"])
    .where("id", ">", before.invoices)
    .execute()) {
    if (!inRange(Number(i.issued_at))) continue;
    bump(days, dayOf(Number(i.issued_at)), "invoice");
    bump(days, dayOf(Number(i.issued_at)), `invoice:${i.currency}`, i.total);
  }
  for (const p of await db
    .selectFrom("payments")
    .select(["created_at", "amount", "currency"])
    .where("id", ">", before.payments)
    .execute()) {
    if (!inRange(Number(p.created_at))) continue;
    bump(days, dayOf(Number(p.created_at)), "charge");
    bump(days, dayOf(Number(p.created_at)), `charge:${p.currency}`, p.amount);
  }
  for (const e of await db
    .selectFrom("events")
    .select(["type", "at"])
    .where("id", ">", before.events)
    .execute()) {
    const kind = EVENT_KINDS[e.type];
    if (!kind || !inRange(Number(e.at))) continue;
    bump(days, dayOf(Number(e.at)), kind);
  }
  return days;
}

async function buildBook(f: Fixture) {
  const deps = f.deps;
  await f.addCustomer("c-ok", "ok");
  await createCustomer(
    deps.db,
    {
      id: "c-nocard",
      email: "nocard@example.test",
      name: "No card",
      locale: "en",
      currency: "USD",
      timeZone: "UTC",
    },
    at("2020-01-01"),
  );
  const domain = async (
    id: string,
    customer: string,
    name: string,
    registrar: string,
    registeredAt: string,
    extra: { autoRenew?: boolean; emailVerified?: boolean } = {},
  ) => {
    const { expiresAt } = await importDomain(deps, {
      id,
      customerId: customer,
      name,
      registrar,
      registeredAt: at(registeredAt),
      years: 1,
      autoRenew: extra.autoRenew ?? true,
      emailVerified: extra.emailVerified ?? true,
      siteServiceId: null,
      offer: null,
      recordedPrice: { amount: 2000, currency: "USD" },
    });
    f.registrar.register(name, expiresAt);
  };
  // Renews by charge in the window; expires and goes to redemption; expires and is released;
  // suspended for an unverified e-mail; a customer without a card whose domain expires.
  await domain("d-renews", "c-ok", "alpha.example", "squarespace-domains", "2024-01-20T10:00:00Z");
  await domain("d-redemption", "c-ok", "beta.example", "gtld-registry", "2024-02-10T09:00:00Z", {
    autoRenew: false,
  });
  await domain("d-released", "c-ok", "gamma.example", "tucows", "2024-01-10T08:00:00Z", { autoRenew: false });
  await domain("d-unverified", "c-ok", "delta.example", "squarespace-domains", "2024-12-20T12:00:00Z", {
    emailVerified: false,
  });
  await domain("d-gtld-renews", "c-ok", "zeta.example", "gtld-registry", "2024-02-20T12:00:00Z");
  await domain("d-nocard", "c-nocard", "eps.example", "squarespace-domains", "2024-02-15T15:00:00Z");
  // Hosting: monthly and yearly renewals, a customer without a card (retries, suspended,
  // terminated), and one cancelled at the end of its term.
  await f.addHosting("h-monthly", "c-ok", "2024-06-15T00:00:00Z", "monthly");
  await f.addHosting("h-yearly", "c-ok", "2024-02-01T00:00:00Z", "yearly");
  await f.addHosting("h-cancelled", "c-ok", "2024-03-01T00:00:00Z", "yearly");
  await f.addHosting("h-nocard", "c-nocard", "2024-12-10T00:00:00Z", "monthly");
  await f.addHosting("h-nocard-2", "c-nocard", "2024-01-20T00:00:00Z", "monthly");
  // Everything up to date at NOW, as a running worker keeps it.
  await advanceTo(deps, at("2024-01-01"), NOW);
  const cancelled = await requestCancellation(
    deps,
    {
      serviceId: "h-cancelled",
      customerId: "c-ok",
      requestedBy: "customer",
      request: { when: "end-of-term", reason: "moving elsewhere" },
    },
    NOW,
  );
  expect(cancelled.ok).toBe(true);
}

describe.each(DIALECTS)("the preview matches the engine (%s)", (dialect) => {
  let f: Fixture;
  beforeEach(async () => {
    f = await createFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("over 90 days, day by day: kinds, counts, notice templates and amounts", async () => {
    await buildBook(f);
    const days = 90;
    const until = NOW + days * DAY;
    const preview = await readPreview(f.deps, { now: NOW, days, itemsPerDay: 10_000 });
    expect(preview.undecidable).toEqual([]);
    const expected = previewSummary(preview);
    const before = await marks(f);
    await advanceTo(f.deps, NOW, until);
    const actual = await engineSummary(f, before, until);
    expect(Object.fromEntries([...expected].sort())).toEqual(Object.fromEntries([...actual].sort()));
    // The book says something on most kinds, so the comparison is not vacuous.
    const kinds = new Set(preview.days.flatMap((d) => d.items.map((i) => i.kind)));
    for (const kind of [
      "notice",
      "invoice",
      "charge",
      "renewal",
      "suspension",
      "cancellation",
      "termination",
      "expiry",
      "redemption",
      "release",
    ])
      expect(kinds, kind).toContain(kind);
  });

  it("for one customer, and for one day only: the same as the engine's day", async () => {
    await buildBook(f);
    const preview = await readPreview(f.deps, {
      now: NOW,
      days: 30,
      customerId: "c-nocard",
      itemsPerDay: 10_000,
    });
    expect(new Set(preview.days.flatMap((d) => d.items.map((i) => i.customerId)))).toEqual(
      new Set(["c-nocard"]),
    );
    const charges = preview.days.flatMap((d) => d.items).filter((i) => i.kind === "charge");
    expect(charges.length).toBeGreaterThan(0);
    expect(charges.every((c) => c.outcome === "fails")).toBe(true);

    // A day with something on it: a suspension due at that very instant, a charge the next morning.
    const day = at("2025-01-04T12:00:00Z");
    await advanceTo(f.deps, NOW, day - 1);
    const tomorrow = await readPreview(f.deps, { now: day, days: 1, itemsPerDay: 10_000 });
    const expected = previewSummary(tomorrow);
    expect(tomorrow.totals.counts.suspension).toBe(1);
    expect(tomorrow.totals.counts.charge).toBe(1);
    expect(tomorrow.totals.charged).toEqual({ USD: 2000 });
    const before = await marks(f);
    await advanceTo(f.deps, day, day + DAY);
    expect(Object.fromEntries([...expected].sort())).toEqual(
      Object.fromEntries([...(await engineSummary(f, before, day + DAY))].sort()),
    );
  });
});
