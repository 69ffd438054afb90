/**
 * Makes the engine look at a service at `now`, in the caller's transaction. A use case that changes
 * what is due calls it, so that a crash before the follow-up processing cannot leave the service
 * scheduled too late.
 */
import { chunks, KEYS_PER_STATEMENT } from "../../db/chunks.js";
import type { Instant } from "../../domain/time.js";
import type { Tx } from "../deps.js";

export async function markDue(tx: Tx, serviceId: string, now: Instant): Promise<void> {
  await markDueAll(tx, [serviceId], now);
}

export async function markDueAll(tx: Tx, serviceIds: string[], now: Instant): Promise<void> {
  for (const ids of chunks(serviceIds, KEYS_PER_STATEMENT)) {
    await tx
      .updateTable("services")
      .set({ next_due_at: now })
      .where("id", "in", ids)
      .where((eb) => eb.or([eb("next_due_at", "is", null), eb("next_due_at", ">", now)]))
      .execute();
  }
}
