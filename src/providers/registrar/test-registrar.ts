/**
 * The built-in `test` registrar: keeps its own records, and behaves as an EPP registry would. A
 * renewal compares the quoted expiry and moves it in one immediate transaction, so two processes
 * renewing from the same expiry get one renewal and one refusal.
 */
import { addYears } from "../../domain/time.js";
import { atomically, type Ledger, openLedger } from "../ledger-file.js";
import type { Registrar, RegistrarDomainInfo, RenewOutcome } from "./registrar.js";

export interface RegistryRenewal {
  name: string;
  from: number;
  to: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS domains (
    name TEXT PRIMARY KEY,
    expires_at INTEGER NOT NULL,
    on_hold INTEGER NOT NULL DEFAULT 0
  );
  -- A name renews from a given expiry once: the registry's own last line against a double renewal.
  CREATE TABLE IF NOT EXISTS renewals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL,
    UNIQUE (name, from_at)
  );
  -- Every deletion the registry carried out (a name that was there and is now gone).
  CREATE TABLE IF NOT EXISTS deletions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
  );
`;

interface DomainRow {
  name: string;
  expires_at: number;
  on_hold: number;
}

export class TestRegistrar implements Registrar {
  private readonly ledger: Ledger;

  /** With a file, the registry's records survive restarts and are shared, as a real registry's are. */
  constructor(options: { file?: string } = {}) {
    this.ledger = openLedger(options.file, SCHEMA);
  }

  /** Every renewal the registry applied, in order, for reconciliation in tests. */
  get renewals(): RegistryRenewal[] {
    return this.ledger
      .prepare("SELECT name, from_at AS [from], to_at AS [to] FROM renewals ORDER BY seq")
      .all() as RegistryRenewal[];
  }

  /** Every deletion the registry carried out, in order: a repeated delete of a gone name adds none. */
  get deletions(): string[] {
    return (this.ledger.prepare("SELECT name FROM deletions ORDER BY seq").all() as { name: string }[]).map(
      (row) => row.name,
    );
  }

  register(name: string, expiresAt: number): void {
    this.ledger
      .prepare(
        `INSERT INTO domains (name, expires_at, on_hold) VALUES (?, ?, 0)
         ON CONFLICT (name) DO UPDATE SET expires_at = excluded.expires_at, on_hold = 0`,
      )
      .run(name, expiresAt);
  }

  async renew(name: string, currentExpiresAt: number, years: number): Promise<RenewOutcome> {
    return atomically(this.ledger, () => {
      const domain = this.require(name);
      if (domain.expiresAt !== currentExpiresAt)
        return { status: "expiry-mismatch", expiresAt: domain.expiresAt };
      const expiresAt = addYears(currentExpiresAt, years);
      this.ledger.prepare("UPDATE domains SET expires_at = ? WHERE name = ?").run(expiresAt, name);
      this.ledger
        .prepare("INSERT INTO renewals (name, from_at, to_at) VALUES (?, ?, ?)")
        .run(name, currentExpiresAt, expiresAt);
      return { status: "renewed", expiresAt };
    });
  }

  async info(name: string): Promise<RegistrarDomainInfo | null> {
    return this.find(name);
  }

  async hold(name: string): Promise<void> {
    this.setHold(name, true);
  }

  async unhold(name: string): Promise<void> {
    this.setHold(name, false);
  }

  async delete(name: string): Promise<void> {
    atomically(this.ledger, () => {
      const deleted = this.ledger.prepare("DELETE FROM domains WHERE name = ?").run(name);
      if (deleted.changes > 0) this.ledger.prepare("INSERT INTO deletions (name) VALUES (?)").run(name);
    });
  }

  async transferCode(name: string): Promise<string> {
    this.require(name);
    return `AUTH-${name
      .replace(/[^a-z0-9]/gi, "")
      .toUpperCase()
      .slice(0, 8)}-${name.length}`;
  }

  close(): void {
    this.ledger.close();
  }

  private setHold(name: string, onHold: boolean): void {
    atomically(this.ledger, () => {
      this.require(name);
      this.ledger.prepare("UPDATE domains SET on_hold = ? WHERE name = ?").run(onHold ? 1 : 0, name);
    });
  }

  private find(name: string): RegistrarDomainInfo | null {
    const select = this.ledger.prepare<[string], DomainRow>("SELECT * FROM domains WHERE name = ?");
    const row = select.get(name);
    return row ? { name: row.name, expiresAt: row.expires_at, onHold: row.on_hold === 1 } : null;
  }

  private require(name: string): RegistrarDomainInfo {
    const domain = this.find(name);
    if (!domain) throw new Error(`registrar: no such domain ${name}`);
    return domain;
  }
}
