/**
 * The back office's API keys and webhooks pages, on both databases: a key is shown once and works
 * on the API at once, its revocation asks first, is audited and refuses the key; a webhook
 * endpoint's secret is shown once, its attempts are listed and one can be sent again.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTicket } from "../../../src/modules/tickets/open-ticket.js";
import { deliverWebhooks } from "../../../src/modules/webhooks/webhooks.js";
import { createHttpFixture, type HttpClient, type HttpFixture } from "../../support/http.js";
import { DIALECTS } from "../../support/stores.js";

describe.each(DIALECTS)("back office: API keys and webhooks (%s)", (dialect) => {
  let f: HttpFixture;
  let admin: HttpClient;
  const received: string[] = [];
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (c) => {
      body += c;
    });
    request.on("end", () => {
      received.push(body);
      response.writeHead(received.length === 1 ? 500 : 200).end(received.length === 1 ? "not yet" : "ok");
    });
  });
  let url = "";

  beforeAll(async () => {
    f = await createHttpFixture(dialect);
    await f.addLogin("alice");
    const staff = await f.addStaffMember("admin");
    admin = f.client();
    expect((await admin.staffLogin(staff.email)).statusCode).toBe(303);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await f.dispose();
  });

  it("creates a key shown once, which the API accepts; revoking asks first, is audited, and refuses it", async () => {
    await admin.get("/admin/api-keys");
    const created = await admin.post("/admin/api-keys", { name: "Panel", scopes: ["read", "billing"] });
    expect(created.statusCode).toBe(200);
    const key = /data-testid="api-key">([^<]+)</.exec(created.body)?.[1] ?? "";
    expect(key).toMatch(/^tnr_/);
    const api = () =>
      f.app.inject({ method: "GET", url: "/api/v1/customers", headers: { authorization: `Bearer ${key}` } });
    expect((await api()).statusCode).toBe(200);
    const list = await admin.get("/admin/api-keys");
    expect(list.body).not.toContain(key);
    expect(list.body).toContain("read, billing");
    const row = await f.deps.db
      .selectFrom("api_keys")
      .select("id")
      .where("name", "=", "Panel")
      .executeTakeFirstOrThrow();
    const asked = await admin.post("/admin/api-keys/revoke", { id: row.id });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain("cannot be undone");
    expect((await api()).statusCode).toBe(200);
    const done = await admin.post("/admin/api-keys/revoke", { id: row.id, confirm: "yes" });
    expect(done.statusCode).toBe(303);
    expect((await api()).statusCode).toBe(401);
    const audit = await f.deps.db
      .selectFrom("audit_log")
      .select("action")
      .where("object_id", "=", row.id)
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["api-key.created", "api-key.revoked"]);
    expect((await admin.post("/admin/api-keys", { name: "", scopes: [] })).statusCode).toBe(400);
  });

  it("adds an endpoint with its secret shown once, lists its attempts and sends one again", async () => {
    await admin.get("/admin/webhooks");
    const added = await admin.post("/admin/webhooks", { url, events: ["ticket.opened"] });
    expect(added.statusCode).toBe(200);
    expect(/data-testid="webhook-secret">(whsec_[^<]+)</.exec(added.body)?.[1]).toBeDefined();
    expect((await admin.post("/admin/webhooks", { url: "ftp://nope" })).statusCode).toBe(400);
    const endpoint = await f.deps.db.selectFrom("webhook_endpoints").select("id").executeTakeFirstOrThrow();
    await openTicket(
      f.deps,
      {
        customerId: "alice",
        openedBy: "alice",
        ticket: { kind: "question", subject: "Hook", body: "Hook me." },
      },
      f.clock.now(),
    );
    await deliverWebhooks(f.deps.db, f.clock.now());
    expect(received).toHaveLength(1);
    const page = await admin.get(`/admin/webhooks/${endpoint.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("not yet");
    expect(page.body).toContain("ticket.opened");
    const delivery = /name="delivery" value="(\d+)"/.exec(page.body)?.[1] ?? "";
    const replayed = await admin.post(`/admin/webhooks/${endpoint.id}/replay`, { delivery });
    expect(replayed.statusCode).toBe(303);
    expect(received).toHaveLength(2);
    // Delivered by the replay: the worker does not send it again.
    await deliverWebhooks(f.deps.db, f.clock.now() + 3_600_000);
    expect(received).toHaveLength(2);
    expect((await admin.post(`/admin/webhooks/${endpoint.id}/disable`, {})).statusCode).toBe(303);
    expect((await admin.get("/admin/webhooks")).body).toContain("Disabled");
    const audit = await f.deps.db
      .selectFrom("audit_log")
      .select("action")
      .where("object_id", "=", endpoint.id)
      .orderBy("id")
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      "webhook.endpoint-added",
      "webhook.replayed",
      "webhook.endpoint-disabled",
    ]);
  });
});
