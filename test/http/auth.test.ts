/** Sign-in, sign-out, CSRF, rate limits, password reset, language, 2FA: each outcome by status. */
import * as OTPAuth from "otpauth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpFixture, type HttpFixture, PASSWORD } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("signing in (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
    await f.addLogin("c1");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("302: a page behind sign-in sends an anonymous visitor to the sign-in page", async () => {
    const response = await f.client().get("/invoices");
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/login?next=%2Finvoices");
  });

  it("200: the sign-in page carries a CSRF token and security headers", async () => {
    const response = await f.client().get("/login");
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/name="_csrf" value="[^"]+"/);
    expect(response.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(response.headers["x-frame-options"]).toBe("SAMEORIGIN");
  });

  it("303: the right password signs in with an HttpOnly, SameSite=Lax session cookie, then back to `next`", async () => {
    const client = f.client();
    await client.get("/login?next=%2Finvoices");
    const response = await client.post("/login", {
      email: "C1@example.test",
      password: PASSWORD,
      next: "/invoices",
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe("/invoices");
    const cookie = String(response.headers["set-cookie"]);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
  });

  it("400: a wrong password shows the form again with one message for both fields", async () => {
    const response = await f.client().login("c1@example.test", "wrong password!");
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain("The e-mail address or the password is incorrect.");
    expect((await f.client().login("nobody@example.test")).body).toContain(
      "The e-mail address or the password is incorrect.",
    );
  });

  it("never redirects to another site after sign-in", async () => {
    const client = f.client();
    await client.get("/login");
    const response = await client.post("/login", {
      email: "c1@example.test",
      password: PASSWORD,
      next: "//evil.example/",
    });
    expect(response.headers.location).toBe("/");
  });

  it("403: a form posted without its CSRF token is refused and changes nothing", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const response = await client.post("/language", { locale: "fr-CA" }, { csrf: false });
    expect(response.statusCode).toBe(403);
    const customer = await f.deps.db
      .selectFrom("customers")
      .select("locale")
      .where("id", "=", "c1")
      .executeTakeFirstOrThrow();
    expect(customer.locale).toBe("en");
  });

  it("429: failed sign-ins are limited per account, whatever the address, for a minute at first", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const client = f.client();
      await client.get("/login");
      const response = await client.post(
        "/login",
        { email: "c1@example.test", password: "bad password" },
        { remoteAddress: `198.51.100.${i + 1}` },
      );
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses[5]).toBe(429);
    // The right password, from a browser that never signed in here, waits: one minute after the
    // fifth failure (the page says so), then it works.
    const late = f.client();
    await late.get("/login");
    const right = await late.post(
      "/login",
      { email: "c1@example.test", password: PASSWORD },
      { remoteAddress: "198.51.100.99" },
    );
    expect(right.statusCode).toBe(429);
    expect(right.headers["retry-after"]).toBe("60");
    expect(right.body).toContain("Please wait 1 minute and try again.");
    f.clock.advance(60_000);
    const after = await late.post(
      "/login",
      { email: "c1@example.test", password: PASSWORD },
      { remoteAddress: "198.51.100.99" },
    );
    expect(after.statusCode).toBe(303);
  });

  it("429: failed sign-ins are limited per address, and a forged X-Forwarded-For does not get around it", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const client = f.client();
      await client.get("/login");
      const response = await client.post(
        "/login",
        { email: `guess${i}@example.test`, password: "bad password" },
        { headers: { "x-forwarded-for": `203.0.113.${i}` } },
      );
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
  });

  it("signing out ends the session: the old cookie no longer opens the dashboard", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    expect((await client.get("/account")).statusCode).toBe(200);
    expect((await client.post("/logout", {})).statusCode).toBe(303);
    expect((await client.get("/account")).statusCode).toBe(303);
    const sessions = await f.deps.db
      .selectFrom("sessions")
      .select("sid")
      .where("customer_id", "=", "c1")
      .execute();
    expect(sessions).toEqual([]);
  });

  it("the language switch is remembered for the customer, and the pages follow it", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    await client.get("/account");
    await client.post("/language", { locale: "fr-CA", back: "/account" });
    const page = await client.get("/account");
    expect(page.body).toContain('<html lang="fr-CA">');
    expect(page.body).toContain("<h2>Sécurité</h2>");
    const customer = await f.deps.db
      .selectFrom("customers")
      .select("locale")
      .where("id", "=", "c1")
      .executeTakeFirstOrThrow();
    expect(customer.locale).toBe("fr-CA");
  });
});

describe.each(DIALECTS)("forgotten password (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
  });
  afterEach(async () => {
    await f.dispose();
  });

  function linkIn(text: string): string {
    const link = /https:\/\/clients\.example(\/password\/reset\/[A-Za-z0-9_-]+)/.exec(text)?.[1];
    if (!link) throw new Error("no reset link in the e-mail");
    return link;
  }

  it("e-mails a single-use link that sets a new password and signs out other sessions", async () => {
    const other = f.client();
    await other.login("c1@example.test");
    const client = f.client();
    await client.get("/password/forgot");
    const asked = await client.post("/password/forgot", { email: "c1@example.test" });
    expect(asked.statusCode).toBe(200);
    expect(f.mailer.sent).toHaveLength(1);
    const link = linkIn(f.mailer.sent[0]!.text);
    expect((await client.get(link)).statusCode).toBe(200);
    const tooShort = await client.post(link, { password: "short", confirm: "short" });
    expect(tooShort.statusCode).toBe(400);
    const done = await client.post(link, {
      password: "a brand new passphrase",
      confirm: "a brand new passphrase",
    });
    expect(done.statusCode).toBe(303);
    expect((await f.client().login("c1@example.test", "a brand new passphrase")).statusCode).toBe(303);
    expect((await f.client().login("c1@example.test")).statusCode).toBe(400);
    // The link works once; the other session was ended.
    expect((await client.get(link)).statusCode).toBe(404);
    expect((await other.get("/account")).statusCode).toBe(303);
  });

  it("expires after an hour", async () => {
    const client = f.client();
    await client.get("/password/forgot");
    await client.post("/password/forgot", { email: "c1@example.test" });
    const link = linkIn(f.mailer.sent[0]!.text);
    f.clock.advance(61 * 60_000);
    expect((await client.get(link)).statusCode).toBe(404);
  });

  it("answers the same for an unknown address, and sends nothing", async () => {
    const client = f.client();
    await client.get("/password/forgot");
    const response = await client.post("/password/forgot", { email: "nobody@example.test" });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain("If this address belongs to an account");
    expect(f.mailer.sent).toHaveLength(0);
  });
});

describe.each(DIALECTS)("two-step verification (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("once enabled, signing in asks for a valid code from the authenticator", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    await client.get("/account");
    const setup = await client.post("/account/totp/setup", {});
    expect(setup.statusCode).toBe(303);
    const page = await client.get("/account");
    const secret = /<code>([A-Z2-7]+)<\/code>/.exec(page.body)?.[1];
    expect(secret).toBeDefined();
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret!), digits: 6, period: 30 });
    const code = () => totp.generate({ timestamp: f.clock.now() });
    expect((await client.post("/account/totp/enable", { code: "000000" })).statusCode).toBe(400);
    expect((await client.post("/account/totp/enable", { code: code() })).statusCode).toBe(303);
    // The code that confirmed enrolment is used up: signing in takes the next one.
    f.clock.advance(30_000);

    const next = f.client();
    const first = await next.login("c1@example.test");
    expect(first.headers.location).toContain("/login/totp");
    expect((await next.get("/account")).statusCode).toBe(303);
    await next.get("/login/totp");
    expect((await next.post("/login/totp", { code: "123456" })).statusCode).toBe(400);
    expect((await next.post("/login/totp", { code: code() })).statusCode).toBe(303);
    expect((await next.get("/account")).statusCode).toBe(200);
  });
});

describe("flash messages", () => {
  it("a message with a link survives the redirect through the session store as markup", async () => {
    const { html } = await import("../../src/views/html.js");
    const { setFlash } = await import("../../src/http/context.js");
    const f = await createHttpFixture("sqlite");
    try {
      await f.addLogin("c1");
      f.app.get("/test-flash", async (request, reply) => {
        setFlash(request, { kind: "info", text: html`See <a href="/invoices/7">invoice #${"7<"}</a>` });
        return reply.redirect("/account", 303);
      });
      const client = f.client();
      await client.login("c1@example.test");
      await client.get("/test-flash");
      const page = await client.get("/account");
      expect(page.body).toContain('See <a href="/invoices/7">invoice #7&lt;</a>');
      expect(page.body).not.toContain("[object Object]");
      // Shown once only.
      expect((await client.get("/account")).body).not.toContain("invoice #7");
    } finally {
      await f.dispose();
    }
  });
});

describe.each(DIALECTS)("expired logins are purged (%s)", (dialect) => {
  it("the worker removes sessions and reset links past their expiry, and keeps live ones", async () => {
    const { purgeExpiredLogins } = await import("../../src/modules/accounts/purge-expired.js");
    const f = await createHttpFixture(dialect);
    try {
      await f.addLogin("c1");
      await f.client().login("c1@example.test");
      await f.deps.db
        .insertInto("sessions")
        .values({ sid: "old", customer_id: "c1", data: "{}", expires_at: f.clock.now() - 1 })
        .execute();
      const client = f.client();
      await client.get("/password/forgot");
      await client.post("/password/forgot", { email: "c1@example.test" });
      expect(await purgeExpiredLogins(f.deps.db, f.clock.now())).toEqual({ sessions: 1, resets: 0 });
      expect(await purgeExpiredLogins(f.deps.db, f.clock.now() + 2 * 3_600_000)).toEqual({
        sessions: 0,
        resets: 1,
      });
      const left = await f.deps.db.selectFrom("sessions").select("sid").execute();
      expect(left.map((s) => s.sid)).not.toContain("old");
      expect(left.length).toBeGreaterThan(0);
    } finally {
      await f.dispose();
    }
  });
});
