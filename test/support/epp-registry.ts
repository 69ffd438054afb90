/**
 * A test EPP registry: a TLS server on loopback that behaves like a gTLD registry, with its state
 * in its own SQLite file (a superset of the test registrar's ledger, so the crash checks read both
 * the same way). It answers 2306 to a renew quoting a stale curExpDate, auto-renews at expiry,
 * keeps a deleted name in redemption then pending delete, restores it on request + report (RFC
 * 3915), refuses transfers inside the 60-day lock or under a transfer prohibition or a wrong
 * authInfo, queues poll messages, and can drop the connection after applying a command (the lost
 * answer). Every frame it receives and every frame it answers is validated against the schemas.
 */
import { createServer, type Server, type TLSSocket } from "node:tls";
import { generate } from "selfsigned";
import { addDays, addYears } from "../../src/domain/time.js";
import { type Ledger, openLedger } from "../../src/providers/ledger-file.js";
import {
  DEFAULT_EXT_URIS,
  DEFAULT_OBJ_URIS,
  type EppClientConfig,
} from "../../src/providers/registrar/epp/client.js";
import { encodeFrame, FrameDecoder } from "../../src/providers/registrar/epp/framing.js";
import { frameErrors } from "../../src/providers/registrar/epp/schema.js";
import {
  asArray,
  buildEpp,
  NS,
  parseEpp,
  text,
  type XmlNode,
} from "../../src/providers/registrar/epp/xml.js";

export interface TlsMaterial {
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A self-signed server certificate for 127.0.0.1/localhost and one for the registrar client. */
export async function makeCertificates(): Promise<TlsMaterial> {
  const server = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  const client = await generate([{ name: "commonName", value: "tenure-registrar" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [{ name: "basicConstraints", cA: true }],
  });
  return {
    serverCert: server.cert,
    serverKey: server.private,
    clientCert: client.cert,
    clientKey: client.private,
  };
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS domains (
    name TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    on_hold INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL DEFAULT 0,
    sponsor TEXT NOT NULL DEFAULT '',
    auth_info TEXT NOT NULL DEFAULT '',
    statuses TEXT NOT NULL DEFAULT '[]',
    ns TEXT NOT NULL DEFAULT '[]',
    rgp TEXT NOT NULL DEFAULT '',
    deleted_at INTEGER,
    transfer_to TEXT NOT NULL DEFAULT '',
    transfer_at INTEGER
  );
  CREATE TABLE IF NOT EXISTS renewals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL,
    UNIQUE (name, from_at)
  );
  CREATE TABLE IF NOT EXISTS deletions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS auto_renewals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS poll (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    client TEXT NOT NULL,
    queued_at INTEGER NOT NULL,
    msg TEXT NOT NULL,
    res TEXT NOT NULL,
    acked INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS restore_reports (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    report TEXT NOT NULL
  );
`;

interface DomainRow {
  name: string;
  expires_at: number;
  on_hold: number;
  created_at: number;
  sponsor: string;
  auth_info: string;
  statuses: string;
  ns: string;
  rgp: string;
  deleted_at: number | null;
  transfer_to: string;
  transfer_at: number | null;
}

export interface EppRegistryOptions {
  /** Durable state; in memory without it. */
  file?: string;
  tls: TlsMaterial;
  /** Registrars allowed to log in: client id → password. The first one sponsors `register`ed names. */
  clients: Record<string, string>;
  /** The registry's clock (tests move it; processes of the crash suite never need it). */
  now: () => number;
  transferLockDays?: number;
  redemptionDays?: number;
  pendingDeleteDays?: number;
  /** Days after which a pending transfer is approved by the registry (gTLD: 5). */
  transferAutoApproveDays?: number;
  /** Whether to demand a TLS client certificate signed as the client's (on by default). */
  requireClientCertificate?: boolean;
  /** Writes every answer in pieces of this many bytes, a tick apart (partial reads on the client). */
  pieceBytes?: number;
}

export interface SeenFrame {
  direction: "received" | "sent";
  xml: string;
}

const MESSAGES: Record<number, string> = {
  1000: "Command completed successfully",
  1001: "Command completed successfully; action pending",
  1300: "Command completed successfully; no messages",
  1301: "Command completed successfully; ack to dequeue",
  1500: "Command completed successfully; ending session",
  2001: "Command syntax error",
  2002: "Command use error",
  2003: "Required parameter missing",
  2200: "Authentication error",
  2201: "Authorization error",
  2202: "Invalid authorization information",
  2300: "Object pending transfer",
  2301: "Object not pending transfer",
  2302: "Object exists",
  2303: "Object does not exist",
  2304: "Object status prohibits operation",
  2306: "Parameter value policy error",
};

class Reply {
  constructor(
    readonly code: number,
    readonly resData?: Record<string, unknown>,
    readonly extension?: Record<string, unknown>,
    readonly msgQ?: Record<string, unknown>,
    readonly message?: string,
  ) {}
}

const domainNs = { "@_xmlns:domain": NS.domain };
const iso = (at: number) => new Date(at).toISOString();
const dateOnly = (at: number) => iso(at).slice(0, 10);

export class EppTestRegistry {
  readonly frames: SeenFrame[] = [];
  readonly invalidFrames: (SeenFrame & { errors: string[] })[] = [];
  /** Every command applied, by client transaction id, as the registry's logs would show. */
  readonly clTRIDs: string[] = [];
  private readonly ledger: Ledger;
  private server: Server | null = null;
  private readonly sockets = new Set<TLSSocket>();
  private drops: string[] = [];
  private readonly writing = new WeakMap<TLSSocket, Promise<void>>();
  private served = 0;
  port = 0;

  constructor(private readonly options: EppRegistryOptions) {
    this.ledger = openLedger(options.file, SCHEMA);
  }

  get defaultClient(): string {
    return Object.keys(this.options.clients)[0] ?? "tenure";
  }

  async start(port = 0): Promise<number> {
    const { tls } = this.options;
    const requireCert = this.options.requireClientCertificate ?? true;
    this.server = createServer(
      {
        cert: tls.serverCert,
        key: tls.serverKey,
        ca: [tls.clientCert],
        requestCert: requireCert,
        rejectUnauthorized: requireCert,
        minVersion: "TLSv1.2",
      },
      (socket) => this.serve(socket),
    );
    await new Promise<void>((resolve) => this.server?.listen(port, "127.0.0.1", resolve));
    const address = this.server.address();
    this.port = typeof address === "object" && address ? address.port : 0;
    return this.port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
    this.ledger.close();
  }

  /** Connections served so far (a reconnect shows here). */
  get connections(): number {
    return this.served;
  }

  /** Kills every open connection, as a registry restart or a network cut would. */
  dropAllConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** The next `command` (renew, update, delete, …) is applied, then the connection drops unanswered. */
  dropAfterApplying(command: string): void {
    this.drops.push(command);
  }

  register(
    name: string,
    expiresAt: number,
    extra: { sponsor?: string; createdAt?: number; authInfo?: string } = {},
  ): void {
    this.ledger
      .prepare(
        `INSERT INTO domains (name, expires_at, on_hold, created_at, sponsor, auth_info)
         VALUES (?, ?, 0, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at, on_hold = 0, sponsor = excluded.sponsor`,
      )
      .run(
        name,
        expiresAt,
        extra.createdAt ?? addYears(expiresAt, -1),
        extra.sponsor ?? this.defaultClient,
        extra.authInfo ?? `auth-${name}`,
      );
  }

  domain(name: string) {
    const row = this.find(name);
    if (!row) return null;
    return {
      name: row.name,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
      sponsor: row.sponsor,
      authInfo: row.auth_info,
      statuses: this.statusesOf(row),
      nameservers: JSON.parse(row.ns) as string[],
      rgp: row.rgp,
      pendingTransferTo: row.transfer_to,
    };
  }

  get renewals(): { name: string; from: number; to: number }[] {
    return this.ledger
      .prepare("SELECT name, from_at AS [from], to_at AS [to] FROM renewals ORDER BY seq")
      .all() as { name: string; from: number; to: number }[];
  }

  get autoRenewals(): { name: string; from: number; to: number }[] {
    return this.ledger
      .prepare("SELECT name, from_at AS [from], to_at AS [to] FROM auto_renewals ORDER BY seq")
      .all() as { name: string; from: number; to: number }[];
  }

  get deletions(): string[] {
    return (this.ledger.prepare("SELECT name FROM deletions ORDER BY seq").all() as { name: string }[]).map(
      (r) => r.name,
    );
  }

  get restoreReports(): { name: string; report: string }[] {
    return this.ledger.prepare("SELECT name, report FROM restore_reports ORDER BY seq").all() as {
      name: string;
      report: string;
    }[];
  }

  /** Unacknowledged poll messages for a client. */
  pendingPoll(client = this.defaultClient): number {
    return (
      this.ledger.prepare("SELECT count(*) AS n FROM poll WHERE client = ? AND acked = 0").get(client) as {
        n: number;
      }
    ).n;
  }

  /** What the registry does by itself as time passes: auto-renew, purge after redemption, transfers approved. */
  advance(): void {
    const now = this.options.now();
    const run = this.ledger.transaction(() => {
      const rows = this.ledger.prepare("SELECT * FROM domains").all() as DomainRow[];
      for (const row of rows) {
        if (row.rgp === "" && row.expires_at <= now) {
          const to = addYears(row.expires_at, 1);
          this.ledger.prepare("UPDATE domains SET expires_at = ? WHERE name = ?").run(to, row.name);
          this.ledger
            .prepare("INSERT INTO auto_renewals (name, from_at, to_at) VALUES (?, ?, ?)")
            .run(row.name, row.expires_at, to);
        }
        const redemptionEnds =
          row.deleted_at === null ? null : addDays(row.deleted_at, this.options.redemptionDays ?? 30);
        if (row.rgp === "redemptionPeriod" && redemptionEnds !== null && redemptionEnds <= now) {
          this.ledger.prepare("UPDATE domains SET rgp = 'pendingDelete' WHERE name = ?").run(row.name);
          row.rgp = "pendingDelete";
        }
        if (
          row.rgp === "pendingDelete" &&
          redemptionEnds !== null &&
          addDays(redemptionEnds, this.options.pendingDeleteDays ?? 5) <= now
        ) {
          this.purge(row.name);
        }
        if (
          row.transfer_to &&
          row.transfer_at !== null &&
          addDays(row.transfer_at, this.options.transferAutoApproveDays ?? 5) <= now
        ) {
          this.completeTransfer(row, "serverApproved");
        }
      }
    });
    run.immediate();
  }

  /** The registry deletes a name by itself (a UDRP ruling, a court order): gone now, with a poll message. */
  deleteByRegistry(name: string): void {
    const row = this.find(name);
    if (!row) return;
    this.purge(name);
    this.queuePoll(row.sponsor, `Domain ${name} deleted by the registry`, {
      "domain:infData": {
        ...domainNs,
        "domain:name": name,
        "domain:roid": this.roid(name),
        "domain:clID": row.sponsor,
      },
    });
  }

  private purge(name: string): void {
    const gone = this.ledger.prepare("DELETE FROM domains WHERE name = ?").run(name);
    if (gone.changes > 0) this.ledger.prepare("INSERT INTO deletions (name) VALUES (?)").run(name);
  }

  private completeTransfer(row: DomainRow, status: "serverApproved" | "clientApproved"): void {
    const now = this.options.now();
    const losing = row.sponsor;
    const gaining = row.transfer_to;
    const expiresAt = addYears(row.expires_at, 1);
    this.ledger
      .prepare(
        "UPDATE domains SET sponsor = ?, transfer_to = '', transfer_at = NULL, expires_at = ?, auth_info = ? WHERE name = ?",
      )
      .run(gaining, expiresAt, `auth-${row.name}-${gaining}`, row.name);
    const trnData = this.trnData(row.name, status, gaining, row.transfer_at ?? now, losing, now, expiresAt);
    this.queuePoll(losing, `Transfer ${status}`, trnData);
    this.queuePoll(gaining, `Transfer ${status}`, trnData);
  }

  private trnData(
    name: string,
    status: string,
    reID: string,
    reDate: number,
    acID: string,
    acDate: number,
    exDate?: number,
  ) {
    return {
      "domain:trnData": {
        ...domainNs,
        "domain:name": name,
        "domain:trStatus": status,
        "domain:reID": reID,
        "domain:reDate": iso(reDate),
        "domain:acID": acID,
        "domain:acDate": iso(acDate),
        ...(exDate !== undefined ? { "domain:exDate": iso(exDate) } : {}),
      },
    };
  }

  private queuePoll(client: string, msg: string, res: Record<string, unknown>): void {
    this.ledger
      .prepare("INSERT INTO poll (client, queued_at, msg, res) VALUES (?, ?, ?, ?)")
      .run(client, this.options.now(), msg, JSON.stringify(res));
  }

  private find(name: string): DomainRow | undefined {
    return this.ledger.prepare("SELECT * FROM domains WHERE name = ?").get(name.toLowerCase()) as
      | DomainRow
      | undefined;
  }

  private roid(name: string): string {
    return `${name
      .replace(/[^a-z0-9]/gi, "")
      .toUpperCase()
      .slice(0, 60)}-TEST`;
  }

  private statusesOf(row: DomainRow): string[] {
    const statuses = JSON.parse(row.statuses) as string[];
    if (row.on_hold) statuses.push("clientHold");
    if (row.rgp) statuses.push("pendingDelete");
    if (row.transfer_to) statuses.push("pendingTransfer");
    return statuses.length ? statuses : ["ok"];
  }

  private serve(socket: TLSSocket): void {
    this.served++;
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const decoder = new FrameDecoder();
    const session: { client: string | null } = { client: null };
    this.send(socket, this.greeting());
    socket.on("data", (chunk: Buffer) => {
      let frames: string[];
      try {
        frames = decoder.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const frame of frames) {
        if (socket.destroyed) return;
        this.frames.push({ direction: "received", xml: frame });
        const errors = frameErrors(frame);
        if (errors.length > 0) {
          this.invalidFrames.push({ direction: "received", xml: frame, errors });
          this.send(
            socket,
            this.response(new Reply(2001, undefined, undefined, undefined, errors[0]), undefined),
          );
          continue;
        }
        const epp = parseEpp(frame);
        if (epp.hello !== undefined) {
          this.send(socket, this.greeting());
          continue;
        }
        const command = epp.command as XmlNode;
        const clTRID = text(command?.clTRID);
        if (clTRID) this.clTRIDs.push(clTRID);
        const name = Object.keys(command).find((key) => key !== "clTRID" && key !== "extension") ?? "";
        let reply: Reply;
        try {
          reply = this.apply(session, name, command);
        } catch (error) {
          reply = new Reply(2400, undefined, undefined, undefined, (error as Error).message);
        }
        const drop = this.drops.indexOf(name);
        if (drop >= 0 && reply.code < 2000) {
          this.drops.splice(drop, 1);
          socket.destroy();
          return;
        }
        this.send(socket, this.response(reply, clTRID));
        if (name === "logout" || (name === "login" && reply.code === 2200)) socket.end();
      }
    });
  }

  private send(socket: TLSSocket, xml: string): void {
    this.frames.push({ direction: "sent", xml });
    const errors = frameErrors(xml);
    if (errors.length > 0) this.invalidFrames.push({ direction: "sent", xml, errors });
    const frame = encodeFrame(xml);
    const piece = this.options.pieceBytes;
    if (!piece) {
      socket.write(frame);
      return;
    }
    const previous = this.writing.get(socket) ?? Promise.resolve();
    const next = previous.then(async () => {
      for (let at = 0; at < frame.length && !socket.destroyed; at += piece) {
        socket.write(frame.subarray(at, at + piece));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    });
    this.writing.set(socket, next);
  }

  private greeting(): string {
    return buildEpp({
      greeting: {
        svID: "Tenure test registry",
        svDate: iso(this.options.now()),
        svcMenu: {
          version: "1.0",
          lang: "en",
          objURI: [NS.domain, NS.host, NS.contact],
          svcExtension: { extURI: [NS.rgp, NS.secDNS] },
        },
        dcp: {
          access: { all: "" },
          statement: {
            purpose: { admin: "", prov: "" },
            recipient: { ours: "", public: "" },
            retention: { stated: "" },
          },
        },
      },
    });
  }

  private response(reply: Reply, clTRID: string | undefined): string {
    return buildEpp({
      response: {
        result: { "@_code": reply.code, msg: reply.message ?? MESSAGES[reply.code] ?? "Command failed" },
        ...(reply.msgQ ? { msgQ: reply.msgQ } : {}),
        ...(reply.resData ? { resData: reply.resData } : {}),
        ...(reply.extension ? { extension: reply.extension } : {}),
        trID: { ...(clTRID ? { clTRID } : {}), svTRID: `SV-${this.frames.length}` },
      },
    });
  }

  private apply(session: { client: string | null }, name: string, command: XmlNode): Reply {
    if (name === "login") {
      const client = text(command.login.clID) ?? "";
      const expected = this.options.clients[client];
      if (expected === undefined || expected !== text(command.login.pw)) return new Reply(2200);
      session.client = client;
      return new Reply(1000);
    }
    const client = session.client;
    if (!client) return new Reply(2002, undefined, undefined, undefined, "Not logged in");
    if (name === "logout") return new Reply(1500);
    const run = () => {
      switch (name) {
        case "check":
          return this.check(command.check.check);
        case "info":
          return this.info(client, command.info.info);
        case "create":
          return this.create(client, command.create.create);
        case "renew":
          return this.renew(client, command.renew.renew);
        case "update":
          return this.update(client, command.update.update, command.extension?.update);
        case "transfer":
          return this.transfer(client, String(command.transfer["@_op"]), command.transfer.transfer);
        case "delete":
          return this.delete(client, command.delete.delete);
        case "poll":
          return this.poll(client, command.poll);
        default:
          return new Reply(2101, undefined, undefined, undefined, "Unimplemented command");
      }
    };
    return this.ledger.transaction(run).immediate();
  }

  private check(node: XmlNode): Reply {
    const cd = asArray<XmlNode>(node.name).map((entry) => {
      const name = text(entry) ?? "";
      return { "domain:name": { "@_avail": this.find(name) ? "0" : "1", "#text": name } };
    });
    return new Reply(1000, { "domain:chkData": { ...domainNs, "domain:cd": cd } });
  }

  private info(client: string, node: XmlNode): Reply {
    const name = text(node.name) ?? "";
    const row = this.find(name);
    if (!row) return new Reply(2303);
    const sponsor = row.sponsor === client;
    const authorised = sponsor || text(node.authInfo?.pw) === row.auth_info;
    if (!authorised) return new Reply(2201);
    const ns = JSON.parse(row.ns) as string[];
    return new Reply(
      1000,
      {
        "domain:infData": {
          ...domainNs,
          "domain:name": row.name,
          "domain:roid": this.roid(row.name),
          "domain:status": this.statusesOf(row).map((s) => ({ "@_s": s })),
          ...(ns.length ? { "domain:ns": { "domain:hostObj": ns } } : {}),
          "domain:clID": row.sponsor,
          "domain:crDate": iso(row.created_at),
          ...(row.deleted_at !== null ? { "domain:upDate": iso(row.deleted_at) } : {}),
          "domain:exDate": iso(row.expires_at),
          ...(sponsor ? { "domain:authInfo": { "domain:pw": row.auth_info } } : {}),
        },
      },
      row.rgp ? { "rgp:infData": { "@_xmlns:rgp": NS.rgp, "rgp:rgpStatus": { "@_s": row.rgp } } } : undefined,
    );
  }

  private create(client: string, node: XmlNode): Reply {
    const name = (text(node.name) ?? "").toLowerCase();
    if (this.find(name)) return new Reply(2302);
    const years = Number(text(node.period) ?? 1);
    const now = this.options.now();
    const expiresAt = addYears(now, years);
    this.ledger
      .prepare(
        "INSERT INTO domains (name, expires_at, created_at, sponsor, auth_info, ns) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(
        name,
        expiresAt,
        now,
        client,
        text(node.authInfo?.pw) ?? "",
        JSON.stringify(asArray(node.ns?.hostObj).map(text)),
      );
    return new Reply(1000, {
      "domain:creData": {
        ...domainNs,
        "domain:name": name,
        "domain:crDate": iso(now),
        "domain:exDate": iso(expiresAt),
      },
    });
  }

  private renew(client: string, node: XmlNode): Reply {
    const row = this.find(text(node.name) ?? "");
    if (!row) return new Reply(2303);
    if (row.sponsor !== client) return new Reply(2201);
    if (row.rgp) return new Reply(2304);
    if (text(node.curExpDate) !== dateOnly(row.expires_at)) {
      return new Reply(2306, undefined, undefined, undefined, "curExpDate does not match the expiry");
    }
    const to = addYears(row.expires_at, Number(text(node.period) ?? 1));
    this.ledger.prepare("UPDATE domains SET expires_at = ? WHERE name = ?").run(to, row.name);
    this.ledger
      .prepare("INSERT INTO renewals (name, from_at, to_at) VALUES (?, ?, ?)")
      .run(row.name, row.expires_at, to);
    return new Reply(1000, {
      "domain:renData": { ...domainNs, "domain:name": row.name, "domain:exDate": iso(to) },
    });
  }

  private update(client: string, node: XmlNode, rgp: XmlNode): Reply {
    const row = this.find(text(node.name) ?? "");
    if (!row) return new Reply(2303);
    if (row.sponsor !== client) return new Reply(2201);
    if (rgp?.restore) return this.restore(row, rgp.restore);
    if (row.rgp) return new Reply(2304);
    const statuses = new Set(JSON.parse(row.statuses) as string[]);
    const ns = new Set(JSON.parse(row.ns) as string[]);
    let onHold = row.on_hold === 1;
    for (const status of asArray<XmlNode>(node.add?.status).map((s) => String(s["@_s"]))) {
      if (!status.startsWith("client")) return new Reply(2306);
      if (status === "clientHold") onHold = true;
      else statuses.add(status);
    }
    for (const status of asArray<XmlNode>(node.rem?.status).map((s) => String(s["@_s"]))) {
      if (status === "clientHold") onHold = false;
      else statuses.delete(status);
    }
    for (const host of asArray(node.add?.ns?.hostObj).map(text)) if (host) ns.add(host);
    for (const host of asArray(node.rem?.ns?.hostObj).map(text)) if (host) ns.delete(host);
    const authInfo = text(node.chg?.authInfo?.pw) || row.auth_info;
    this.ledger
      .prepare("UPDATE domains SET statuses = ?, ns = ?, on_hold = ?, auth_info = ? WHERE name = ?")
      .run(JSON.stringify([...statuses]), JSON.stringify([...ns]), onHold ? 1 : 0, authInfo, row.name);
    return new Reply(1000);
  }

  private restore(row: DomainRow, restore: XmlNode): Reply {
    const op = String(restore["@_op"]);
    const upData = (s: string) => ({
      "rgp:upData": { "@_xmlns:rgp": NS.rgp, "rgp:rgpStatus": { "@_s": s } },
    });
    if (op === "request") {
      if (row.rgp !== "redemptionPeriod") return new Reply(2304);
      this.ledger.prepare("UPDATE domains SET rgp = 'pendingRestore' WHERE name = ?").run(row.name);
      return new Reply(1000, undefined, upData("pendingRestore"));
    }
    if (row.rgp !== "pendingRestore" || !restore.report) return new Reply(2304);
    this.ledger
      .prepare("INSERT INTO restore_reports (name, report) VALUES (?, ?)")
      .run(row.name, JSON.stringify(restore.report));
    this.ledger.prepare("UPDATE domains SET rgp = '', deleted_at = NULL WHERE name = ?").run(row.name);
    return new Reply(1000);
  }

  private transfer(client: string, op: string, node: XmlNode): Reply {
    const row = this.find(text(node.name) ?? "");
    if (!row) return new Reply(2303);
    const now = this.options.now();
    const pending = () =>
      this.trnData(
        row.name,
        "pending",
        row.transfer_to,
        row.transfer_at ?? now,
        row.sponsor,
        addDays(row.transfer_at ?? now, 5),
      );
    switch (op) {
      case "query":
        if (row.sponsor !== client && row.transfer_to !== client) return new Reply(2201);
        if (!row.transfer_to) return new Reply(2301);
        return new Reply(1000, pending());
      case "request": {
        if (row.sponsor === client)
          return new Reply(2106, undefined, undefined, undefined, "Object is not eligible for transfer");
        if (row.transfer_to) return new Reply(2300);
        if (text(node.authInfo?.pw) !== row.auth_info) return new Reply(2202);
        const statuses = JSON.parse(row.statuses) as string[];
        const locked = addDays(row.created_at, this.options.transferLockDays ?? 60) > now;
        if (statuses.includes("clientTransferProhibited") || locked || row.rgp) return new Reply(2304);
        this.ledger
          .prepare("UPDATE domains SET transfer_to = ?, transfer_at = ? WHERE name = ?")
          .run(client, now, row.name);
        row.transfer_to = client;
        row.transfer_at = now;
        this.queuePoll(row.sponsor, "Transfer requested", pending());
        return new Reply(1001, pending());
      }
      case "approve":
      case "reject": {
        if (row.sponsor !== client) return new Reply(2201);
        if (!row.transfer_to) return new Reply(2301);
        if (op === "approve") {
          this.completeTransfer(row, "clientApproved");
          return new Reply(1000);
        }
        const gaining = row.transfer_to;
        this.ledger
          .prepare("UPDATE domains SET transfer_to = '', transfer_at = NULL WHERE name = ?")
          .run(row.name);
        this.queuePoll(
          gaining,
          "Transfer clientRejected",
          this.trnData(row.name, "clientRejected", gaining, row.transfer_at ?? now, client, now),
        );
        return new Reply(1000);
      }
      case "cancel":
        if (row.transfer_to !== client) return new Reply(2201);
        this.ledger
          .prepare("UPDATE domains SET transfer_to = '', transfer_at = NULL WHERE name = ?")
          .run(row.name);
        return new Reply(1000);
      default:
        return new Reply(2005);
    }
  }

  private delete(client: string, node: XmlNode): Reply {
    const row = this.find(text(node.name) ?? "");
    if (!row) return new Reply(2303);
    if (row.sponsor !== client) return new Reply(2201);
    const statuses = JSON.parse(row.statuses) as string[];
    if (row.rgp || statuses.includes("clientDeleteProhibited") || row.transfer_to) return new Reply(2304);
    this.ledger
      .prepare("UPDATE domains SET rgp = 'redemptionPeriod', deleted_at = ? WHERE name = ?")
      .run(this.options.now(), row.name);
    return new Reply(1001);
  }

  private poll(client: string, node: XmlNode): Reply {
    const op = String(node["@_op"]);
    const count = () =>
      (
        this.ledger.prepare("SELECT count(*) AS n FROM poll WHERE client = ? AND acked = 0").get(client) as {
          n: number;
        }
      ).n;
    if (op === "ack") {
      const acked = this.ledger
        .prepare("UPDATE poll SET acked = 1 WHERE id = ? AND client = ? AND acked = 0")
        .run(Number(node["@_msgID"]), client);
      if (acked.changes === 0) return new Reply(2303);
      return new Reply(1000, undefined, undefined, { "@_count": count(), "@_id": String(node["@_msgID"]) });
    }
    const message = this.ledger
      .prepare("SELECT * FROM poll WHERE client = ? AND acked = 0 ORDER BY id LIMIT 1")
      .get(client) as { id: number; queued_at: number; msg: string; res: string } | undefined;
    if (!message) return new Reply(1300);
    return new Reply(1301, JSON.parse(message.res), undefined, {
      "@_count": count(),
      "@_id": String(message.id),
      qDate: iso(message.queued_at),
      msg: message.msg,
    });
  }
}

/**
 * What a test's EPP client needs to reach this registry over TLS: the default URIs, schema
 * validation of every answer, no keep-alive; `overrides` for what a test varies.
 */
export function clientConfigFor(
  registry: EppTestRegistry,
  tls: TlsMaterial,
  login: { clientId: string; password: string },
  overrides: Partial<EppClientConfig> = {},
): EppClientConfig {
  return {
    endpoint: {
      host: "127.0.0.1",
      port: registry.port,
      ca: tls.serverCert,
      cert: tls.clientCert,
      key: tls.clientKey,
      connectTimeoutMs: 5000,
      commandTimeoutMs: 5000,
    },
    ...login,
    objURIs: DEFAULT_OBJ_URIS,
    extURIs: DEFAULT_EXT_URIS,
    poolSize: 1,
    keepAliveMs: 0,
    validateResponses: true,
    ...overrides,
  };
}
