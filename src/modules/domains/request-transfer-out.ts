/**
 * Transfer-out is refused during the lock that follows registration or transfer-in (seed 004:
 * registered 04-15, transferable from 06-15); otherwise the registrar issues the transfer code.
 */
import { AppError } from "../../domain/app-error.js";
import { transferAllowedFrom } from "../../domain/domain-lifecycle.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import { type Deps, registrarPolicy } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import { findDomain } from "./domain-repository.js";

export type TransferOutResult =
  | { ok: true; authCode: string }
  | { ok: false; reason: "transfer-locked"; until: Instant }
  | { ok: false; reason: "not-active" };

export async function requestTransferOut(
  deps: Deps,
  input: { serviceId: string; customerId?: string },
  now: Instant,
): Promise<TransferOutResult> {
  const domain = await findDomain(deps.db, input.serviceId);
  if (!domain || (input.customerId !== undefined && domain.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Domain not found.");
  }
  const refs = { customer: domain.customerId, service: domain.serviceId };
  const until = transferAllowedFrom(
    domain.lockStartAt,
    registrarPolicy(deps, domain.registrar),
    domain.overrides.transferLockLiftedAt,
  );
  if (now < until) {
    await deps.db.transaction().execute((tx) =>
      recordEvent(tx, "domain.transfer_denied", now, refs, {
        name: domain.name,
        until: formatInstant(until),
        reason: "transfer-lock",
      }),
    );
    return { ok: false, reason: "transfer-locked", until };
  }
  if (domain.status !== "active") return { ok: false, reason: "not-active" };
  const authCode = await deps.registrarFor(domain.registrar).transferCode(domain.name);
  await deps.db
    .transaction()
    .execute((tx) => recordEvent(tx, "domain.transfer_requested", now, refs, { name: domain.name }));
  return { ok: true, authCode };
}
