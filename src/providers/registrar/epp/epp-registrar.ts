/**
 * The `epp` registrar adapter: the registrar port over Tenure's EPP client.
 *
 * A renewal quotes `curExpDate` from Tenure's own record, never from a fresh domain:info: a
 * repeated renew is refused with 2306 instead of being applied twice. After a 2306, or when the
 * answer is lost, domain:info tells whether the renewal took effect; only when the registry still
 * shows the quoted expiry is the renew sent again (with the same clTRID).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Clock } from "../../../domain/clock.js";
import type { EppConnectionPolicy } from "../../../domain/policies.js";
import type { Registrar, RegistrarDomainInfo, RenewOutcome } from "../registrar.js";
import {
  DEFAULT_EXT_URIS,
  DEFAULT_OBJ_URIS,
  EPP,
  type EppClient,
  type EppClientConfig,
  EppCommandError,
  type EppResult,
  type RestoreReport,
} from "./client.js";
import { EppTransportError, type FrameLogger } from "./connection.js";
import { asArray, text, type XmlNode } from "./xml.js";

/** The day of an instant as EPP dates are written (UTC). */
export function eppDate(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

function instant(value: string | undefined, what: string): number {
  const at = value ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) throw new Error(`EPP: ${what} is missing or not a date (${value ?? "absent"})`);
  return at;
}

export interface EppDomainDetails extends RegistrarDomainInfo {
  statuses: string[];
  sponsor: string;
  authInfo?: string;
  nameservers: string[];
  /** RFC 3915 state: redemptionPeriod, pendingRestore, pendingDelete… (empty when none). */
  rgp: string[];
  /** The registry's last change to the object (upDate), when it tells: a deletion's date. */
  updatedAt?: number;
}

export type PollMessage =
  | {
      id: string;
      kind: "transfer";
      name: string;
      status: string;
      gaining: string;
      losing: string;
      message: string;
    }
  | { id: string; kind: "deleted"; name: string; message: string }
  | { id: string; kind: "other"; message: string };

/** Builds the client from a registrar's `epp` policy; the password comes from the environment. */
export function eppClientConfig(
  policy: EppConnectionPolicy,
  env: Record<string, string | undefined>,
  log?: FrameLogger,
): EppClientConfig {
  const password = env[policy.passwordEnv];
  if (!password)
    throw new Error(
      `EPP registrar ${policy.clientId}: environment variable ${policy.passwordEnv} is not set`,
    );
  const read = (file: string | undefined) => (file ? readFileSync(file) : undefined);
  return {
    endpoint: {
      host: policy.host,
      port: policy.port,
      ca: read(policy.caFile),
      cert: read(policy.certFile),
      key: read(policy.keyFile),
      servername: policy.servername,
      connectTimeoutMs: policy.connectTimeoutMs,
      commandTimeoutMs: policy.commandTimeoutMs,
    },
    clientId: policy.clientId,
    password,
    objURIs: policy.objURIs ?? DEFAULT_OBJ_URIS,
    extURIs: policy.extensions ?? DEFAULT_EXT_URIS,
    poolSize: policy.poolSize,
    keepAliveMs: policy.keepAliveSeconds * 1000,
    validateResponses: policy.validateResponses,
    log,
  };
}

/** Reads, restore steps and the renew itself: a renewal needs at most four, the rest are lost answers. */
const MAX_RENEW_STEPS = 8;

/** RFC 3915 §4.2.1's two statements, as gTLD registries require them word for word. */
const RESTORE_STATEMENTS: [string, string] = [
  "This registrar has not restored the Registered Name in order to assume the rights to use or sell the Registered Name for itself or for any third party.",
  "The information in this report is true to best of this registrar's knowledge, and this registrar acknowledges that intentionally supplying false information in the Restore Report shall constitute an incurable material breach of the Registry-Registrar Agreement.",
];

export class EppRegistrar implements Registrar {
  constructor(
    readonly client: EppClient,
    private readonly clientId: string,
    /** Dates the restore report (its resTime): the runtime's clock. */
    private readonly clock: Clock = { now: () => Date.now() },
  ) {}

  /**
   * Renews from the quoted expiry. The registry's state decides each step, so a step whose answer
   * was lost (or a process that died after it) is never sent twice: the next read shows it done.
   * A name in its redemption period cannot be renewed (2304): it is restored first (RFC 3915
   * restore request, then the report), then renewed from the same quoted expiry.
   */
  async renew(name: string, currentExpiresAt: number, years: number): Promise<RenewOutcome> {
    const curExpDate = eppDate(currentExpiresAt);
    let lost: EppTransportError | null = null;
    let seen: EppDomainDetails | null = null;
    for (let step = 0; step < MAX_RENEW_STEPS; step++) {
      if (step > 0) {
        seen = await this.details(name);
        if (!seen) throw lost ?? new Error(`registrar: no such domain ${name}`);
        // Renewed already (the answer was lost), or moved by the registry: the caller judges it.
        if (eppDate(seen.expiresAt) !== curExpDate)
          return { status: "expiry-mismatch", expiresAt: seen.expiresAt };
      }
      try {
        if (seen?.rgp.includes("redemptionPeriod")) {
          this.expect("rgp:restore", await this.client.restoreRequest(name));
          continue;
        }
        if (seen?.rgp.includes("pendingRestore")) {
          this.expect("rgp:report", await this.client.restoreReport(name, this.restoreReportFor(seen)));
          continue;
        }
        const result = await this.client.renew(name, curExpDate, years);
        if (result.code === EPP.ok) {
          const exDate = text(result.resData?.renData?.exDate);
          if (exDate) return { status: "renewed", expiresAt: instant(exDate, "renData exDate") };
          const after = await this.require(name);
          return { status: "renewed", expiresAt: after.expiresAt };
        }
        if (result.code === EPP.parameterValuePolicyError) {
          // The quoted expiry is not the registry's: already renewed, or the dates drifted.
          const after = await this.require(name);
          return { status: "expiry-mismatch", expiresAt: after.expiresAt };
        }
        // Refused for the name's status: read it once; in redemption it is restored first.
        if (result.code === EPP.statusProhibitsOperation && seen === null) continue;
        throw new EppCommandError("domain:renew", result);
      } catch (error) {
        if (!(error instanceof EppTransportError)) throw error;
        // The answer was lost: the registry knows whether the step happened.
        lost = error;
      }
    }
    throw lost ?? new Error(`registrar: ${name} could not be renewed in ${MAX_RENEW_STEPS} steps`);
  }

  /**
   * The restore report (RFC 3915 §4.2.1) from what the registry shows: the name's data before and
   * after (unchanged by the restore), when it was deleted (its last update), and the two
   * statements every gTLD registry requires.
   */
  private restoreReportFor(seen: EppDomainDetails): RestoreReport {
    const data = [
      `Domain: ${seen.name}`,
      `Sponsoring registrar: ${seen.sponsor}`,
      `Expiry: ${new Date(seen.expiresAt).toISOString()}`,
      `Name servers: ${seen.nameservers.join(", ") || "none"}`,
    ].join("; ");
    const now = new Date(this.clock.now()).toISOString();
    return {
      preData: data,
      postData: data,
      delTime: seen.updatedAt === undefined ? now : new Date(seen.updatedAt).toISOString(),
      resTime: now,
      resReason: "The registrant renewed the name after its expiry.",
      statements: RESTORE_STATEMENTS,
    };
  }

  async info(name: string): Promise<RegistrarDomainInfo | null> {
    const seen = await this.details(name);
    if (!seen) return null;
    return {
      name: seen.name,
      expiresAt: seen.expiresAt,
      onHold: seen.onHold,
      ours: seen.ours,
      registeredAt: seen.registeredAt,
    };
  }

  /** domain:info read whole; null when the registry has no such name. */
  async details(name: string): Promise<EppDomainDetails | null> {
    const result = await this.client.info(name);
    if (result.code === EPP.objectDoesNotExist) return null;
    if (result.code === EPP.authorizationError) {
      return {
        name,
        expiresAt: 0,
        onHold: false,
        ours: false,
        statuses: [],
        sponsor: "",
        nameservers: [],
        rgp: [],
      };
    }
    if (result.code !== EPP.ok) throw new EppCommandError("domain:info", result);
    const data: XmlNode = result.resData.infData;
    const statuses = asArray<XmlNode>(data.status).map((s) => String(s["@_s"]));
    const sponsor = text(data.clID) ?? "";
    const rgp = asArray<XmlNode>(asArray<XmlNode>(result.extension?.infData)[0]?.rgpStatus).map((s) =>
      String(s["@_s"]),
    );
    return {
      name: text(data.name) ?? name,
      expiresAt: instant(text(data.exDate), "infData exDate"),
      registeredAt: data.crDate ? instant(text(data.crDate), "infData crDate") : undefined,
      updatedAt: data.upDate ? instant(text(data.upDate), "infData upDate") : undefined,
      onHold: statuses.includes("clientHold") || statuses.includes("serverHold"),
      ours: sponsor === this.clientId,
      statuses,
      sponsor,
      authInfo: text(data.authInfo?.pw),
      nameservers: asArray<XmlNode>(data.ns?.hostObj).map((h) => text(h) ?? ""),
      rgp,
    };
  }

  async hold(name: string): Promise<void> {
    await this.setStatus(name, "clientHold", true);
  }

  async unhold(name: string): Promise<void> {
    await this.setStatus(name, "clientHold", false);
  }

  /** Locks or unlocks the name against transfers (clientTransferProhibited). */
  async lock(name: string, locked: boolean): Promise<void> {
    await this.setStatus(name, "clientTransferProhibited", locked);
  }

  async setNameservers(name: string, nameservers: string[]): Promise<void> {
    const seen = await this.require(name);
    const add = nameservers.filter((ns) => !seen.nameservers.includes(ns));
    const rem = seen.nameservers.filter((ns) => !nameservers.includes(ns));
    if (add.length === 0 && rem.length === 0) return;
    this.expect("domain:update", await this.client.update(name, { addNs: add, remNs: rem }));
  }

  async delete(name: string): Promise<void> {
    let result: EppResult;
    try {
      result = await this.client.delete(name);
    } catch (error) {
      if (!(error instanceof EppTransportError)) throw error;
      const seen = await this.details(name);
      if (!seen || seen.rgp.length > 0 || seen.statuses.includes("pendingDelete")) return;
      result = await this.client.delete(name);
    }
    if (result.code === EPP.ok || result.code === EPP.pending || result.code === EPP.objectDoesNotExist)
      return;
    if (result.code === EPP.statusProhibitsOperation) {
      // Already deleted (in redemption or pending delete): nothing happens twice.
      const seen = await this.details(name);
      if (!seen || seen.statuses.includes("pendingDelete")) return;
    }
    throw new EppCommandError("domain:delete", result);
  }

  async transferCode(name: string): Promise<string> {
    const seen = await this.require(name);
    if (seen.authInfo) return seen.authInfo;
    const code = randomBytes(12).toString("base64url");
    this.expect("domain:update", await this.client.update(name, { authInfo: code }));
    return code;
  }

  async check(names: string[]): Promise<Map<string, boolean>> {
    const result = this.expect("domain:check", await this.client.check(names));
    const available = new Map<string, boolean>();
    for (const cd of asArray<XmlNode>(result.resData.chkData?.cd)) {
      const node = cd.name;
      available.set(text(node) ?? "", node?.["@_avail"] === "1" || node?.["@_avail"] === "true");
    }
    return available;
  }

  async create(input: {
    name: string;
    years: number;
    authInfo: string;
    nameservers?: string[];
    registrant?: string;
  }) {
    const result = this.expect("domain:create", await this.client.create(input));
    return { name: input.name, expiresAt: instant(text(result.resData.creData?.exDate), "creData exDate") };
  }

  async transferIn(name: string, authInfo: string, years?: number): Promise<{ pending: boolean }> {
    const result = this.expect(
      "domain:transfer",
      await this.client.transfer("request", name, authInfo, years),
    );
    return { pending: result.code === EPP.pending };
  }

  async transferQuery(name: string): Promise<{ status: string; gaining: string } | null> {
    const result = await this.client.transfer("query", name);
    if (result.code === EPP.objectNotPendingTransfer) return null;
    this.expect("domain:transfer", result);
    return {
      status: text(result.resData.trnData?.trStatus) ?? "",
      gaining: text(result.resData.trnData?.reID) ?? "",
    };
  }

  async answerTransferOut(name: string, approve: boolean): Promise<void> {
    this.expect("domain:transfer", await this.client.transfer(approve ? "approve" : "reject", name));
  }

  /** RFC 3915: restore request, then the report that completes it. */
  async restore(name: string, report: RestoreReport): Promise<void> {
    this.expect("rgp:restore", await this.client.restoreRequest(name));
    this.expect("rgp:report", await this.client.restoreReport(name, report));
  }

  /**
   * Reads the poll queue to its end: each message is handed to `handle` and acknowledged only
   * once `handle` has returned (recorded durably), so a crash in between shows it again.
   */
  async drainPoll(handle: (message: PollMessage) => Promise<void>, limit = 1000): Promise<number> {
    let seen = 0;
    while (seen < limit) {
      const result = await this.client.pollRequest();
      if (result.code === EPP.noMessages) break;
      if (result.code !== EPP.ackToDequeue || !result.msgQ) throw new EppCommandError("poll", result);
      await handle(this.readPoll(result));
      this.expect("poll", await this.client.pollAck(result.msgQ.id));
      seen++;
    }
    return seen;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private readPoll(result: EppResult): PollMessage {
    const id = result.msgQ?.id ?? "";
    const message = result.msgQ?.msg ?? "";
    const transfer = result.resData?.trnData;
    if (transfer) {
      return {
        id,
        kind: "transfer",
        name: text(transfer.name) ?? "",
        status: text(transfer.trStatus) ?? "",
        gaining: text(transfer.reID) ?? "",
        losing: text(transfer.acID) ?? "",
        message,
      };
    }
    const info = result.resData?.infData;
    if (info && /delet/i.test(message)) return { id, kind: "deleted", name: text(info.name) ?? "", message };
    return { id, kind: "other", message };
  }

  private async setStatus(name: string, status: string, on: boolean): Promise<void> {
    const seen = await this.require(name);
    if (seen.statuses.includes(status) === on) return;
    const change = on ? { addStatus: [status] } : { remStatus: [status] };
    this.expect("domain:update", await this.client.update(name, change));
  }

  private async require(name: string): Promise<EppDomainDetails> {
    const seen = await this.details(name);
    if (!seen) throw new Error(`registrar: no such domain ${name}`);
    return seen;
  }

  private expect(command: string, result: EppResult): EppResult {
    if (result.code >= 2000) throw new EppCommandError(command, result);
    return result;
  }
}
