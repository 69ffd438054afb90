/** The built-in `test` registrar: keeps its own state, and behaves as an EPP registry would. */
import { addYears } from "../../domain/time.js";
import type { Registrar, RegistrarDomainInfo, RenewOutcome } from "./registrar.js";

export class TestRegistrar implements Registrar {
  private readonly domains = new Map<string, RegistrarDomainInfo>();
  /** Every renewal the registry applied, for reconciliation in tests. */
  readonly renewals: { name: string; from: number; to: number }[] = [];

  register(name: string, expiresAt: number): void {
    this.domains.set(name, { name, expiresAt, onHold: false });
  }

  async renew(name: string, currentExpiresAt: number, years: number): Promise<RenewOutcome> {
    const domain = this.require(name);
    if (domain.expiresAt !== currentExpiresAt) return { status: "expiry-mismatch", expiresAt: domain.expiresAt };
    const expiresAt = addYears(currentExpiresAt, years);
    this.domains.set(name, { ...domain, expiresAt });
    this.renewals.push({ name, from: currentExpiresAt, to: expiresAt });
    return { status: "renewed", expiresAt };
  }

  async info(name: string): Promise<RegistrarDomainInfo | null> {
    return this.domains.get(name) ?? null;
  }

  async hold(name: string): Promise<void> {
    this.domains.set(name, { ...this.require(name), onHold: true });
  }

  async unhold(name: string): Promise<void> {
    this.domains.set(name, { ...this.require(name), onHold: false });
  }

  async delete(name: string): Promise<void> {
    this.domains.delete(name);
  }

  async transferCode(name: string): Promise<string> {
    this.require(name);
    return `AUTH-${name.replace(/[^a-z0-9]/gi, "").toUpperCase().slice(0, 8)}-${name.length}`;
  }

  private require(name: string): RegistrarDomainInfo {
    const domain = this.domains.get(name);
    if (!domain) throw new Error(`registrar: no such domain ${name}`);
    return domain;
  }
}
