/**
 * Webhooks (docs/api.md): endpoints an admin registers with the event types they want (or all),
 * deliveries written by a trigger on `events` in the transaction of each event (the outbox,
 * migration 0015), sent by the worker after commit following the Standard Webhooks specification
 * (the `standardwebhooks` package signs), in event order per endpoint, retried with exponential
 * back-off; an endpoint still failing five days after its first failure is disabled.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { EVENT_TYPES } from "../../domain/events.js";
import { DEFAULT_WEBHOOKS, type WebhookPolicy } from "../../domain/policies.js";
import { DAY, type Instant } from "../../domain/time.js";

const MINUTE = 60_000;

import type {} from "../api-keys/tables.js";
import type { Db } from "../deps.js";

/** The built-in schedule (policy `webhooks`, docs/policies.md), for callers without a policy. */
export const RETRY_DELAYS: readonly number[] = DEFAULT_WEBHOOKS.retryDelaysSeconds.map((s) => s * 1000);
export const DISABLE_AFTER = DEFAULT_WEBHOOKS.disableAfterDays * DAY;
/** What is kept of a receiver's answer. */
export const EXCERPT_CHARS = 500;
/** Deliveries sent per endpoint per worker run (the rest wait for the next run, in order). */
const PER_RUN = 100;
/** A delivery being sent is leased for this long (two workers never send it together). */
const LEASE = 2 * MINUTE;

/** The wait after this many failed attempts: the policy's schedule, its last step repeating. */
export function retryDelay(failedAttempts: number, policy: WebhookPolicy = DEFAULT_WEBHOOKS): number {
  const delays = policy.retryDelaysSeconds;
  const seconds = delays[Math.min(Math.max(failedAttempts, 1), delays.length) - 1] ?? 86_400;
  return seconds * 1000;
}

export const webhookEndpointSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).max(2000),
  description: z.string().trim().max(200).default(""),
  /** Empty or absent: every event of the catalog. */
  eventTypes: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).default([]),
});
export type NewWebhookEndpoint = z.input<typeof webhookEndpointSchema>;

export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  /** Empty: every event. */
  eventTypes: string[];
  createdAt: Instant;
  disabledAt: Instant | null;
  disabledReason: string | null;
}

type EndpointRow = {
  id: string;
  url: string;
  description: string;
  event_types: string;
  created_at: number | string;
  disabled_at: number | string | null;
  disabled_reason: string | null;
};

function toEndpoint(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.event_types === "*" ? [] : r.event_types.split(","),
    createdAt: Number(r.created_at),
    disabledAt: r.disabled_at === null ? null : Number(r.disabled_at),
    disabledReason: r.disabled_reason,
  };
}

const ENDPOINT_COLUMNS = [
  "id",
  "url",
  "description",
  "event_types",
  "created_at",
  "disabled_at",
  "disabled_reason",
] as const;

export function parseEndpoint(input: unknown) {
  const parsed = webhookEndpointSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError(
      "INVALID_INPUT",
      parsed.error.issues.map((i) => `${i.path.join(".") || "endpoint"}: ${i.message}`).join("; "),
    );
  }
  return parsed.data;
}

/** Registers an endpoint; the secret (`whsec_…`) is returned this once. */
export async function createWebhookEndpoint(
  db: Db,
  input: NewWebhookEndpoint,
  now: Instant,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const data = parseEndpoint(input);
  const secret = `whsec_${randomBytes(24).toString("base64")}`;
  const row = {
    id: `we_${randomUUID()}`,
    url: data.url,
    description: data.description,
    event_types: data.eventTypes.length === 0 ? "*" : [...new Set(data.eventTypes)].join(","),
    secret,
    created_at: now,
    disabled_at: null,
    disabled_reason: null,
  };
  await db.insertInto("webhook_endpoints").values(row).execute();
  return { endpoint: toEndpoint(row), secret };
}

export async function listWebhookEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  const rows = await db
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map(toEndpoint);
}

export async function findWebhookEndpoint(db: Db, id: string): Promise<WebhookEndpoint | null> {
  const row = await db
    .selectFrom("webhook_endpoints")
    .select(ENDPOINT_COLUMNS)
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? toEndpoint(row) : null;
}

/** Disables (or, with `enabled`, re-enables) an endpoint; true when it changed. */
export async function setWebhookEndpointEnabled(
  db: Db,
  id: string,
  enabled: boolean,
  now: Instant,
  reason = "disabled by staff",
): Promise<boolean> {
  const result = await db
    .updateTable("webhook_endpoints")
    .set(
      enabled ? { disabled_at: null, disabled_reason: null } : { disabled_at: now, disabled_reason: reason },
    )
    .where("id", "=", id)
    .where("disabled_at", enabled ? "is not" : "is", null)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  if (enabled) {
    // Deliveries waiting behind a long failure are tried again now, in order.
    await db
      .updateTable("webhook_deliveries")
      .set({ next_attempt_at: now, first_failed_at: null })
      .where("endpoint_id", "=", id)
      .where("status", "=", "pending")
      .execute();
  }
  return true;
}

export async function deleteWebhookEndpoint(db: Db, id: string): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const deliveries = tx.selectFrom("webhook_deliveries").select("id").where("endpoint_id", "=", id);
    await tx.deleteFrom("webhook_attempts").where("delivery_id", "in", deliveries).execute();
    await tx.deleteFrom("webhook_deliveries").where("endpoint_id", "=", id).execute();
    const result = await tx.deleteFrom("webhook_endpoints").where("id", "=", id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

export interface DeliveryView {
  id: number;
  eventId: number;
  eventType: string;
  status: "pending" | "succeeded";
  attempts: number;
  nextAttemptAt: Instant | null;
  deliveredAt: Instant | null;
  createdAt: Instant;
}

export interface AttemptView {
  id: number;
  deliveryId: number;
  eventId: number;
  eventType: string;
  at: Instant;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string;
  replay: boolean;
}

export async function recentAttempts(db: Db, endpointId: string, limit = 50): Promise<AttemptView[]> {
  const rows = await db
    .selectFrom("webhook_attempts as a")
    .innerJoin("webhook_deliveries as d", "d.id", "a.delivery_id")
    .innerJoin("events as e", "e.id", "d.event_id")
    .select([
      "a.id",
      "a.delivery_id",
      "d.event_id",
      "e.type",
      "a.at",
      "a.ok",
      "a.status_code",
      "a.error",
      "a.response_excerpt",
      "a.replay",
    ])
    .where("d.endpoint_id", "=", endpointId)
    .orderBy("a.id", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    deliveryId: Number(r.delivery_id),
    eventId: Number(r.event_id),
    eventType: r.type,
    at: Number(r.at),
    ok: Number(r.ok) === 1,
    statusCode: r.status_code === null ? null : Number(r.status_code),
    error: r.error,
    responseExcerpt: r.response_excerpt,
    replay: Number(r.replay) === 1,
  }));
}

export async function pendingDeliveryCount(db: Db, endpointId: string): Promise<number> {
  const row = await db
    .selectFrom("webhook_deliveries")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("endpoint_id", "=", endpointId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The body of a message: the catalog event. */
export interface WebhookPayload {
  id: string;
  type: string;
  timestamp: string;
  customer: string | null;
  service: string | null;
  data: unknown;
}

export function payloadOf(event: {
  id: number;
  type: string;
  at: number;
  customer_id: string | null;
  service_id: string | null;
  details: string;
}): WebhookPayload {
  return {
    id: `evt_${event.id}`,
    type: event.type,
    timestamp: new Date(Number(event.at)).toISOString(),
    customer: event.customer_id,
    service: event.service_id,
    data: JSON.parse(event.details),
  };
}

/** One HTTP attempt's outcome. */
export interface SendOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  excerpt: string;
}

export type Sender = (url: string, headers: Record<string, string>, body: string) => Promise<SendOutcome>;

/** Sends with fetch, the policy's timeout, no redirects followed; never throws. */
export function httpSender(policy: WebhookPolicy = DEFAULT_WEBHOOKS): Sender {
  return (url, headers, body) => fetchWithin(policy.attemptTimeoutSeconds * 1000, url, headers, body);
}

export const fetchSender: Sender = httpSender();

async function fetchWithin(
  timeoutMs: number,
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<SendOutcome> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text().catch(() => "");
    return {
      ok: response.status >= 200 && response.status < 300,
      statusCode: response.status,
      error: null,
      excerpt: text.slice(0, EXCERPT_CHARS),
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    const message =
      name === "TimeoutError" ? "timeout" : error instanceof Error ? error.message : String(error);
    return { ok: false, statusCode: null, error: message.slice(0, EXCERPT_CHARS), excerpt: "" };
  }
}

export function signedHeaders(
  secret: string,
  messageId: string,
  at: Instant,
  body: string,
): Record<string, string> {
  const timestamp = new Date(Math.floor(at / 1000) * 1000);
  return {
    "content-type": "application/json",
    "user-agent": "Tenure-Webhooks/1",
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at / 1000)),
    "webhook-signature": new Webhook(secret).sign(messageId, timestamp, body),
  };
}

interface DeliveryRow {
  id: number;
  event_id: number;
  attempts: number;
  next_attempt_at: number;
  first_failed_at: number | null;
}

async function sendOne(
  db: Db,
  endpoint: { id: string; url: string; secret: string },
  delivery: { id: number; event_id: number },
  now: Instant,
  send: Sender,
  replay: boolean,
): Promise<SendOutcome> {
  const event = await db
    .selectFrom("events")
    .select(["id", "type", "at", "customer_id", "service_id", "details"])
    .where("id", "=", delivery.event_id)
    .executeTakeFirstOrThrow();
  const body = JSON.stringify(payloadOf(event));
  const outcome = await send(
    endpoint.url,
    signedHeaders(endpoint.secret, `msg_${delivery.id}`, now, body),
    body,
  );
  await db
    .insertInto("webhook_attempts")
    .values({
      delivery_id: delivery.id,
      at: now,
      ok: outcome.ok ? 1 : 0,
      status_code: outcome.statusCode,
      error: outcome.error,
      response_excerpt: outcome.excerpt.slice(0, EXCERPT_CHARS),
      replay: replay ? 1 : 0,
    })
    .execute();
  return outcome;
}

export interface WebhookRunReport {
  sent: number;
  failed: number;
  /** Endpoints disabled in this run (failing for five days). */
  disabled: string[];
}

/** Sends what is due, endpoint by endpoint, in event order; a failure holds that endpoint's queue. */
export async function deliverWebhooks(
  db: Db,
  now: Instant,
  policy: WebhookPolicy = DEFAULT_WEBHOOKS,
  send: Sender = httpSender(policy),
): Promise<WebhookRunReport> {
  const report: WebhookRunReport = { sent: 0, failed: 0, disabled: [] };
  const endpoints = await db
    .selectFrom("webhook_endpoints")
    .select(["id", "url", "secret"])
    .where("disabled_at", "is", null)
    .orderBy("id")
    .execute();
  for (const endpoint of endpoints) {
    for (let n = 0; n < PER_RUN; n++) {
      const head = (await db
        .selectFrom("webhook_deliveries")
        .select(["id", "event_id", "attempts", "next_attempt_at", "first_failed_at"])
        .where("endpoint_id", "=", endpoint.id)
        .where("status", "=", "pending")
        .orderBy("event_id")
        .limit(1)
        .executeTakeFirst()) as DeliveryRow | undefined;
      if (!head || Number(head.next_attempt_at) > now) break;
      // The lease: only the worker whose guarded update wins sends this attempt.
      const claimed = await db
        .updateTable("webhook_deliveries")
        .set({ next_attempt_at: now + LEASE })
        .where("id", "=", head.id)
        .where("status", "=", "pending")
        .where("next_attempt_at", "=", head.next_attempt_at)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) break;
      const id = Number(head.id);
      const outcome = await sendOne(db, endpoint, { id, event_id: Number(head.event_id) }, now, send, false);
      const attempts = Number(head.attempts) + 1;
      if (outcome.ok) {
        report.sent++;
        await db
          .updateTable("webhook_deliveries")
          .set({ status: "succeeded", attempts, delivered_at: now, next_attempt_at: now })
          .where("id", "=", id)
          .execute();
        continue;
      }
      report.failed++;
      const firstFailedAt = head.first_failed_at === null ? now : Number(head.first_failed_at);
      await db
        .updateTable("webhook_deliveries")
        .set({
          attempts,
          first_failed_at: firstFailedAt,
          next_attempt_at: now + retryDelay(attempts, policy),
        })
        .where("id", "=", id)
        .execute();
      if (now - firstFailedAt >= policy.disableAfterDays * DAY) {
        await setWebhookEndpointEnabled(
          db,
          endpoint.id,
          false,
          now,
          `failing for ${policy.disableAfterDays} days`,
        );
        report.disabled.push(endpoint.id);
      }
      break;
    }
  }
  return report;
}

/** Staff send one delivery again now (a replay), whatever its status; the attempt is recorded. */
export async function replayDelivery(
  db: Db,
  deliveryId: number,
  now: Instant,
  policy: WebhookPolicy = DEFAULT_WEBHOOKS,
  send: Sender = httpSender(policy),
): Promise<SendOutcome | null> {
  const row = await db
    .selectFrom("webhook_deliveries as d")
    .innerJoin("webhook_endpoints as e", "e.id", "d.endpoint_id")
    .select(["d.id", "d.event_id", "d.status", "e.id as endpoint_id", "e.url", "e.secret"])
    .where("d.id", "=", deliveryId)
    .executeTakeFirst();
  if (!row) return null;
  const outcome = await sendOne(
    db,
    { id: row.endpoint_id, url: row.url, secret: row.secret },
    { id: Number(row.id), event_id: Number(row.event_id) },
    now,
    send,
    true,
  );
  if (outcome.ok && row.status === "pending") {
    await db
      .updateTable("webhook_deliveries")
      .set({ status: "succeeded", delivered_at: now })
      .where("id", "=", row.id)
      .where("status", "=", "pending")
      .execute();
  }
  return outcome;
}

/** Endpoints disabled by failures, for the back office's notice. */
export async function failingEndpoints(db: Db): Promise<WebhookEndpoint[]> {
  return (await listWebhookEndpoints(db)).filter(
    (e) => e.disabledAt !== null && e.disabledReason !== "disabled by staff",
  );
}
