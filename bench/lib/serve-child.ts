/**
 * The client area as its own process, the way `tenure serve` starts it (buildApp on the runtime's
 * database, no request logging), but with the bench's small PostgreSQL pool: the server is shared.
 * Started by bench/client-area.ts with the database URL and the port.
 *
 * It also serves the floor the pages are measured against: `/__bench/floor?bytes=N`, a route on
 * the same app (so the same plugins and the same session and customer lookup) that answers N bytes
 * of escaped HTML built from one prepared query of the customer's services. And it answers the
 * parent's `cpu` message with its own CPU time, so the parent can divide by the requests served.
 */
import { randomBytes } from "node:crypto";
import { buildApp } from "../../src/http/app.js";
import { customerOf } from "../../src/http/context.js";
import { systemClock } from "../../src/main/runtime.js";
import { html } from "../../src/views/html.js";
import { benchDeps, openBenchStore } from "./store.js";

const [url, port, cache, secret] = process.argv.slice(2);
if (!url || !port) throw new Error("usage: serve-child URL PORT [cache|no-cache] [SESSION_SECRET]");
const store = openBenchStore(url);
const app = await buildApp({
  deps: benchDeps(store),
  clock: systemClock,
  mailer: null,
  // Shared by the processes of one run, so a session opened on one is honoured on the other.
  sessionSecret: secret ?? randomBytes(32).toString("hex"),
  baseUrl: `http://127.0.0.1:${port}`,
  ...(cache === "no-cache" ? { pageCacheEntries: 0 } : {}),
});

// Compiled once, as a prepared statement would be; the customer is the only parameter.
const servicesOf = (customerId: string) =>
  store.db
    .selectFrom("services")
    .select(["id", "kind", "label", "status", "next_due_at"])
    .where("customer_id", "=", customerId)
    .compile();
app.get<{ Querystring: { bytes?: string } }>("/__bench/floor", async (request, reply) => {
  const bytes = Number(request.query.bytes ?? "30000");
  const { rows } = await store.db.executeQuery(servicesOf(customerOf(request).id));
  const cells = rows
    .map((r) => html`<tr><td>${r.label}</td><td>${r.status}</td><td>${r.next_due_at}</td></tr>`.value)
    .join("");
  let body = `<!doctype html><html><body><table>${cells}</table>`;
  // The same number of bytes as the page it stands for, so writing the answer costs the same.
  while (body.length < bytes - 14) body += cells.slice(0, bytes - 14 - body.length);
  body += "</body></html>";
  return reply.type("text/html; charset=utf-8").send(body);
});

await app.listen({ port: Number(port), host: "127.0.0.1" });
process.send?.("listening");
process.on("message", (message: unknown) => {
  if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpuMicros: user + system });
  }
});
process.on("SIGTERM", async () => {
  await app.close();
  await store.close();
  process.exit(0);
});
