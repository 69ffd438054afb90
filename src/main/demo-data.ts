/**
 * Demo data for `npm start` on an empty database: one customer with a hosting plan, an SSL
 * certificate, two apps and six domains in different states (active with auto-renew, past due
 * after failed charges, expired in grace, a legacy free one, a new one whose contact e-mail is not
 * verified yet, one at Tucows), built by replaying their history through the engine.
 */

import { randomBytes } from "node:crypto";
import { addYears, DAY, formatInstant, HOUR, type Instant } from "../domain/time.js";
import { advanceTo } from "../engine/advance.js";
import { runEngine } from "../engine/run-engine.js";
import { createAccount, setPassword } from "../modules/accounts/account-repository.js";
import { createCustomer, setCard } from "../modules/customers/customer-repository.js";
import type { Deps } from "../modules/deps.js";
import { importDomain } from "../modules/domains/import-domain.js";
import { recordEvent } from "../modules/events/record-event.js";
import { importSubscription } from "../modules/services/import-subscription.js";
import { addStaff, changeStaffPassword, findStaffByEmail } from "../modules/staff/staff-repository.js";
import { openTicket } from "../modules/tickets/open-ticket.js";
import type { TestRegistrar } from "../providers/registrar/test-registrar.js";

export const DEMO_CUSTOMER = { id: "demo", email: "demo@example.com" };

/**
 * A fresh password for the demo login, printed at start: a demo instance always has a way in,
 * and no fixed password is ever published.
 */
export async function resetDemoPassword(deps: Deps, now: Instant): Promise<string | null> {
  const customer = await deps.db
    .selectFrom("customers")
    .select("id")
    .where("id", "=", DEMO_CUSTOMER.id)
    .executeTakeFirst();
  if (!customer) return null;
  const password = randomBytes(9).toString("base64url");
  const account = await deps.db
    .selectFrom("accounts")
    .select("customer_id")
    .where("customer_id", "=", customer.id)
    .executeTakeFirst();
  if (account) await setPassword(deps.db, customer.id, password);
  else await createAccount(deps.db, customer.id, DEMO_CUSTOMER.email, password, now);
  return password;
}

export const DEMO_STAFF = { email: "staff@example.com", name: "Dominique Gagnon", role: "admin" } as const;

/**
 * The demo's staff sign-in, printed at start beside the customer's: an admin whose password is
 * new at every start (never a published one), already chosen so the demo opens straight away.
 */
export async function resetDemoStaffPassword(deps: Deps, now: Instant): Promise<string | null> {
  const customer = await deps.db
    .selectFrom("customers")
    .select("id")
    .where("id", "=", DEMO_CUSTOMER.id)
    .executeTakeFirst();
  if (!customer) return null;
  const password = randomBytes(9).toString("base64url");
  const existing = await findStaffByEmail(deps.db, DEMO_STAFF.email);
  const id = existing?.id ?? (await addStaff(deps.db, DEMO_STAFF, now)).staff.id;
  await changeStaffPassword(deps.db, id, password);
  return password;
}

export async function hasAnyCustomer(deps: Deps): Promise<boolean> {
  const row = await deps.db.selectFrom("customers").select("id").limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function seedDemoData(deps: Deps, registrar: TestRegistrar, now: Instant): Promise<void> {
  const history = now - 400 * DAY;
  await createCustomer(
    deps.db,
    {
      ...DEMO_CUSTOMER,
      name: "Camille Tremblay",
      locale: "en",
      currency: "USD",
      timeZone: "America/Toronto",
    },
    history,
  );
  await setCard(deps, DEMO_CUSTOMER.id, "ok");
  for (const [tld, amount] of [
    ["com", 2000],
    ["net", 2200],
    ["org", 2100],
  ] as const) {
    await deps.db.insertInto("tld_prices").values({ tld, currency: "USD", renew_amount: amount }).execute();
  }
  const customerId = DEMO_CUSTOMER.id;
  const subscriptions = [
    {
      id: "demo-hosting",
      kind: "hosting",
      label: "Web hosting — Pro",
      plan: "yearly",
      price: 11988,
      age: 200,
    },
    {
      id: "demo-ssl",
      kind: "ssl",
      label: "SSL certificate — demo-bakery.com",
      plan: "yearly",
      price: 6900,
      age: 100,
    },
    { id: "demo-mailing", kind: "app", label: "E-mail marketing", plan: "monthly", price: 1500, age: 20 },
    { id: "demo-antispam", kind: "app", label: "Anti-spam", plan: "monthly", price: 500, age: 50 },
  ] as const;
  for (const s of subscriptions) {
    await importSubscription(deps, { ...s, customerId, currency: "USD", startedAt: now - s.age * DAY });
  }
  const domains = [
    {
      id: "demo-bakery",
      name: "demo-bakery.com",
      registeredAt: now - 100 * DAY,
      autoRenew: true,
      price: 2000,
    },
    // Expires in 8 days: its charge 7 days ago and the retry 2 days ago are declined below.
    {
      id: "demo-pastdue",
      name: "demo-pastdue.net",
      registeredAt: now + 8 * DAY - 365 * DAY,
      autoRenew: true,
      price: 2200,
    },
    // Auto-renew was turned off: expired 20 days ago, now in its grace period.
    {
      id: "demo-expired",
      name: "demo-expired.org",
      registeredAt: now - 385 * DAY,
      autoRenew: false,
      price: 2100,
    },
  ];
  for (const d of domains) {
    const { expiresAt } = await importDomain(deps, {
      id: d.id,
      customerId,
      name: d.name,
      registrar: "squarespace-domains",
      registeredAt: d.registeredAt,
      years: 1,
      autoRenew: d.autoRenew,
      emailVerified: true,
      siteServiceId: "demo-hosting",
      offer: null,
      recordedPrice: { amount: d.price, currency: "USD" },
    });
    registrar.register(d.name, expiresAt);
  }
  // Replay the history: a card that was declined for a week makes one domain past due.
  await advanceTo(deps, history, now - 8 * DAY);
  await setCard(deps, customerId, "declined");
  await advanceTo(deps, now - 8 * DAY, now - DAY);
  await setCard(deps, customerId, "ok");
  await advanceTo(deps, now - DAY, now);
  // Added once the history is replayed, and none is billed before `now`: the demo customer's
  // invoice numbers stay those the client area's tests read.
  await addNewcomerDomains(deps, registrar, now);
  // The second customer's history is replayed after the first's, so the first one's invoice
  // numbers are those of a book with one customer (the client area's own tests read them).
  await addBackOfficeCustomer(deps, now);
  await advanceTo(deps, now - 100 * DAY, now);
  await seedBackOfficeWork(deps, registrar, now);
}

/**
 * The screens a newcomer would otherwise never see (issue 12): a legacy free domain (seed 004:
 * registered before 2015-03-05, free while its site stays yearly, no auto-renew switch), a new
 * registration whose contact e-mail is not verified yet (its deadline shown), and a domain at
 * Tucows (its own grace period). Their renewals all fall more than two months after `now`.
 */
async function addNewcomerDomains(deps: Deps, registrar: TestRegistrar, now: Instant): Promise<void> {
  const legacyRegisteredAt: Instant = Date.UTC(2014, 5, 1, 14); // 2014-06-01 14:00 UTC
  let legacyYears = 1;
  while (addYears(legacyRegisteredAt, legacyYears) < now + 60 * DAY) legacyYears += 1;
  const domains = [
    {
      id: "demo-legacy",
      name: "demo-heritage.com",
      registrar: "squarespace-domains",
      registeredAt: legacyRegisteredAt,
      years: legacyYears,
      emailVerified: true,
      offer: "legacy-free" as const,
      price: 0,
    },
    {
      id: "demo-new",
      name: "demo-nouveau.com",
      registrar: "squarespace-domains",
      registeredAt: now - 5 * DAY,
      years: 1,
      emailVerified: false,
      offer: null,
      price: 2000,
    },
    {
      id: "demo-tucows",
      name: "demo-atelier.net",
      registrar: "tucows",
      registeredAt: now - 200 * DAY,
      years: 1,
      emailVerified: true,
      offer: null,
      price: 2200,
    },
  ];
  for (const d of domains) {
    const { expiresAt } = await importDomain(deps, {
      id: d.id,
      customerId: DEMO_CUSTOMER.id,
      name: d.name,
      registrar: d.registrar,
      registeredAt: d.registeredAt,
      years: d.years,
      autoRenew: true,
      emailVerified: d.emailVerified,
      siteServiceId: "demo-hosting",
      offer: d.offer,
      recordedPrice: { amount: d.price, currency: "USD" },
    });
    registrar.register(d.name, expiresAt);
  }
}

/** A second demo customer, in French and billed in CAD, whose account keeps the staff busy. */
export const DEMO_BACK_OFFICE_CUSTOMER = { id: "demo-fr", email: "gabriel@example.com" } as const;

async function addBackOfficeCustomer(deps: Deps, now: Instant): Promise<void> {
  const customerId = DEMO_BACK_OFFICE_CUSTOMER.id;
  await createCustomer(
    deps.db,
    {
      ...DEMO_BACK_OFFICE_CUSTOMER,
      name: "Gabriel Lefebvre",
      locale: "fr-CA",
      currency: "CAD",
      timeZone: "America/Montreal",
    },
    now - 400 * DAY,
  );
  await setCard(deps, customerId, "ok");
  const subscriptions = [
    {
      id: "demo-fr-hosting",
      kind: "hosting",
      label: "Hébergement Web — Agence",
      plan: "yearly",
      price: 15900,
      age: 100,
    },
    { id: "demo-fr-backup", kind: "app", label: "Sauvegardes", plan: "monthly", price: 900, age: 75 },
  ] as const;
  for (const s of subscriptions) {
    await importSubscription(deps, { ...s, customerId, currency: "CAD", startedAt: now - s.age * DAY });
  }
}

/**
 * Something on every back-office page (issue 9), on the second customer's account: a refund
 * request on a paid invoice, an immediate cancellation left pending past its 24-hour window, and
 * a service whose engine step fails.
 */
async function seedBackOfficeWork(deps: Deps, registrar: TestRegistrar, now: Instant): Promise<void> {
  const customerId = DEMO_BACK_OFFICE_CUSTOMER.id;
  const paid = await deps.db
    .selectFrom("invoices")
    .select(["id", "total", "service_id"])
    .where("customer_id", "=", customerId)
    .where("status", "=", "paid")
    .where("service_id", "is not", null)
    .orderBy("total", "desc")
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (paid) {
    await openTicket(
      deps,
      {
        customerId,
        openedBy: "customer",
        ticket: {
          kind: "refund",
          subject: "Remboursement de mon dernier renouvellement",
          body: "Nous n'utilisons plus ce service depuis le mois dernier. Pouvez-vous rembourser la partie non utilisée?",
          serviceId: paid.service_id,
          invoiceId: paid.id,
        },
      },
      now - 3 * DAY,
    );
  }
  // As if the worker had been stopped for a day: the request was stored 30 hours ago and nothing
  // has carried it out since. The queue shows it late; staff carry it out from there.
  const requestedAt = now - 30 * HOUR;
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("cancellation_requests")
      .values({
        service_id: "demo-fr-backup",
        reason: "Trop cher : nous utilisons maintenant les sauvegardes de notre fournisseur.",
        mode: "immediate",
        stop_domain_ids: "[]",
        status: "pending",
        requested_at: requestedAt,
        effective_at: requestedAt,
        requested_by: "customer",
        closed_at: null,
      })
      .execute();
    await recordEvent(
      tx,
      "service.cancellation_requested",
      requestedAt,
      { customer: customerId, service: "demo-fr-backup" },
      {
        when: "immediate",
        effectiveAt: formatInstant(requestedAt),
        reason: "Trop cher : nous utilisons maintenant les sauvegardes de notre fournisseur.",
      },
    );
  });
  // A site billed in CAD with a .com domain that has no CAD price: its renewal invoice cannot be
  // priced, so its engine step fails at every run until staff set a price (a step failure).
  const { expiresAt } = await importDomain(deps, {
    id: "demo-fr-studio",
    customerId,
    name: "studio-lefebvre.com",
    registrar: "squarespace-domains",
    registeredAt: now + 10 * DAY - 365 * DAY,
    years: 1,
    autoRenew: true,
    emailVerified: true,
    siteServiceId: "demo-fr-hosting",
    offer: null,
    recordedPrice: { amount: 2000, currency: "USD" },
  });
  registrar.register("studio-lefebvre.com", expiresAt);
  await runEngine(deps, now, { worker: "demo" });
}
