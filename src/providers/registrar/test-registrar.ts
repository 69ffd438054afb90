/** The built-in `test` registrar: keeps its own state, and behaves as an EPP registry would. */
import { addYears } from "../../domain/time.js";
import { DurableFile } from "../durable-file.js";
import type { Registrar, RegistrarDomainInfo, RenewOutcome } from "./registrar.js";

interface RegistryState {
  domains: RegistrarDomainInfo[];
  renewals: { name: string; from: number; to: number }[];
}

export class TestRegistrar implements Registrar {
  private readonly domains = new Map<string, RegistrarDomainInfo>();
  /** Every renewal the registry applied, for reconciliation in tests. */
  readonly renewals: { name: string; from: number; to: number }[] = [];
  private readonly file: DurableFile<RegistryState> | null;

  /** With a file, the registry's state survives restarts, as a real registry's does. */
  constructor(options: { file?: string } = {}) {
    this.file = options.file ? new DurableFile(options.file, () => ({ domains: [], renewals: [] })) : null;
    const state = this.file?.load();
    for (const domain of state?.domains ?? []) this.domains.set(domain.name, domain);
    this.renewals.push(...(state?.renewals ?? []));
  }

  register(name: string, expiresAt: number): void {
    this.domains.set(name, { name, expiresAt, onHold: false });
    this.persist();
  }

  private persist(): void {
    this.file?.save({ domains: [...this.domains.values()], renewals: this.renewals });
  }

  async renew(name: string, currentExpiresAt: number, years: number): Promise<RenewOutcome> {
    const domain = this.require(name);
    if (domain.expiresAt !== currentExpiresAt)
      return { status: "expiry-mismatch", expiresAt: domain.expiresAt };
    const expiresAt = addYears(currentExpiresAt, years);
    this.domains.set(name, { ...domain, expiresAt });
    this.renewals.push({ name, from: currentExpiresAt, to: expiresAt });
    this.persist();
    return { status: "renewed", expiresAt };
  }

  async info(name: string): Promise<RegistrarDomainInfo | null> {
    return this.domains.get(name) ?? null;
  }

  async hold(name: string): Promise<void> {
    this.domains.set(name, { ...this.require(name), onHold: true });
    this.persist();
  }

  async unhold(name: string): Promise<void> {
    this.domains.set(name, { ...this.require(name), onHold: false });
    this.persist();
  }

  async delete(name: string): Promise<void> {
    this.domains.delete(name);
    this.persist();
  }

  async transferCode(name: string): Promise<string> {
    this.require(name);
    return `AUTH-${name
      .replace(/[^a-z0-9]/gi, "")
      .toUpperCase()
      .slice(0, 8)}-${name.length}`;
  }

  private require(name: string): RegistrarDomainInfo {
    const domain = this.domains.get(name);
    if (!domain) throw new Error(`registrar: no such domain ${name}`);
    return domain;
  }
}
