/**
 * `tenure simulate` on scenarios that are invalid, too large, or that the engine cannot carry out:
 * a clear message and an exit code (2 invalid or too large, 1 a step failed), never a stack trace.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulateCommand } from "../../src/cli/simulate-command.js";
import { MAX_SCENARIO_YEARS } from "../../src/engine/simulate/scenario-schema.js";
import { STACK_FRAME, spawnTenure } from "../support/spawn-tenure.js";

async function scenarioFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "tenure-sim-"));
  const file = join(dir, "scenario.json");
  await writeFile(file, JSON.stringify(content));
  return file;
}

const customer = { id: "c1", locale: "en", currency: "USD", card: "ok" };

function monthlyApp(start: string, until: string, extra: Record<string, unknown> = {}) {
  return {
    start,
    until,
    customers: [{ ...customer, ...extra }],
    services: [{ id: "app1", customer: "c1", kind: "app", plan: "monthly", price: 900, startedAt: start }],
  };
}

describe("tenure simulate: a customer's time zone", () => {
  it("an unknown zone (Mars/Olympus) is refused by the schema, naming the field: exit 2", async () => {
    const file = await scenarioFile(
      monthlyApp("2021-01-01T00:00:00Z", "2021-06-01T00:00:00Z", { timeZone: "Mars/Olympus" }),
    );
    const { code, stdout, stderr } = await spawnTenure(["simulate", file]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain('customers[0].timeZone: unknown time zone "Mars/Olympus"');
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("an offset that the date formatting cannot show (+05:00) is refused too", async () => {
    const file = await scenarioFile(
      monthlyApp("2021-01-01T00:00:00Z", "2021-06-01T00:00:00Z", { timeZone: "+05:00" }),
    );
    const { code, stderr } = await spawnTenure(["simulate", file]);
    expect(code).toBe(2);
    expect(stderr).toContain("customers[0].timeZone");
  });

  it("an IANA zone is accepted", async () => {
    const file = await scenarioFile(
      monthlyApp("2021-01-01T00:00:00Z", "2021-03-01T00:00:00Z", { timeZone: "America/Toronto" }),
    );
    const { code, stdout } = await spawnTenure(["simulate", file]);
    expect(code).toBe(0);
    expect(stdout).toContain('"type":"service.renewed"');
  });
});

describe("tenure simulate: the size of a scenario is bounded", () => {
  it(`1970 → 9999 monthly is refused at once: at most ${MAX_SCENARIO_YEARS} years, exit 2`, async () => {
    const file = await scenarioFile(monthlyApp("1970-01-01T00:00:00Z", "9999-01-01T00:00:00Z"));
    const { code, stdout, stderr } = await spawnTenure(["simulate", file]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(
      `until: the scenario spans 8029 years; at most ${MAX_SCENARIO_YEARS} are simulated`,
    );
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it(`exactly ${MAX_SCENARIO_YEARS} years is allowed`, async () => {
    const file = await scenarioFile({
      ...monthlyApp("1970-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
      services: [],
    });
    expect((await spawnTenure(["simulate", file])).code).toBe(0);
  });

  it("a service that started long before the scenario's window is refused, naming it", async () => {
    const file = await scenarioFile({
      ...monthlyApp("2000-01-01T00:00:00Z", "2001-01-01T00:00:00Z"),
      services: [
        { id: "app1", customer: "c1", kind: "app", plan: "monthly", price: 900, startedAt: "1900-01-01" },
      ],
    });
    const { code, stderr } = await spawnTenure(["simulate", file]);
    expect(code).toBe(2);
    expect(stderr).toContain("services[0].startedAt: ");
    expect(stderr).toContain(`at most ${MAX_SCENARIO_YEARS} years`);
  });

  it("too many services are refused with the limit said", async () => {
    const services = Array.from({ length: 1001 }, (_, i) => ({
      id: `s${i}`,
      customer: "c1",
      kind: "app",
      plan: "yearly",
      price: 100,
      startedAt: "2021-01-01",
    }));
    const file = await scenarioFile({ ...monthlyApp("2021-01-01", "2021-02-01"), services });
    const { code, stderr } = await spawnTenure(["simulate", file]);
    expect(code).toBe(2);
    expect(stderr).toContain("services: at most 1000 services");
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("a scenario that makes more events than the limit stops with the limit said: exit 2", async () => {
    const file = await scenarioFile(monthlyApp("2001-01-01T00:00:00Z", "2011-01-01T00:00:00Z"));
    let out = "";
    let err = "";
    const code = await simulateCommand(
      file,
      "jsonl",
      { out: (t) => (out += t), err: (t) => (err += t) },
      { limits: { maxEvents: 50 } },
    );
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toContain(`${file}: scenario too large: more than 50 events`);
    expect(err).toContain("MAX_SIMULATION_EVENTS");
    expect(err).not.toMatch(STACK_FRAME);
  });
});

describe("tenure simulate: a step the engine cannot carry out", () => {
  it("a domain moved to a site billed in a currency its TLD has no price in: one clear message, exit 1", async () => {
    const file = await scenarioFile({
      start: "2021-01-01T00:00:00Z",
      until: "2022-06-01T00:00:00Z",
      customers: [customer],
      services: [
        {
          id: "site1",
          customer: "c1",
          kind: "hosting",
          plan: "yearly",
          price: 19200,
          startedAt: "2021-01-01T00:00:00Z",
        },
        {
          id: "site2",
          customer: "c1",
          kind: "hosting",
          plan: "yearly",
          price: 18000,
          currency: "EUR",
          startedAt: "2021-01-01T00:00:00Z",
        },
        {
          id: "d1",
          customer: "c1",
          kind: "domain",
          name: "example.com",
          registrar: "tucows",
          registeredAt: "2021-01-01T00:00:00Z",
          renewalPrice: 2000,
          site: "site1",
        },
      ],
      actions: [{ at: "2021-06-01T00:00:00Z", do: "move-domain", service: "d1", site: "site2" }],
    });
    const { code, stdout, stderr } = await spawnTenure(["simulate", file]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trimEnd().split("\n")).toEqual([
      "simulation stopped: 2021-06-01T00:00:00.000Z: d1 failed at step plan: CONFLICT: .com has no public price in EUR and the recorded price is in USD",
    ]);
    expect(stderr).not.toMatch(STACK_FRAME);
  });
});
