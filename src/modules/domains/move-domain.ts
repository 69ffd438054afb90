/**
 * Attaches a domain to another site of the same customer. A legacy free domain loses its offer when
 * the new site already has a free domain or is billed in another currency (seed 004).
 */
import { AppError } from "../../domain/app-error.js";
import { legacyFreeApplies, legacyLossOnMove } from "../../domain/pricing.js";
import type { Instant } from "../../domain/time.js";
import { processService } from "../../engine/process-service.js";
import type { Deps } from "../deps.js";
import { markDue } from "../services/mark-due.js";
import { domainPricingFacts, findDomain, findSite } from "./domain-repository.js";

export async function moveDomain(
  deps: Deps,
  input: { serviceId: string; siteId: string; customerId?: string },
  now: Instant,
): Promise<{ legacyOfferLost: string | null }> {
  const domain = await findDomain(deps.db, input.serviceId);
  if (!domain || (input.customerId !== undefined && domain.customerId !== input.customerId)) {
    throw new AppError("NOT_FOUND", "Domain not found.");
  }
  const site = await findSite(deps.db, input.siteId);
  const owner = await deps.db
    .selectFrom("services")
    .select("customer_id")
    .where("id", "=", input.siteId)
    .executeTakeFirst();
  if (!site || owner?.customer_id !== domain.customerId) throw new AppError("NOT_FOUND", "Site not found.");
  let lost: string | null = null;
  if (legacyFreeApplies(await domainPricingFacts(deps.db, domain), deps.policies.pricing)) {
    const otherFree = await deps.db
      .selectFrom("domains")
      .select("service_id")
      .where("site_service_id", "=", site.id)
      .where("service_id", "!=", domain.serviceId)
      .where("offer", "is not", null)
      .where("legacy_lost_reason", "is", null)
      .executeTakeFirst();
    lost = legacyLossOnMove(site, otherFree !== undefined, deps.policies.pricing);
  }
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable("domains")
      .set({ site_service_id: site.id, ...(lost ? { legacy_lost_reason: lost } : {}) })
      .where("service_id", "=", domain.serviceId)
      .execute();
    await markDue(tx, domain.serviceId, now);
  });
  await processService(deps, domain.serviceId, now);
  return { legacyOfferLost: lost };
}
