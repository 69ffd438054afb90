/**
 * Port: a domain registrar. Renewals quote the current expiry (EPP `curExpDate`), so a repeated
 * renew is refused instead of applied twice. A real EPP adapter fits this port unchanged.
 */
export type RenewOutcome =
  | { status: "renewed"; expiresAt: number }
  /** The registrar's expiry is not the one quoted: the renewal already happened, or dates drifted. */
  | { status: "expiry-mismatch"; expiresAt: number };

export interface RegistrarDomainInfo {
  name: string;
  expiresAt: number;
  onHold: boolean;
  /** False when the registry says another registrar sponsors the name (absent: ours). */
  ours?: boolean;
  /** The registry's creation date, when it tells. */
  registeredAt?: number;
}

export interface Registrar {
  renew(name: string, currentExpiresAt: number, years: number): Promise<RenewOutcome>;
  info(name: string): Promise<RegistrarDomainInfo | null>;
  /** Takes the domain out of the DNS (expired or suspended), and puts it back. */
  hold(name: string): Promise<void>;
  unhold(name: string): Promise<void>;
  /**
   * Deletes the name at the registry for good (a release, or a deletion staff carry out on the
   * owner's request). Idempotent: a name already gone is not an error, and nothing happens twice.
   */
  delete(name: string): Promise<void>;
  transferCode(name: string): Promise<string>;
}
