/**
 * Spawns `tenure` from the sources in its own process, so that a test sees exactly what a person
 * sees: the exit code, and stdout and stderr as written (an uncaught error's stack trace included).
 */
import { execFile } from "node:child_process";

export interface TenureProcess {
  code: number;
  stdout: string;
  stderr: string;
}

const ENTRY = new URL("./tenure-entry.ts", import.meta.url).pathname;

export function spawnTenure(args: string[], env: Record<string, string> = {}): Promise<TenureProcess> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", ENTRY, ...args],
      {
        // Nothing from the test's own environment decides where the command keeps its data.
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "silent", ...env },
        // Below the test timeout: a command that never returns (a worker started by mistake) is killed.
        timeout: 20_000,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A stack frame as Node prints one: `    at fn (file:line:col)`. */
export const STACK_FRAME = /^\s+at /m;
