/**
 * Two customers side by side on one client area, for access-control and hostile-input tests. Alice
 * has one record of every kind a path can name, each in a state where a request let through would
 * change something (an active plan to cancel, a pending cancellation to withdraw, a domain in grace
 * to reactivate and charge, an open invoice to pay with a good card, an open request); Bob has his own.
 */
import { runEngine } from "../../src/engine/run-engine.js";
import { issueInvoice } from "../../src/modules/invoices/invoice-repository.js";
import { requestCancellation } from "../../src/modules/services/request-cancellation.js";
import { openTicket } from "../../src/modules/tickets/open-ticket.js";
import { at } from "./engine-fixture.js";
import { createHttpFixture, type HttpFixture } from "./http.js";
import type { TestDialect } from "./stores.js";

export interface CustomerRecords {
  id: string;
  email: string;
  /** Hosting plans (services that are not domains). */
  plans: string[];
  domains: string[];
  invoices: number[];
  tickets: number[];
  /** Text only this customer's pages may show. */
  markers: string[];
}

export interface TwoCustomers {
  f: HttpFixture;
  alice: CustomerRecords;
  bob: CustomerRecords;
  /** Ids no record has. */
  missing: { service: string; invoice: number; ticket: number };
}

async function addInvoice(f: HttpFixture, customerId: string, serviceId: string, amount: number) {
  const id = await f.deps.db.transaction().execute((tx) =>
    issueInvoice(tx, {
      customerId,
      issueKey: `test:${customerId}:${serviceId}`,
      serviceId,
      purpose: "manual",
      periodStartAt: null,
      currency: "USD",
      issuedAt: f.clock.now(),
      dueAt: f.clock.now(),
      lines: [
        { serviceId, description: `Setup of ${serviceId}`, amount, periodStartAt: null, periodEndAt: null },
      ],
    }),
  );
  if (id === null) throw new Error("invoice not issued");
  return Number(id);
}

async function addQuestion(f: HttpFixture, customerId: string, subject: string) {
  const { ticket } = await openTicket(
    f.deps,
    { customerId, openedBy: customerId, ticket: { kind: "question", subject, body: "Please tell me." } },
    f.clock.now(),
  );
  return Number(ticket);
}

/**
 * Alice: plans a-host (active) and a-leaving (cancellation pending at the end of its term), domains
 * alice-secret.com (active) and alice-grace.com (expired, in grace), an open invoice, an open request.
 * Bob: plan b-host, domain bob-own.com, an open invoice, an open request. Clock: 2022-04-20 noon.
 */
export async function createTwoCustomers(dialect: TestDialect): Promise<TwoCustomers> {
  const f = await createHttpFixture(dialect, { now: "2022-03-01T12:00:00Z" });
  await f.addLogin("alice", "ok");
  await f.addLogin("bob", "ok");
  await f.addHosting("a-host", "alice", "2022-01-10T00:00:00Z");
  await f.addHosting("a-leaving", "alice", "2022-01-10T00:00:00Z");
  await f.addDomain("a-dom", "alice", "alice-secret.com", "2021-09-01T00:00:00Z");
  await f.addDomain("a-grace", "alice", "alice-grace.com", "2021-04-15T14:00:00Z", { autoRenew: false });
  await f.addHosting("b-host", "bob", "2022-01-10T00:00:00Z");
  await f.addDomain("b-dom", "bob", "bob-own.com", "2021-09-01T00:00:00Z");
  // alice-grace.com expires on 2022-04-15 and stays in grace until mid-June.
  await runEngine(f.deps, at("2022-04-15T14:00:00Z"));
  f.clock.set(at("2022-04-20T12:00:00Z"));
  const cancelled = await requestCancellation(
    f.deps,
    {
      serviceId: "a-leaving",
      customerId: "alice",
      requestedBy: "customer:alice",
      request: { when: "end-of-term", reason: "Moving to another host" },
    },
    f.clock.now(),
  );
  if (!cancelled.ok) throw new Error(`cancellation refused: ${cancelled.reason}`);
  const aliceInvoice = await addInvoice(f, "alice", "a-host", 19200);
  const bobInvoice = await addInvoice(f, "bob", "b-host", 4800);
  const aliceTicket = await addQuestion(f, "alice", "Alice private question");
  const bobTicket = await addQuestion(f, "bob", "Bob own question");
  return {
    f,
    alice: {
      id: "alice",
      email: "alice@example.test",
      plans: ["a-host", "a-leaving"],
      domains: ["a-dom", "a-grace"],
      invoices: [aliceInvoice],
      tickets: [aliceTicket],
      markers: [
        "alice-secret.com",
        "alice-grace.com",
        "Hosting a-host",
        "Hosting a-leaving",
        "Alice private question",
        "alice@example.test",
        "Setup of a-host",
      ],
    },
    bob: {
      id: "bob",
      email: "bob@example.test",
      plans: ["b-host"],
      domains: ["b-dom"],
      invoices: [bobInvoice],
      tickets: [bobTicket],
      markers: ["bob-own.com", "Hosting b-host", "Bob own question", "bob@example.test"],
    },
    missing: { service: "no-such-service", invoice: 2_000_000_000, ticket: 999_999_999 },
  };
}
