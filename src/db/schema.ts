/**
 * Table types shared by SQLite and PostgreSQL. Portable types only: instants are epoch
 * milliseconds, money is integer minor units plus a currency, booleans are 0/1 (see columns.ts).
 */
import type { Generated } from "kysely";

export interface CustomersTable {
  id: string;
  email: string;
  name: string;
  locale: string;
  currency: string;
  time_zone: string;
  card_token: string | null;
  card_label: string | null;
  created_at: number;
  /** The billing address (migration 0009), which decides the tax location; null until given. */
  billing_country: Generated<string | null>;
  billing_province: Generated<string | null>;
  billing_postal_code: Generated<string | null>;
  billing_business_name: Generated<string | null>;
  billing_vat_number: Generated<string | null>;
  tax_exempt: Generated<number>;
  tax_exempt_reason: Generated<string | null>;
  /** PostgreSQL: the version's folded part (migration 0024); SQLite keeps it in customer_versions. */
  version: Generated<number>;
}

/** SQLite only: the customer's version, moved by triggers (migration 0025). */
export interface CustomerVersionsTable {
  customer_id: string;
  version: Generated<number>;
}

/** PostgreSQL only: one row per customer touched by a statement, folded into `customers.version`. */
export interface CustomerChangesTable {
  id: Generated<number>;
  customer_id: string;
}

export interface TldPricesTable {
  tld: string;
  currency: string;
  renew_amount: number;
}

export interface ProductsTable {
  id: string;
  kind: string;
  name: string;
  plan: string;
  price: number;
  currency: string;
  /** The name in each language (migration 0010); null on a row written by an older version. */
  name_en: Generated<string | null>;
  name_fr: Generated<string | null>;
}

export interface ServicesTable {
  id: string;
  customer_id: string;
  kind: string;
  label: string;
  /** The service's name in each language (migration 0010, backfilled from `label`). */
  name_en: Generated<string | null>;
  name_fr: Generated<string | null>;
  status: string;
  created_at: number;
  /** Earliest instant at which the engine has work for this service; null when none. */
  next_due_at: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  failure_count: number;
  last_error: string | null;
}

export interface SubscriptionsTable {
  service_id: string;
  product_id: string | null;
  plan: string;
  price: number;
  currency: string;
  started_at: number;
  anchor_at: number;
  terms_since_anchor: number;
  term_ends_at: number;
}

export interface DomainsTable {
  service_id: string;
  name: string;
  tld: string;
  registrar: string;
  registered_at: number;
  lock_start_at: number;
  expires_at: number;
  auto_renew: number;
  auto_renew_changed_at: number | null;
  email_verified: number;
  site_service_id: string | null;
  site_connected: number;
  offer: string | null;
  legacy_lost_reason: string | null;
  recorded_price: number;
  recorded_currency: string;
  /** Staff overrides (audited): extra days of grace, a waived restore fee, an early lock lift. */
  grace_extension_days: Generated<number>;
  restore_fee_waived: Generated<number>;
  transfer_lock_lifted_at: Generated<number | null>;
  /** JSON contacts from an imported book (migration 0023); null for a domain registered here. */
  contacts: Generated<string | null>;
}

export interface CancellationRequestsTable {
  id: Generated<number>;
  service_id: string;
  reason: string;
  mode: string;
  stop_domain_ids: string;
  status: string;
  requested_at: number;
  effective_at: number;
  requested_by: string;
  closed_at: number | null;
  /** A staff member who carried it out before its time (`staff:<email>`), from the back office. */
  carried_out_by: Generated<string | null>;
}

export interface InvoicesTable {
  id: Generated<number>;
  customer_id: string;
  /** Deterministic key of the decision that issued it; unique, so a decision cannot issue twice. */
  issue_key: string | null;
  service_id: string | null;
  purpose: string;
  period_start_at: number | null;
  currency: string;
  total: number;
  amount_paid: number;
  status: string;
  issued_at: number;
  due_at: number;
  paid_at: number | null;
  voided_at: number | null;
  /** A void asked for while a charge was in flight: it happens once that charge is settled. */
  void_requested_at: number | null;
  void_reason: string | null;
  /** Before taxes (migration 0009); `total` = subtotal + tax_total. */
  subtotal: Generated<number>;
  tax_total: Generated<number>;
  /** `reverse-charge` (the EU business customer accounts for the VAT), else null. */
  tax_note: Generated<string | null>;
  /** The document number (`INV-000123`), from `document_series`, given when issued. */
  number: Generated<string | null>;
}

/** One tax of an invoice (migration 0009): rate in parts per 100,000, base and amount in minor units. */
export interface InvoiceTaxesTable {
  id: Generated<number>;
  invoice_id: number;
  /** GST | HST | QST | PST | VAT (src/domain/taxes.ts). */
  code: string;
  /** Where: CA, CA-QC, FR… */
  jurisdiction: string;
  rate: number;
  base: number;
  amount: number;
}

/** The counter of each document series (migration 0009): the next number to give. */
export interface DocumentSeriesTable {
  series: string;
  next_number: number;
}

export interface InvoiceLinesTable {
  id: Generated<number>;
  invoice_id: number;
  service_id: string | null;
  /** The words of a line written before migration 0010, or staff's; kind-worded lines keep an English copy. */
  description: string;
  /** What the line is (src/views/wording.ts), worded per locale at display; null on older lines. */
  kind: Generated<string | null>;
  /** JSON: what the line is about (names, domain, years, plan), frozen at issue. */
  params: Generated<string | null>;
  amount: number;
  period_start_at: number | null;
  period_end_at: number | null;
  /** JSON `[{code, jurisdiction, rate, base, amount}]`: this line's taxes (migration 0009). */
  taxes: Generated<string>;
}

export interface PaymentsTable {
  id: Generated<number>;
  invoice_id: number;
  customer_id: string;
  attempt: number;
  /** `charge:<invoice>:<attempt>`, sent to the gateway; unique. */
  idempotency_key: string;
  amount: number;
  currency: string;
  /**
   * `pending` (asked, outcome unknown), `succeeded` (applied to the invoice), `failed`,
   * `cancelled` (never reached the gateway; its invoice was voided meanwhile) or `unapplied` (the
   * gateway took the money but the invoice could no longer take it: refunded, see refunds).
   */
  status: string;
  gateway_ref: string | null;
  failure_code: string | null;
  created_at: number;
  resolved_at: number | null;
}

/**
 * Money given back on a payment, two-phase like a charge: `pending` under its key, then the
 * gateway's answer (`succeeded` / `failed`). Never more than the payment's amount in total.
 */
export interface RefundsTable {
  id: Generated<number>;
  payment_id: number;
  invoice_id: number;
  customer_id: string;
  /** `refund:<charge key>:<n>`, sent to the gateway; unique. */
  idempotency_key: string;
  amount: number;
  currency: string;
  status: string;
  /** Why: `invoice-voided` (a charge that landed on an invoice being voided), or staff's reason. */
  reason: string;
  /** `engine`, or who asked (a staff member). */
  requested_by: string;
  gateway_ref: string | null;
  failure_code: string | null;
  created_at: number;
  resolved_at: number | null;
}

export interface TicketsTable {
  id: Generated<number>;
  customer_id: string;
  kind: string;
  subject: string;
  body: string;
  status: string;
  service_id: string | null;
  invoice_id: number | null;
  opened_by: string;
  created_at: number;
  closed_at: number | null;
  assigned_staff_id: string | null;
  updated_at: number | null;
}

export interface NoticesTable {
  id: Generated<number>;
  /** `<template>@<marker>:<service>`: one notice per (template, service, period). */
  notice_key: string;
  customer_id: string;
  service_id: string | null;
  template: string;
  locale: string;
  to_address: string;
  /** Rendered bodies of rows written before migration 0010; newer rows are rendered from `params`. */
  subject: Generated<string | null>;
  text_body: Generated<string | null>;
  html_body: Generated<string | null>;
  /** JSON: the template's data, decided when the notice was queued (render-notice.ts renders it). */
  params: Generated<string | null>;
  status: string;
  attempts: number;
  created_at: number;
  sent_at: number | null;
  last_error: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  customer_id: string | null;
  service_id: string | null;
  details: string;
}

export interface EngineRunsTable {
  id: Generated<number>;
  worker: string;
  now_at: number;
  started_at: number;
  finished_at: number | null;
  status: string;
  steps_applied: number;
  services_failed: number;
}

export interface EngineFailuresTable {
  id: Generated<number>;
  run_id: number;
  service_id: string;
  step: string;
  error: string;
  at: number;
}

export interface AccountsTable {
  customer_id: string;
  email: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled: number;
  created_at: number;
  /** The last TOTP time step accepted (sign-in or enrolment); a code must be of a later one. */
  totp_last_step: Generated<number>;
}

export interface SessionsTable {
  sid: string;
  customer_id: string | null;
  /** A staff member's session (back office); never also a customer's. */
  staff_id: string | null;
  data: string;
  expires_at: number;
}

/** One-time form tokens (src/http/form-tokens.ts): the first post claims its token. */
export interface FormSubmissionsTable {
  token: string;
  customer_id: string;
  purpose: string;
  created_at: number;
  /** Where the first post sent the visitor; null while it runs. */
  location: string | null;
}

export interface PasswordResetsTable {
  /** SHA-256 of the token sent by e-mail: a database leak does not leak usable links. */
  token_hash: string;
  customer_id: string;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface TicketRepliesTable {
  id: Generated<number>;
  ticket_id: number;
  author: string;
  body: string;
  created_at: number;
  /** Set when a staff member wrote the reply (`author` is then "staff"). */
  staff_id: Generated<string | null>;
}

export interface StaffTable {
  id: string;
  email: string;
  name: string;
  /** admin | billing | support (src/domain/staff-roles.ts). */
  role: string;
  locale: Generated<string>;
  password_hash: string;
  /** A generated one-time password: the first sign-in asks for a new one. */
  must_change_password: Generated<number>;
  totp_secret: string | null;
  totp_enabled: Generated<number>;
  totp_last_step: Generated<number>;
  disabled_at: number | null;
  last_sign_in_at: number | null;
  created_at: number;
}

/** Append-only (the database refuses UPDATE and DELETE): every staff action. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  staff_id: string;
  staff_email: string;
  role: string;
  action: string;
  object_type: string;
  object_id: string;
  customer_id: string | null;
  reason: string;
  before_json: string;
  after_json: string;
  client_address: string;
}

/** A refund or an adjustment, referencing the invoice it credits. */
export interface CreditNotesTable {
  id: Generated<number>;
  invoice_id: number;
  customer_id: string;
  refund_id: number | null;
  /** refund | adjustment */
  kind: string;
  amount: number;
  currency: string;
  reason: string;
  created_by: string;
  created_at: number;
  /** `CN-000007` (migration 0009), from `document_series`, given when the note is written. */
  number: Generated<string | null>;
  /** The part of `amount` before taxes; null on a note written before migration 0009 (no tax). */
  subtotal: Generated<number | null>;
  /** JSON `[{code, jurisdiction, rate, base, amount}]`: the tax given back. */
  taxes: Generated<string>;
}

export interface Database {
  staff: StaffTable;
  audit_log: AuditLogTable;
  credit_notes: CreditNotesTable;
  accounts: AccountsTable;
  sessions: SessionsTable;
  form_submissions: FormSubmissionsTable;
  password_resets: PasswordResetsTable;
  ticket_replies: TicketRepliesTable;
  customers: CustomersTable;
  customer_changes: CustomerChangesTable;
  customer_versions: CustomerVersionsTable;
  tld_prices: TldPricesTable;
  products: ProductsTable;
  services: ServicesTable;
  subscriptions: SubscriptionsTable;
  domains: DomainsTable;
  cancellation_requests: CancellationRequestsTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  invoice_taxes: InvoiceTaxesTable;
  document_series: DocumentSeriesTable;
  payments: PaymentsTable;
  refunds: RefundsTable;
  tickets: TicketsTable;
  notices: NoticesTable;
  events: EventsTable;
  engine_runs: EngineRunsTable;
  engine_failures: EngineFailuresTable;
  drift: DriftTable;
  scheduled_jobs: ScheduledJobsTable;
}

/** A job run on a schedule by whichever worker claims it (migration 0020): reconciliation. */
export interface ScheduledJobsTable {
  name: string;
  next_run_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_started_at: number | null;
  last_finished_at: number | null;
}

/** A difference reconciliation found between Tenure and the registry or the gateway (migration 0014). */
export interface DriftTable {
  id: Generated<number>;
  /** `domain` (the registry) or `payment` (the gateway). */
  kind: string;
  /** The domain name or the payment's idempotency key. */
  subject: string;
  field: string;
  ours: string;
  theirs: string;
  /** Why it was flagged or accepted: expiry-earlier, before-registration, jump-too-far, not-ours, … */
  rule: string;
  registrar: string | null;
  service_id: string | null;
  customer_id: string | null;
  payment_id: number | null;
  /** `open`, `accepted` or `rejected`. */
  status: Generated<string>;
  detected_at: number;
  decided_at: number | null;
  /** `staff:<email>`, or `automatic` for an expiry moved by exactly the renewals Tenure paid for. */
  decided_by: string | null;
  decision_reason: Generated<string>;
}
