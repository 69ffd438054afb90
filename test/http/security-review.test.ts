/**
 * Five defects found by a security review, each pinned by the request that showed it: the TOTP
 * step's rate limit and code reuse, forwarded addresses, open redirects, password reset links,
 * and caching of signed-in pages.
 */
import * as OTPAuth from "otpauth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../src/main/config.js";
import { newTotpSecret, setTotp } from "../../src/modules/accounts/account-repository.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

const USED_CODE = "This code has already been used. Wait for the next one from your authenticator app.";

describe.each(DIALECTS)("two-step verification: limits and reuse (%s)", (dialect) => {
  let f: HttpFixture;
  let secret: string;
  const code = (at = f.clock.now()) =>
    new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
      timestamp: at,
    });
  /** A client whose password step is done and whose code is still to enter. */
  const pendingClient = async (): Promise<HttpClient> => {
    const client = f.client();
    const response = await client.login("c1@example.test");
    expect(response.headers.location).toContain("/login/totp");
    await client.get("/login/totp");
    return client;
  };

  beforeEach(async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 10 });
    await f.addLogin("c1");
    secret = newTotpSecret();
    await setTotp(f.deps.db, "c1", secret);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("429: wrong codes are counted against the pending account, whatever `email` the form carries", async () => {
    const client = await pendingClient();
    const wrong = code() === "000000" ? "111111" : "000000";
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) {
      const response = await client.post(
        "/login/totp",
        { code: wrong, email: `x${i}@nowhere` },
        // A new address each time: only the per-account counter can stop this.
        { remoteAddress: `198.51.100.${i + 1}` },
      );
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses.slice(10)).toEqual(Array(15).fill(429));
    const right = await client.post(
      "/login/totp",
      { code: code(), email: "x99@nowhere" },
      { remoteAddress: "198.51.100.99" },
    );
    expect(right.statusCode).toBe(429);
    expect((await client.get("/account")).statusCode).toBe(303);
    // Slowed down rather than locked: once the wait is over, a right code signs in.
    f.clock.advance(Number(right.headers["retry-after"]) * 1000);
    const later = await client.post("/login/totp", { code: code() });
    expect(later.statusCode).toBe(303);
  });

  it("400: a code that signed in once is refused the second time, with a message saying so", async () => {
    const used = code();
    const first = await pendingClient();
    expect((await first.post("/login/totp", { code: used })).statusCode).toBe(303);
    expect((await first.get("/account")).statusCode).toBe(200);
    expect((await first.post("/logout", {})).statusCode).toBe(303);

    const again = await pendingClient();
    const replay = await again.post("/login/totp", { code: used });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain(USED_CODE);
    expect((await again.get("/account")).statusCode).toBe(303);
    // A code of the previous window, still within the drift allowance, is refused too.
    expect((await again.post("/login/totp", { code: code(f.clock.now() - 30_000) })).statusCode).toBe(400);
    // The next window's code works.
    f.clock.advance(30_000);
    expect((await again.post("/login/totp", { code: code() })).statusCode).toBe(303);
  });

  it("two concurrent sign-ins with the same code: only one gets in", async () => {
    const a = await pendingClient();
    const b = await pendingClient();
    const same = code();
    const statuses = (
      await Promise.all([a.post("/login/totp", { code: same }), b.post("/login/totp", { code: same })])
    ).map((r) => r.statusCode);
    expect(statuses.sort()).toEqual([303, 400]);
  });

  it("the code that confirmed enrolment cannot sign in afterwards", async () => {
    await setTotp(f.deps.db, "c1", null);
    const client = f.client();
    await client.login("c1@example.test");
    await client.get("/account");
    await client.post("/account/totp/setup", {});
    const page = await client.get("/account");
    secret = /<code>([A-Z2-7]+)<\/code>/.exec(page.body)?.[1] ?? "";
    const used = code();
    expect((await client.post("/account/totp/enable", { code: used })).statusCode).toBe(303);
    await client.post("/logout", {});

    const next = await pendingClient();
    const replay = await next.post("/login/totp", { code: used });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain(USED_CODE);
  });
});

describe.each(DIALECTS)("behind a proxy (%s)", (dialect) => {
  let f: HttpFixture | undefined;
  afterEach(async () => {
    await f?.dispose();
    f = undefined;
  });

  /** Six sign-in attempts from one real client, each with a different forged X-Forwarded-For. */
  async function forgedAttempts(app: HttpFixture, remoteAddress: string, realClient: string) {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const client = app.client();
      await client.get("/login");
      const response = await client.post(
        "/login",
        { email: `guess${i}@example.test`, password: "bad password" },
        // The client wrote the left-most entry; the proxy appended the address it saw.
        { remoteAddress, headers: { "x-forwarded-for": `203.0.113.${i}, ${realClient}` } },
      );
      statuses.push(response.statusCode);
    }
    return statuses;
  }

  it.each(["1", "true", "127.0.0.1", "10.0.0.0/8, 127.0.0.1/32", "loopback"])(
    "429: TENURE_TRUST_PROXY=%j: forged left-most X-Forwarded-For values share one bucket (or the value is refused)",
    async (value) => {
      let trustProxy: ReturnType<typeof readConfig>["trustProxy"];
      try {
        trustProxy = readConfig({ TENURE_TRUST_PROXY: value }).trustProxy;
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return;
      }
      f = await createHttpFixture(dialect, { loginAttempts: 5, trustProxy });
      expect(await forgedAttempts(f, "127.0.0.1", "198.51.100.7")).toEqual([400, 400, 400, 400, 400, 429]);
    },
  );

  it("behind the configured proxy, the client's own address (added by the proxy) is its bucket", async () => {
    const { trustProxy } = readConfig({ TENURE_TRUST_PROXY: "127.0.0.1" });
    f = await createHttpFixture(dialect, { loginAttempts: 5, trustProxy });
    expect(await forgedAttempts(f, "127.0.0.1", "198.51.100.7")).toEqual([400, 400, 400, 400, 400, 429]);
    // Another client behind the same proxy has a bucket of its own.
    expect((await forgedAttempts(f, "127.0.0.1", "198.51.100.8"))[0]).toBe(400);
  });

  it("429: a peer that is not the configured proxy is counted by its own address", async () => {
    const { trustProxy } = readConfig({ TENURE_TRUST_PROXY: "10.0.0.1" });
    f = await createHttpFixture(dialect, { loginAttempts: 5, trustProxy });
    expect(await forgedAttempts(f, "192.0.2.50", "198.51.100.7")).toEqual([400, 400, 400, 400, 400, 429]);
  });
});

describe("TENURE_TRUST_PROXY", () => {
  it("is off by default and with 0", () => {
    expect(readConfig({}).trustProxy).toBe(false);
    expect(readConfig({ TENURE_TRUST_PROXY: "0" }).trustProxy).toBe(false);
  });

  it("takes a list of the proxies' addresses or CIDR ranges", () => {
    expect(readConfig({ TENURE_TRUST_PROXY: " 10.0.0.1, 192.168.0.0/16,::1 " }).trustProxy).toEqual([
      "10.0.0.1",
      "192.168.0.0/16",
      "::1",
    ]);
    expect(readConfig({ TENURE_TRUST_PROXY: "fd00::/8,loopback" }).trustProxy).toEqual([
      "fd00::/8",
      "loopback",
    ]);
  });

  it.each(["1", "true", "2"])(
    "refuses %j (which trusted what the client writes), saying what to give instead",
    (value) => {
      expect(() => readConfig({ TENURE_TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => readConfig({ TENURE_TRUST_PROXY: value })).toThrow(
        /TENURE_TRUST_PROXY: .*proxy's address/,
      );
    },
  );

  it.each(["yes", "10.0.0.1/33", "proxy.example", "10.0.0.1,,", "-1", "300.0.0.1"])(
    "refuses %j, naming the variable",
    (value) => {
      expect(() => readConfig({ TENURE_TRUST_PROXY: value })).toThrow(ConfigError);
      expect(() => readConfig({ TENURE_TRUST_PROXY: value })).toThrow(/TENURE_TRUST_PROXY/);
    },
  );
});

describe.each(DIALECTS)("redirects stay on this site (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  it.each([
    "/..//evil.com",
    "/%2e%2e//evil.com",
    "/./..//evil.com/x",
    "//evil.com",
    "/\\evil.com",
    "https://evil.com",
  ])("303 to /: POST /language with back=%j", async (back) => {
    const client = f.client();
    await client.get("/login");
    const response = await client.post("/language", { locale: "fr-CA", back });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/");
  });

  it("303: a path on this site is followed", async () => {
    const client = f.client();
    await client.get("/login");
    const response = await client.post("/language", { locale: "fr-CA", back: "/password/forgot?x=1" });
    expect(response.headers.location).toBe("/password/forgot?x=1");
  });
});

describe.each(DIALECTS)("password reset links (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
    await f.addLogin("c2");
  });
  afterEach(async () => {
    await f.dispose();
  });

  const ask = async (email: string) => {
    const client = f.client();
    await client.get("/password/forgot");
    expect((await client.post("/password/forgot", { email })).statusCode).toBe(200);
    return client;
  };
  const linkTo = (email: string, nth = 0): string => {
    const mails = f.mailer.sent.filter((m) => m.to === email);
    const link = /https:\/\/clients\.example(\/password\/reset\/[A-Za-z0-9_-]+)/.exec(
      mails[nth]?.text ?? "",
    )?.[1];
    if (!link) throw new Error(`no reset link number ${nth} for ${email}`);
    return link;
  };

  it("two customers asking in the same millisecond both get their e-mail", async () => {
    await ask("c1@example.test");
    await ask("c2@example.test");
    expect(f.mailer.sent.map((m) => m.to).sort()).toEqual(["c1@example.test", "c2@example.test"]);
    expect(linkTo("c1@example.test")).not.toBe(linkTo("c2@example.test"));
  });

  it("using one of two links refuses the other", async () => {
    await ask("c1@example.test");
    f.clock.advance(1000);
    await ask("c1@example.test");
    const [first, second] = [linkTo("c1@example.test", 0), linkTo("c1@example.test", 1)];
    const client = f.client();
    expect((await client.get(first)).statusCode).toBe(200);
    expect((await client.get(second)).statusCode).toBe(200);
    const done = await client.post(second, {
      password: "a brand new passphrase",
      confirm: "a brand new passphrase",
    });
    expect(done.statusCode).toBe(303);
    expect((await client.get(first)).statusCode).toBe(404);
    const late = await client.post(first, {
      password: "yet another passphrase",
      confirm: "yet another passphrase",
    });
    expect(late.statusCode).toBe(404);
    expect((await f.client().login("c1@example.test", "a brand new passphrase")).statusCode).toBe(303);
    // The other customer's link is untouched.
    await ask("c2@example.test");
    expect((await client.get(linkTo("c2@example.test"))).statusCode).toBe(200);
  });

  it("a reset also ends a session that was halfway signed in (second step pending)", async () => {
    const secret = newTotpSecret();
    await setTotp(f.deps.db, "c1", secret);
    const halfway = f.client();
    expect((await halfway.login("c1@example.test")).headers.location).toContain("/login/totp");
    await halfway.get("/login/totp");
    await ask("c1@example.test");
    const client = f.client();
    await client.get(linkTo("c1@example.test"));
    const done = await client.post(linkTo("c1@example.test"), {
      password: "a brand new passphrase",
      confirm: "a brand new passphrase",
    });
    expect(done.statusCode).toBe(303);
    // Nothing is pending any more: the second-step page sends back to the password.
    const late = await halfway.get("/login/totp");
    expect(late.statusCode).toBe(303);
    expect(late.headers.location).toBe("/login");
  });

  it("the outbox holds no part of the raw token, and the e-mail sent still has the whole link", async () => {
    await ask("c1@example.test");
    const token = linkTo("c1@example.test").split("/").pop() ?? "";
    expect(token.length).toBeGreaterThanOrEqual(40);
    const rows = await f.deps.db.selectFrom("notices").selectAll().execute();
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows);
    for (let i = 0; i + 8 <= token.length; i += 1) expect(stored).not.toContain(token.slice(i, i + 8));
    expect(f.mailer.sent[0]?.html).toContain(`/password/reset/${token}`);
  });

  it("a notice queued while SMTP was down is still delivered with a working link later", async () => {
    const { deliverPendingNotices } = await import("../../src/modules/notifications/deliver-notices.js");
    const { noticeSecrets } = await import("../../src/modules/notifications/notice-secrets.js");
    const { RecordingMailer } = await import("../support/http.js");
    const down = { send: async () => Promise.reject(new Error("SMTP is down")) };
    const sealer = noticeSecrets("a test secret that is at least thirty-two characters");
    const retry = new RecordingMailer();
    f.mailer.send = down.send;
    await ask("c1@example.test");
    const report = await deliverPendingNotices(f.deps.db, sealer.unsealingMailer(retry), f.clock.now());
    expect(report.sent).toBe(1);
    const link = /https:\/\/clients\.example(\/password\/reset\/[A-Za-z0-9_-]+)/.exec(
      retry.sent[0]?.text ?? "",
    )?.[1];
    expect(link).toBeDefined();
    expect((await f.client().get(link ?? "")).statusCode).toBe(200);
  });
});

describe.each(DIALECTS)("caching (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("signed-in pages are never stored by a browser or a proxy", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    for (const url of ["/", "/account", "/invoices"]) {
      const response = await client.get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.headers["cache-control"], url).toBe("no-store");
    }
    await client.post("/account/totp/setup", {});
    const setup = await client.get("/account");
    expect(setup.body).toContain("otpauth://");
    expect(setup.headers["cache-control"]).toBe("no-store");
  });

  it("the sign-in and second-step pages are not stored either", async () => {
    await setTotp(f.deps.db, "c1", newTotpSecret());
    const client = f.client();
    expect((await client.get("/login")).headers["cache-control"]).toBe("no-store");
    await client.login("c1@example.test");
    expect((await client.get("/login/totp")).headers["cache-control"]).toBe("no-store");
  });

  it("public static assets stay cacheable, signed in or not", async () => {
    const client = f.client();
    for (const step of ["anonymous", "signed in"]) {
      if (step === "signed in") await client.login("c1@example.test");
      const response = await client.get("/assets/app.css");
      expect(response.statusCode, step).toBe(200);
      expect(response.headers["cache-control"], step).not.toContain("no-store");
      expect(response.headers["cache-control"], step).toMatch(/public/);
    }
  });
});
