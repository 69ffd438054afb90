/**
 * `tenure serve` nodes keep nothing of their own: sessions live in the database, so behind a load
 * balancer a customer signed in through one node is signed in on every node sharing the database
 * and TENURE_SESSION_SECRET, and signing out on one signs out everywhere.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.js";
import { createHttpFixture, type HttpFixture, RecordingMailer } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("two client-area nodes over one database (%s)", (dialect) => {
  let f: HttpFixture;
  let second: FastifyInstance;
  const nodeWith = (sessionSecret: string) =>
    buildApp({
      deps: f.deps,
      clock: f.clock,
      mailer: new RecordingMailer(),
      sessionSecret,
      baseUrl: "https://clients.example",
      loginAttempts: 1000,
    });
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
    second = await nodeWith("a test secret that is at least thirty-two characters");
  });
  afterEach(async () => {
    await second.close();
    await f.dispose();
  });

  it("a session opened on one node is honoured on the other, forms included, and ends on both", async () => {
    const client = f.client();
    expect((await client.login("c1@example.test")).statusCode).toBe(303);
    client.switchTo(second);
    const dashboard = await client.get("/");
    expect(dashboard.statusCode).toBe(200);
    expect(dashboard.body).toContain("<title>Dashboard");
    expect(dashboard.body).toContain('action="/logout"');
    // A form rendered by one node is accepted by the other (its CSRF secret is in the session).
    client.switchTo(f.app);
    expect((await client.get("/account")).statusCode).toBe(200);
    client.switchTo(second);
    expect((await client.post("/logout", {})).statusCode).toBe(303);
    client.switchTo(f.app);
    const after = await client.get("/");
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toContain("/login");
  });

  it("a node with another session secret does not accept the cookie: the secret must be shared", async () => {
    const stranger = await nodeWith("another secret, also at least thirty-two characters");
    try {
      const client = f.client();
      await client.login("c1@example.test");
      client.switchTo(stranger);
      expect((await client.get("/")).statusCode).toBe(303);
    } finally {
      await stranger.close();
    }
  });
});
