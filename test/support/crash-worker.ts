/**
 * A worker process for the crash tests (bundled by crash-harness.ts, then spawned). Plain, it is
 * exactly `tenure run --at INSTANT` (the real command). With an option it wires the same runtime as
 * `tenure run`, then also:
 * - `--kill-after-statement K`: SIGKILLs itself right after Tenure's K-th SQL statement returns
 *   (inside a transaction, before its COMMIT; between two transactions, after the first);
 * - `--count-statements`: prints how many statements the run made, and after which one the
 *   gateway answered the charge and the registrar the renewal, so the tests can aim at every
 *   point of the charge path and of the renewal's;
 * - `--broken-keys`: a deliberately broken key scheme (negative control), the process id appended
 *   to every idempotency key, so a restarted process cannot recognise its predecessor's charge;
 * - `--broken-renew-quote`: the registrar modules' bug (negative control), a renewal quoting the
 *   expiry just read from the registry instead of Tenure's record, so a retry passes the check.
 * It prints `ready` once its modules are loaded, then reads the instant to run at from stdin (one
 * line): the tests spawn the next worker while the current one runs, and kill delays are measured
 * from the moment it is told to go.
 */
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import type { KyselyPlugin } from "kysely";
import { parseInstant } from "../../src/domain/time.js";
import { runWorkerOnce } from "../../src/engine/worker.js";
import { readConfig } from "../../src/main/config.js";
import { createRuntime } from "../../src/main/runtime.js";
import type { PaymentGateway } from "../../src/providers/payments/payment-gateway.js";
import type { Registrar } from "../../src/providers/registrar/registrar.js";

/** The port's methods of an adapter instance, bound to it (class methods are not own properties). */
function bindAll(registrar: Registrar): Registrar {
  return {
    renew: (name, expiresAt, years) => registrar.renew(name, expiresAt, years),
    info: (name) => registrar.info(name),
    hold: (name) => registrar.hold(name),
    unhold: (name) => registrar.unhold(name),
    delete: (name) => registrar.delete(name),
    transferCode: (name) => registrar.transferCode(name),
  };
}

const { values } = parseArgs({
  options: {
    "kill-after-statement": { type: "string" },
    "count-statements": { type: "boolean", default: false },
    "broken-keys": { type: "boolean", default: false },
    "broken-renew-quote": { type: "boolean", default: false },
  },
});
const killAfter =
  values["kill-after-statement"] === undefined ? null : Number(values["kill-after-statement"]);
const isHooked =
  killAfter !== null || values["count-statements"] || values["broken-keys"] || values["broken-renew-quote"];
// The whole command (web server included) costs a spawn a third more: loaded only when used.
const main = isHooked ? null : (await import("../../src/cli/main.js")).main;

/** The instant to run at, or "" when the test went away without saying (stdin closed). */
async function readInstant(): Promise<string> {
  process.stdout.write("ready\n");
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    process.stdin.destroy();
    return line.trim();
  }
  return "";
}

const atText = await readInstant();
if (atText === "") process.exit(0);

if (main) {
  process.exitCode = await main(["run", "--at", atText]);
} else {
  const at = parseInstant(atText);
  if (at === null) throw new Error(`--at: bad instant "${atText}"`);
  const runtime = await createRuntime(readConfig());
  let statements = 0;
  let gatewayAnsweredAfter: number | null = null;
  let registrarAnsweredAfter: number | null = null;
  const statementCounter: KyselyPlugin = {
    transformQuery: (args) => args.node,
    async transformResult(args) {
      statements += 1;
      if (statements === killAfter) process.kill(process.pid, "SIGKILL");
      return args.result;
    },
  };
  const gateway = runtime.deps.gateway;
  const suffix = values["broken-keys"] ? `@${process.pid}` : "";
  const observedGateway: PaymentGateway = {
    async charge(request) {
      const outcome = await gateway.charge({ ...request, idempotencyKey: request.idempotencyKey + suffix });
      gatewayAnsweredAfter ??= statements;
      return outcome;
    },
    lookup: (key) => gateway.lookup(key + suffix),
    saveCard: (customer, card) => gateway.saveCard(customer, card),
    refund: (request) => gateway.refund({ ...request, idempotencyKey: request.idempotencyKey + suffix }),
    lookupRefund: (key) => gateway.lookupRefund(key + suffix),
  };
  const registrarFor = (name: string): Registrar => {
    const registrar = runtime.deps.registrarFor(name);
    return {
      ...bindAll(registrar),
      async renew(domain, expiresAt, years) {
        const quoted = values["broken-renew-quote"]
          ? ((await registrar.info(domain))?.expiresAt ?? expiresAt)
          : expiresAt;
        const outcome = await registrar.renew(domain, quoted, years);
        registrarAnsweredAfter ??= statements;
        return outcome;
      },
    };
  };
  const deps = {
    ...runtime.deps,
    db: runtime.deps.db.withPlugin(statementCounter),
    gateway: observedGateway,
    registrarFor,
  };
  const report = await runWorkerOnce({
    ...runtime,
    deps,
    clock: { now: () => at },
    worker: `run-${process.pid}`,
  });
  await runtime.close();
  process.stdout.write(
    `${JSON.stringify({ statements, gatewayAnsweredAfter, registrarAnsweredAfter, report })}\n`,
  );
}
