/**
 * Tenure's EPP client (RFC 5730-5734, 3915): a small pool of logged-in sessions, one command in
 * flight per session, keep-alive hellos on idle sessions, reconnect on demand, and a `clTRID`
 * derived from the operation and its arguments, so a retried command carries the same id in the
 * registry's logs. No maintained EPP package exists on npm; this is the little that Tenure needs.
 */
import { createHash } from "node:crypto";
import { EppConnection, type EppEndpoint, EppTransportError, type FrameLogger } from "./connection.js";
import { asArray, buildEpp, NS, parseEpp, text, type XmlNode } from "./xml.js";

export interface EppClientConfig {
  endpoint: EppEndpoint;
  clientId: string;
  /** Read from the environment by the caller; never logged, redacted from logged frames. */
  password: string;
  objURIs: string[];
  extURIs: string[];
  poolSize: number;
  /** An idle session says hello this often, so the registry does not drop it (0: never). */
  keepAliveMs: number;
  validateResponses: boolean;
  log?: FrameLogger;
}

export const DEFAULT_OBJ_URIS = [NS.domain, NS.host, NS.contact];
export const DEFAULT_EXT_URIS = [NS.rgp, NS.secDNS];

export interface EppResult {
  code: number;
  message: string;
  resData: XmlNode;
  extension: XmlNode;
  msgQ?: { count: number; id: string; qDate?: string; msg?: string };
  clTRID?: string;
  svTRID?: string;
}

/** The registry answered with an error code (2000-2502). */
export class EppCommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: EppResult,
  ) {
    super(`EPP ${command}: ${result.code} ${result.message}`);
    this.name = "EppCommandError";
  }
  get code(): number {
    return this.result.code;
  }
}

export const EPP = {
  ok: 1000,
  pending: 1001,
  noMessages: 1300,
  ackToDequeue: 1301,
  loggedOut: 1500,
  commandUseError: 2002,
  authenticationError: 2200,
  authorizationError: 2201,
  invalidAuthInfo: 2202,
  objectPendingTransfer: 2300,
  objectNotPendingTransfer: 2301,
  objectExists: 2302,
  objectDoesNotExist: 2303,
  statusProhibitsOperation: 2304,
  parameterValuePolicyError: 2306,
} as const;

/** Same operation, same arguments: same id (RFC 5730 clTRID is a 3-64 character token). */
export function clientTransactionId(operation: string, ...parts: (string | number)[]): string {
  const digest = createHash("sha256").update(parts.join("|")).digest("hex").slice(0, 24);
  return `TNR-${operation}-${digest}`;
}

export function readResult(xml: string): EppResult {
  const epp = parseEpp(xml);
  const response = epp.response;
  if (!response) throw new Error("EPP: the frame is not a response");
  const result = asArray<XmlNode>(response.result)[0] ?? {};
  const queue = response.msgQ;
  return {
    code: Number(result["@_code"]),
    message: text(result.msg) ?? "",
    resData: response.resData ?? {},
    extension: response.extension ?? {},
    msgQ: queue
      ? {
          count: Number(queue["@_count"]),
          id: String(queue["@_id"]),
          qDate: text(queue.qDate),
          msg: text(queue.msg),
        }
      : undefined,
    clTRID: text(response.trID?.clTRID),
    svTRID: text(response.trID?.svTRID),
  };
}

interface Session {
  connection: EppConnection;
  lastUsed: number;
}

export type TransferOp = "request" | "query" | "approve" | "reject" | "cancel";

export interface DomainUpdate {
  addStatus?: string[];
  remStatus?: string[];
  addNs?: string[];
  remNs?: string[];
  authInfo?: string;
}

export interface RestoreReport {
  preData: string;
  postData: string;
  delTime: string;
  resTime: string;
  resReason: string;
  statements: [string] | [string, string];
}

const domainNs = { "@_xmlns:domain": NS.domain };
const rgpNs = { "@_xmlns:rgp": NS.rgp };

export class EppClient {
  private readonly idle: Session[] = [];
  private opened = 0;
  private readonly capacityWaiters: (() => void)[] = [];
  private readonly keepAlive: NodeJS.Timeout | null;
  private closing = false;
  /** Monotonic milliseconds for idleness only (never a business instant). */
  private readonly tick = () => Number(process.hrtime.bigint() / 1_000_000n);

  constructor(private readonly config: EppClientConfig) {
    this.keepAlive =
      config.keepAliveMs > 0
        ? setInterval(() => void this.sayHelloToIdle(), Math.max(50, Math.floor(config.keepAliveMs / 2)))
        : null;
    this.keepAlive?.unref();
  }

  /** Sessions open now (idle or busy). */
  get openSessions(): number {
    return this.opened;
  }

  /**
   * Runs one command on a free session. A lost answer closes that session and rethrows
   * (EppTransportError); `retry` reruns read-only commands once on a fresh session.
   */
  async command(
    _command: string,
    content: Record<string, unknown>,
    clTRID: string,
    retry = false,
  ): Promise<EppResult> {
    const xml = buildEpp({ command: { ...content, clTRID } });
    for (let attempt = 0; ; attempt++) {
      const session = await this.acquire();
      try {
        const answer = await session.connection.exchange(xml, this.config.endpoint.commandTimeoutMs);
        this.release(session);
        return readResult(answer);
      } catch (error) {
        this.discard(session);
        if (!(error instanceof EppTransportError) || !retry || attempt > 0) throw error;
      }
    }
  }

  async hello(): Promise<string> {
    const session = await this.acquire();
    try {
      const answer = await session.connection.exchange(
        buildEpp({ hello: "" }),
        this.config.endpoint.commandTimeoutMs,
      );
      this.release(session);
      return answer;
    } catch (error) {
      this.discard(session);
      throw error;
    }
  }

  check(names: string[]): Promise<EppResult> {
    return this.command(
      "domain:check",
      { check: { "domain:check": { ...domainNs, "domain:name": names } } },
      clientTransactionId("check", ...names),
      true,
    );
  }

  info(name: string, authInfo?: string): Promise<EppResult> {
    return this.command(
      "domain:info",
      {
        info: {
          "domain:info": {
            ...domainNs,
            "domain:name": { "@_hosts": "all", "#text": name },
            ...(authInfo ? { "domain:authInfo": { "domain:pw": authInfo } } : {}),
          },
        },
      },
      clientTransactionId("info", name),
      true,
    );
  }

  create(input: {
    name: string;
    years: number;
    nameservers?: string[];
    registrant?: string;
    authInfo: string;
  }): Promise<EppResult> {
    return this.command(
      "domain:create",
      {
        create: {
          "domain:create": {
            ...domainNs,
            "domain:name": input.name,
            "domain:period": { "@_unit": "y", "#text": input.years },
            ...(input.nameservers?.length ? { "domain:ns": { "domain:hostObj": input.nameservers } } : {}),
            ...(input.registrant ? { "domain:registrant": input.registrant } : {}),
            "domain:authInfo": { "domain:pw": input.authInfo },
          },
        },
      },
      clientTransactionId("create", input.name, input.years),
    );
  }

  /** `curExpDate` is Tenure's own record of the expiry (YYYY-MM-DD), never read from the registry first. */
  renew(name: string, curExpDate: string, years: number): Promise<EppResult> {
    return this.command(
      "domain:renew",
      {
        renew: {
          "domain:renew": {
            ...domainNs,
            "domain:name": name,
            "domain:curExpDate": curExpDate,
            "domain:period": { "@_unit": "y", "#text": years },
          },
        },
      },
      clientTransactionId("renew", name, curExpDate, years),
    );
  }

  update(name: string, change: DomainUpdate): Promise<EppResult> {
    const side = (ns: string[] | undefined, status: string[] | undefined) =>
      ns?.length || status?.length
        ? {
            ...(ns?.length ? { "domain:ns": { "domain:hostObj": ns } } : {}),
            ...(status?.length ? { "domain:status": status.map((s) => ({ "@_s": s })) } : {}),
          }
        : undefined;
    const add = side(change.addNs, change.addStatus);
    const rem = side(change.remNs, change.remStatus);
    return this.command(
      "domain:update",
      {
        update: {
          "domain:update": {
            ...domainNs,
            "domain:name": name,
            ...(add ? { "domain:add": add } : {}),
            ...(rem ? { "domain:rem": rem } : {}),
            ...(change.authInfo
              ? { "domain:chg": { "domain:authInfo": { "domain:pw": change.authInfo } } }
              : {}),
          },
        },
      },
      clientTransactionId("update", name, JSON.stringify(change)),
    );
  }

  transfer(op: TransferOp, name: string, authInfo?: string, years?: number): Promise<EppResult> {
    return this.command(
      "domain:transfer",
      {
        transfer: {
          "@_op": op,
          "domain:transfer": {
            ...domainNs,
            "domain:name": name,
            ...(years ? { "domain:period": { "@_unit": "y", "#text": years } } : {}),
            ...(authInfo ? { "domain:authInfo": { "domain:pw": authInfo } } : {}),
          },
        },
      },
      clientTransactionId(`transfer-${op}`, name),
      op === "query",
    );
  }

  /** RFC 3915: asks to restore a name in its redemption period (it becomes pendingRestore). */
  restoreRequest(name: string): Promise<EppResult> {
    return this.command(
      "rgp:restore",
      {
        update: { "domain:update": { ...domainNs, "domain:name": name, "domain:chg": "" } },
        extension: { "rgp:update": { ...rgpNs, "rgp:restore": { "@_op": "request" } } },
      },
      clientTransactionId("restore-request", name),
    );
  }

  /** RFC 3915: the restore report that completes a pending restore. */
  restoreReport(name: string, report: RestoreReport): Promise<EppResult> {
    return this.command(
      "rgp:report",
      {
        update: { "domain:update": { ...domainNs, "domain:name": name, "domain:chg": "" } },
        extension: {
          "rgp:update": {
            ...rgpNs,
            "rgp:restore": {
              "@_op": "report",
              "rgp:report": {
                "rgp:preData": report.preData,
                "rgp:postData": report.postData,
                "rgp:delTime": report.delTime,
                "rgp:resTime": report.resTime,
                "rgp:resReason": report.resReason,
                "rgp:statement": report.statements,
              },
            },
          },
        },
      },
      clientTransactionId("restore-report", name),
    );
  }

  delete(name: string): Promise<EppResult> {
    return this.command(
      "domain:delete",
      { delete: { "domain:delete": { ...domainNs, "domain:name": name } } },
      clientTransactionId("delete", name),
    );
  }

  pollRequest(): Promise<EppResult> {
    return this.command("poll", { poll: { "@_op": "req" } }, clientTransactionId("poll-req"), true);
  }

  pollAck(id: string): Promise<EppResult> {
    return this.command(
      "poll",
      { poll: { "@_op": "ack", "@_msgID": id } },
      clientTransactionId("poll-ack", id),
      true,
    );
  }

  /** Logs every idle session out and closes them; busy ones close when released. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.keepAlive) clearInterval(this.keepAlive);
    const sessions = this.idle.splice(0);
    await Promise.all(
      sessions.map(async (session) => {
        try {
          await session.connection.exchange(
            buildEpp({
              command: { logout: "", clTRID: clientTransactionId("logout", this.config.clientId) },
            }),
            this.config.endpoint.commandTimeoutMs,
          );
        } catch {
          // Closing anyway.
        }
        session.connection.close();
        this.opened--;
      }),
    );
  }

  private async acquire(): Promise<Session> {
    for (;;) {
      if (this.closing) throw new EppTransportError("EPP client is closed");
      const idle = this.idle.pop();
      if (idle) {
        if (!idle.connection.closed) return idle;
        this.opened--;
        continue;
      }
      if (this.opened < this.config.poolSize) {
        this.opened++;
        try {
          return await this.login();
        } catch (error) {
          this.opened--;
          this.wakeOne();
          throw error;
        }
      }
      await new Promise<void>((resolve) => this.capacityWaiters.push(resolve));
    }
  }

  private release(session: Session): void {
    session.lastUsed = this.tick();
    if (this.closing) {
      session.connection.close();
      this.opened--;
    } else {
      this.idle.push(session);
    }
    this.wakeOne();
  }

  private discard(session: Session): void {
    session.connection.close();
    this.opened--;
    this.wakeOne();
  }

  private wakeOne(): void {
    this.capacityWaiters.shift()?.();
  }

  private async login(): Promise<Session> {
    const { connection } = await EppConnection.open(this.config.endpoint, {
      log: this.config.log,
      validateResponses: this.config.validateResponses,
    });
    try {
      const xml = buildEpp({
        command: {
          login: {
            clID: this.config.clientId,
            pw: this.config.password,
            options: { version: "1.0", lang: "en" },
            svcs: {
              objURI: this.config.objURIs,
              ...(this.config.extURIs.length ? { svcExtension: { extURI: this.config.extURIs } } : {}),
            },
          },
          clTRID: clientTransactionId("login", this.config.clientId),
        },
      });
      const result = readResult(await connection.exchange(xml, this.config.endpoint.commandTimeoutMs));
      if (result.code !== EPP.ok) throw new EppCommandError("login", result);
      return { connection, lastUsed: this.tick() };
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  private async sayHelloToIdle(): Promise<void> {
    const now = this.tick();
    const stale = this.idle.filter((session) => now - session.lastUsed >= this.config.keepAliveMs);
    for (const session of stale) {
      const at = this.idle.indexOf(session);
      if (at < 0) continue;
      this.idle.splice(at, 1);
      try {
        await session.connection.exchange(buildEpp({ hello: "" }), this.config.endpoint.commandTimeoutMs);
        this.release(session);
      } catch {
        this.discard(session);
      }
    }
  }
}
