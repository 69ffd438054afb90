/** The registrar policy's `adapter` and `epp` keys, and the `reconciliation` section. */
import { describe, expect, it } from "vitest";
import { resolvePolicies } from "../../src/domain/policies.js";
import { eppClientConfig } from "../../src/providers/registrar/epp/epp-registrar.js";
import { redactFrame } from "../../src/providers/registrar/epp/redact.js";

const epp = { host: "epp.registry.example", clientId: "tenure-1", passwordEnv: "EPP_PASSWORD" };

describe("EPP registrar policy", () => {
  it("fills the connection defaults and keeps the test adapter for every other registrar", () => {
    const result = resolvePolicies({ registrars: { real: { extends: "tucows", adapter: "epp", epp } } });
    if (!result.ok) throw new Error(result.errors.join("; "));
    expect(result.policies.registrars.real?.epp).toMatchObject({
      port: 700,
      poolSize: 2,
      keepAliveSeconds: 300,
      infoPerSecond: 5,
    });
    expect(result.policies.registrars.tucows?.adapter).toBeUndefined();
    expect(result.policies.reconciliation).toEqual({
      everyMinutes: 1440,
      leaseMinutes: 60,
      batchSize: 25,
      recentPaymentDays: 7,
    });
  });

  it("refuses an epp adapter without its section, a password in the file, a bad variable name", () => {
    const missing = resolvePolicies({ registrars: { real: { extends: "tucows", adapter: "epp" } } });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors.join("\n")).toContain("epp section");
    const password = resolvePolicies({
      registrars: { real: { extends: "tucows", adapter: "epp", epp: { ...epp, password: "x" } } },
    });
    expect(password.ok).toBe(false);
    const badName = resolvePolicies({
      registrars: {
        real: { extends: "tucows", adapter: "epp", epp: { ...epp, passwordEnv: "my password" } },
      },
    });
    expect(badName.ok).toBe(false);
  });

  it("reads the password from the named variable, and says which one is missing", () => {
    const result = resolvePolicies({ registrars: { real: { extends: "tucows", adapter: "epp", epp } } });
    if (!result.ok || !result.policies.registrars.real?.epp) throw new Error("policy expected");
    const policy = result.policies.registrars.real.epp;
    expect(eppClientConfig(policy, { EPP_PASSWORD: "Secret-12" }).password).toBe("Secret-12");
    expect(() => eppClientConfig(policy, {})).toThrow(/EPP_PASSWORD is not set/);
  });

  it("redacts passwords and authInfo in logged frames, whatever the prefix", () => {
    const frame =
      "<epp><command><login><clID>a</clID><pw>Secret-12</pw><newPW>Newer-34</newPW></login></command>" +
      '<domain:authInfo><domain:pw roid="X">Code-56</domain:pw></domain:authInfo><authInfo><pw>Code-78</pw></authInfo></epp>';
    const redacted = redactFrame(frame);
    for (const secret of ["Secret-12", "Newer-34", "Code-56", "Code-78"])
      expect(redacted).not.toContain(secret);
    expect(redacted).toContain("<clID>a</clID>");
  });
});
