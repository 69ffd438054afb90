/** A policy file whose numbers each pass but combine into nonsense stops the command: exit 2, no stack trace. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { STACK_FRAME, spawnTenure } from "../support/spawn-tenure.js";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "tenure-policy-"));
}

async function policyFile(dir: string, content: unknown): Promise<string> {
  const file = join(dir, "policies.json");
  await writeFile(file, JSON.stringify(content));
  return file;
}

describe("tenure with a policy file that combines into nonsense", () => {
  it("run: chargeLeadDays 3650 exits 2 naming the field and the one-year term, without a stack trace", async () => {
    const dir = await tempDir();
    const file = await policyFile(dir, { registrars: { tucows: { chargeLeadDays: 3650 } } });
    const { code, stdout, stderr } = await spawnTenure(["run", "--at", "2030-01-01T00:00:00Z"], {
      TENURE_CONFIG: file,
      TENURE_DATABASE_URL: `sqlite:${join(dir, "t.db")}`,
      TENURE_STATE_DIR: dir,
    });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${file}: invalid policy`);
    expect(stderr).toContain("registrars.tucows.chargeLeadDays: 3650 days before expiry");
    expect(stderr).toContain("365 days");
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("worker: invoice and charge leads of 45 days are both named in one message", async () => {
    const dir = await tempDir();
    const file = await policyFile(dir, { billing: { invoiceDaysBefore: 45, chargeDaysBefore: 45 } });
    const { code, stderr } = await spawnTenure(["worker"], {
      TENURE_CONFIG: file,
      TENURE_DATABASE_URL: `sqlite:${join(dir, "t.db")}`,
      TENURE_STATE_DIR: dir,
    });
    expect(code).toBe(2);
    expect(stderr).toContain("billing.invoiceDaysBefore: 45 days");
    expect(stderr).toContain("billing.chargeDaysBefore: 45 days");
    expect(stderr).not.toMatch(STACK_FRAME);
  });

  it("simulate: the same rules apply to a scenario's policies, with the policies. prefix", async () => {
    const dir = await tempDir();
    const file = join(dir, "scenario.json");
    await writeFile(
      file,
      JSON.stringify({
        start: "2021-04-15T14:00:00Z",
        until: "2022-07-01T00:00:00Z",
        policies: { registrars: { tucows: { chargeLeadDays: 3650 } } },
        customers: [{ id: "c1", locale: "en", currency: "USD", card: "ok" }],
        services: [
          {
            id: "d1",
            customer: "c1",
            kind: "domain",
            name: "example.com",
            registrar: "tucows",
            registeredAt: "2021-04-15T14:00:00Z",
            renewalPrice: 2000,
          },
        ],
      }),
    );
    const { code, stdout, stderr } = await spawnTenure(["simulate", file]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("policies.registrars.tucows.chargeLeadDays: 3650 days before expiry");
    expect(stderr).not.toMatch(STACK_FRAME);
  });
});
