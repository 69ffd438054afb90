/**
 * Benchmark 4, the client area under load: a customer with 50 services (30 domains) signs in while
 * an engine worker process writes (day after day on the same book of N services, default
 * 1,000,000). For the dashboard and the domains page, each next to its floor — a route of the same
 * app that answers the same number of bytes from one prepared query (bench/lib/serve-child.ts) —
 * autocannon loads the server and the server's own CPU time per request is measured: `pageMs`,
 * `floorMs` and their `ratio` (target 1.5, issue 14). Then both pages together at saturation, with one
 * server process and with two over the same database.
 * `npm run bench:client -- --db sqlite|postgres [--services N] [--seconds 10] [--connections 32]`
 * (`--cache no` turns the page cache off, to see what it saves; `--engine no` stops the writer).
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { DAY } from "../src/domain/time.js";
import { BOOK_AS_OF } from "./lib/book-days.js";
import { check, parseBenchArgs, parseCount, printResult, progress, round } from "./lib/cli.js";
import { generateBook } from "./lib/generator.js";
import { openBenchStore, recreateBenchDatabase } from "./lib/store.js";
import { forkTs, startEngineWorker } from "./lib/workers.js";

const args = parseBenchArgs({ services: 1_000_000 }, ["seconds", "connections", "port", "engine", "cache"]);
const seconds = parseCount(String(args.values.seconds ?? "10"));
const connections = parseCount(String(args.values.connections ?? "32"));
const port = parseCount(String(args.values.port ?? "3917"));
const base = `http://127.0.0.1:${port}`;
const featured = {
  customerId: "featured",
  email: "featured@bench.example",
  password: randomBytes(12).toString("base64url"),
};

const url = await recreateBenchDatabase(args.db, "client");
const store = openBenchStore(url);
progress(`generating ${args.services} services and the signed-in customer's 50 on ${args.db}`);
const book = await generateBook(store, { services: args.services, asOf: BOOK_AS_OF, featured });
await store.close();

const sessionSecret = randomBytes(32).toString("hex");

/** A client-area process on `onPort`, started the way serve-child says; resolves once it listens. */
async function startServer(onPort: number) {
  const child = forkTs(fileURLToPath(new URL("./lib/serve-child.ts", import.meta.url)), [
    url,
    String(onPort),
    args.values.cache === "no" ? "no-cache" : "cache",
    sessionSecret,
  ]);
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}
const server = await startServer(port);

/** Signs in like a browser: the login form's CSRF token and cookie, then the form post. */
async function signIn(): Promise<string> {
  const cookies = new Map<string, string>();
  const keep = (response: Response) => {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [name, ...value] = (pair ?? "").split("=");
      if (name) cookies.set(name, value.join("="));
    }
  };
  const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const page = await fetch(`${base}/login`);
  keep(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  check(csrf !== undefined, "no CSRF token on the login page");
  const body = new URLSearchParams({ email: featured.email, password: featured.password, _csrf: csrf });
  const posted = await fetch(`${base}/login`, {
    method: "POST",
    body,
    redirect: "manual",
    headers: { cookie: header(), "content-type": "application/x-www-form-urlencoded" },
  });
  keep(posted);
  check(posted.status === 303 && posted.headers.get("location") !== "/login", "sign-in refused");
  return header();
}

const cookie = await signIn();
const domainsPage = await fetch(`${base}/domains`, { headers: { cookie } });
const domainNames = (await domainsPage.text()).match(/site\d+\.[a-z]+/g) ?? [];
check(domainsPage.status === 200, `domains page answered ${domainsPage.status}`);
check(
  new Set(domainNames).size === 30,
  `the domains page lists ${new Set(domainNames).size} domains, not 30`,
);
const dashboard = await fetch(`${base}/`, { headers: { cookie } });
check(dashboard.status === 200, `dashboard answered ${dashboard.status}`);

// `--engine no` measures the pages alone, to tell their cost from the writer's.
const withEngine = args.values.engine !== "no";
progress(withEngine ? "starting the engine worker that writes during the load" : "no engine writing");
const engine = withEngine ? await startEngineWorker(url, {}, "bench-client-writer") : null;
engine?.send({ type: "loop", from: BOOK_AS_OF + DAY });

/** The server process's CPU time so far, in milliseconds. */
const serverCpuMs = () =>
  new Promise<number>((resolve) => {
    server.once("message", (reply) => resolve((reply as { cpuMicros: number }).cpuMicros / 1000));
    server.send("cpu");
  });

const load = (paths: string[]) =>
  autocannon({
    url: base,
    connections,
    duration: seconds,
    headers: { cookie },
    requests: paths.map((path) => ({ path })),
  });

/** Server CPU per request answered, for one path loaded alone. */
async function measure(path: string) {
  const before = await serverCpuMs();
  const result = await load([path]);
  const cpuMs = (await serverCpuMs()) - before;
  check(result["2xx"] > 0, `${path}: no successful answer`);
  check(result.non2xx === 0, `${path}: ${result.non2xx} answers were not 2xx (signed out?)`);
  return { msPerRequest: cpuMs / result["2xx"], rps: result.requests.average };
}

const pages: Record<string, { page: string; bytes: number }> = {
  dashboard: { page: "/", bytes: Buffer.byteLength(await dashboard.text()) },
  domains: {
    page: "/domains",
    bytes: Buffer.byteLength(await (await fetch(`${base}/domains`, { headers: { cookie } })).text()),
  },
};
const perPage: Record<string, unknown> = {};
for (const [name, { page, bytes }] of Object.entries(pages)) {
  progress(`${name}: its floor (${bytes} bytes) for ${seconds} s, then the page for ${seconds} s`);
  const floor = await measure(`/__bench/floor?bytes=${bytes}`);
  const measured = await measure(page);
  perPage[name] = {
    bytes,
    floorMs: round(floor.msPerRequest),
    pageMs: round(measured.msPerRequest),
    ratio: round(measured.msPerRequest / floor.msPerRequest, 2),
    floorRps: Math.round(floor.rps),
    pageRps: Math.round(measured.rps),
  };
  process.stderr.write(`  ${name}: ${JSON.stringify(perPage[name])}\n`);
}
progress(`saturation: both pages, ${connections} connections for ${seconds} s, one server process`);
const saturation = await load(["/", "/domains"]);
// Two processes over the same database, as two nodes behind a load balancer: each gets half the
// connections (the session lives in the database, so the same cookie works on both).
progress(`saturation: both pages, ${connections} connections for ${seconds} s, two server processes`);
const secondServer = await startServer(port + 1);
const [firstHalf, secondHalf] = await Promise.all(
  [base, `http://127.0.0.1:${port + 1}`].map((target) =>
    autocannon({
      url: target,
      connections: Math.max(1, Math.floor(connections / 2)),
      duration: seconds,
      headers: { cookie },
      requests: [{ path: "/" }, { path: "/domains" }],
    }),
  ),
);
secondServer.kill("SIGTERM");

progress("stopping the engine worker and the server");
engine?.send({ type: "stop" });
const written = engine ? await engine.done : { runs: [], runErrors: [] };
server.kill("SIGTERM");

check(saturation["2xx"] > 0, "saturation: no successful answer");
for (const half of [firstHalf, secondHalf]) {
  check(half !== undefined && half["2xx"] > 0, "two processes: a process answered nothing");
  check(half.non2xx === 0, `two processes: ${half.non2xx} answers were not 2xx`);
}
check(saturation.non2xx === 0, `saturation: ${saturation.non2xx} answers were not 2xx (signed out?)`);
const engineSteps = written.runs.reduce((sum, r) => sum + r.steps, 0);
check(!withEngine || engineSteps > 0, "the engine wrote nothing during the load");
const ratioTarget = 1.5;

printResult({
  bench: "client-area",
  dialect: args.db,
  services: args.services,
  customerServices: 50,
  bookCustomers: book.customers,
  connections,
  seconds,
  pageCache: args.values.cache !== "no",
  pages: perPage,
  saturationRps: Math.round(saturation.requests.average),
  saturationP50Ms: saturation.latency.p50,
  saturationP99Ms: saturation.latency.p99,
  saturationErrors: saturation.errors,
  saturationRpsTwoProcesses: Math.round(
    (firstHalf?.requests.average ?? 0) + (secondHalf?.requests.average ?? 0),
  ),
  saturationTimeouts: saturation.timeouts,
  engineRunsDuringLoad: written.runs.length,
  engineStepsDuringLoad: engineSteps,
  engineRunErrors: written.runErrors.length,
  engineFirstRunError: written.runErrors[0] ?? null,
  ratioTarget,
  met: Object.values(perPage).every((p) => (p as { ratio: number }).ratio <= ratioTarget),
});
