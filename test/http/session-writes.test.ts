/**
 * A page view reads the session but does not rewrite it while nothing in it changed: every GET
 * being a database write made page views contend with the engine. The stored expiry still slides,
 * an hour at a time, and a real change (the language) is written at once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HOUR } from "../../src/domain/time.js";
import { createHttpFixture, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("session writes (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
  });
  afterEach(async () => {
    vi.useRealTimers();
    await f.dispose();
  });

  const stored = () =>
    f.deps.db.selectFrom("sessions").select(["data", "expires_at"]).executeTakeFirstOrThrow();

  it("page views leave the stored session alone; its expiry moves once it lags by an hour", async () => {
    // The session cookie's expiry is the session plugin's, on the wall clock: move that clock.
    vi.useFakeTimers({ toFake: ["Date"] });
    const client = f.client();
    await client.login("c1@example.test");
    await client.get("/");
    const before = await stored();
    vi.setSystemTime(Date.now() + 30 * 60 * 1000);
    expect((await client.get("/")).statusCode).toBe(200);
    expect((await client.get("/domains")).statusCode).toBe(200);
    expect(await stored()).toEqual(before);
    vi.setSystemTime(Date.now() + HOUR);
    await client.get("/");
    const after = await stored();
    expect(after.expires_at).toBeGreaterThanOrEqual(before.expires_at + HOUR);
  });

  it("a change to the session is written at once", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    await client.get("/");
    const before = await stored();
    await client.post("/language", { locale: "fr-CA", back: "/" });
    expect((await stored()).data).not.toEqual(before.data);
    expect((await client.get("/")).body).toContain('lang="fr-CA"');
  });
});
