/** Appends one event of the catalog; always inside the transaction of the change it describes. */

import { chunks } from "../../db/chunks.js";
import type { EventDetails, EventType, TenureEvent } from "../../domain/events.js";
import type { Instant } from "../../domain/time.js";
import type { Db, Tx } from "../deps.js";

export async function recordEvent<T extends EventType>(
  tx: Tx,
  type: T,
  at: Instant,
  refs: { customer: string; service?: string | null },
  details: EventDetails[T],
): Promise<void> {
  await recordEvents(tx, [newEvent(type, at, refs, details)]);
}

/** One event to record with recordEvents, typed by the catalog. */
export interface NewEvent {
  at: Instant;
  type: EventType;
  customer: string;
  service: string | null;
  details: unknown;
}

export function newEvent<T extends EventType>(
  type: T,
  at: Instant,
  refs: { customer: string; service?: string | null },
  details: EventDetails[T],
): NewEvent {
  return { at, type, customer: refs.customer, service: refs.service ?? null, details };
}

/** Appends events in their order with multi-row inserts (the engine records thousands per batch). */
export async function recordEvents(tx: Tx, events: NewEvent[]): Promise<void> {
  for (const chunk of chunks(events, 500)) {
    await tx
      .insertInto("events")
      .values(
        chunk.map((e) => ({
          at: e.at,
          type: e.type,
          customer_id: e.customer,
          service_id: e.service,
          details: JSON.stringify(e.details),
        })),
      )
      .execute();
  }
}

export interface StoredEvent extends TenureEvent {
  id: number;
}

export async function listEvents(
  db: Db,
  filter: { service?: string; customer?: string; from?: Instant; until?: Instant } = {},
): Promise<StoredEvent[]> {
  let query = db.selectFrom("events").selectAll().orderBy("at").orderBy("id");
  if (filter.service) query = query.where("service_id", "=", filter.service);
  if (filter.customer) query = query.where("customer_id", "=", filter.customer);
  if (filter.from !== undefined) query = query.where("at", ">=", filter.from);
  if (filter.until !== undefined) query = query.where("at", "<=", filter.until);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    at: row.at,
    type: row.type as EventType,
    ...(row.service_id ? { service: row.service_id } : {}),
    ...(row.customer_id ? { customer: row.customer_id } : {}),
    details: JSON.parse(row.details),
  }));
}
