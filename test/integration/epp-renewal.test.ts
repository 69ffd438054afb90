/**
 * The engine's renewal use case (apply-registrar-renewal) against the EPP test registry on both
 * databases: a domain in redemption at the registry is restored (RFC 3915 request + report) and
 * renewed, and Tenure records the new expiry and the restoration once, also when an answer is
 * lost on the way or the step runs again after a crash.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addYears } from "../../src/domain/time.js";
import { applyRegistrarRenewal } from "../../src/modules/domains/apply-registrar-renewal.js";
import { findDomain } from "../../src/modules/domains/domain-repository.js";
import { EppClient } from "../../src/providers/registrar/epp/client.js";
import { EppRegistrar } from "../../src/providers/registrar/epp/epp-registrar.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import {
  clientConfigFor,
  EppTestRegistry,
  makeCertificates,
  type TlsMaterial,
} from "../support/epp-registry.js";
import { DIALECTS } from "../support/stores.js";

const NOW = at("2022-05-20T00:00:00Z");
const PASSWORD = "Tenure-pw-1";
let tls: TlsMaterial;

beforeAll(async () => {
  tls = await makeCertificates();
});

describe.each(DIALECTS)("renewing a domain in redemption at an EPP registry (%s)", (dialect) => {
  let f: Fixture;
  let dir: string;
  let registry: EppTestRegistry;
  let registrar: EppRegistrar;

  beforeEach(async () => {
    f = await createFixture(dialect);
    dir = mkdtempSync(join(tmpdir(), "tenure-epp-renewal-"));
    registry = new EppTestRegistry({
      file: join(dir, "registry.sqlite"),
      tls,
      clients: { tenure: PASSWORD },
      now: () => NOW,
    });
    await registry.start();
    const client = new EppClient(clientConfigFor(registry, tls, { clientId: "tenure", password: PASSWORD }));
    registrar = new EppRegistrar(client, "tenure", { now: () => NOW });
    f.useRegistrar(registrar);
    await f.addCustomer("c1", "ok");
    await f.addDomain("d1", "c1", "redeem.example", "2021-04-15T14:00:00Z");
  });

  afterEach(async () => {
    await registrar.close();
    expect(registry.invalidFrames).toEqual([]);
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
    await f.dispose();
  });

  it.each([
    ["no answer lost", null],
    ["the restore request's answer lost", "update"],
    ["the renew's answer lost", "renew"],
  ] as const)("restores, renews and records the new expiry once (%s)", async (_, lost) => {
    const before = await findDomain(f.deps.db, "d1");
    if (!before) throw new Error("domain expected");
    registry.register("redeem.example", before.expiresAt, { createdAt: before.registeredAt });
    // Deleted at the registry after expiry: in its redemption period, as Tenure's record says.
    await registrar.delete("redeem.example");
    await f.deps.db.updateTable("services").set({ status: "redemption" }).where("id", "=", "d1").execute();
    const lapsed = await findDomain(f.deps.db, "d1");
    if (!lapsed) throw new Error("domain expected");
    if (lost) registry.dropAfterApplying(lost);
    const charged = { amount: { amount: 2000, currency: "USD" }, basis: "restore" };
    await applyRegistrarRenewal(f.deps, lapsed, charged, NOW);
    const after = await findDomain(f.deps.db, "d1");
    expect(after).toMatchObject({ status: "active", expiresAt: addYears(before.expiresAt, 1) });
    expect(registry.renewals).toHaveLength(1);
    expect(registry.restoreReports).toHaveLength(1);
    expect(registry.domain("redeem.example")).toMatchObject({
      expiresAt: addYears(before.expiresAt, 1),
      rgp: "",
    });
    // The step again with the record it read before (a process that died before its commit).
    await expect(applyRegistrarRenewal(f.deps, lapsed, charged, NOW)).resolves.toBeUndefined();
    expect(registry.renewals).toHaveLength(1);
    expect(registry.restoreReports).toHaveLength(1);
    const events = await f.deps.db
      .selectFrom("events")
      .select("type")
      .where("service_id", "=", "d1")
      .where("type", "in", ["domain.restored", "domain.renewed"])
      .orderBy("id")
      .execute();
    expect(events.map((e) => e.type)).toEqual(["domain.restored", "domain.renewed"]);
  });
});
