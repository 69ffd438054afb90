/** Table types of migration 0015 (the JSON API and webhooks), merged into the schema's Database. */
import type { Generated } from "kysely";

export interface ApiKeysTable {
  id: string;
  name: string;
  /** The first characters of the key, shown in lists so a key can be recognised. */
  prefix: string;
  /** SHA-256 (hex) of the whole key. */
  key_hash: string;
  /** Comma-separated scopes. */
  scopes: string;
  /** A key restricted to one customer sees only that customer's objects. */
  customer_id: string | null;
  created_at: number;
  created_by: string;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface ApiIdempotencyTable {
  api_key_id: string;
  idempotency_key: string;
  request_hash: string;
  created_at: number;
  /** Null while the first request runs. */
  status_code: number | null;
  response_body: string | null;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: Generated<string>;
  event_types: string;
  secret: string;
  created_at: number;
  disabled_at: number | null;
  disabled_reason: string | null;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: string;
  event_id: number;
  status: string;
  attempts: Generated<number>;
  next_attempt_at: number;
  first_failed_at: number | null;
  delivered_at: number | null;
  created_at: number;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  at: number;
  ok: number;
  status_code: number | null;
  error: string | null;
  response_excerpt: Generated<string>;
  replay: Generated<number>;
}

declare module "../../db/schema.js" {
  interface Database {
    api_keys: ApiKeysTable;
    api_idempotency: ApiIdempotencyTable;
    webhook_endpoints: WebhookEndpointsTable;
    webhook_deliveries: WebhookDeliveriesTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}
