/** Records an existing registration (first term paid), as at its registration instant. */

import { toDbBool } from "../../db/columns.js";
import { AppError } from "../../domain/app-error.js";
import type { Money } from "../../domain/money.js";
import type { DomainOffer } from "../../domain/pricing.js";
import { addYears, formatInstant, type Instant, parseInstant } from "../../domain/time.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { recordEvent } from "../events/record-event.js";

export interface ImportDomainInput {
  id: string;
  customerId: string;
  name: string;
  registrar: string;
  registeredAt: Instant;
  years: number;
  autoRenew: boolean;
  emailVerified: boolean;
  siteServiceId: string | null;
  offer: DomainOffer;
  recordedPrice: Money;
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function isValidDomainName(name: string): boolean {
  return DOMAIN_NAME.test(name);
}

export async function importDomain(deps: Deps, input: ImportDomainInput): Promise<{ expiresAt: Instant }> {
  registrarPolicy(deps, input.registrar);
  const name = input.name.toLowerCase();
  if (!isValidDomainName(name))
    throw new AppError("INVALID_INPUT", `"${input.name}" is not a valid domain name.`);
  const legacyCutoff = parseInstant(deps.policies.pricing.legacyFreeRegisteredBefore) ?? 0;
  if (input.offer === "legacy-free" && input.registeredAt >= legacyCutoff) {
    throw new AppError(
      "INVALID_INPUT",
      `The legacy free offer only applies to domains registered before ${deps.policies.pricing.legacyFreeRegisteredBefore}.`,
    );
  }
  const expiresAt = addYears(input.registeredAt, input.years);
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto("services")
      .values({
        id: input.id,
        customer_id: input.customerId,
        kind: "domain",
        label: name,
        status: "active",
        created_at: input.registeredAt,
        next_due_at: input.registeredAt,
        lease_owner: null,
        lease_until: null,
        failure_count: 0,
        last_error: null,
      })
      .execute();
    await tx
      .insertInto("domains")
      .values({
        service_id: input.id,
        name,
        tld: name.slice(name.indexOf(".") + 1),
        registrar: input.registrar,
        registered_at: input.registeredAt,
        lock_start_at: input.registeredAt,
        expires_at: expiresAt,
        auto_renew: toDbBool(input.autoRenew),
        auto_renew_changed_at: null,
        email_verified: toDbBool(input.emailVerified),
        site_service_id: input.siteServiceId,
        site_connected: toDbBool(input.siteServiceId !== null),
        offer: input.offer,
        legacy_lost_reason: null,
        recorded_price: input.recordedPrice.amount,
        recorded_currency: input.recordedPrice.currency,
      })
      .execute();
    await recordEvent(
      tx,
      "domain.registered",
      input.registeredAt,
      { customer: input.customerId, service: input.id },
      { name, expiresAt: formatInstant(expiresAt) },
    );
  });
  return { expiresAt };
}
