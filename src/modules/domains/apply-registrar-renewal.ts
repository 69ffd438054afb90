/**
 * Renews at the registrar quoting the current expiry, then records it. Run twice (a crash between
 * the registrar call and the commit), the registrar refuses the repeated renew and answers with the
 * expiry it already has, which is read back instead of renewing again.
 */
import { AppError } from "../../domain/app-error.js";
import type { Money } from "../../domain/money.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import { type Deps, inTransaction, reach, registrarPolicy } from "../deps.js";
import { recordEvent } from "../events/record-event.js";
import type { DomainRecord } from "./domain-repository.js";

export async function applyRegistrarRenewal(
  deps: Deps,
  domain: DomainRecord,
  charged: { amount: Money; basis: string },
  now: Instant,
): Promise<void> {
  const registrar = deps.registrarFor(domain.registrar);
  const years = registrarPolicy(deps, domain.registrar).renewalYears;
  const outcome = await registrar.renew(domain.name, domain.expiresAt, years);
  if (outcome.expiresAt <= domain.expiresAt) {
    throw new AppError(
      "REGISTRAR_DRIFT",
      "The registrar's expiry date does not match ours; staff have been alerted.",
      `${domain.name}: registrar expiry ${formatInstant(outcome.expiresAt)}, ours ${formatInstant(domain.expiresAt)}`,
    );
  }
  reach(deps, "registrar:renewed");
  const wasLapsed = domain.status === "expired" || domain.status === "redemption";
  if (wasLapsed) await registrar.unhold(domain.name);
  await inTransaction(deps, "registrar-renewal", async (tx) => {
    const updated = await tx
      .updateTable("domains")
      // A grace extension or restore-fee waiver was granted for the period just renewed: it ends here.
      .set({
        expires_at: outcome.expiresAt,
        site_connected: 1,
        grace_extension_days: 0,
        restore_fee_waived: 0,
      })
      .where("service_id", "=", domain.serviceId)
      .where("expires_at", "=", domain.expiresAt)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    const refs = { customer: domain.customerId, service: domain.serviceId };
    const expiresAt = formatInstant(outcome.expiresAt);
    if (wasLapsed) {
      await tx.updateTable("services").set({ status: "active" }).where("id", "=", domain.serviceId).execute();
      if (domain.status === "expired") {
        await recordEvent(tx, "domain.reactivated", now, refs, { name: domain.name, expiresAt });
      } else {
        await recordEvent(tx, "domain.restored", now, refs, { name: domain.name, expiresAt });
      }
    }
    await recordEvent(tx, "domain.renewed", now, refs, {
      name: domain.name,
      expiresAt,
      amount: charged.amount,
      basis: charged.basis,
    });
  });
}
