/** What use cases and engine steps run with: the store, the policies and the providers. */
import type { Kysely, Transaction } from "kysely";
import type { DialectName } from "../db/database.js";
import type { Database } from "../db/schema.js";
import { AppError } from "../domain/app-error.js";
import type { Policies, RegistrarPolicy } from "../domain/policies.js";
import { type Seller, UNCONFIGURED_SELLER } from "../domain/seller.js";
import type { PaymentGateway } from "../providers/payments/payment-gateway.js";
import type { Registrar } from "../providers/registrar/registrar.js";

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;

/** Named points on the money and registrar paths where tests interrupt a run (crash injection). */
export interface FaultPoints {
  reach(point: string): void;
}

export interface Deps {
  db: Db;
  dialect: DialectName;
  policies: Policies;
  gateway: PaymentGateway;
  registrarFor(registrar: string): Registrar;
  faults?: FaultPoints;
  /** Who issues the invoices (config `seller`); the unconfigured seller when absent. */
  seller?: Seller;
}

export function sellerOf(deps: { seller?: Seller }): Seller {
  return deps.seller ?? UNCONFIGURED_SELLER;
}

export function registrarPolicy(deps: Deps, registrar: string): RegistrarPolicy {
  const policy = deps.policies.registrars[registrar];
  if (!policy) throw new AppError("INVALID_INPUT", `Unknown registrar "${registrar}".`);
  return policy;
}

export function reach(deps: Deps, point: string): void {
  deps.faults?.reach(point);
}

/**
 * Runs `fn` in one transaction, with a named fault point just before commit: crash tests throw
 * there to prove that a change and its events, notices and invoices commit together or not at all.
 */
export function inTransaction<T>(deps: Deps, name: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(async (tx) => {
    const result = await fn(tx);
    reach(deps, `tx:${name}`);
    return result;
  });
}
