/**
 * The sign-in limits found in the trial (issue 12, item 4): successful sign-ins counted, the right
 * password refused for 15 minutes after 9 wrong ones while the page said "a few minutes", a
 * stranger locking a customer out by failing on their e-mail, and everyone behind an untrusted
 * proxy sharing one bucket (now said once in the log).
 */
import { Writable } from "node:stream";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/domain/clock.js";
import { buildApp } from "../../src/http/app.js";
import { waitAfter } from "../../src/http/sign-in-limits.js";
import { at, createFixture } from "../support/engine-fixture.js";
import { createHttpFixture, type HttpClient, type HttpFixture, PASSWORD } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

const WRONG = "not the password at all";

describe("the wait after failures", () => {
  it("none below the threshold, then 1, 2, 4, 8 minutes… up to the cap", () => {
    const minutes = [4, 5, 6, 7, 8, 9, 10, 20].map((n) => waitAfter(n, 5, 15 * 60_000) / 60_000);
    expect(minutes).toEqual([0, 1, 2, 4, 8, 15, 15, 15]);
  });
});

describe.each(DIALECTS)("sign-in limits (%s)", (dialect) => {
  let f: HttpFixture;
  afterEach(async () => {
    await f.dispose();
  });

  const attempt = async (client: HttpClient, email: string, password: string, remoteAddress?: string) => {
    await client.get("/login");
    return client.post("/login", { email, password }, remoteAddress ? { remoteAddress } : {});
  };

  it("successful sign-ins are not counted: twenty of them, then a wrong password is still a 400", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
    await f.addLogin("c1");
    for (let i = 0; i < 20; i += 1) {
      expect((await attempt(f.client(), "c1@example.test", PASSWORD)).statusCode).toBe(303);
    }
    expect((await attempt(f.client(), "c1@example.test", WRONG)).statusCode).toBe(400);
  });

  it("the right password after threshold-1 wrong ones signs in, and forgets the failures", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 10 });
    await f.addLogin("c1");
    for (let i = 0; i < 9; i += 1) {
      expect((await attempt(f.client(), "c1@example.test", WRONG)).statusCode).toBe(400);
    }
    expect((await attempt(f.client(), "c1@example.test", PASSWORD)).statusCode).toBe(303);
    // Nine more wrong ones are again plain 400s: the account's count started over.
    for (let i = 0; i < 9; i += 1) {
      expect((await attempt(f.client(), "c1@example.test", WRONG, `198.51.100.${i}`)).statusCode).toBe(400);
    }
  });

  it("slows down rather than locks out, and says the real wait in the visitor's language", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
    await f.addLogin("c1");
    const client = f.client();
    await client.get("/login");
    await client.post("/language", { locale: "fr-CA", back: "/login" });
    for (let i = 0; i < 5; i += 1) await attempt(client, "c1@example.test", WRONG, `198.51.100.${i}`);
    const refused = await attempt(client, "c1@example.test", PASSWORD, "198.51.100.50");
    expect(refused.statusCode).toBe(429);
    expect(refused.headers["retry-after"]).toBe("60");
    expect(refused.body).toContain('<html lang="fr-CA">');
    expect(refused.body).toContain("Veuillez patienter 1 minute avant de réessayer.");
    expect(refused.body).not.toContain("quelques minutes");
    // A minute later one more try; a wrong one doubles the wait.
    f.clock.advance(61_000);
    expect((await attempt(client, "c1@example.test", WRONG, "198.51.100.51")).statusCode).toBe(400);
    const again = await attempt(client, "c1@example.test", PASSWORD, "198.51.100.52");
    expect(again.statusCode).toBe(429);
    expect(again.headers["retry-after"]).toBe("120");
    expect(again.body).toContain("Veuillez patienter 2 minutes avant de réessayer.");
    // In English, after 30 more seconds: 90 s left, said as 2 minutes (rounded up).
    f.clock.advance(30_000);
    const english = f.client();
    const late = await attempt(english, "c1@example.test", PASSWORD, "198.51.100.53");
    expect(late.headers["retry-after"]).toBe("90");
    expect(late.body).toContain("Too many attempts. Please wait 2 minutes and try again.");
    // Once the wait is over, the right password works.
    f.clock.advance(91_000);
    expect((await attempt(english, "c1@example.test", PASSWORD, "198.51.100.54")).statusCode).toBe(303);
  });

  it("a stranger failing on a customer's e-mail does not keep the customer out of their own browser", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
    await f.addLogin("c1");
    const customer = f.client();
    expect((await attempt(customer, "c1@example.test", PASSWORD, "192.0.2.10")).statusCode).toBe(303);
    await customer.post("/logout", {});
    const stranger = f.client();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      statuses.push((await attempt(stranger, "c1@example.test", WRONG, `203.0.113.${i}`)).statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual(Array(7).fill(429));
    // A new browser waits; the customer's own browser (signed in there before) gets in.
    expect((await attempt(f.client(), "c1@example.test", PASSWORD, "192.0.2.10")).statusCode).toBe(429);
    expect((await attempt(customer, "c1@example.test", PASSWORD, "192.0.2.10")).statusCode).toBe(303);
  });

  it("the known browser's own wrong guesses are limited too", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
    await f.addLogin("c1");
    const customer = f.client();
    await attempt(customer, "c1@example.test", PASSWORD);
    await customer.post("/logout", {});
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1)
      statuses.push((await attempt(customer, "c1@example.test", WRONG)).statusCode);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429]);
  });

  it("a forged mark is not a known browser", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 2 });
    await f.addLogin("c1");
    for (let i = 0; i < 2; i += 1) await attempt(f.client(), "c1@example.test", WRONG, `203.0.113.${i}`);
    const client = f.client();
    await client.get("/login");
    // The client's cookie jar, given a mark of the right shape that this server never signed.
    (client as unknown as { cookies: Map<string, string> }).cookies.set(
      "tenure_known_client",
      "AAAAAAAAAAAAAAAAAAAAAA",
    );
    const response = await client.post("/login", { email: "c1@example.test", password: PASSWORD });
    expect(response.statusCode).toBe(429);
  });

  it("concurrent wrong guesses cannot all slip in before the first one fails", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
    await f.addLogin("c1");
    const clients = Array.from({ length: 20 }, () => f.client());
    await Promise.all(clients.map((c) => c.get("/login")));
    const responses = await Promise.all(
      clients.map((c, i) =>
        c.post("/login", { email: "c1@example.test", password: WRONG }, { remoteAddress: `203.0.113.${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("the back office uses the same rule: its staff member's own browser gets in", async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
    const staff = await f.addStaffMember("admin");
    const own = f.client();
    expect((await own.staffLogin(staff.email)).statusCode).toBe(303);
    await own.post("/admin/logout", {});
    const stranger = f.client();
    await stranger.get("/admin/login");
    for (let i = 0; i < 6; i += 1) {
      await stranger.post(
        "/admin/login",
        { email: staff.email, password: WRONG },
        { remoteAddress: `203.0.113.${i}` },
      );
    }
    expect((await f.client().staffLogin(staff.email)).statusCode).toBe(429);
    expect((await own.staffLogin(staff.email)).statusCode).toBe(303);
  });
});

describe("a proxy that is not trusted", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function appWithLog(trustProxy: false | string[]) {
    const lines: { level: number; msg: string }[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const fixture = await createFixture("sqlite");
    const app = await buildApp({
      deps: fixture.deps,
      clock: new ManualClock(at("2022-03-20T12:00:00Z")),
      mailer: null,
      logger: pino({ level: "warn" }, stream),
      sessionSecret: "a test secret that is at least thirty-two characters",
      baseUrl: "https://clients.example",
      trustProxy,
    });
    cleanups.push(async () => {
      await app.close();
      await fixture.dispose();
    });
    return { app, lines };
  }

  it("is said once in the log when the first request with X-Forwarded-For arrives", async () => {
    const { app, lines } = await appWithLog(false);
    await app.inject({ method: "GET", url: "/login" });
    expect(lines).toEqual([]);
    for (let i = 0; i < 3; i += 1) {
      await app.inject({ method: "GET", url: "/login", headers: { "x-forwarded-for": `203.0.113.${i}` } });
    }
    const warnings = lines.filter((l) => l.msg.includes("TENURE_TRUST_PROXY"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.level).toBe(40);
  });

  it("is not said when the proxy is trusted", async () => {
    const { app, lines } = await appWithLog(["127.0.0.1"]);
    await app.inject({ method: "GET", url: "/login", headers: { "x-forwarded-for": "203.0.113.1" } });
    expect(lines.filter((l) => l.msg.includes("TENURE_TRUST_PROXY"))).toEqual([]);
  });
});
