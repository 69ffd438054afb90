/**
 * The client area as its own process, the way `tenure serve` starts it (buildApp on the runtime's
 * database, no request logging), but with the bench's small PostgreSQL pool: the server is shared.
 * Started by bench/client-area.ts with the database URL and the port.
 */
import { randomBytes } from "node:crypto";
import { buildApp } from "../../src/http/app.js";
import { systemClock } from "../../src/main/runtime.js";
import { benchDeps, openBenchStore } from "./store.js";

const [url, port] = process.argv.slice(2);
if (!url || !port) throw new Error("usage: serve-child URL PORT");
const store = openBenchStore(url);
const app = await buildApp({
  deps: benchDeps(store),
  clock: systemClock,
  mailer: null,
  sessionSecret: randomBytes(32).toString("hex"),
  baseUrl: `http://127.0.0.1:${port}`,
});
await app.listen({ port: Number(port), host: "127.0.0.1" });
process.send?.("listening");
process.on("SIGTERM", async () => {
  await app.close();
  await store.close();
  process.exit(0);
});
