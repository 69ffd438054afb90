/** The API's objects as zod schemas (the OpenAPI document's components) and their mappers. */
import { z } from "zod";

const at = z.string().meta({ format: "date-time" });
const maybeAt = at.nullable();

export function iso(value: number | string): string {
  return new Date(Number(value)).toISOString();
}
export function isoOrNull(value: number | string | null): string | null {
  return value === null ? null : iso(value);
}

export const moneySchema = z.strictObject({
  amount: z.int().describe("Minor units (cents)."),
  currency: z.string().describe("ISO 4217 code."),
});

export const customerSchema = z.strictObject({
  object: z.literal("customer"),
  id: z.string(),
  email: z.string(),
  name: z.string(),
  locale: z.string(),
  currency: z.string(),
  time_zone: z.string(),
  has_card: z.boolean(),
  created_at: at,
});

export const serviceSchema = z.strictObject({
  object: z.literal("service"),
  id: z.string(),
  customer: z.string(),
  kind: z.string(),
  label: z.string(),
  status: z.string(),
  created_at: at,
  next_due_at: maybeAt.describe("When the engine next has work for it."),
  plan: z.string().nullable(),
  price: moneySchema.nullable(),
  term_ends_at: maybeAt,
});

export const domainSchema = z.strictObject({
  object: z.literal("domain"),
  id: z.string().describe("The domain's service id."),
  customer: z.string(),
  name: z.string(),
  tld: z.string(),
  registrar: z.string(),
  status: z.string(),
  registered_at: at,
  expires_at: at,
  auto_renew: z.boolean(),
  email_verified: z.boolean(),
  site_service: z.string().nullable(),
  renewal_price: moneySchema,
});

export const invoiceLineSchema = z.strictObject({
  description: z.string(),
  amount: z.int(),
  service: z.string().nullable(),
  period_start: maybeAt,
  period_end: maybeAt,
});

export const invoiceSchema = z.strictObject({
  object: z.literal("invoice"),
  id: z.int(),
  customer: z.string(),
  service: z.string().nullable(),
  purpose: z.string(),
  status: z.string(),
  currency: z.string(),
  total: z.int(),
  amount_paid: z.int(),
  issued_at: at,
  due_at: at,
  paid_at: maybeAt,
  voided_at: maybeAt,
  lines: z.array(invoiceLineSchema),
});

export const paymentSchema = z.strictObject({
  object: z.literal("payment"),
  id: z.int(),
  invoice: z.int(),
  customer: z.string(),
  attempt: z.int(),
  amount: z.int(),
  currency: z.string(),
  status: z.string(),
  failure_code: z.string().nullable(),
  amount_refunded: z.int().describe("Refunds that succeeded, in minor units."),
  created_at: at,
  resolved_at: maybeAt,
});

export const cancellationRequestSchema = z.strictObject({
  object: z.literal("cancellation_request"),
  id: z.int(),
  service: z.string(),
  customer: z.string(),
  mode: z.string(),
  reason: z.string(),
  status: z.string(),
  requested_at: at,
  effective_at: at,
  requested_by: z.string(),
  closed_at: maybeAt,
});

export const ticketSchema = z.strictObject({
  object: z.literal("ticket"),
  id: z.int(),
  customer: z.string(),
  kind: z.string(),
  subject: z.string(),
  body: z.string(),
  status: z.string(),
  service: z.string().nullable(),
  invoice: z.int().nullable(),
  created_at: at,
  closed_at: maybeAt,
});

export const eventSchema = z.strictObject({
  object: z.literal("event"),
  id: z.int(),
  type: z.string(),
  at,
  customer: z.string().nullable(),
  service: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const engineRunSchema = z.strictObject({
  object: z.literal("engine_run"),
  id: z.int(),
  worker: z.string(),
  now_at: at,
  started_at: at,
  finished_at: maybeAt,
  status: z.string(),
  steps_applied: z.int(),
  services_failed: z.int(),
});

const amounts = z.record(z.string(), z.int());
export const previewSchema = z.strictObject({
  object: z.literal("preview"),
  from: at,
  until: at,
  totals: z.strictObject({ counts: amounts, charged: amounts, invoiced: amounts, services: z.int() }),
  days: z.array(
    z.strictObject({
      day: z.string(),
      counts: amounts,
      charged: amounts,
      invoiced: amounts,
      items: z.array(
        z.strictObject({
          at,
          kind: z.string(),
          service: z.string(),
          customer: z.string(),
          label: z.string(),
          step: z.string(),
          template: z.string().optional(),
          amount: moneySchema.optional(),
        }),
      ),
      more: z.int(),
    }),
  ),
  undecidable: z.array(z.strictObject({ service: z.string(), error: z.string() })),
});

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  code: z.string(),
  detail: z.string().optional(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
});
