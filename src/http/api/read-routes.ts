/** The API's GET routes (scope `read`): every resource, listed and retrieved. */
import { type SelectQueryBuilder, sql } from "kysely";
import { z } from "zod";
import { PREVIEW_MAX_DAYS, PREVIEW_MIN_DAYS } from "../../domain/preview.js";
import type { Db } from "../../modules/deps.js";
import { getInvoiceDetail } from "../../modules/invoices/list-invoices.js";
import { renderInvoicePdf } from "../../modules/invoices/render-invoice-pdf.js";
import { readPreview } from "../../modules/preview/read-preview.js";
import { messagesFor } from "../../views/i18n/index.js";
import { type ApiContext, type ApiRoute, apiRoute } from "./define.js";
import { dateFilters, intCursor, listOf, listQueryShape, paginate } from "./pagination.js";
import { ApiProblem } from "./problem.js";
import {
  cancellationRequestSchema,
  customerSchema,
  domainSchema,
  engineRunSchema,
  eventSchema,
  invoiceSchema,
  iso,
  isoOrNull,
  paymentSchema,
  previewSchema,
  serviceSchema,
  ticketSchema,
} from "./resources.js";

type Ctx = ApiContext<unknown, unknown, unknown>;

const textId = z.strictObject({ id: z.string().min(1).max(200) });
const intId = z.strictObject({
  id: z
    .string()
    .regex(/^[0-9]{1,15}$/, "an integer id")
    .transform(Number),
});

function toMs(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Date.parse(value);
}

/** What a list filters on: every list's filters are these three, applied by `filtered`. */
interface ListFilters {
  /** The column of the customer a key restricted to one customer is held to. */
  restrictTo?: string;
  /** column → the query parameter's value; a parameter not given filters nothing. */
  equal?: Record<string, string | number | undefined>;
  /** [column, `<name>_gte`, `<name>_lt`]: instants from the first (included) to the second (excluded). */
  range?: [string, string | undefined, string | undefined];
}

/** The key's restriction, then each filter given: one place for what every list handler did by hand. */
function filtered<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  ctx: Ctx,
  filters: ListFilters,
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  const only = restriction(ctx);
  if (filters.restrictTo !== undefined && only !== null) q = q.where(sql.ref(filters.restrictTo), "=", only);
  for (const [column, value] of Object.entries(filters.equal ?? {}))
    if (value !== undefined) q = q.where(sql.ref(column), "=", value);
  if (filters.range) {
    const [column, from, until] = filters.range;
    const gte = toMs(from);
    const lt = toMs(until);
    if (gte !== undefined) q = q.where(sql.ref(column), ">=", gte);
    if (lt !== undefined) q = q.where(sql.ref(column), "<", lt);
  }
  return q;
}

/** A key restricted to one customer sees only that customer's objects. */
function restriction(ctx: Ctx): string | null {
  return ctx.key.customerId;
}

function notFound(what: string): never {
  throw new ApiProblem("not_found", `No such ${what}.`);
}

/** Host-wide objects (engine runs, the whole book's preview) are not for a customer's key. */
function hostOnly(ctx: Ctx) {
  if (ctx.key.customerId !== null)
    throw new ApiProblem(
      "insufficient_scope",
      "This key is restricted to one customer; this resource is host-wide.",
    );
}

const customerFilter = {
  customer: z.string().min(1).max(200).optional().describe("Only this customer's objects."),
};
const statusFilter = {
  status: z.string().min(1).max(50).optional().describe("Only objects in this status."),
};

// ---- customers
type CustomerRow = {
  id: string;
  email: string;
  name: string;
  locale: string;
  currency: string;
  time_zone: string;
  card_token: string | null;
  created_at: number | string;
};
function customerOut(r: CustomerRow): z.input<typeof customerSchema> {
  return {
    object: "customer",
    id: r.id,
    email: r.email,
    name: r.name,
    locale: r.locale,
    currency: r.currency,
    time_zone: r.time_zone,
    has_card: r.card_token !== null,
    created_at: iso(r.created_at),
  };
}
const CUSTOMER_COLUMNS = [
  "id",
  "email",
  "name",
  "locale",
  "currency",
  "time_zone",
  "card_token",
  "created_at",
] as const;

// ---- services
function servicesQuery(db: Db) {
  return db
    .selectFrom("services as s")
    .leftJoin("subscriptions as sub", "sub.service_id", "s.id")
    .select([
      "s.id",
      "s.customer_id",
      "s.kind",
      "s.label",
      "s.status",
      "s.created_at",
      "s.next_due_at",
      "sub.plan",
      "sub.price",
      "sub.currency",
      "sub.term_ends_at",
    ]);
}
type ServiceRow = Awaited<ReturnType<ReturnType<typeof servicesQuery>["executeTakeFirstOrThrow"]>>;
function serviceOut(r: ServiceRow): z.input<typeof serviceSchema> {
  return {
    object: "service",
    id: r.id,
    customer: r.customer_id,
    kind: r.kind,
    label: r.label,
    status: r.status,
    created_at: iso(r.created_at),
    next_due_at: isoOrNull(r.next_due_at),
    plan: r.plan ?? null,
    price: r.price === null || r.currency === null ? null : { amount: Number(r.price), currency: r.currency },
    term_ends_at: isoOrNull(r.term_ends_at),
  };
}

// ---- domains
function domainsQuery(db: Db) {
  return db
    .selectFrom("domains as d")
    .innerJoin("services as s", "s.id", "d.service_id")
    .select([
      "d.service_id",
      "s.customer_id",
      "s.status",
      "s.created_at",
      "d.name",
      "d.tld",
      "d.registrar",
      "d.registered_at",
      "d.expires_at",
      "d.auto_renew",
      "d.email_verified",
      "d.site_service_id",
      "d.recorded_price",
      "d.recorded_currency",
    ]);
}
type DomainRow = Awaited<ReturnType<ReturnType<typeof domainsQuery>["executeTakeFirstOrThrow"]>>;
function domainOut(r: DomainRow): z.input<typeof domainSchema> {
  return {
    object: "domain",
    id: r.service_id,
    customer: r.customer_id,
    name: r.name,
    tld: r.tld,
    registrar: r.registrar,
    status: r.status,
    registered_at: iso(r.registered_at),
    expires_at: iso(r.expires_at),
    auto_renew: Number(r.auto_renew) === 1,
    email_verified: Number(r.email_verified) === 1,
    site_service: r.site_service_id,
    renewal_price: { amount: Number(r.recorded_price), currency: r.recorded_currency },
  };
}

// ---- invoices
const INVOICE_COLUMNS = [
  "id",
  "customer_id",
  "service_id",
  "purpose",
  "status",
  "currency",
  "total",
  "amount_paid",
  "issued_at",
  "due_at",
  "paid_at",
  "voided_at",
] as const;
type InvoiceRowOut = {
  id: number | string;
  customer_id: string;
  service_id: string | null;
  purpose: string;
  status: string;
  currency: string;
  total: number | string;
  amount_paid: number | string;
  issued_at: number | string;
  due_at: number | string;
  paid_at: number | string | null;
  voided_at: number | string | null;
};
async function invoicesOut(db: Db, rows: InvoiceRowOut[]): Promise<z.input<typeof invoiceSchema>[]> {
  const ids = rows.map((r) => Number(r.id));
  const lines =
    ids.length === 0
      ? []
      : await db
          .selectFrom("invoice_lines")
          .select(["invoice_id", "description", "amount", "service_id", "period_start_at", "period_end_at"])
          .where("invoice_id", "in", ids)
          .orderBy("id")
          .execute();
  return rows.map((r) => ({
    object: "invoice",
    id: Number(r.id),
    customer: r.customer_id,
    service: r.service_id,
    purpose: r.purpose,
    status: r.status,
    currency: r.currency,
    total: Number(r.total),
    amount_paid: Number(r.amount_paid),
    issued_at: iso(r.issued_at),
    due_at: iso(r.due_at),
    paid_at: isoOrNull(r.paid_at),
    voided_at: isoOrNull(r.voided_at),
    lines: lines
      .filter((l) => Number(l.invoice_id) === Number(r.id))
      .map((l) => ({
        description: l.description,
        amount: Number(l.amount),
        service: l.service_id,
        period_start: isoOrNull(l.period_start_at),
        period_end: isoOrNull(l.period_end_at),
      })),
  }));
}

// ---- payments
function paymentsQuery(db: Db) {
  return db.selectFrom("payments as p").select((eb) => [
    "p.id",
    "p.invoice_id",
    "p.customer_id",
    "p.attempt",
    "p.amount",
    "p.currency",
    "p.status",
    "p.failure_code",
    "p.created_at",
    "p.resolved_at",
    eb
      .selectFrom("refunds as r")
      .select((e) => e.fn.coalesce(e.fn.sum<number>("r.amount"), e.lit(0)).as("s"))
      .whereRef("r.payment_id", "=", "p.id")
      .where("r.status", "=", "succeeded")
      .as("refunded"),
  ]);
}
type PaymentRow = Awaited<ReturnType<ReturnType<typeof paymentsQuery>["executeTakeFirstOrThrow"]>>;
function paymentOut(r: PaymentRow): z.input<typeof paymentSchema> {
  return {
    object: "payment",
    id: Number(r.id),
    invoice: Number(r.invoice_id),
    customer: r.customer_id,
    attempt: Number(r.attempt),
    amount: Number(r.amount),
    currency: r.currency,
    status: r.status,
    failure_code: r.failure_code,
    amount_refunded: Number(r.refunded ?? 0),
    created_at: iso(r.created_at),
    resolved_at: isoOrNull(r.resolved_at),
  };
}

// ---- cancellation requests
function cancellationsQuery(db: Db) {
  return db
    .selectFrom("cancellation_requests as c")
    .innerJoin("services as s", "s.id", "c.service_id")
    .select([
      "c.id",
      "c.service_id",
      "s.customer_id",
      "c.mode",
      "c.reason",
      "c.status",
      "c.requested_at",
      "c.effective_at",
      "c.requested_by",
      "c.closed_at",
    ]);
}
type CancellationRow = Awaited<ReturnType<ReturnType<typeof cancellationsQuery>["executeTakeFirstOrThrow"]>>;
function cancellationOut(r: CancellationRow): z.input<typeof cancellationRequestSchema> {
  return {
    object: "cancellation_request",
    id: Number(r.id),
    service: r.service_id,
    customer: r.customer_id,
    mode: r.mode,
    reason: r.reason,
    status: r.status,
    requested_at: iso(r.requested_at),
    effective_at: iso(r.effective_at),
    requested_by: r.requested_by,
    closed_at: isoOrNull(r.closed_at),
  };
}

// ---- tickets
const TICKET_COLUMNS = [
  "id",
  "customer_id",
  "kind",
  "subject",
  "body",
  "status",
  "service_id",
  "invoice_id",
  "created_at",
  "closed_at",
] as const;
type TicketRow = {
  id: number | string;
  customer_id: string;
  kind: string;
  subject: string;
  body: string;
  status: string;
  service_id: string | null;
  invoice_id: number | string | null;
  created_at: number | string;
  closed_at: number | string | null;
};
export function ticketOut(r: TicketRow): z.input<typeof ticketSchema> {
  return {
    object: "ticket",
    id: Number(r.id),
    customer: r.customer_id,
    kind: r.kind,
    subject: r.subject,
    body: r.body,
    status: r.status,
    service: r.service_id,
    invoice: r.invoice_id === null ? null : Number(r.invoice_id),
    created_at: iso(r.created_at),
    closed_at: isoOrNull(r.closed_at),
  };
}
export async function findTicketOut(db: Db, id: number) {
  const row = await db.selectFrom("tickets").select(TICKET_COLUMNS).where("id", "=", id).executeTakeFirst();
  return row ? ticketOut(row) : null;
}

// ---- events
type EventRow = {
  id: number | string;
  type: string;
  at: number | string;
  customer_id: string | null;
  service_id: string | null;
  details: string;
};
function eventOut(r: EventRow): z.input<typeof eventSchema> {
  return {
    object: "event",
    id: Number(r.id),
    type: r.type,
    at: iso(r.at),
    customer: r.customer_id,
    service: r.service_id,
    data: JSON.parse(r.details) as Record<string, unknown>,
  };
}

// ---- engine runs
type RunRow = {
  id: number | string;
  worker: string;
  now_at: number | string;
  started_at: number | string;
  finished_at: number | string | null;
  status: string;
  steps_applied: number | string;
  services_failed: number | string;
};
function runOut(r: RunRow): z.input<typeof engineRunSchema> {
  return {
    object: "engine_run",
    id: Number(r.id),
    worker: r.worker,
    now_at: iso(r.now_at),
    started_at: iso(r.started_at),
    finished_at: isoOrNull(r.finished_at),
    status: r.status,
    steps_applied: Number(r.steps_applied),
    services_failed: Number(r.services_failed),
  };
}

export async function serviceById(ctx: Ctx, id: string) {
  let q = servicesQuery(ctx.deps.db).where("s.id", "=", id);
  const only = restriction(ctx);
  if (only !== null) q = q.where("s.customer_id", "=", only);
  const row = await q.executeTakeFirst();
  return row ? serviceOut(row) : notFound("service");
}
export async function domainById(ctx: Ctx, id: string) {
  let q = domainsQuery(ctx.deps.db).where("d.service_id", "=", id);
  const only = restriction(ctx);
  if (only !== null) q = q.where("s.customer_id", "=", only);
  const row = await q.executeTakeFirst();
  return row ? domainOut(row) : notFound("domain");
}
export async function invoiceById(ctx: Ctx, id: number) {
  let q = ctx.deps.db.selectFrom("invoices").select(INVOICE_COLUMNS).where("id", "=", id);
  const only = restriction(ctx);
  if (only !== null) q = q.where("customer_id", "=", only);
  const row = await q.executeTakeFirst();
  if (!row) return notFound("invoice");
  const [out] = await invoicesOut(ctx.deps.db, [row]);
  return out ?? notFound("invoice");
}
export async function paymentById(ctx: Ctx, id: number) {
  let q = paymentsQuery(ctx.deps.db).where("p.id", "=", id);
  const only = restriction(ctx);
  if (only !== null) q = q.where("p.customer_id", "=", only);
  const row = await q.executeTakeFirst();
  return row ? paymentOut(row) : notFound("payment");
}
export async function ticketById(ctx: Ctx, id: number) {
  const ticket = await findTicketOut(ctx.deps.db, id);
  const only = restriction(ctx);
  if (!ticket || (only !== null && ticket.customer !== only)) return notFound("ticket");
  return ticket;
}
export async function customerIdOf(ctx: Ctx, id: string): Promise<string> {
  const only = restriction(ctx);
  if (only !== null && only !== id) return notFound("customer");
  const row = await ctx.deps.db.selectFrom("customers").select("id").where("id", "=", id).executeTakeFirst();
  return row ? row.id : notFound("customer");
}

export const readRoutes: ApiRoute[] = [
  apiRoute({
    method: "GET",
    path: "/customers",
    operationId: "listCustomers",
    summary: "List customers",
    tag: "Customers",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      email: z.string().min(1).max(320).optional().describe("Only the customer with this e-mail."),
      ...dateFilters("created"),
    }),
    response: listOf(customerSchema),
    handler: async (ctx) => {
      let q = ctx.deps.db.selectFrom("customers").select(CUSTOMER_COLUMNS);
      q = filtered(q, ctx, {
        restrictTo: "id",
        equal: {
          email: ctx.query.email?.toLowerCase(),
        },
        range: ["created_at", ctx.query.created_gte, ctx.query.created_lt],
      });
      return paginate(q, "id", ctx.query, false, (rows) => rows.map(customerOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/customers/{id}",
    operationId: "getCustomer",
    summary: "Retrieve a customer",
    tag: "Customers",
    scope: "read",
    params: textId,
    response: customerSchema,
    problems: [404],
    handler: async (ctx) => {
      const id = await customerIdOf(ctx, ctx.params.id);
      const row = await ctx.deps.db
        .selectFrom("customers")
        .select(CUSTOMER_COLUMNS)
        .where("id", "=", id)
        .executeTakeFirst();
      return row ? customerOut(row) : notFound("customer");
    },
  }),
  apiRoute({
    method: "GET",
    path: "/services",
    operationId: "listServices",
    summary: "List services (subscriptions and domains)",
    tag: "Services",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      ...customerFilter,
      ...statusFilter,
      kind: z.string().min(1).max(50).optional().describe("Only services of this kind."),
      ...dateFilters("created"),
    }),
    response: listOf(serviceSchema),
    handler: async (ctx) => {
      let q = servicesQuery(ctx.deps.db);
      q = filtered(q, ctx, {
        restrictTo: "s.customer_id",
        equal: {
          "s.customer_id": ctx.query.customer,
          "s.status": ctx.query.status,
          "s.kind": ctx.query.kind,
        },
        range: ["s.created_at", ctx.query.created_gte, ctx.query.created_lt],
      });
      return paginate(q, "s.id", ctx.query, false, (rows) => rows.map(serviceOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/services/{id}",
    operationId: "getService",
    summary: "Retrieve a service",
    tag: "Services",
    scope: "read",
    params: textId,
    response: serviceSchema,
    problems: [404],
    handler: (ctx) => serviceById(ctx, ctx.params.id),
  }),
  apiRoute({
    method: "GET",
    path: "/domains",
    operationId: "listDomains",
    summary: "List domains",
    tag: "Domains",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      ...customerFilter,
      ...statusFilter,
      ...dateFilters("expires"),
    }),
    response: listOf(domainSchema),
    handler: async (ctx) => {
      let q = domainsQuery(ctx.deps.db);
      q = filtered(q, ctx, {
        restrictTo: "s.customer_id",
        equal: {
          "s.customer_id": ctx.query.customer,
          "s.status": ctx.query.status,
        },
        range: ["d.expires_at", ctx.query.expires_gte, ctx.query.expires_lt],
      });
      return paginate(q, "d.service_id", ctx.query, false, (rows) => rows.map(domainOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/domains/{id}",
    operationId: "getDomain",
    summary: "Retrieve a domain",
    tag: "Domains",
    scope: "read",
    params: textId,
    response: domainSchema,
    problems: [404],
    handler: (ctx) => domainById(ctx, ctx.params.id),
  }),
  apiRoute({
    method: "GET",
    path: "/invoices",
    operationId: "listInvoices",
    summary: "List invoices",
    tag: "Invoices",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      ...customerFilter,
      ...statusFilter,
      service: z.string().min(1).max(200).optional().describe("Only this service's invoices."),
      ...dateFilters("issued"),
    }),
    response: listOf(invoiceSchema),
    handler: async (ctx) => {
      let q = ctx.deps.db.selectFrom("invoices").select(INVOICE_COLUMNS);
      q = filtered(q, ctx, {
        restrictTo: "customer_id",
        equal: {
          customer_id: ctx.query.customer,
          status: ctx.query.status,
          service_id: ctx.query.service,
        },
        range: ["issued_at", ctx.query.issued_gte, ctx.query.issued_lt],
      });
      return paginate(q, "id", ctx.query, true, (rows) => invoicesOut(ctx.deps.db, rows));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/invoices/{id}",
    operationId: "getInvoice",
    summary: "Retrieve an invoice with its lines",
    tag: "Invoices",
    scope: "read",
    params: intId,
    response: invoiceSchema,
    problems: [404],
    handler: (ctx) => invoiceById(ctx, ctx.params.id),
  }),
  apiRoute({
    method: "GET",
    path: "/invoices/{id}/pdf",
    operationId: "getInvoicePdf",
    summary: "Download an invoice as PDF",
    description: "The same document the customer downloads from the client area, in the customer's language.",
    tag: "Invoices",
    scope: "read",
    params: intId,
    binary: "application/pdf",
    problems: [404],
    handler: async (ctx) => {
      const invoice = await invoiceById(ctx, ctx.params.id);
      const customer = await ctx.deps.db
        .selectFrom("customers")
        .select(["name", "email", "locale", "time_zone"])
        .where("id", "=", invoice.customer)
        .executeTakeFirstOrThrow();
      const locale = customer.locale === "fr-CA" ? "fr-CA" : "en";
      const m = messagesFor(locale);
      const detail = await getInvoiceDetail(ctx.deps.db, invoice.customer, invoice.id);
      const pdf = await renderInvoicePdf(
        { ...detail, customer: { name: customer.name, email: customer.email } },
        { locale, timeZone: customer.time_zone, m: m.billing, issuer: m.common.appName, createdAt: ctx.now },
      );
      ctx.reply.header("content-disposition", `attachment; filename="invoice-${invoice.id}.pdf"`);
      return pdf;
    },
  }),
  apiRoute({
    method: "GET",
    path: "/payments",
    operationId: "listPayments",
    summary: "List payments (charges)",
    tag: "Payments",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      ...customerFilter,
      ...statusFilter,
      invoice: z
        .string()
        .regex(/^[0-9]{1,15}$/)
        .optional()
        .describe("Only this invoice's payments."),
      ...dateFilters("created"),
    }),
    response: listOf(paymentSchema),
    handler: async (ctx) => {
      let q = paymentsQuery(ctx.deps.db);
      q = filtered(q, ctx, {
        restrictTo: "p.customer_id",
        equal: {
          "p.customer_id": ctx.query.customer,
          "p.status": ctx.query.status,
          "p.invoice_id": ctx.query.invoice === undefined ? undefined : Number(ctx.query.invoice),
        },
        range: ["p.created_at", ctx.query.created_gte, ctx.query.created_lt],
      });
      return paginate(q, "p.id", ctx.query, true, (rows) => rows.map(paymentOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/payments/{id}",
    operationId: "getPayment",
    summary: "Retrieve a payment",
    tag: "Payments",
    scope: "read",
    params: intId,
    response: paymentSchema,
    problems: [404],
    handler: (ctx) => paymentById(ctx, ctx.params.id),
  }),
  apiRoute({
    method: "GET",
    path: "/cancellation-requests",
    operationId: "listCancellationRequests",
    summary: "List cancellation requests",
    tag: "Services",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      ...customerFilter,
      ...statusFilter,
      ...dateFilters("requested"),
    }),
    response: listOf(cancellationRequestSchema),
    handler: async (ctx) => {
      let q = cancellationsQuery(ctx.deps.db);
      q = filtered(q, ctx, {
        restrictTo: "s.customer_id",
        equal: {
          "s.customer_id": ctx.query.customer,
          "c.status": ctx.query.status,
        },
        range: ["c.requested_at", ctx.query.requested_gte, ctx.query.requested_lt],
      });
      return paginate(q, "c.id", ctx.query, true, (rows) => rows.map(cancellationOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/cancellation-requests/{id}",
    operationId: "getCancellationRequest",
    summary: "Retrieve a cancellation request",
    tag: "Services",
    scope: "read",
    params: intId,
    response: cancellationRequestSchema,
    problems: [404],
    handler: async (ctx) => {
      let q = cancellationsQuery(ctx.deps.db).where("c.id", "=", ctx.params.id);
      const only = restriction(ctx);
      if (only !== null) q = q.where("s.customer_id", "=", only);
      const row = await q.executeTakeFirst();
      return row ? cancellationOut(row) : notFound("cancellation request");
    },
  }),
  apiRoute({
    method: "GET",
    path: "/tickets",
    operationId: "listTickets",
    summary: "List tickets (requests to staff)",
    tag: "Tickets",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      ...customerFilter,
      ...statusFilter,
      ...dateFilters("created"),
    }),
    response: listOf(ticketSchema),
    handler: async (ctx) => {
      let q = ctx.deps.db.selectFrom("tickets").select(TICKET_COLUMNS);
      q = filtered(q, ctx, {
        restrictTo: "customer_id",
        equal: {
          customer_id: ctx.query.customer,
          status: ctx.query.status,
        },
        range: ["created_at", ctx.query.created_gte, ctx.query.created_lt],
      });
      return paginate(q, "id", ctx.query, true, (rows) => rows.map(ticketOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/tickets/{id}",
    operationId: "getTicket",
    summary: "Retrieve a ticket",
    tag: "Tickets",
    scope: "read",
    params: intId,
    response: ticketSchema,
    problems: [404],
    handler: (ctx) => ticketById(ctx, ctx.params.id),
  }),
  apiRoute({
    method: "GET",
    path: "/events",
    operationId: "listEvents",
    summary: "List events of the catalog",
    tag: "Events",
    scope: "read",
    query: z.strictObject({
      ...listQueryShape,
      ...customerFilter,
      service: z.string().min(1).max(200).optional().describe("Only this service's events."),
      type: z.string().min(1).max(100).optional().describe("Only events of this type."),
      ...dateFilters("at"),
    }),
    response: listOf(eventSchema),
    handler: async (ctx) => {
      let q = ctx.deps.db
        .selectFrom("events")
        .select(["id", "type", "at", "customer_id", "service_id", "details"]);
      q = filtered(q, ctx, {
        restrictTo: "customer_id",
        equal: {
          customer_id: ctx.query.customer,
          service_id: ctx.query.service,
          type: ctx.query.type,
        },
        range: ["at", ctx.query.at_gte, ctx.query.at_lt],
      });
      return paginate(q, "id", ctx.query, true, (rows) => rows.map(eventOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/events/{id}",
    operationId: "getEvent",
    summary: "Retrieve an event",
    tag: "Events",
    scope: "read",
    params: intId,
    response: eventSchema,
    problems: [404],
    handler: async (ctx) => {
      let q = ctx.deps.db
        .selectFrom("events")
        .select(["id", "type", "at", "customer_id", "service_id", "details"])
        .where("id", "=", ctx.params.id);
      const only = restriction(ctx);
      if (only !== null) q = q.where("customer_id", "=", only);
      const row = await q.executeTakeFirst();
      return row ? eventOut(row) : notFound("event");
    },
  }),
  apiRoute({
    method: "GET",
    path: "/engine-runs",
    operationId: "listEngineRuns",
    summary: "List engine runs",
    tag: "Engine",
    scope: "read",
    query: z.strictObject({ ...listQueryShape, ...statusFilter, ...dateFilters("started") }),
    response: listOf(engineRunSchema),
    handler: async (ctx) => {
      hostOnly(ctx);
      let q = ctx.deps.db
        .selectFrom("engine_runs")
        .select([
          "id",
          "worker",
          "now_at",
          "started_at",
          "finished_at",
          "status",
          "steps_applied",
          "services_failed",
        ]);
      q = filtered(q, ctx, {
        equal: { status: ctx.query.status },
        range: ["started_at", ctx.query.started_gte, ctx.query.started_lt],
      });
      return paginate(q, "id", ctx.query, true, (rows) => rows.map(runOut));
    },
  }),
  apiRoute({
    method: "GET",
    path: "/engine-runs/{id}",
    operationId: "getEngineRun",
    summary: "Retrieve an engine run",
    tag: "Engine",
    scope: "read",
    params: intId,
    response: engineRunSchema,
    problems: [404],
    handler: async (ctx) => {
      hostOnly(ctx);
      const row = await ctx.deps.db
        .selectFrom("engine_runs")
        .select([
          "id",
          "worker",
          "now_at",
          "started_at",
          "finished_at",
          "status",
          "steps_applied",
          "services_failed",
        ])
        .where("id", "=", ctx.params.id)
        .executeTakeFirst();
      return row ? runOut(row) : notFound("engine run");
    },
  }),
  apiRoute({
    method: "GET",
    path: "/preview",
    operationId: "getPreview",
    summary: "Preview what the engine will do in the next days",
    description:
      "The same projection as the back office's preview: invoices, charges, notices and state changes, day by day, assuming charges succeed.",
    tag: "Engine",
    scope: "read",
    query: z.strictObject({
      days: z.coerce.number().int().min(PREVIEW_MIN_DAYS).max(PREVIEW_MAX_DAYS).default(7),
      ...customerFilter,
    }),
    response: previewSchema,
    problems: [404],
    handler: async (ctx) => {
      const only = restriction(ctx);
      const customer = only ?? ctx.query.customer;
      if (customer !== undefined) await customerIdOf(ctx, customer);
      const preview = await readPreview(ctx.deps, {
        now: ctx.now,
        days: ctx.query.days,
        ...(customer !== undefined ? { customerId: customer } : {}),
      });
      return {
        object: "preview" as const,
        from: iso(preview.from),
        until: iso(preview.until),
        totals: {
          counts: preview.totals.counts,
          charged: preview.totals.charged,
          invoiced: preview.totals.invoiced,
          services: preview.totals.services,
        },
        days: preview.days.map((d) => ({
          day: d.day,
          counts: d.counts,
          charged: d.charged,
          invoiced: d.invoiced,
          items: d.items.map((i) => ({
            at: iso(i.at),
            kind: i.kind,
            service: i.serviceId,
            customer: i.customerId,
            label: i.label,
            step: i.step,
            ...(i.template !== undefined ? { template: i.template } : {}),
            ...(i.amount !== undefined ? { amount: i.amount } : {}),
          })),
          more: d.more,
        })),
        undecidable: preview.undecidable.map((u) => ({ service: u.serviceId, error: u.error })),
      };
    },
  }),
];

export { intCursor };
