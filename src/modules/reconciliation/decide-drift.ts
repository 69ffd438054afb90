/**
 * A staff decision on a drift row. Accepting an expiry difference writes the registry's expiry
 * into Tenure's record (guarded: only if Tenure's is still the one compared); accepting any other
 * difference acknowledges it. Rejecting keeps Tenure's record. Domains are for care roles,
 * payments for money roles; a reason is required; an event and an audit entry either way.
 */

import { ROLES } from "../../domain/staff-roles.js";
import { type Instant, parseInstant } from "../../domain/time.js";
import { type Deps, inTransaction } from "../deps.js";
import { actorMark, type StaffActor } from "../staff/audit-log.js";
import { findDrift } from "./drift-repository.js";
import { decided } from "./reconcile.js";

export type DecideResult =
  | { ok: true; status: "accepted" | "rejected" }
  | {
      ok: false;
      reason: "not-found" | "already-decided" | "forbidden" | "reason-required" | "record-changed";
    };

export function mayDecide(role: string, kind: string): boolean {
  const roles: readonly string[] = kind === "payment" ? ROLES.money : ROLES.care;
  return roles.includes(role);
}

export async function decideDrift(
  deps: Deps,
  actor: StaffActor,
  input: { id: number; decision: "accept" | "reject"; reason: string },
  now: Instant,
): Promise<DecideResult> {
  const reason = input.reason.trim();
  if (!reason) return { ok: false, reason: "reason-required" };
  return inTransaction(deps, "drift:decide", async (tx): Promise<DecideResult> => {
    const drift = await findDrift(tx, input.id);
    if (!drift) return { ok: false, reason: "not-found" };
    if (!mayDecide(actor.role, drift.kind)) return { ok: false, reason: "forbidden" };
    if (drift.status !== "open") return { ok: false, reason: "already-decided" };
    const status = input.decision === "accept" ? "accepted" : "rejected";
    if (status === "accepted" && drift.kind === "domain" && drift.field === "expires_at" && drift.serviceId) {
      const ours = parseInstant(drift.ours);
      const theirs = parseInstant(drift.theirs);
      if (ours === null || theirs === null) return { ok: false, reason: "record-changed" };
      const moved = await tx
        .updateTable("domains")
        .set({ expires_at: theirs })
        .where("service_id", "=", drift.serviceId)
        .where("expires_at", "=", ours)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) === 0) return { ok: false, reason: "record-changed" };
    }
    const updated = await tx
      .updateTable("drift")
      .set({ status, decided_at: now, decided_by: actorMark(actor), decision_reason: reason })
      .where("id", "=", drift.id)
      .where("status", "=", "open")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return { ok: false, reason: "already-decided" };
    await decided(tx, drift.id, drift, status, actorMark(actor), reason, now, actor);
    return { ok: true, status };
  });
}
