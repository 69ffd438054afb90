/**
 * Issue 12, item 6: two concurrent posts of the new-request form opened two identical requests.
 * The form carries a one-time token: however many times it is posted, one request is opened, and
 * every post is sent to it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpFixture, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("one-time form tokens (%s)", (dialect) => {
  let f: HttpFixture;
  beforeEach(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("c1");
  });
  afterEach(async () => {
    await f.dispose();
  });

  const tickets = () => f.deps.db.selectFrom("tickets").select("id").execute();

  it("two concurrent posts of the new-request form open one request, and both go to it", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const page = await client.get("/requests/new?kind=question");
    const token = /name="form_token" value="([^"]+)"/.exec(page.body)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const form = {
      form_token: token ?? "",
      kind: "question",
      subject: "Same question",
      message: "Sent twice at once.",
    };
    const [a, b] = await Promise.all([client.post("/requests", form), client.post("/requests", form)]);
    expect([a.statusCode, b.statusCode]).toEqual([303, 303]);
    const opened = await tickets();
    expect(opened).toHaveLength(1);
    expect(a.headers.location).toBe(`/requests/${opened[0]?.id}`);
    expect(b.headers.location).toBe(`/requests/${opened[0]?.id}`);
    // Sent again later (a resent request): still one.
    expect((await client.post("/requests", form)).headers.location).toBe(`/requests/${opened[0]?.id}`);
    expect(await tickets()).toHaveLength(1);
  });

  it("a new form is a new token: a second request is opened on purpose", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    for (let i = 0; i < 2; i += 1) {
      const page = await client.get("/requests/new?kind=question");
      const token = /name="form_token" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
      await client.post("/requests", {
        form_token: token,
        kind: "question",
        subject: `Question ${i}`,
        message: "Two forms.",
      });
    }
    expect(await tickets()).toHaveLength(2);
  });

  it("a form shown again with its errors keeps its token, and the corrected post opens one request", async () => {
    const client = f.client();
    await client.login("c1@example.test");
    const page = await client.get("/requests/new?kind=question");
    const token = /name="form_token" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const wrong = await client.post("/requests", {
      form_token: token,
      kind: "question",
      subject: "x",
      message: "y",
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain(`name="form_token" value="${token}"`);
    const right = await client.post("/requests", {
      form_token: token,
      kind: "question",
      subject: "Fixed subject",
      message: "Fixed message.",
    });
    expect(right.statusCode).toBe(303);
    expect(await tickets()).toHaveLength(1);
  });
});
