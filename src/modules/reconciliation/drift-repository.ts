/** The drift rows staff decide on (migration 0014). */
import type { Db, Tx } from "../deps.js";

export interface DriftRow {
  id: number;
  kind: "domain" | "payment";
  subject: string;
  field: string;
  ours: string;
  theirs: string;
  rule: string;
  registrar: string | null;
  serviceId: string | null;
  customerId: string | null;
  paymentId: number | null;
  status: "open" | "accepted" | "rejected";
  detectedAt: number;
  decidedAt: number | null;
  decidedBy: string | null;
  decisionReason: string;
}

export interface NewDrift {
  kind: "domain" | "payment";
  subject: string;
  field: string;
  ours: string;
  theirs: string;
  rule: string;
  registrar?: string | null;
  serviceId?: string | null;
  customerId?: string | null;
  paymentId?: number | null;
}

// biome-ignore lint/suspicious/noExplicitAny: a selected drift row, mapped below.
function toDrift(row: any): DriftRow {
  return {
    id: Number(row.id),
    kind: row.kind,
    subject: row.subject,
    field: row.field,
    ours: row.ours,
    theirs: row.theirs,
    rule: row.rule,
    registrar: row.registrar,
    serviceId: row.service_id,
    customerId: row.customer_id,
    paymentId: row.payment_id === null ? null : Number(row.payment_id),
    status: row.status,
    detectedAt: Number(row.detected_at),
    decidedAt: row.decided_at === null ? null : Number(row.decided_at),
    decidedBy: row.decided_by,
    decisionReason: row.decision_reason,
  };
}

/** Inserts the difference unless the same one (same subject, field and their value) is known: then null. */
export async function insertDrift(
  tx: Tx,
  drift: NewDrift,
  at: number,
  decided?: { status: "accepted"; by: string; reason: string },
): Promise<number | null> {
  const inserted = await tx
    .insertInto("drift")
    .values({
      kind: drift.kind,
      subject: drift.subject,
      field: drift.field,
      ours: drift.ours,
      theirs: drift.theirs,
      rule: drift.rule,
      registrar: drift.registrar ?? null,
      service_id: drift.serviceId ?? null,
      customer_id: drift.customerId ?? null,
      payment_id: drift.paymentId ?? null,
      status: decided?.status ?? "open",
      detected_at: at,
      decided_at: decided ? at : null,
      decided_by: decided?.by ?? null,
      decision_reason: decided?.reason ?? "",
    })
    .onConflict((oc) => oc.columns(["kind", "subject", "field", "theirs"]).doNothing())
    .returning("id")
    .executeTakeFirst();
  return inserted ? Number(inserted.id) : null;
}

export async function findDrift(db: Db | Tx, id: number): Promise<DriftRow | null> {
  const row = await db.selectFrom("drift").selectAll().where("id", "=", id).executeTakeFirst();
  return row ? toDrift(row) : null;
}

export async function listDrift(
  db: Db,
  filter: { status?: "open" | "decided"; kinds?: ("domain" | "payment")[]; limit?: number },
): Promise<DriftRow[]> {
  let query = db.selectFrom("drift").selectAll();
  if (filter.status === "open") query = query.where("status", "=", "open");
  if (filter.status === "decided") query = query.where("status", "<>", "open");
  if (filter.kinds) query = query.where("kind", "in", filter.kinds.length ? filter.kinds : ["none"]);
  const rows = await query
    .orderBy("detected_at", "desc")
    .orderBy("id", "desc")
    .limit(filter.limit ?? 200)
    .execute();
  return rows.map(toDrift);
}
