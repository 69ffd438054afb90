/**
 * Webhooks end to end, on both databases, with a real HTTP receiver on loopback that verifies every
 * message with the `standardwebhooks` package: the first deliveries fail, the retries follow the
 * back-off, and each event arrives exactly once, in order, with a webhook-id stable across retries.
 * An endpoint failing for five days is disabled; staff can replay a delivery.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DAY, HOUR } from "../../src/domain/time.js";
import { openTicket } from "../../src/modules/tickets/open-ticket.js";
import {
  createWebhookEndpoint,
  DISABLE_AFTER,
  deliverWebhooks,
  failingEndpoints,
  findWebhookEndpoint,
  recentAttempts,
  replayDelivery,
  retryDelay,
} from "../../src/modules/webhooks/webhooks.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { DIALECTS } from "../support/stores.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

function receiver(failFirst: number) {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      const answered = received.length < failFirst ? 503 : 200;
      received.push({ headers: request.headers, body, answered });
      response.writeHead(answered, { "content-type": "text/plain" });
      response.end(answered === 200 ? "thanks" : "busy, try later");
    });
  });
  return {
    received,
    server,
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Verifies with the package as a receiver would, at the instant the message says it was sent. */
function verify(secret: string, message: Received): unknown {
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    vi.setSystemTime(Number(message.headers["webhook-timestamp"]) * 1000);
    return new Webhook(secret).verify(message.body, {
      "webhook-id": String(message.headers["webhook-id"]),
      "webhook-timestamp": String(message.headers["webhook-timestamp"]),
      "webhook-signature": String(message.headers["webhook-signature"]),
    });
  } finally {
    vi.useRealTimers();
  }
}

describe.each(DIALECTS)("webhooks (%s)", (dialect) => {
  let f: Fixture;
  let now = at("2024-03-01T09:00:00Z");
  const servers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    f = await createFixture(dialect);
    await f.addCustomer("alice", "ok");
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await f.dispose();
  });
  afterEach(() => vi.useRealTimers());

  async function ask(subject: string): Promise<number> {
    const { ticket } = await openTicket(
      f.deps,
      { customerId: "alice", openedBy: "alice", ticket: { kind: "question", subject, body: "Tell me." } },
      now,
    );
    return Number(ticket);
  }

  it("delivers each event once, in order, after failed attempts, signed per Standard Webhooks", async () => {
    const hooks = receiver(3);
    servers.push(hooks);
    const url = await hooks.listen();
    const { endpoint, secret } = await createWebhookEndpoint(
      f.deps.db,
      { url, eventTypes: ["ticket.opened"] },
      now,
    );
    expect(secret).toMatch(/^whsec_/);
    const other = await createWebhookEndpoint(
      f.deps.db,
      { url: `${url}/closed`, eventTypes: ["ticket.closed"] },
      now,
    );
    const tickets: number[] = [];
    for (const subject of ["First", "Second", "Third"]) tickets.push(await ask(subject));
    // Nothing subscribed to ticket.closed: no delivery for the other endpoint.
    const forOther = await f.deps.db
      .selectFrom("webhook_deliveries")
      .select("id")
      .where("endpoint_id", "=", other.endpoint.id)
      .execute();
    expect(forOther).toEqual([]);

    for (let run = 0; run < 12 && hooks.received.filter((r) => r.answered === 200).length < 3; run++) {
      await deliverWebhooks(f.deps.db, now);
      now += HOUR;
    }
    const delivered = hooks.received.filter((r) => r.answered === 200);
    expect(delivered.map((r) => (JSON.parse(r.body) as { data: { ticket: number } }).data.ticket)).toEqual(
      tickets,
    );
    expect(new Set(delivered.map((r) => r.headers["webhook-id"])).size).toBe(3);
    // The three failures were all the first event, under the id it was finally delivered with.
    const failures = hooks.received.filter((r) => r.answered !== 200);
    expect(failures).toHaveLength(3);
    expect(new Set(failures.map((r) => r.headers["webhook-id"]))).toEqual(
      new Set([delivered[0]?.headers["webhook-id"]]),
    );
    for (const message of hooks.received) {
      const payload = verify(secret, message) as { type: string; id: string };
      expect(payload.type).toBe("ticket.opened");
      expect(message.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    }
    const tampered = {
      ...(delivered[0] as Received),
      body: (delivered[0] as Received).body.replace("ticket.opened", "ticket.closed"),
    };
    expect(() => verify(secret, tampered)).toThrow(WebhookVerificationError);
    // Running again sends nothing more: each event exactly once.
    await deliverWebhooks(f.deps.db, now + DAY);
    expect(hooks.received).toHaveLength(6);

    const attempts = await recentAttempts(f.deps.db, endpoint.id);
    expect(attempts).toHaveLength(6);
    expect(attempts.filter((a) => !a.ok).map((a) => a.statusCode)).toEqual([503, 503, 503]);
    expect(attempts.find((a) => !a.ok)?.responseExcerpt).toBe("busy, try later");

    // Staff replay one: sent again, same id, recorded as a replay.
    const replayed = await replayDelivery(f.deps.db, attempts[0]?.deliveryId ?? 0, now);
    expect(replayed?.ok).toBe(true);
    expect(hooks.received.at(-1)?.headers["webhook-id"]).toBe(delivered[2]?.headers["webhook-id"]);
    expect((await recentAttempts(f.deps.db, endpoint.id))[0]?.replay).toBe(true);
  });

  it("retries with exponential back-off for more than three days", () => {
    let total = 0;
    for (let n = 1; total < 3 * DAY; n++) {
      expect(retryDelay(n)).toBeGreaterThanOrEqual(retryDelay(n - 1 || 1));
      total += retryDelay(n);
      expect(n).toBeLessThan(20);
    }
    expect(DISABLE_AFTER).toBe(5 * DAY);
  });

  it("disables an endpoint failing for five days and lists it for the back office", async () => {
    const dead = receiver(1_000_000);
    servers.push(dead);
    const url = await dead.listen();
    const { endpoint } = await createWebhookEndpoint(f.deps.db, { url, eventTypes: ["ticket.opened"] }, now);
    await ask("Nobody listens");
    const start = now;
    while (now < start + DISABLE_AFTER + DAY) {
      await deliverWebhooks(f.deps.db, now);
      if ((await findWebhookEndpoint(f.deps.db, endpoint.id))?.disabledAt !== null) break;
      now += 6 * HOUR;
    }
    const disabled = await findWebhookEndpoint(f.deps.db, endpoint.id);
    expect(disabled?.disabledAt).not.toBeNull();
    expect((disabled?.disabledAt ?? 0) - start).toBeGreaterThanOrEqual(DISABLE_AFTER);
    expect((await failingEndpoints(f.deps.db)).map((e) => e.id)).toContain(endpoint.id);
    const attempts = dead.received.length;
    expect(attempts).toBeGreaterThan(5);
    await deliverWebhooks(f.deps.db, now + DAY);
    expect(dead.received.length).toBe(attempts);
  });
});
