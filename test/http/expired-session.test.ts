/**
 * Issue 12, items 5 and 11: a form posted after the session expired showed an English 403 to a
 * French customer (lang=en, no sign-in link, what was typed lost); the first visit ignored
 * Accept-Language. Now: the sign-in page in the visitor's language, then back to the form with
 * what was typed; Accept-Language (fr* → fr-CA) before sign-in, the customer's own once signed in.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { browserLocale } from "../../src/http/locale.js";
import { createHttpFixture, type HttpClient, type HttpFixture, PASSWORD } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

const SITE = "http://localhost:80";

describe("Accept-Language", () => {
  it("the first language we speak, by q: any French is fr-CA", () => {
    expect(browserLocale("fr-FR,fr;q=0.9,en;q=0.8")).toBe("fr-CA");
    expect(browserLocale("fr")).toBe("fr-CA");
    expect(browserLocale("de-DE, en-GB;q=0.7, fr;q=0.5")).toBe("en");
    expect(browserLocale("en;q=0.4, fr-CA;q=0.9")).toBe("fr-CA");
    expect(browserLocale("fr;q=0, en")).toBe("en");
    expect(browserLocale("de, es")).toBeNull();
    expect(browserLocale("")).toBeNull();
    expect(browserLocale(undefined)).toBeNull();
    expect(browserLocale("*;q=abc,,;;")).toBeNull();
  });
});

describe.each(DIALECTS)("before sign-in and after the session expired (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
  });
  afterEach(async () => {
    await f.dispose();
  });

  const get = (url: string, headers: Record<string, string>) => f.app.inject({ method: "GET", url, headers });

  it("the first visit follows Accept-Language; a customer's own language follows once signed in", async () => {
    await f.addLogin("c1", "ok", "en");
    const french = await get("/login", { "accept-language": "fr-CA,fr;q=0.9,en;q=0.8" });
    expect(french.body).toContain('<html lang="fr-CA">');
    expect(french.body).toContain("Mot de passe");
    expect((await get("/login", { "accept-language": "en-US,en;q=0.9" })).body).toContain('<html lang="en">');
    expect((await get("/login", { "accept-language": "de-DE" })).body).toContain('<html lang="en">');
    // The demo-like customer stored in English keeps English once signed in, whatever the browser.
    const client = f.client();
    await client.login("c1@example.test");
    const page = await f.app.inject({
      method: "GET",
      url: "/account",
      headers: {
        "accept-language": "fr-CA",
        cookie: [...(client as unknown as { cookies: Map<string, string> }).cookies]
          .map(([name, value]) => `${name}=${value}`)
          .join("; "),
      },
    });
    expect(page.body).toContain('<html lang="en">');
  });

  async function frenchCustomerOnTheForm(): Promise<HttpClient> {
    await f.addLogin("c1", "ok", "fr-CA");
    const client = f.client();
    expect((await client.login("c1@example.test")).statusCode).toBe(303);
    expect((await client.get("/requests/new")).body).toContain('<html lang="fr-CA">');
    // The session ends (expired and purged) while the customer is typing.
    await f.deps.db.deleteFrom("sessions").execute();
    return client;
  }

  it("a form posted after the session expired: the sign-in in French, then the form with what was typed", async () => {
    const client = await frenchCustomerOnTheForm();
    const posted = await client.post(
      "/requests",
      { kind: "question", subject: "Ma question importante", message: "Un long texte tapé avec soin." },
      { headers: { origin: SITE, referer: `${SITE}/requests/new?kind=question` } },
    );
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe(`/login?next=${encodeURIComponent("/requests/new?kind=question")}`);
    const login = await client.get(String(posted.headers.location));
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('<html lang="fr-CA">');
    expect(login.body).toContain("Votre session a expiré");
    expect(login.body).toContain('action="/login"');
    expect(login.body).toContain('name="next" value="/requests/new?kind=question"');
    // Nothing was created.
    expect(await f.deps.db.selectFrom("tickets").select("id").execute()).toEqual([]);

    const signedIn = await client.post("/login", {
      email: "c1@example.test",
      password: PASSWORD,
      next: "/requests/new?kind=question",
    });
    expect(signedIn.headers.location).toBe("/requests/new?kind=question");
    const form = await client.get("/requests/new?kind=question");
    expect(form.body).toContain('value="Ma question importante"');
    expect(form.body).toContain("Un long texte tapé avec soin.");
    expect(form.body).toContain("Ce que vous aviez tapé avant l&#39;expiration de votre session est revenu.");
    // Once: the next visit is an empty form.
    expect((await client.get("/requests/new?kind=question")).body).not.toContain("Ma question importante");
  });

  it("a post from another site is sent to sign in, but nothing it carried is kept", async () => {
    const client = await frenchCustomerOnTheForm();
    const posted = await client.post(
      "/requests",
      { kind: "question", subject: "Planted by another site", message: "Planted text here." },
      { headers: { origin: "https://evil.example", referer: "https://evil.example/form" } },
    );
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe("/login?next=%2F");
    await client.get("/login");
    await client.post("/login", { email: "c1@example.test", password: PASSWORD });
    expect((await client.get("/requests/new")).body).not.toContain("Planted");
  });

  it("passwords and codes typed in a form are never kept", async () => {
    const client = await frenchCustomerOnTheForm();
    await client.post(
      "/account/totp/disable",
      { code: "123456", password: "secret words" },
      { headers: { origin: SITE, referer: `${SITE}/account` } },
    );
    const row = await f.deps.db.selectFrom("sessions").select("data").executeTakeFirstOrThrow();
    expect(row.data).toContain("resumeForm");
    expect(row.data).not.toContain("123456");
    expect(row.data).not.toContain("secret words");
  });
});
