/**
 * The back office's door: staff sign-in (one-time password replaced first, then TOTP offered and
 * kept for admins), sessions that never mix with customers', role refusals that name the role,
 * the shared rate limits, disabled staff, and the audit log the database keeps append-only.
 */

import { sql } from "kysely";
import * as OTPAuth from "otpauth";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newTotpSecret } from "../../../src/modules/accounts/account-repository.js";
import { listAudit } from "../../../src/modules/staff/audit-log.js";
import {
  disableStaff,
  enableStaffTotp,
  findStaffByEmail,
} from "../../../src/modules/staff/staff-repository.js";
import { createHttpFixture, type HttpFixture, PASSWORD } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

const codeOf = (secret: string, at: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp: at,
  });

describe.each(DIALECTS)("staff sign-in (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
  });
  afterEach(async () => {
    await f.dispose();
  });

  it("a page behind the back office sends a visitor to /admin/login with next", async () => {
    const response = await f.client().get("/admin/customers?q=x");
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/admin/login?next=${encodeURIComponent("/admin/customers?q=x")}`);
  });

  it("first sign-in: the one-time password must be replaced, then two-step verification is offered", async () => {
    const staff = await f.addStaffMember("billing", { oneTimePassword: true });
    const client = f.client();
    const signIn = await client.staffLogin(staff.email, staff.password);
    expect(signIn.statusCode).toBe(303);
    expect(signIn.headers.location).toBe("/admin/password");
    // Every other page waits for the new password.
    expect((await client.get("/admin")).headers.location).toBe("/admin/password");
    await client.get("/admin/password");
    const same = await client.post("/admin/password", { password: staff.password, confirm: staff.password });
    expect(same.statusCode).toBe(400);
    expect(same.body).toContain("other than the one-time password");
    const short = await client.post("/admin/password", { password: "short", confirm: "short" });
    expect(short.statusCode).toBe(400);
    const changed = await client.post("/admin/password", {
      password: "a staff password of my own",
      confirm: "a staff password of my own",
    });
    expect(changed.headers.location).toBe("/admin/account");
    const account = await client.get("/admin/account");
    expect(account.body).toContain("Turn on");
    expect((await client.get("/admin")).statusCode).toBe(200);
    // The old one-time password no longer works.
    const again = f.client();
    expect((await again.staffLogin(staff.email, staff.password)).statusCode).toBe(400);
    expect((await again.staffLogin(staff.email, "a staff password of my own")).headers.location).toBe(
      "/admin",
    );
  });

  it("TOTP: enrolment proves the key, then sign-in asks for a code that works once; an admin cannot turn it off", async () => {
    const staff = await f.addStaffMember("admin");
    const client = f.client();
    await client.staffLogin(staff.email);
    await client.get("/admin/account");
    await client.post("/admin/account/totp/setup", {});
    const page = await client.get("/admin/account");
    const secret = /<code>([A-Z2-7]{32})<\/code>/.exec(page.body)?.[1];
    expect(secret).toBeDefined();
    const wrong = await client.post("/admin/account/totp/enable", {
      code: "000000" === codeOf(secret ?? "", f.clock.now()) ? "111111" : "000000",
    });
    expect(wrong.statusCode).toBe(400);
    const enabled = await client.post("/admin/account/totp/enable", {
      code: codeOf(secret ?? "", f.clock.now()),
    });
    expect(enabled.statusCode).toBe(303);
    expect((await findStaffByEmail(f.deps.db, staff.email))?.totpEnabled).toBe(true);
    const off = await client.post("/admin/account/totp/disable", {
      code: codeOf(secret ?? "", f.clock.now()),
    });
    expect(off.statusCode).toBe(400);
    expect(off.body).toContain("cannot turn two-step verification off");

    f.clock.advance(60_000);
    const next = f.client();
    const step1 = await next.staffLogin(staff.email);
    expect(step1.headers.location).toBe(`/admin/login/totp?next=${encodeURIComponent("/admin")}`);
    // Halfway signed in is not signed in.
    expect((await next.get("/admin")).headers.location).toContain("/admin/login");
    await next.get("/admin/login/totp");
    const code = codeOf(secret ?? "", f.clock.now());
    expect((await next.post("/admin/login/totp", { code })).headers.location).toBe("/admin");
    expect((await next.get("/admin")).statusCode).toBe(200);
    const replay = f.client();
    await replay.staffLogin(staff.email);
    await replay.get("/admin/login/totp");
    const reused = await replay.post("/admin/login/totp", { code });
    expect(reused.statusCode).toBe(400);
    expect(reused.body).toContain("already used");
  });

  it("a customer session never opens /admin, and a staff session is not a customer's", async () => {
    await f.addLogin("c1");
    const staff = await f.addStaffMember("admin");
    const customer = f.client();
    await customer.login("c1@example.test");
    expect((await customer.get("/")).statusCode).toBe(200);
    const denied = await customer.get("/admin");
    expect(denied.statusCode).toBe(303);
    expect(denied.headers.location).toContain("/admin/login");
    // Signing in as staff in the same browser ends the customer's session.
    await customer.staffLogin(staff.email);
    expect((await customer.get("/admin")).statusCode).toBe(200);
    expect((await customer.get("/")).headers.location).toContain("/login");
    // And the other way round.
    await customer.login("c1@example.test");
    expect((await customer.get("/")).statusCode).toBe(200);
    expect((await customer.get("/admin")).headers.location).toContain("/admin/login");
    // A customer's password is not a staff password, even with the same address.
    const same = await f.addStaffMember("support", { email: "c1@example.test" });
    const other = f.client();
    const wrong = await other.staffLogin(same.email, "not the staff password at all");
    expect(wrong.statusCode).toBe(400);
  });

  it("403 names the role a page needs, in the staff member's language", async () => {
    const support = await f.addStaffMember("support", { locale: "fr-CA" });
    const client = f.client();
    await client.staffLogin(support.email);
    const refused = await client.get("/admin/staff");
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain("Cette page exige le rôle Administration");
    expect(refused.body).toContain("rôle Soutien");
  });

  it("failed sign-ins are limited per account and per address, as in the client area", async () => {
    const staff = await f.addStaffMember("admin");
    const client = f.client();
    await client.get("/admin/login");
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const r = await client.post(
        "/admin/login",
        { email: staff.email, password: "wrong password here" },
        { remoteAddress: `198.51.100.${i + 1}` },
      );
      statuses.push(r.statusCode);
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    // The wait is the real one, a minute at first; then the right password works.
    const refused = await client.post("/admin/login", { email: staff.email, password: PASSWORD });
    expect(refused.headers["retry-after"]).toBe("60");
    expect(refused.body).toContain("Please wait 1 minute");
    f.clock.advance(60_000);
    expect((await client.post("/admin/login", { email: staff.email, password: PASSWORD })).statusCode).toBe(
      303,
    );
  });

  it("disabling a staff member ends their session at once", async () => {
    const staff = await f.addStaffMember("billing");
    const client = f.client();
    await client.staffLogin(staff.email);
    expect((await client.get("/admin")).statusCode).toBe(200);
    await disableStaff(f.deps.db, staff.email, f.clock.now());
    expect((await client.get("/admin")).headers.location).toContain("/admin/login");
    expect((await f.client().staffLogin(staff.email)).statusCode).toBe(400);
  });

  it("sign-ins and account changes are in the audit log, which the database refuses to edit or delete", async () => {
    const staff = await f.addStaffMember("admin");
    const secret = newTotpSecret();
    await enableStaffTotp(f.deps.db, staff.id, secret, 1);
    const client = f.client();
    await client.staffLogin(staff.email);
    await client.get("/admin/login/totp");
    await client.post(
      "/admin/login/totp",
      { code: codeOf(secret, f.clock.now()) },
      { remoteAddress: "203.0.113.9" },
    );
    const lines = await listAudit(f.deps.db, { objectId: staff.id });
    expect(lines.map((l) => l.action)).toEqual(["staff.signed-in"]);
    expect(lines[0]).toMatchObject({ staffEmail: staff.email, role: "admin", clientAddress: "203.0.113.9" });
    await expect(sql`UPDATE audit_log SET reason = 'rewritten'`.execute(f.deps.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`DELETE FROM audit_log`.execute(f.deps.db)).rejects.toThrow(/append-only/);
    expect(await listAudit(f.deps.db, { objectId: staff.id })).toHaveLength(1);
  });
});
