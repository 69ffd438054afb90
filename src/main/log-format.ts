/**
 * Logs for a person at a terminal: pino writes JSON lines; on a TTY (unless TENURE_LOG_FORMAT=json)
 * each is printed as one readable line, `12:04:31 WARN  message key=value`. Anywhere else (a file,
 * journald, a log shipper) the JSON lines are kept as they are.
 */
import { Writable } from "node:stream";

const LEVELS: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO ",
  40: "WARN ",
  50: "ERROR",
  60: "FATAL",
};
const OMITTED = new Set(["level", "time", "pid", "hostname", "msg", "name", "v", "reqId"]);

function value(v: unknown): string {
  if (typeof v === "string") return /[\s"=]/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** One JSON log line as one readable line (an unreadable line is printed as it came). */
export function formatLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === "number" ? new Date(entry.time).toISOString().slice(11, 19) : "";
  const level = LEVELS[Number(entry.level)] ?? String(entry.level ?? "");
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key) && key !== "err")
    .map(([key, v]) => `${key}=${value(v)}`);
  const parts = [time, level, String(entry.msg ?? ""), ...fields].filter((p) => p !== "");
  const stack = err?.stack
    ? `\n  ${err.stack.split("\n").join("\n  ")}`
    : err?.message
      ? ` (${err.message})`
      : "";
  return `${parts.join(" ")}${stack}`;
}

/** A destination for pino that writes readable lines to `out`. */
export function readableLogStream(out: NodeJS.WritableStream): Writable {
  let pending = "";
  return new Writable({
    write(chunk, _encoding, done) {
      pending += String(chunk);
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") out.write(`${formatLogLine(line)}\n`);
      done();
    },
  });
}

/** Readable on a terminal, JSON otherwise or when TENURE_LOG_FORMAT=json. */
export function wantsReadableLogs(env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (env.TENURE_LOG_FORMAT === "json") return false;
  if (env.TENURE_LOG_FORMAT === "pretty") return true;
  return isTty;
}
