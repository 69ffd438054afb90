/**
 * Crash injection against real worker processes: spawn `tenure run` on a peak-day book
 * (crash-book.ts), SIGKILL it at random, after a chosen SQL statement, or one of several running at
 * once, restart it; crash-checks.ts then reconciles Tenure with the ledgers.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { addDays, formatInstant, type Instant } from "../../src/domain/time.js";
import { type BookOptions, createPeakDayBook, type PeakDayBook, REPO } from "./crash-book.js";
import type { TestDialect } from "./stores.js";

/** `tenure run` leases what it claims for 10 minutes (run-engine's default). */
export const LEASE_MINUTES = 10;

/** mulberry32: a seeded source, so a failing run can be replayed from the seed it prints. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkerExit {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SpawnedWorker {
  child: ChildProcess;
  pid: number;
  /** Resolves once the process has loaded its modules and waits to be told when to run. */
  ready: Promise<void>;
  /** Tells it the instant to run at: the run starts now. */
  go(at: Instant): void;
  exit: Promise<WorkerExit>;
}

export interface WorkerFlags {
  killAfterStatement?: number;
  countStatements?: boolean;
  brokenKeys?: boolean;
  brokenRenewQuote?: boolean;
}

/** Processes not yet ended, killed by stopStrayWorkers() if a test fails half-way. */
const live = new Set<ChildProcess>();

export function stopStrayWorkers(): void {
  for (const child of live) child.kill("SIGKILL");
}

/**
 * Starts a worker (crash-worker.ts: `tenure run`, or the hooked variant) on the book's database,
 * policies and ledgers. It loads its modules, then waits for go(at): the tests start the next
 * worker while the current one runs, so loading (half a second of CPU) overlaps the work.
 */
export function startWorker(book: PeakDayBook, flags: WorkerFlags = {}): SpawnedWorker {
  const args = [book.workerScript];
  if (flags.killAfterStatement !== undefined)
    args.push("--kill-after-statement", String(flags.killAfterStatement));
  if (flags.countStatements) args.push("--count-statements");
  if (flags.brokenKeys) args.push("--broken-keys");
  if (flags.brokenRenewQuote) args.push("--broken-renew-quote");
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: {
      ...process.env,
      TENURE_DATABASE_URL: book.databaseUrl,
      TENURE_STATE_DIR: book.stateDir,
      TENURE_CONFIG: book.configFile,
      ...book.gatewayEnv,
      ...book.registrarEnv,
      TENURE_SMTP_URL: "",
      LOG_LEVEL: "warn",
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(child);
  let stdout = "";
  let stderr = "";
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith("ready\n")) markReady();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  // A killed worker's stdin may already be closed when the test writes to it.
  child.stdin?.on("error", () => {});
  const exit = new Promise<WorkerExit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      live.delete(child);
      markReady();
      resolve({ pid: child.pid ?? 0, code, signal, stdout: stdout.replace(/^ready\n/, ""), stderr });
    });
  });
  const go = (at: Instant) => {
    child.stdin?.end(`${formatInstant(at)}\n`);
  };
  return { child, pid: child.pid ?? 0, ready, go, exit };
}

/** Starts a worker and lets it run at `at` as soon as it is ready. */
export function spawnWorker(book: PeakDayBook, at: Instant, flags: WorkerFlags = {}): SpawnedWorker {
  const worker = startWorker(book, flags);
  void worker.ready.then(() => worker.go(at));
  return worker;
}

/** A worker that ended by itself must have succeeded; its output says why when it did not. */
export function expectCleanExit(exit: WorkerExit): void {
  if (exit.signal === null && exit.code === 0) return;
  throw new Error(
    `worker ${exit.pid} ended with ${exit.signal ?? exit.code}\n${exit.stdout}\n${exit.stderr}`,
  );
}

/** The latest lease still held, if any: a restart must come after it, or it cannot take the work over. */
async function latestLease(book: PeakDayBook): Promise<Instant | null> {
  const row = await book.store.db
    .selectFrom("services")
    .select((eb) => eb.fn.max("lease_until").as("until"))
    .executeTakeFirst();
  return row?.until == null ? null : Number(row.until);
}

async function leasesHeldBy(book: PeakDayBook, worker: string): Promise<number> {
  const row = await book.store.db
    .selectFrom("services")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("lease_owner", "=", worker)
    .where("lease_until", "is not", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The instant of the next restart. A killed `tenure run --at T` leaves its leases until T + 10
 * minutes; a restart at the same T would skip that work, so the restart runs at the latest lease's
 * end (a real worker's clock would have moved on just as far). Without leases left, time stands still.
 */
async function restartInstant(book: PeakDayBook, at: Instant): Promise<Instant> {
  const lease = await latestLease(book);
  return lease === null ? at : Math.max(at, lease);
}

export interface RandomKillReport {
  seed: number;
  kills: number;
  /** Kills that landed while the worker held leases: in the middle of its batch. */
  killsMidRun: number;
  /** Whether a run finished the peak day before its kill came (else a clean run finished it). */
  finishedByItself: boolean;
  /** The kill delay's upper bound at the end, adapted to the machine's speed: for the next round. */
  maxDelayMs: number;
  /** The instant the peak day was finished, and the final run's, after the retries. */
  peakDoneAt: Instant;
  finalAt: Instant;
}

async function isAnythingDue(book: PeakDayBook, at: Instant): Promise<boolean> {
  const row = await book.store.db
    .selectFrom("services")
    .select("id")
    .where("next_due_at", "<=", at)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Spawns `tenure run` at the peak, SIGKILLs it after a random delay, restarts it, and so on, until
 * `maxKills` kills or until a run finishes the peak day before its kill (more kills would only hit
 * idle runs); then a clean run finishes the peak if needed, and a last one `retryDays` later lets
 * the retries of declined cards happen. Delays are uniform in [0, maxDelay] from the moment the
 * process is told to go; maxDelay adapts to the machine: it grows when a kill lands before any work
 * was claimed, and shrinks when a run finishes before its kill.
 */
export async function runWithRandomKills(
  book: PeakDayBook,
  options: { seed: number; maxKills: number; maxDelayMs: number; peakAt: Instant; retryDays: number },
): Promise<RandomKillReport> {
  const random = seededRandom(options.seed);
  let maxDelay = options.maxDelayMs;
  let kills = 0;
  let killsMidRun = 0;
  let finishedByItself = false;
  let at = options.peakAt;
  let next = startWorker(book);
  while (kills < options.maxKills && !finishedByItself) {
    const worker = next;
    await worker.ready;
    next = startWorker(book);
    worker.go(at);
    const timer = setTimeout(() => worker.child.kill("SIGKILL"), random() * maxDelay);
    const exit = await worker.exit;
    clearTimeout(timer);
    if (exit.signal === "SIGKILL") {
      kills += 1;
      if ((await leasesHeldBy(book, `run-${exit.pid}`)) > 0) killsMidRun += 1;
      else if (await isAnythingDue(book, at)) maxDelay *= 1.25;
      at = await restartInstant(book, at);
    } else {
      expectCleanExit(exit);
      finishedByItself = true;
      maxDelay *= 0.7;
    }
  }
  if (!finishedByItself) {
    const finisher = next;
    await finisher.ready;
    next = startWorker(book);
    finisher.go(at);
    expectCleanExit(await finisher.exit);
  }
  const finalAt = addDays(at, options.retryDays);
  await next.ready;
  next.go(finalAt);
  expectCleanExit(await next.exit);
  return {
    seed: options.seed,
    kills,
    killsMidRun,
    finishedByItself,
    maxDelayMs: Math.round(maxDelay),
    peakDoneAt: at,
    finalAt,
  };
}

export interface ConcurrentReport {
  seed: number;
  victim: number;
  /** Services the victim held when it was killed. */
  victimLeases: number;
  /** Services each surviving worker brought up to date. */
  processedBySurvivors: number[];
  finalAt: Instant;
}

/**
 * `workers` processes run the peak at once; a random moment into the run, one of those holding a
 * batch, chosen at random, is SIGKILLed (so it dies holding leases). Then one run after its leases
 * have expired finishes what it left, and a last one `retryDays` later lets the retries happen.
 */
export async function runConcurrentWithOneKill(
  book: PeakDayBook,
  options: { seed: number; workers: number; maxDelayMs: number; peakAt: Instant; retryDays: number },
): Promise<ConcurrentReport> {
  const random = seededRandom(options.seed);
  const workers = Array.from({ length: options.workers }, () => startWorker(book));
  // All loaded first, then all started together: they compete for the same due work.
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go(options.peakAt);
  const exits = workers.map((w) => w.exit);
  let running = workers.length;
  for (const exit of exits) void exit.then(() => (running -= 1));
  // A random while into the run, one of the workers holding a batch at that moment is killed.
  await sleep(random() * options.maxDelayMs);
  let victim = -1;
  while (victim < 0) {
    const holding = await batchHolders(book, workers);
    if (holding.length > 0) victim = holding[Math.floor(random() * holding.length)] ?? -1;
    else if (running === 0) throw new Error("every worker finished before one could be killed");
    else await sleep(5);
  }
  const target = workers[victim];
  target?.child.kill("SIGKILL");
  const ended = await Promise.all(exits);
  const victimLeases = await leasesHeldBy(book, `run-${target?.pid}`);
  const processedBySurvivors: number[] = [];
  ended.forEach((exit, index) => {
    if (index === victim) return;
    expectCleanExit(exit);
    processedBySurvivors.push(runReportOf(exit).servicesProcessed);
  });
  // The victim's batch waits for its lease to expire; then the retries of declined cards.
  const peakDoneAt = await restartInstant(book, options.peakAt);
  expectCleanExit(await spawnWorker(book, peakDoneAt).exit);
  const finalAt = addDays(peakDoneAt, options.retryDays);
  expectCleanExit(await spawnWorker(book, finalAt).exit);
  return { seed: options.seed, victim, victimLeases, processedBySurvivors, finalAt };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The indexes of the workers holding leases right now. */
async function batchHolders(book: PeakDayBook, workers: SpawnedWorker[]): Promise<number[]> {
  const owners = workers.map((w) => `run-${w.pid}`);
  const rows = await book.store.db
    .selectFrom("services")
    .select("lease_owner")
    .distinct()
    .where("lease_owner", "in", owners)
    .where("lease_until", "is not", null)
    .execute();
  const holding = new Set(rows.map((r) => r.lease_owner));
  return owners.flatMap((owner, index) => (holding.has(owner) ? [index] : []));
}

/** The JSON report `tenure run` prints as its last line. */
export function runReportOf(exit: WorkerExit): { servicesProcessed: number; stepsApplied: number } {
  const lines = exit.stdout.trim().split("\n");
  const last = lines[lines.length - 1] ?? "{}";
  const parsed = JSON.parse(last) as { report?: unknown };
  return (parsed.report ?? parsed) as { servicesProcessed: number; stepsApplied: number };
}

export interface StatementCount {
  statements: number;
  /** How many statements had returned when the gateway answered the charge. */
  gatewayAnsweredAfter: number | null;
  /** How many statements had returned when the registrar answered the renewal. */
  registrarAnsweredAfter: number | null;
}

/**
 * Runs a counting worker over a book of one service (a throwaway copy of the real one's shape):
 * how many statements its renewal run makes, and where the gateway call falls among them.
 */
export async function countStatements(
  dialect: TestDialect,
  options: BookOptions,
  flags: WorkerFlags = {},
): Promise<StatementCount> {
  const probe = await createPeakDayBook(dialect, options);
  try {
    const exit = await spawnWorker(probe, options.peakAt, { ...flags, countStatements: true }).exit;
    expectCleanExit(exit);
    const lines = exit.stdout.trim().split("\n");
    return JSON.parse(lines[lines.length - 1] ?? "{}") as StatementCount;
  } finally {
    await probe.dispose();
  }
}
