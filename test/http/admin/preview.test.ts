/** The preview page (issue 9): validated days, one customer or the whole book, day sections with totals. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../../src/engine/run-engine.js";
import { at } from "../../support/engine-fixture.js";
import { createHttpFixture, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

describe.each(DIALECTS)("back office: preview (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect, { now: "2022-03-20T12:00:00Z" });
    // c1's domain is charged 2022-03-31 (20.00 USD); c2's monthly hosting renews on the 1st.
    await f.addCustomer("c1", "ok");
    await f.addCustomer("c2", "ok", "fr-CA");
    await f.addDomain("d1", "c1", "preview.example", "2021-04-15T14:00:00Z");
    await f.addHosting("h2", "c2", "2022-01-01T00:00:00Z", "monthly");
    await runEngine(f.deps, at("2022-03-20T12:00:00Z"));
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function signedIn(role: "admin" | "billing" | "support", locale: "en" | "fr-CA" = "en") {
    const staff = await f.addStaffMember(role, { locale, email: `${role}-${locale}@staff.test` });
    const client = f.client();
    await client.staffLogin(staff.email);
    return client;
  }

  it("a visitor is sent to sign in; every role reads it", async () => {
    const visitor = await f.client().get("/admin/preview?days=30");
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(
      `/admin/login?next=${encodeURIComponent("/admin/preview?days=30")}`,
    );
    for (const role of ["admin", "billing", "support"] as const)
      expect((await (await signedIn(role)).get("/admin/preview")).statusCode, role).toBe(200);
  });

  it("the next 30 days, by day, with the charges' amounts and totals per currency", async () => {
    const client = await signedIn("billing");
    const page = await client.get("/admin/preview?days=30");
    expect(page.statusCode).toBe(200);
    const days = [...page.body.matchAll(/data-day="([0-9-]+)"/g)].map((m) => m[1]);
    expect(days).toEqual([...days].sort());
    // The hosting (16.00) is charged on 04-01, the domain (20.00) on 03-31: 36.00 USD in all.
    expect(days).toContain("2022-03-31");
    expect(days).toContain("2022-04-01");
    const day31 = page.body.slice(page.body.indexOf('data-day="2022-03-31"'));
    expect(day31.slice(0, day31.indexOf("</section>"))).toContain("$20.00");
    expect(page.body).toContain('data-testid="total-charged">$36.00<');
    expect(page.body).toContain("preview.example");
  });

  it("tomorrow only shows nothing when nothing is due, said plainly", async () => {
    const page = await (await signedIn("support")).get("/admin/preview?days=1");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Nothing is due in this period.");
    expect(page.body).not.toContain("data-day=");
  });

  it("for one customer only; an unknown customer is a 404 with the form", async () => {
    const client = await signedIn("admin", "fr-CA");
    const page = await client.get("/admin/preview?days=30&customer=c2");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("Pour le client c2 seulement.");
    expect(page.body).not.toContain("preview.example");
    expect(page.body).toContain("Hosting h2");
    const unknown = await client.get("/admin/preview?days=30&customer=nobody");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("Aucun client n’a l’identifiant nobody.");
  });

  it("days outside 1-90 or not a whole number: 400 with the message and the form", async () => {
    const client = await signedIn("support");
    for (const days of ["0", "91", "abc", "1.5", "-3", "1000"]) {
      const page = await client.get(`/admin/preview?days=${days}`);
      expect(page.statusCode, days).toBe(400);
      expect(page.body).toContain("Choose a number of days from 1 to 90.");
      expect(page.body).toContain('name="days"');
    }
    expect((await client.get("/admin/preview?days=1&days=2")).statusCode).toBe(400);
    expect((await client.get("/admin/preview?days=90")).statusCode).toBe(200);
  });
});
