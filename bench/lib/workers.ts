/** Starts engine worker processes (engine-child.ts) and talks to them over IPC. */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { PolicyOverrides } from "../../src/domain/policies.js";

export interface RunFigures {
  now: number;
  seconds: number;
  steps: number;
  services: number;
  failures: number;
  firstFailure: string | null;
}

export type ChildOrder =
  | { type: "run"; instants: number[] }
  | { type: "loop"; from: number }
  | { type: "stop" };

export type ChildReply =
  | { type: "ready" }
  | {
      type: "done";
      runs: RunFigures[];
      /** Runs that threw (loop mode only), retried as the worker loop would. */
      runErrors: string[];
      peakRssKiB: number;
      gatewayCharges: number;
    };

export type WorkerResult = Extract<ChildReply, { type: "done" }>;

export interface EngineWorker {
  process: ChildProcess;
  send(order: ChildOrder): void;
  /** Resolves with the worker's figures once it has finished its order. */
  done: Promise<WorkerResult>;
}

const CHILD = fileURLToPath(new URL("./engine-child.ts", import.meta.url));

/** Children of this benchmark, ended with it whatever happens (a failed check exits at once). */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) child.kill();
});

/** Forks a bench script through tsx, with an IPC channel; it is ended when this process exits. */
export function forkTs(script: string, args: string[]): ChildProcess {
  const child = fork(script, args, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Forks a worker (through tsx) and resolves once it has opened the database. */
export async function startEngineWorker(
  url: string,
  policies: PolicyOverrides,
  name: string,
): Promise<EngineWorker> {
  const child = forkTs(CHILD, [url, JSON.stringify(policies), name]);
  let ready: () => void = () => {};
  const isReady = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on("message", (message: ChildReply) => {
      if (message.type === "ready") ready();
      else resolve(message);
    });
    child.on("exit", (code) => reject(new Error(`engine worker ${name} exited with ${code}`)));
  });
  // An early exit rejects `done`; surface it here too instead of waiting forever for "ready".
  await Promise.race([isReady, done]);
  return { process: child, send: (order) => child.send(order), done };
}
