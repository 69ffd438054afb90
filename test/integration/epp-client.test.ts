/**
 * Tenure's EPP client and the `epp` registrar adapter against the in-repo test registry over TLS
 * on loopback: framing across partial reads, login, every command, the renewals that must never
 * happen twice, restore with its report, poll, redaction, and every frame checked by the schemas.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addDays, addYears, parseInstant } from "../../src/domain/time.js";
import {
  clientTransactionId,
  EPP,
  EppClient,
  type EppClientConfig,
  EppCommandError,
} from "../../src/providers/registrar/epp/client.js";
import { EppRegistrar } from "../../src/providers/registrar/epp/epp-registrar.js";
import { encodeFrame, FrameDecoder } from "../../src/providers/registrar/epp/framing.js";
import { frameErrors } from "../../src/providers/registrar/epp/schema.js";
import {
  clientConfigFor,
  EppTestRegistry,
  makeCertificates,
  type TlsMaterial,
} from "../support/epp-registry.js";

const T0 = parseInstant("2026-03-01T00:00:00Z") as number;
const PASSWORD = "s3cret-Login-pw";
const OTHER_PASSWORD = "other-Login-pw";

let tls: TlsMaterial;
let dir: string;
let clock: { now: number };
let registry: EppTestRegistry;
let logged: string[];
const clients: EppClient[] = [];

beforeAll(async () => {
  tls = await makeCertificates();
});

async function startRegistry(extra: { pieceBytes?: number } = {}) {
  registry = new EppTestRegistry({
    file: join(dir, "registry.sqlite"),
    tls,
    clients: { tenure: PASSWORD, otherreg: OTHER_PASSWORD },
    now: () => clock.now,
    ...extra,
  });
  await registry.start();
}

function config(overrides: Partial<EppClientConfig> = {}): EppClientConfig {
  return clientConfigFor(
    registry,
    tls,
    { clientId: "tenure", password: PASSWORD },
    { poolSize: 2, log: (_direction, xml) => logged.push(xml), ...overrides },
  );
}

function newClient(overrides: Partial<EppClientConfig> = {}): EppClient {
  const client = new EppClient(config(overrides));
  clients.push(client);
  return client;
}

function tenure(): EppRegistrar {
  return new EppRegistrar(newClient(), "tenure");
}

function other(): EppRegistrar {
  return new EppRegistrar(newClient({ clientId: "otherreg", password: OTHER_PASSWORD }), "otherreg");
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "tenure-epp-"));
  clock = { now: T0 };
  logged = [];
  await startRegistry();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  // Every frame either side sent was valid against the IETF schemas.
  expect(registry.invalidFrames).toEqual([]);
  for (const frame of registry.frames) expect(frameErrors(frame.xml)).toEqual([]);
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

afterAll(() => undefined);

describe("RFC 5734 framing", () => {
  it("decodes frames split anywhere and frames sharing a chunk", () => {
    const a = encodeFrame("<a>é</a>");
    const b = encodeFrame("<b/>");
    const all = Buffer.concat([a, b]);
    const decoder = new FrameDecoder();
    const seen: string[] = [];
    for (let at = 0; at < all.length; at++) seen.push(...decoder.push(all.subarray(at, at + 1)));
    expect(seen).toEqual(["<a>é</a>", "<b/>"]);
    expect(new FrameDecoder().push(all)).toEqual(["<a>é</a>", "<b/>"]);
    // The length counts the 4 header bytes and the UTF-8 bytes, not the characters.
    expect(a.readUInt32BE(0)).toBe(4 + Buffer.byteLength("<a>é</a>"));
  });

  it("refuses a length that cannot be a frame", () => {
    const bogus = Buffer.alloc(4);
    bogus.writeUInt32BE(2);
    expect(() => new FrameDecoder().push(bogus)).toThrow(/out of bounds/);
  });

  it("reads answers that arrive a few bytes at a time over TLS", async () => {
    await registry.close();
    await startRegistry({ pieceBytes: 7 });
    registry.register("pieces.com", addYears(T0, 1));
    const info = await tenure().info("pieces.com");
    expect(info?.expiresAt).toBe(addYears(T0, 1));
  });

  it("the registry reads a command sent a byte at a time", async () => {
    const socket = connect({
      host: "127.0.0.1",
      port: registry.port,
      ca: tls.serverCert,
      cert: tls.clientCert,
      key: tls.clientKey,
    });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    const frames: string[] = [];
    const next = () =>
      new Promise<string>((resolve) => {
        const poll = () => (frames.length ? resolve(frames.shift() as string) : setTimeout(poll, 5));
        poll();
      });
    socket.on("data", (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    expect(await next()).toContain("<greeting>");
    const hello = encodeFrame(
      `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>`,
    );
    for (let at = 0; at < hello.length; at++) {
      socket.write(hello.subarray(at, at + 1));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(await next()).toContain("<greeting>");
    socket.destroy();
  });
});

describe("sessions", () => {
  it("refuses a wrong password with 2200, and never logs the password", async () => {
    const client = newClient({ password: "Wrong-pw-123" });
    const error = await client.info("x.com").catch((e) => e);
    expect(error).toBeInstanceOf(EppCommandError);
    expect((error as EppCommandError).code).toBe(EPP.authenticationError);
    expect(logged.some((xml) => xml.includes("Wrong-pw-123"))).toBe(false);
    expect(logged.some((xml) => xml.includes("<pw>[redacted]</pw>"))).toBe(true);
  });

  it("logs frames with the login password and authInfo codes redacted", async () => {
    registry.register("secret.com", addYears(T0, 1), { authInfo: "Auth-Code-9981" });
    const registrar = tenure();
    expect(await registrar.transferCode("secret.com")).toBe("Auth-Code-9981");
    const all = logged.join("\n");
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain("Auth-Code-9981");
    expect(all).toContain("<domain:authInfo>[redacted]</domain:authInfo>");
  });

  it("keeps idle sessions alive with hello, and logs out on close", async () => {
    registry.register("alive.com", addYears(T0, 1));
    const client = newClient({ keepAliveMs: 60 });
    await client.info("alive.com");
    await new Promise((resolve) => setTimeout(resolve, 250));
    const hellos = registry.frames.filter((f) => f.direction === "received" && f.xml.includes("<hello/>"));
    expect(hellos.length).toBeGreaterThan(0);
    await client.close();
    expect(registry.frames.some((f) => f.direction === "received" && f.xml.includes("<logout/>"))).toBe(true);
  });

  it("reconnects after the registry drops every connection", async () => {
    registry.register("again.com", addYears(T0, 1));
    const registrar = tenure();
    await registrar.info("again.com");
    const before = registry.connections;
    registry.dropAllConnections();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await registrar.info("again.com"))?.name).toBe("again.com");
    expect(registry.connections).toBe(before + 1);
  });

  it("keeps one command in flight per session, and at most poolSize sessions", async () => {
    for (let i = 0; i < 6; i++) registry.register(`pool${i}.com`, addYears(T0, 1));
    const client = newClient({ poolSize: 2 });
    const registrar = new EppRegistrar(client, "tenure");
    const infos = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => registrar.info(`pool${i}.com`)));
    expect(infos.map((i) => i?.name)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `pool${i}.com`));
    expect(registry.connections).toBeLessThanOrEqual(2);
  });

  it("gives a retried operation the same clTRID", () => {
    expect(clientTransactionId("renew", "a.com", "2027-03-01", 1)).toBe(
      clientTransactionId("renew", "a.com", "2027-03-01", 1),
    );
    expect(clientTransactionId("renew", "a.com", "2027-03-01", 1)).not.toBe(
      clientTransactionId("renew", "a.com", "2028-03-01", 1),
    );
    expect(clientTransactionId("renew", "a.com", "2027-03-01", 1).length).toBeLessThanOrEqual(64);
  });
});

describe("domain commands", () => {
  it("checks, creates and reads a name", async () => {
    registry.register("taken.com", addYears(T0, 1));
    const registrar = tenure();
    const available = await registrar.check(["taken.com", "free.com"]);
    expect(available.get("taken.com")).toBe(false);
    expect(available.get("free.com")).toBe(true);
    const created = await registrar.create({ name: "free.com", years: 2, authInfo: "Create-Auth-1" });
    expect(created.expiresAt).toBe(addYears(T0, 2));
    const info = await registrar.details("free.com");
    expect(info).toMatchObject({
      ours: true,
      sponsor: "tenure",
      expiresAt: addYears(T0, 2),
      registeredAt: T0,
    });
    expect(await registrar.info("nowhere.com")).toBeNull();
    await expect(
      registrar.create({ name: "free.com", years: 1, authInfo: "x-auth-2" }),
    ).rejects.toMatchObject({ code: EPP.objectExists });
  });

  it("renews quoting Tenure's expiry; the same renew again is refused with 2306 and applied once", async () => {
    const expiry = addYears(T0, 1);
    registry.register("renew.com", expiry);
    const registrar = tenure();
    expect(await registrar.renew("renew.com", expiry, 1)).toEqual({
      status: "renewed",
      expiresAt: addYears(expiry, 1),
    });
    // A retry (Tenure did not record the first answer) quotes the same expiry: the registry refuses.
    expect(await registrar.renew("renew.com", expiry, 1)).toEqual({
      status: "expiry-mismatch",
      expiresAt: addYears(expiry, 1),
    });
    expect(registry.renewals).toEqual([{ name: "renew.com", from: expiry, to: addYears(expiry, 1) }]);
    const renewIds = registry.clTRIDs.filter((id) => id.startsWith("TNR-renew-"));
    expect(new Set(renewIds).size).toBe(1);
    const refused = registry.frames.filter((f) => f.direction === "sent" && f.xml.includes('code="2306"'));
    expect(refused).toHaveLength(1);
  });

  it("a renew whose answer is lost is read back, never renewed twice", async () => {
    const expiry = addYears(T0, 1);
    registry.register("lost.com", expiry);
    const registrar = tenure();
    registry.dropAfterApplying("renew");
    const outcome = await registrar.renew("lost.com", expiry, 1);
    expect(outcome.expiresAt).toBe(addYears(expiry, 1));
    expect(registry.renewals).toHaveLength(1);
    expect(registry.domain("lost.com")?.expiresAt).toBe(addYears(expiry, 1));
  });

  it("a renew lost before the registry applied it is sent again under the same clTRID", async () => {
    const expiry = addYears(T0, 1);
    registry.register("late.com", expiry);
    const registrar = tenure();
    await registrar.info("late.com");
    // The session dies before the renew is even read: nothing applied, so the renew goes again.
    registry.dropAllConnections();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await registrar.renew("late.com", expiry, 1)).toEqual({
      status: "renewed",
      expiresAt: addYears(expiry, 1),
    });
    expect(registry.renewals).toHaveLength(1);
  });

  it("holds, unholds, locks and changes nameservers", async () => {
    registry.register("upd.com", addYears(T0, 1));
    const registrar = tenure();
    await registrar.hold("upd.com");
    await registrar.hold("upd.com");
    expect((await registrar.info("upd.com"))?.onHold).toBe(true);
    await registrar.unhold("upd.com");
    expect((await registrar.info("upd.com"))?.onHold).toBe(false);
    await registrar.lock("upd.com", true);
    expect((await registrar.details("upd.com"))?.statuses).toContain("clientTransferProhibited");
    await registrar.setNameservers("upd.com", ["ns1.example.net", "ns2.example.net"]);
    await registrar.setNameservers("upd.com", ["ns2.example.net", "ns3.example.net"]);
    expect((await registrar.details("upd.com"))?.nameservers.sort()).toEqual([
      "ns2.example.net",
      "ns3.example.net",
    ]);
  });

  it("transfers: locks refuse, a wrong authInfo refuses, a request is queried, rejected, approved, seen through poll", async () => {
    registry.register("move.com", addYears(T0, 1), { createdAt: addDays(T0, -10), authInfo: "Move-Auth-77" });
    const ours = tenure();
    const theirs = other();
    // Inside the 60-day lock after registration.
    await expect(theirs.transferIn("move.com", "Move-Auth-77")).rejects.toMatchObject({
      code: EPP.statusProhibitsOperation,
    });
    clock.now = addDays(T0, 60);
    await expect(theirs.transferIn("move.com", "wrong-auth")).rejects.toMatchObject({
      code: EPP.invalidAuthInfo,
    });
    await ours.lock("move.com", true);
    await expect(theirs.transferIn("move.com", "Move-Auth-77")).rejects.toMatchObject({
      code: EPP.statusProhibitsOperation,
    });
    await ours.lock("move.com", false);

    expect(await theirs.transferIn("move.com", "Move-Auth-77")).toEqual({ pending: true });
    expect(await ours.transferQuery("move.com")).toEqual({ status: "pending", gaining: "otherreg" });
    await ours.answerTransferOut("move.com", false);
    expect(await ours.transferQuery("move.com")).toBeNull();

    await theirs.transferIn("move.com", "Move-Auth-77");
    await ours.answerTransferOut("move.com", true);
    expect((await ours.info("move.com"))?.ours).toBe(false);

    const seen: string[] = [];
    await ours.drainPoll(async (message) => {
      if (message.kind === "transfer") seen.push(`${message.name}:${message.status}:${message.gaining}`);
    });
    expect(seen).toEqual([
      "move.com:pending:otherreg",
      "move.com:pending:otherreg",
      "move.com:clientApproved:otherreg",
    ]);
    expect(registry.pendingPoll("tenure")).toBe(0);
  });

  it("a transfer out approved by the registry after five days is seen through poll", async () => {
    registry.register("away.com", addYears(T0, 1), { createdAt: addDays(T0, -400), authInfo: "Away-Auth-1" });
    const ours = tenure();
    await other().transferIn("away.com", "Away-Auth-1");
    clock.now = addDays(T0, 5);
    registry.advance();
    const statuses: string[] = [];
    await ours.drainPoll(async (m) => {
      if (m.kind === "transfer") statuses.push(m.status);
    });
    expect(statuses).toEqual(["pending", "serverApproved"]);
    expect(registry.domain("away.com")?.sponsor).toBe("otherreg");
  });

  it("deletes into redemption, restores with a report (RFC 3915), and a repeated delete is harmless", async () => {
    registry.register("gone.com", addYears(T0, 1));
    const registrar = tenure();
    await registrar.delete("gone.com");
    await registrar.delete("gone.com");
    const deleted = await registrar.details("gone.com");
    expect(deleted?.rgp).toEqual(["redemptionPeriod"]);
    await registrar.restore("gone.com", {
      preData: "gone.com, registrant Example Inc.",
      postData: "gone.com, registrant Example Inc.",
      delTime: new Date(T0).toISOString(),
      resTime: new Date(addDays(T0, 1)).toISOString(),
      resReason: "Registrant error.",
      statements: [
        "This registrar has not restored the name to assume its rights.",
        "The information is accurate.",
      ],
    });
    expect((await registrar.details("gone.com"))?.rgp).toEqual([]);
    expect(registry.restoreReports).toHaveLength(1);
    expect(registry.frames.some((f) => f.xml.includes('<rgp:restore op="report">'))).toBe(true);
  });

  it("renews a name in its redemption period: 2304 to the renew, then restore request, report, and the renew from Tenure's expiry", async () => {
    const expiry = addYears(T0, 1);
    registry.register("lapsed.com", expiry, { createdAt: addYears(T0, -2) });
    const registrar = new EppRegistrar(newClient(), "tenure", { now: () => addDays(T0, 3) });
    await registrar.delete("lapsed.com");
    clock.now = addDays(T0, 3);
    const outcome = await registrar.renew("lapsed.com", expiry, 1);
    expect(outcome).toEqual({ status: "renewed", expiresAt: addYears(expiry, 1) });
    expect(registry.renewals).toEqual([{ name: "lapsed.com", from: expiry, to: addYears(expiry, 1) }]);
    const [report] = registry.restoreReports;
    expect(registry.restoreReports).toHaveLength(1);
    // The report dates the deletion from the registry's own record and the restore from the clock.
    expect(report?.report).toContain(new Date(T0).toISOString());
    expect(report?.report).toContain(new Date(addDays(T0, 3)).toISOString());
    expect(report?.report).toContain("has not restored the Registered Name");
    expect((await registrar.details("lapsed.com"))?.rgp).toEqual([]);
    // The refused renew came first, then the two updates of RFC 3915, then the renew that worked.
    const sent = registry.frames.filter((f) => f.direction === "received").map((f) => f.xml);
    const order = sent
      .map((xml) =>
        xml.includes('op="request"')
          ? "restore"
          : xml.includes('op="report"')
            ? "report"
            : xml.includes("<domain:renew")
              ? "renew"
              : "",
      )
      .filter(Boolean);
    expect(order).toEqual(["renew", "restore", "report", "renew"]);
  });

  it.each([
    ["the restore request", "request"],
    ["the restore report", "report"],
    ["the renew after the restore", "renew"],
  ] as const)("renews a name in redemption exactly once when the answer to %s is lost", async (_, lost) => {
    const expiry = addYears(T0, 1);
    registry.register("flaky.com", expiry, { createdAt: addYears(T0, -2) });
    const registrar = tenure();
    await registrar.delete("flaky.com");
    if (lost === "report") {
      // Already pendingRestore (a previous attempt died after its request): the report is next.
      await registrar.client.restoreRequest("flaky.com");
      registry.dropAfterApplying("update");
    } else registry.dropAfterApplying(lost === "request" ? "update" : "renew");
    const outcome = await registrar.renew("flaky.com", expiry, 1);
    expect(outcome.expiresAt).toBe(addYears(expiry, 1));
    expect(registry.renewals).toHaveLength(1);
    expect(registry.restoreReports).toHaveLength(1);
    expect(registry.domain("flaky.com")).toMatchObject({ expiresAt: addYears(expiry, 1), rgp: "" });
    // Asked again (a process that died before recording it), nothing more happens at the registry.
    const again = await registrar.renew("flaky.com", expiry, 1);
    expect(again).toEqual({ status: "expiry-mismatch", expiresAt: addYears(expiry, 1) });
    expect(registry.renewals).toHaveLength(1);
    expect(registry.restoreReports).toHaveLength(1);
  });

  it("a name past its redemption (pending delete) cannot be renewed: the registry's refusal is the error", async () => {
    const expiry = addYears(T0, 1);
    registry.register("late-restore.com", expiry);
    const registrar = tenure();
    await registrar.delete("late-restore.com");
    clock.now = addDays(T0, 31);
    registry.advance();
    await expect(registrar.renew("late-restore.com", expiry, 1)).rejects.toMatchObject({
      code: EPP.statusProhibitsOperation,
    });
    expect(registry.renewals).toEqual([]);
    expect(registry.restoreReports).toEqual([]);
  });

  it("purges a name after redemption and pending delete; a delete of a gone name is harmless", async () => {
    registry.register("purge.com", addYears(T0, 1));
    const registrar = tenure();
    await registrar.delete("purge.com");
    clock.now = addDays(T0, 36);
    registry.advance();
    expect(registry.deletions).toEqual(["purge.com"]);
    await registrar.delete("purge.com");
    expect(await registrar.info("purge.com")).toBeNull();
  });

  it("auto-renews at expiry, and a renew quoting the old expiry reads the auto-renewed one back", async () => {
    const expiry = addYears(T0, 1);
    registry.register("auto.com", expiry);
    clock.now = addDays(expiry, 1);
    registry.advance();
    expect(registry.autoRenewals).toEqual([{ name: "auto.com", from: expiry, to: addYears(expiry, 1) }]);
    const outcome = await tenure().renew("auto.com", expiry, 1);
    expect(outcome).toEqual({ status: "expiry-mismatch", expiresAt: addYears(expiry, 1) });
    expect(registry.renewals).toEqual([]);
  });

  it("reports registry-initiated deletions through poll", async () => {
    registry.register("udrp.com", addYears(T0, 1));
    registry.deleteByRegistry("udrp.com");
    const messages: string[] = [];
    await tenure().drainPoll(async (m) => {
      messages.push(`${m.kind}:${"name" in m ? m.name : ""}`);
    });
    expect(messages).toEqual(["deleted:udrp.com"]);
  });

  it("a domain another registrar sponsors is not ours", async () => {
    registry.register("theirs.com", addYears(T0, 1), { sponsor: "otherreg" });
    expect(await tenure().info("theirs.com")).toMatchObject({ ours: false });
  });
});
