/**
 * The audit log: every staff action, who (and in which role), what, on which object, when, the
 * reason typed, the fields it changed (before/after) and the client address. Written in the same
 * transaction as the action, so an action without its line cannot exist. Nothing here updates or
 * deletes a line, and the database refuses to (migration 0006).
 */
import { sql } from "kysely";
import type { StaffRole } from "../../domain/staff-roles.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";

/** Who acted, as the back office knows it for each request. */
export interface StaffActor {
  id: string;
  email: string;
  role: StaffRole;
  /** The client's address (as trusted by the proxy settings). */
  address: string;
}

export type Fields = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId: string;
  customerId: string | null;
  reason?: string;
  before?: Fields;
  after?: Fields;
}

export interface AuditLine extends Required<Omit<AuditEntry, "before" | "after">> {
  id: number;
  at: Instant;
  staffId: string;
  staffEmail: string;
  role: string;
  before: Fields;
  after: Fields;
  clientAddress: string;
}

/**
 * A staff member acting for a customer through the client area's own use case (the back office):
 * the use case names them in its event (`by`) and writes their audit line in the transaction of
 * the change, so neither exists without the other.
 */
export interface ActingStaff {
  /** `actorMark(actor)`. */
  by: string;
  /** Writes the audit line; `after` adds what only the use case knows (the invoice it issued). */
  audit(tx: Tx, after?: Fields): Promise<void>;
}

/** The marker events carry for a staff action: `{ by: "staff:<email>" }`. */
export function actorMark(actor: StaffActor): string {
  return `staff:${actor.email}`;
}

/** Only the fields that changed go in before/after: the line says what moved. */
function changedOnly(before: Fields, after: Fields): { before: Fields; after: Fields } {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const b: Fields = {};
  const a: Fields = {};
  for (const key of keys) {
    if (before[key] === after[key]) continue;
    if (key in before) b[key] = before[key] ?? null;
    if (key in after) a[key] = after[key] ?? null;
  }
  return { before: b, after: a };
}

export async function recordAudit(
  tx: Tx | Db,
  actor: StaffActor,
  at: Instant,
  entry: AuditEntry,
): Promise<void> {
  const { before, after } = changedOnly(entry.before ?? {}, entry.after ?? {});
  await tx
    .insertInto("audit_log")
    .values({
      at,
      staff_id: actor.id,
      staff_email: actor.email,
      role: actor.role,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId,
      customer_id: entry.customerId,
      reason: entry.reason ?? "",
      before_json: JSON.stringify(before),
      after_json: JSON.stringify(after),
      client_address: actor.address,
    })
    .execute();
}

export interface AuditFilter {
  /** Free text: matched against the staff e-mail, action, object id, customer id and reason. */
  q?: string;
  objectType?: string;
  objectId?: string;
  customerId?: string;
  staffEmail?: string;
  from?: Instant;
  to?: Instant;
  limit?: number;
  /** Lines older than this id (paging, newest first). */
  beforeId?: number;
}

export async function listAudit(db: Db, filter: AuditFilter = {}): Promise<AuditLine[]> {
  let query = db.selectFrom("audit_log").selectAll();
  if (filter.objectType) query = query.where("object_type", "=", filter.objectType);
  if (filter.objectId) query = query.where("object_id", "=", filter.objectId);
  if (filter.customerId) query = query.where("customer_id", "=", filter.customerId);
  if (filter.staffEmail) query = query.where("staff_email", "=", filter.staffEmail.toLowerCase());
  if (filter.from !== undefined) query = query.where("at", ">=", filter.from);
  if (filter.to !== undefined) query = query.where("at", "<", filter.to);
  if (filter.beforeId !== undefined) query = query.where("id", "<", filter.beforeId);
  const q = filter.q?.trim().toLowerCase();
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or(
        ["staff_email", "action", "object_id", "customer_id", "reason"].map(
          (column) =>
            // The backslash escapes the user's own % and _ (the ESCAPE clause makes it so on SQLite too).
            sql<boolean>`lower(${sql.ref(column)}) like ${like} escape '\\'`,
        ),
      ),
    );
  }
  const rows = await query
    .orderBy("id", "desc")
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    staffId: row.staff_id,
    staffEmail: row.staff_email,
    role: row.role,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    customerId: row.customer_id,
    reason: row.reason,
    before: JSON.parse(row.before_json) as Fields,
    after: JSON.parse(row.after_json) as Fields,
    clientAddress: row.client_address,
  }));
}

function csvCell(value: string): string {
  // A leading = + - @ would be a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const AUDIT_CSV_HEADER = [
  "id",
  "at",
  "staff",
  "role",
  "action",
  "object_type",
  "object_id",
  "customer",
  "reason",
  "before",
  "after",
  "client_address",
];

export function auditCsv(lines: AuditLine[]): string {
  const rows = lines.map((line) =>
    [
      String(line.id),
      new Date(line.at).toISOString(),
      line.staffEmail,
      line.role,
      line.action,
      line.objectType,
      line.objectId,
      line.customerId ?? "",
      line.reason,
      JSON.stringify(line.before),
      JSON.stringify(line.after),
      line.clientAddress,
    ]
      .map(csvCell)
      .join(","),
  );
  return `${[AUDIT_CSV_HEADER.join(","), ...rows].join("\r\n")}\r\n`;
}
