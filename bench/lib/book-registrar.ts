/**
 * A registry for generated books. It behaves like the test registrar (a renew quoting a stale
 * expiry is refused, a deleted domain is gone) but learns a domain's expiry from its first renew
 * instead of holding the whole book in memory: the generator wrote each expiry to Tenure as the
 * registry has it, and a real registry lives in another process, so its memory must not count
 * against the worker's.
 */
import { addYears } from "../../src/domain/time.js";
import type {
  Registrar,
  RegistrarDomainInfo,
  RenewOutcome,
} from "../../src/providers/registrar/registrar.js";

export class BookRegistrar implements Registrar {
  /** Expiries the registry changed since the book was generated. */
  private readonly renewed = new Map<string, number>();
  private readonly held = new Set<string>();
  private readonly deleted = new Set<string>();

  get renewals(): number {
    return this.renewed.size;
  }

  async renew(name: string, currentExpiresAt: number, years: number): Promise<RenewOutcome> {
    if (this.deleted.has(name)) throw new Error(`registrar: no such domain ${name}`);
    const known = this.renewed.get(name);
    if (known !== undefined && known !== currentExpiresAt)
      return { status: "expiry-mismatch", expiresAt: known };
    const expiresAt = addYears(currentExpiresAt, years);
    this.renewed.set(name, expiresAt);
    return { status: "renewed", expiresAt };
  }

  async info(name: string): Promise<RegistrarDomainInfo | null> {
    const expiresAt = this.renewed.get(name);
    if (this.deleted.has(name) || expiresAt === undefined) return null;
    return { name, expiresAt, onHold: this.held.has(name) };
  }

  async hold(name: string): Promise<void> {
    this.held.add(name);
  }

  async unhold(name: string): Promise<void> {
    this.held.delete(name);
  }

  async delete(name: string): Promise<void> {
    this.deleted.add(name);
  }

  async transferCode(name: string): Promise<string> {
    return `AUTH-${name.length}`;
  }
}
