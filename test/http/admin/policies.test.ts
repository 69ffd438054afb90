/** The policies page (issue 9): every number in force, its source (default or policy file), its meaning. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolvePolicies } from "../../../src/domain/policies.js";
import { createHttpFixture, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

function row(body: string, field: string): string {
  const start = body.indexOf(`data-field="${field}"`);
  expect(start, field).toBeGreaterThan(-1);
  return body.slice(start, body.indexOf("</tr>", start));
}

describe.each(DIALECTS)("back office: policies (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
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
    const visitor = await f.client().get("/admin/policies");
    expect(visitor.statusCode).toBe(303);
    expect(visitor.headers.location).toBe(`/admin/login?next=${encodeURIComponent("/admin/policies")}`);
    for (const role of ["admin", "billing", "support"] as const)
      expect((await (await signedIn(role)).get("/admin/policies")).statusCode, role).toBe(200);
  });

  it("with the built-in policies, every number is a default, with its meaning", async () => {
    const page = await (await signedIn("support")).get("/admin/policies");
    expect(page.body).not.toContain('data-source="file"');
    const grace = row(page.body, "registrars.squarespace-domains.graceDays");
    expect(grace).toContain("<strong>60</strong>");
    expect(grace).toContain("Built-in default");
    expect(grace).toContain("reactivate at the normal price");
    expect(row(page.body, "registrars.gtld-registry.redemption")).toContain("30 days, restore fee $80.00");
    expect(row(page.body, "billing.invoiceDaysBefore")).toContain("<strong>14</strong>");
    expect(row(page.body, "automation.lateAfterIntervals")).toContain("<strong>3</strong>");
    expect(row(page.body, "pricing.priceLocks")).toContain(
      ".family, .life, .ninja, .photography registered before 2021-01-11",
    );
  });

  it("what the policy file changed reads as the file's, with the default it replaced; a declared registrar too", async () => {
    const resolved = resolvePolicies({
      registrars: {
        tucows: { graceDays: 40 },
        "my-reseller": { extends: "gtld-registry", chargeLeadDays: 30 },
      },
      billing: { retryEveryDays: 2 },
      automation: { stalledAfterMinutes: 30 },
    });
    if (!resolved.ok) throw new Error(resolved.errors.join("; "));
    f.deps.policies = resolved.policies;
    const page = await (await signedIn("admin", "fr-CA")).get("/admin/policies");
    expect(page.statusCode).toBe(200);
    const grace = row(page.body, "registrars.tucows.graceDays");
    expect(grace).toContain('data-source="file"');
    expect(grace).toContain("<strong>40</strong>");
    expect(grace).toContain("par défaut\u00a0: 30");
    expect(row(page.body, "registrars.tucows.chargeLeadDays")).toContain('data-source="default"');
    expect(row(page.body, "registrars.my-reseller.chargeLeadDays")).toContain("<strong>30</strong>");
    expect(row(page.body, "registrars.my-reseller.graceDays")).toContain('data-source="file"');
    expect(page.body).toContain("Déclaré dans le fichier de politiques");
    expect(row(page.body, "billing.retryEveryDays")).toContain('data-source="file"');
    expect(row(page.body, "billing.attempts")).toContain('data-source="default"');
    expect(row(page.body, "automation.stalledAfterMinutes")).toContain("Fichier de politiques");
    expect(row(page.body, "billing.retryEveryDays")).toContain("Jours entre deux tentatives");
  });

  it("an unknown path under it is a 404 for staff", async () => {
    expect((await (await signedIn("billing")).get("/admin/policies/nope")).statusCode).toBe(404);
  });
});
