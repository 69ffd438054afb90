/**
 * Turning two-step verification off takes a code: with a stolen session, guessing that code must
 * be as limited as guessing one at sign-in — for customers and for staff alike.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newTotpSecret, setTotp } from "../../src/modules/accounts/account-repository.js";
import { enableStaffTotp } from "../../src/modules/staff/staff-repository.js";
import { createHttpFixture, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("guessing the code that turns two-step verification off (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect, { loginAttempts: 5 });
  });
  afterEach(async () => {
    await f.dispose();
  });

  const guesses = async (post: (i: number) => Promise<{ statusCode: number }>) => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await post(i)).statusCode);
    return statuses;
  };

  it("a customer: 429 after the sign-in limit of failures, from any address, for a minute at first", async () => {
    await f.addLogin("c1");
    const client = f.client();
    await client.login("c1@example.test");
    await setTotp(f.deps.db, "c1", newTotpSecret());
    await client.get("/account");
    const statuses = await guesses((i) =>
      client.post(
        "/account/totp/disable",
        { code: String(100000 + i) },
        { remoteAddress: `198.51.100.${i + 1}` },
      ),
    );
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
    // Slowed down, not locked: a minute later the next guess is read again.
    f.clock.advance(60_000);
    expect((await client.post("/account/totp/disable", { code: "100009" })).statusCode).toBe(400);
  });

  it("a staff member: 429 after the sign-in limit of failures, from any address", async () => {
    const staff = await f.addStaffMember("billing");
    const client = f.client();
    await client.staffLogin(staff.email);
    await enableStaffTotp(f.deps.db, staff.id, newTotpSecret(), 1);
    await client.get("/admin/account");
    const statuses = await guesses((i) =>
      client.post(
        "/admin/account/totp/disable",
        { code: String(100000 + i) },
        { remoteAddress: `198.51.100.${i + 1}` },
      ),
    );
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429]);
  });
});
