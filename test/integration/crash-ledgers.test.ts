/**
 * The test gateway's and registrar's ledgers are shared by every worker process, as a bank and a
 * registry are: processes racing on the same idempotency key get one charge between them, and
 * racing renewals from the same expiry get one renewal.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TestGateway } from "../../src/providers/payments/test-gateway.js";
import { TestRegistrar } from "../../src/providers/registrar/test-registrar.js";

const REPO = new URL("../..", import.meta.url).pathname;
const PROCESSES = 4;
const KEYS = 150;
/** Long enough for every process to have loaded its modules (about half a second each). */
const START_DELAY_MS = 2_500;

/** Runs `code` (an ES module body, TypeScript imports allowed) in a fresh node process; returns its stdout. */
function runProcess(code: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code, ...args], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}\n${err}`))));
  });
}

// Each process charges the same keys in the same order, all starting at the same instant, on one
// card that fails three times first: without one transaction per charge they would collide.
const CHARGER = `
import { TestGateway } from "./src/providers/payments/test-gateway.ts";
const [file, startAt] = process.argv.slice(1);
const gateway = new TestGateway({ file });
await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));
const seen = {};
for (let i = 0; i < ${KEYS}; i += 1) {
  const key = "charge:race:" + i;
  const request = { idempotencyKey: key, token: "test_fails-3-then-ok_race_1", amount: 1600, currency: "USD", description: key };
  seen[key] = await gateway.charge(request);
}
gateway.close();
process.stdout.write(JSON.stringify(seen));
`;

const RENEWER = `
import { TestRegistrar } from "./src/providers/registrar/test-registrar.ts";
const [file, expiry, startAt] = process.argv.slice(1);
const registrar = new TestRegistrar({ file });
await new Promise((resolve) => setTimeout(resolve, Number(startAt) - Date.now()));
const outcome = await registrar.renew("race.example", Number(expiry), 1);
registrar.close();
process.stdout.write(JSON.stringify(outcome));
`;

describe("ledgers shared by several processes", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "tenure-ledgers-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("processes racing on the same idempotency keys get one charge per key, and the same answer", async () => {
    const file = join(dir, "test-gateway.sqlite");
    new TestGateway({ file }).close(); // the ledger's tables exist before the race
    const startAt = String(Date.now() + START_DELAY_MS);
    const answers = await Promise.all(
      Array.from({ length: PROCESSES }, () => runProcess(CHARGER, [file, startAt])),
    );
    const gateway = new TestGateway({ file });
    const ledger = gateway.allCharges();
    gateway.close();
    expect(ledger).toHaveLength(KEYS);
    // The card's count moved once per charge: exactly its first three charges failed.
    expect(ledger.filter((c) => c.outcome.status === "failed")).toHaveLength(3);
    const inLedger = Object.fromEntries(ledger.map((c) => [c.idempotencyKey, c.outcome]));
    for (const answer of answers) expect(JSON.parse(answer)).toEqual(inLedger);
  }, 60_000);

  it("processes renewing a domain from the same expiry get one renewal between them", async () => {
    const file = join(dir, "test-registrar.sqlite");
    const expiry = Date.UTC(2026, 3, 15);
    const registrar = new TestRegistrar({ file });
    registrar.register("race.example", expiry);
    const startAt = String(Date.now() + START_DELAY_MS);
    const outcomes = (
      await Promise.all(
        Array.from({ length: PROCESSES }, () => runProcess(RENEWER, [file, String(expiry), startAt])),
      )
    ).map((out) => JSON.parse(out) as { status: string });
    expect(outcomes.filter((o) => o.status === "renewed")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "expiry-mismatch")).toHaveLength(PROCESSES - 1);
    expect(registrar.renewals).toEqual([{ name: "race.example", from: expiry, to: Date.UTC(2027, 3, 15) }]);
    registrar.close();
  }, 60_000);
});
