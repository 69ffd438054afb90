/**
 * Benchmark 4, the client area under load: a customer with 50 services (30 domains) signs in, then
 * autocannon requests their dashboard and domains pages, alternately, while an engine worker
 * process writes (day after day on the same book of N services, default 1,000,000). First at
 * saturation, then at a fixed 1,000 requests per second for the p99 latency.
 * `npm run bench:client -- --db sqlite|postgres [--services N] [--seconds 10] [--connections 32]`
 */
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { DAY } from "../src/domain/time.js";
import { BOOK_AS_OF } from "./lib/book-days.js";
import { check, parseBenchArgs, parseCount, printResult, progress } from "./lib/cli.js";
import { generateBook } from "./lib/generator.js";
import { openBenchStore, recreateBenchDatabase } from "./lib/store.js";
import { forkTs, startEngineWorker } from "./lib/workers.js";

const args = parseBenchArgs({ services: 1_000_000 }, ["seconds", "connections", "port", "engine"]);
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
const book = await generateBook(store.db, { services: args.services, asOf: BOOK_AS_OF, featured });
await store.close();

const server = forkTs(fileURLToPath(new URL("./lib/serve-child.ts", import.meta.url)), [url, String(port)]);
await new Promise<void>((resolve, reject) => {
  server.once("message", () => resolve());
  server.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
});

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

const load = (overallRate?: number) =>
  autocannon({
    url: base,
    connections,
    duration: seconds,
    headers: { cookie },
    requests: [{ path: "/" }, { path: "/domains" }],
    ...(overallRate ? { overallRate } : {}),
  });
progress(`saturation: ${connections} connections for ${seconds} s`);
const saturation = await load();
progress(`fixed rate: 1,000 requests per second for ${seconds} s`);
const fixed = await load(1000);

progress("stopping the engine worker and the server");
engine?.send({ type: "stop" });
const written = engine ? await engine.done : { runs: [], runErrors: [] };
server.kill("SIGTERM");

for (const [name, result] of [
  ["saturation", saturation],
  ["fixed rate", fixed],
] as const) {
  // Slow answers and timeouts are a result (reported below); a page that is not the customer's is not.
  check(result["2xx"] > 0, `${name}: no successful answer`);
  check(result.non2xx === 0, `${name}: ${result.non2xx} answers were not 2xx (signed out?)`);
}
const engineSteps = written.runs.reduce((sum, r) => sum + r.steps, 0);
check(!withEngine || engineSteps > 0, "the engine wrote nothing during the load");
const p99Target = args.db === "sqlite" ? 10 : 25;

printResult({
  bench: "client-area",
  dialect: args.db,
  services: args.services,
  customerServices: 50,
  bookCustomers: book.customers,
  connections,
  seconds,
  saturationRps: Math.round(saturation.requests.average),
  saturationP50Ms: saturation.latency.p50,
  saturationP99Ms: saturation.latency.p99,
  saturationErrors: saturation.errors,
  saturationTimeouts: saturation.timeouts,
  fixedRateRps: Math.round(fixed.requests.average),
  fixedP50Ms: fixed.latency.p50,
  fixedP99Ms: fixed.latency.p99,
  fixedErrors: fixed.errors,
  fixedTimeouts: fixed.timeouts,
  engineRunsDuringLoad: written.runs.length,
  engineStepsDuringLoad: engineSteps,
  engineRunErrors: written.runErrors.length,
  engineFirstRunError: written.runErrors[0] ?? null,
  targetRps: 5000,
  targetP99Ms: p99Target,
  met:
    saturation.requests.average >= 5000 &&
    fixed.latency.p99 <= p99Target &&
    saturation.errors + fixed.errors === 0,
});
