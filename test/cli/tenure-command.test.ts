/** The `tenure` command as a person uses it: output, exit codes, errors that name the field. */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";

const run = promisify(execFile);

async function tenure(args: string[], env: Record<string, string> = {}) {
  let out = "";
  let err = "";
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  } finally {
    process.env = saved;
  }
}

async function scenarioFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tenure-cli-"));
  const file = join(dir, "scenario.json");
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function lines(out: string): Record<string, unknown>[] {
  return out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

describe("tenure simulate", () => {
  it("replays seed 004 with a card that always fails: suspension, notice, three attempts, expiry, release", async () => {
    const { code, out } = await tenure(["simulate", "examples/seed-004-timeline.json"]);
    expect(code).toBe(0);
    const events = lines(out).filter((e) => e.service === "d1");
    const on = (type: string) => events.filter((e) => e.type === type).map((e) => String(e.at).slice(0, 10));
    expect(on("domain.suspended")).toEqual(["2021-04-30"]);
    expect(
      events.filter((e) => e.template === "renewal-upcoming").map((e) => String(e.at).slice(0, 10)),
    ).toEqual(["2022-03-16"]);
    expect(on("payment.failed")).toEqual(["2022-03-31", "2022-04-05", "2022-04-10"]);
    expect(events.filter((e) => e.type === "payment.failed").map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(events.find((e) => e.type === "payment.failed")).toEqual(
      expect.objectContaining({ amount: { amount: 2000, currency: "USD" } }),
    );
    expect(on("domain.expired")).toEqual(["2022-04-15"]);
    expect(on("domain.released")).toEqual(["2022-06-15"]);
    expect(on("payment.succeeded")).toEqual([]);
  });

  it("replays seed 004 with a working card: one charge on 2022-03-31, new expiry 2023-04-15", async () => {
    const { code, out } = await tenure(["simulate", "examples/seed-004-renewal-ok.json"]);
    expect(code).toBe(0);
    const events = lines(out).filter((e) => e.service === "d1");
    const charges = events.filter((e) => e.type === "payment.succeeded");
    expect(charges.map((e) => String(e.at).slice(0, 10))).toEqual(["2022-03-31"]);
    expect(events.filter((e) => e.type === "domain.renewed").map((e) => e.expiresAt)).toEqual([
      "2023-04-15T14:00:00.000Z",
    ]);
    expect(events.map((e) => e.type)).not.toContain("domain.expired");
    const denied = events.find((e) => e.type === "domain.transfer_denied");
    expect(denied?.until).toBe("2021-06-15T14:00:00.000Z");
  });

  it("pays with a card whose answers are lost, cancels at once: the charge that landed is refunded, nothing renews", async () => {
    const { code, out } = await tenure(["simulate", "examples/lost-answer-cancel.json"]);
    expect(code).toBe(0);
    const events = lines(out).filter((e) => e.type !== "notice.sent");
    expect(events.map((e) => e.type)).toEqual([
      "service.activated",
      "invoice.issued",
      "service.cancellation_requested",
      "payment.succeeded",
      "invoice.voided",
      "payment.refunded",
      "service.cancelled",
    ]);
    const refunded = events.find((e) => e.type === "payment.refunded");
    expect(refunded).toMatchObject({
      invoice: 1,
      amount: { amount: 19200, currency: "USD" },
      reason: "invoice-voided",
    });
  });

  it("bills a Quebec customer's yearly hosting of a Quebec seller with TPS and TVQ: 192.00 $ → 220.75 $ charged", async () => {
    const { code, out } = await tenure(["simulate", "examples/quebec-taxes.json"]);
    expect(code).toBe(0);
    const events = lines(out).filter((e) => e.type !== "notice.sent");
    const issued = events.find((e) => e.type === "invoice.issued");
    expect(issued).toMatchObject({
      at: "2026-01-01T14:00:00.000Z",
      number: "INV-000001",
      subtotal: { amount: 19200, currency: "CAD" },
      taxes: [
        { name: "TPS", rate: 5000, jurisdiction: "CA", amount: { amount: 960, currency: "CAD" } },
        { name: "TVQ", rate: 9975, jurisdiction: "CA-QC", amount: { amount: 1915, currency: "CAD" } },
      ],
      amount: { amount: 22075, currency: "CAD" },
    });
    const charged = events.filter((e) => e.type === "payment.succeeded");
    expect(charged).toHaveLength(1);
    expect(charged[0]).toMatchObject({
      at: "2026-01-15T14:00:00.000Z",
      amount: { amount: 22075, currency: "CAD" },
    });
    const table = await tenure(["simulate", "examples/quebec-taxes.json", "--format", "table"]);
    expect(table.out).toMatch(/invoice\.issued\s+site1\s+.*taxes=TPS 5%:9\.60,TVQ 9\.975%:19\.15/);
  });

  it("refuses a billing address whose VAT number is not of its country, naming the field", async () => {
    const file = await scenarioFile({
      start: "2025-01-15T00:00:00Z",
      until: "2025-03-15T00:00:00Z",
      seller: { country: "FR" },
      customers: [
        {
          id: "c1",
          locale: "en",
          currency: "EUR",
          card: "ok",
          billingAddress: { country: "DE", postalCode: "10115", vatNumber: "FR40303265045" },
        },
      ],
      services: [],
    });
    const { code, err } = await tenure(["simulate", file]);
    expect(code).toBe(2);
    expect(err).toContain("customers[0].billingAddress.vatNumber: not a DE VAT number");
  });

  it("prints a readable table with --format table", async () => {
    const { code, out } = await tenure(["simulate", "examples/seed-004-timeline.json", "--format", "table"]);
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toMatch(/^at \(UTC\)\s+event\s+service\s+details$/);
    expect(out).toMatch(/2022-04-15 14:00\s+domain\.expired\s+d1/);
  });

  it("refuses an invalid scenario with exit code 2, naming every bad field, without a stack trace", async () => {
    const file = await scenarioFile({
      start: "2021-04-15",
      until: "2022-02-30T00:00:00Z",
      customers: [{ id: "c1", locale: "fr-CA", currency: "USD", card: "ok", colour: "blue" }],
      services: [
        { id: "h1", customer: "c2", kind: "hosting", plan: "weekly", price: 10, startedAt: "2021-04-15" },
      ],
      actions: [{ at: "2021-05-01T00:00:00Z", do: "verify-email", service: "ghost" }],
    });
    const { code, out, err } = await tenure(["simulate", file]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain("until: expected an ISO-8601 instant");
    expect(err).toContain("customers[0].colour: unknown field");
    expect(err).toContain("services[0].plan");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("refuses references to unknown customers and services, naming them", async () => {
    const file = await scenarioFile({
      start: "2021-04-15T00:00:00Z",
      until: "2022-04-15T00:00:00Z",
      customers: [{ id: "c1", locale: "fr-CA", currency: "USD", card: "ok" }],
      services: [
        { id: "h1", customer: "c2", kind: "hosting", plan: "yearly", price: 10, startedAt: "2021-04-15" },
      ],
      actions: [{ at: "2021-05-01T00:00:00Z", do: "verify-email", service: "ghost" }],
    });
    const { code, err } = await tenure(["simulate", file]);
    expect(code).toBe(2);
    expect(err).toContain('services[0].customer: unknown customer "c2"');
    expect(err).toContain('actions[0].service: unknown service "ghost"');
  });

  it("refuses a policy override with a bad value, naming the field", async () => {
    const file = await scenarioFile({
      start: "2021-04-15T00:00:00Z",
      until: "2021-05-15T00:00:00Z",
      policies: { registrars: { tucows: { graceDays: "thirty" } } },
      customers: [{ id: "c1", locale: "en", currency: "USD", card: "ok" }],
      services: [],
    });
    const { code, err } = await tenure(["simulate", file]);
    expect(code).toBe(2);
    expect(err).toContain("policies.registrars.tucows.graceDays");
  });

  it("refuses a file that is not JSON, and a missing file, with exit code 2", async () => {
    expect((await tenure(["simulate", await scenarioFile("{ nope")])).code).toBe(2);
    const missing = await tenure(["simulate", "/nonexistent/scenario.json"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("cannot read");
  });
});

describe("tenure command line", () => {
  it("shows the usage for --help and refuses an unknown command with exit code 2", async () => {
    expect(await tenure(["--help"])).toEqual(
      expect.objectContaining({ code: 0, out: expect.stringContaining("simulate FILE") }),
    );
    const unknown = await tenure(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
  });

  it("reports a bad policy file by field, with exit code 2", async () => {
    const file = await scenarioFile({ billing: { attempts: 0 } });
    const { code, err } = await tenure(["run"], {
      TENURE_CONFIG: file,
      TENURE_DATABASE_URL: "sqlite::memory:",
    });
    expect(code).toBe(2);
    expect(err).toContain("billing.attempts");
  });

  it("reports a bad database URL by variable name", async () => {
    const { code, err } = await tenure(["migrate"], { TENURE_DATABASE_URL: "mysql://x" });
    expect(code).toBe(2);
    expect(err).toContain("TENURE_DATABASE_URL");
  });

  it("runs the engine once at a given instant and prints its report", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tenure-run-"));
    const env = { TENURE_DATABASE_URL: `sqlite:${join(dir, "t.db")}`, TENURE_STATE_DIR: dir };
    const { code, out } = await tenure(["run", "--at", "2030-01-01T00:00:00Z"], env);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(
      expect.objectContaining({ now: "2030-01-01T00:00:00.000Z", failures: [] }),
    );
    expect((await tenure(["run", "--at", "yesterday"], env)).code).toBe(2);
  });

  it("works as the installed `tenure` binary", async () => {
    const { stdout } = await run(process.execPath, [
      "bin/tenure.js",
      "simulate",
      "examples/seed-004-timeline.json",
    ]);
    expect(stdout).toContain('"type":"domain.released"');
  });
});
