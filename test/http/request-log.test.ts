/**
 * Issue 12, item 17: `npm start` printed two JSON lines per request among its text. Now one line
 * per request (method, path, status, time; a reset token never), readable on a terminal.
 */
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/domain/clock.js";
import { buildApp } from "../../src/http/app.js";
import { formatLogLine, readableLogStream, wantsReadableLogs } from "../../src/main/log-format.js";
import { at, createFixture } from "../support/engine-fixture.js";

describe("request logs", () => {
  it("one line per request, and a reset link's token is not in it", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const fixture = await createFixture("sqlite");
    const app = await buildApp({
      deps: fixture.deps,
      clock: new ManualClock(at("2022-03-20T12:00:00Z")),
      mailer: null,
      logger: pino({ level: "info" }, stream),
      sessionSecret: "a test secret that is at least thirty-two characters",
      baseUrl: "https://clients.example",
    });
    try {
      await app.inject({ method: "GET", url: "/login" });
      await app.inject({ method: "GET", url: "/password/reset/SECRETTOKEN123" });
      expect(lines.map((l) => l.msg)).toEqual(["GET /login", "GET /password/reset/…"]);
      expect(lines[0]).toMatchObject({ status: 200 });
      expect(JSON.stringify(lines)).not.toContain("SECRETTOKEN123");
    } finally {
      await app.close();
      await fixture.dispose();
    }
  });

  it("readable on a terminal: time, level, message, fields", async () => {
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2022, 2, 20, 12, 4, 31),
      pid: 1,
      hostname: "h",
      name: "tenure",
      reqId: "req-1",
      status: 200,
      ms: 3,
      msg: "GET /login",
    });
    expect(formatLogLine(line)).toBe("12:04:31 INFO  GET /login status=200 ms=3");
    expect(formatLogLine("not json")).toBe("not json");
    const out: string[] = [];
    const sink = { write: (text: string) => out.push(text) } as unknown as NodeJS.WritableStream;
    const logger = pino({ level: "info", base: null }, readableLogStream(sink));
    logger.warn({ from: "10.0.0.1" }, "proxy not trusted");
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\d\d:\d\d:\d\d WARN {2}proxy not trusted from=10\.0\.0\.1\n$/);
    expect(wantsReadableLogs({}, true)).toBe(true);
    expect(wantsReadableLogs({}, false)).toBe(false);
    expect(wantsReadableLogs({ TENURE_LOG_FORMAT: "json" }, true)).toBe(false);
  });
});
