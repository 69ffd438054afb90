/**
 * The page cache (src/http/page-cache.ts) serves a page again only while nothing the customer sees
 * changed: a change by the customer, by the engine, by another web node or by a direct write moves
 * the customer's version and the next page is rendered anew; a flash is never lost to the cache.
 * A page rendered anew carries a new CSRF token, so an identical body means it came from the cache.
 */
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { buildApp } from "../../src/http/app.js";
import { createHttpFixture, type HttpFixture, RecordingMailer } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1];

describe.each(DIALECTS)("the page cache (%s)", (dialect) => {
  let f: HttpFixture;
  let second: FastifyInstance;
  beforeEach(async () => {
    f = await createHttpFixture(dialect, { now: "2021-04-20T12:00:00Z" });
    await f.addLogin("c1");
    await f.addLogin("c2");
    await f.addDomain("d1", "c1", "first.com", "2020-05-01T00:00:00Z");
    await f.addDomain("d2", "c2", "other.com", "2020-05-01T00:00:00Z");
    second = await buildApp({
      deps: f.deps,
      clock: f.clock,
      mailer: new RecordingMailer(),
      sessionSecret: "a test secret that is at least thirty-two characters",
      baseUrl: "https://clients.example",
      loginAttempts: 1000,
    });
  });
  afterEach(async () => {
    await second.close();
    await f.dispose();
  });

  it("serves the same page again while nothing changed, for this session only", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const first = await client.get("/domains");
    const again = await client.get("/domains");
    expect(first.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    // Another customer's session never gets it.
    const other = f.client();
    await other.login("c2@example.test");
    const theirs = await other.get("/domains");
    expect(theirs.body).toContain("other.com");
    expect(theirs.body).not.toContain("first.com");
  });

  it("renders anew after the customer's own change, shown on the next page", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const before = await client.get("/domains");
    expect(before.body).toContain("first.com");
    await f.deps.db
      .updateTable("domains")
      .set({ name: "renamed.com" })
      .where("service_id", "=", "d1")
      .execute();
    const after = await client.get("/domains");
    expect(after.body).toContain("renamed.com");
    expect(after.body).not.toContain("first.com");
  });

  it("renders anew after the engine wrote for the customer", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const before = await client.get("/");
    const report = await runEngine(f.deps, f.clock.now());
    expect(report.stepsApplied).toBeGreaterThan(0);
    const after = await client.get("/");
    expect(csrfOf(after.body)).not.toBe(csrfOf(before.body));
    expect(after.body).not.toBe(before.body);
  });

  it("renders anew on this node after a change made through another node", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const before = await client.get("/domains/d1");
    expect(before.statusCode).toBe(200);
    const cached = await client.get("/domains");
    expect((await client.get("/domains")).body).toBe(cached.body);
    client.switchTo(second);
    await client.get("/domains/d1");
    const off = await client.post("/domains/d1/auto-renew", { on: "0", confirm: "1", back: "/domains" });
    expect(off.statusCode).toBe(303);
    // The notice is taken on that node, so this session holds nothing that bypasses the cache.
    await client.get("/domains");
    client.switchTo(f.app);
    const after = await client.get("/domains");
    expect(after.body).not.toBe(cached.body);
    const autoRenew = await f.deps.db
      .selectFrom("domains")
      .select("auto_renew")
      .where("service_id", "=", "d1")
      .executeTakeFirstOrThrow();
    expect(autoRenew.auto_renew).toBe(0);
  });

  it("keeps an entry for the current minute only", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const first = await client.get("/");
    f.clock.advance(61_000);
    const next = await client.get("/");
    expect(csrfOf(next.body)).not.toBe(csrfOf(first.body));
  });

  it("never swallows a flash: the page that shows it is rendered, and the one after too", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    await client.get("/domains");
    await client.get("/domains/d1");
    const off = await client.post("/domains/d1/auto-renew", { on: "0", confirm: "1", back: "/domains" });
    expect(off.headers.location).toBe("/domains");
    const withNotice = await client.get("/domains");
    expect(withNotice.body).toContain('role="status"');
    const plain = await client.get("/domains");
    expect(plain.body).not.toContain('role="status"');
  });
});
