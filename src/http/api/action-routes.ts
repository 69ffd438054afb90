/**
 * The API's actions, through the same use cases as the client area and the back office:
 * cancellation (scope `services`), auto-renew, reactivation and transfer code (`domains`), paying
 * an invoice and refunding a payment (`billing`), opening a ticket (`services`).
 */
import { z } from "zod";
import type { StaffRole } from "../../domain/staff-roles.js";
import { reactivateDomain } from "../../modules/domains/reactivate-domain.js";
import { requestTransferOut } from "../../modules/domains/request-transfer-out.js";
import { setAutoRenew } from "../../modules/domains/set-auto-renew.js";
import { adjustInvoice } from "../../modules/invoices/adjust-invoice.js";
import { payInvoice } from "../../modules/invoices/pay-invoice.js";
import { requestCancellation } from "../../modules/services/request-cancellation.js";
import { withdrawCancellation } from "../../modules/services/withdraw-cancellation.js";
import type { StaffActor } from "../../modules/staff/audit-log.js";
import { openTicket, TICKET_KINDS } from "../../modules/tickets/open-ticket.js";
import { refundablePayment, refundFromTicket } from "../../modules/tickets/ticket-refund.js";
import { type ApiContext, type ApiRoute, apiRoute } from "./define.js";
import { ApiProblem } from "./problem.js";
import {
  customerIdOf,
  domainById,
  invoiceById,
  paymentById,
  serviceById,
  ticketById,
} from "./read-routes.js";
import {
  cancellationRequestSchema,
  domainSchema,
  invoiceSchema,
  iso,
  isoOrNull,
  moneySchema,
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

/** What events and audit lines name as the author of an API action. */
function byKey(ctx: Ctx): string {
  return `api-key:${ctx.key.id}`;
}

/** The key as the audit log records an actor (refunds are audited like a staff member's). */
function keyActor(ctx: Ctx): StaffActor {
  return {
    id: ctx.key.id,
    email: `api-key:${ctx.key.name}`,
    role: "api-key" as StaffRole,
    address: ctx.request.ip,
  };
}

function conflict(detail: string, extra: Record<string, unknown> = {}): never {
  throw new ApiProblem("conflict", detail, extra);
}

/** What every adjustment names: the request it answers and why (the audit log keeps both). */
const ADJUSTMENT_COMMON = {
  ticket: z
    .int()
    .positive()
    .describe("The invoice-adjustment (or refund) ticket of the invoice's customer it answers."),
  reason: z.string().trim().min(3).max(1000),
};

export const actionRoutes: ApiRoute[] = [
  apiRoute({
    method: "POST",
    path: "/services/{id}/cancellation",
    operationId: "requestCancellation",
    summary: "Request a service's cancellation",
    description:
      "Immediately or at the end of the term; open invoices of the service are voided as in the client area.",
    tag: "Services",
    scope: "services",
    params: textId,
    body: z.strictObject({
      when: z.enum(["immediate", "end-of-term"]),
      reason: z.string().trim().min(3).max(1000),
      stop_domain_renewal: z
        .array(z.string().min(1).max(200))
        .max(100)
        .default([])
        .describe("Domains linked to the service whose auto-renew is turned off with it."),
    }),
    response: cancellationRequestSchema,
    problems: [404, 409],
    handler: async (ctx) => {
      await serviceById(ctx, ctx.params.id);
      const result = await requestCancellation(
        ctx.deps,
        {
          serviceId: ctx.params.id,
          ...(ctx.key.customerId !== null ? { customerId: ctx.key.customerId } : {}),
          requestedBy: byKey(ctx),
          request: {
            when: ctx.body.when,
            reason: ctx.body.reason,
            stopDomainRenewal: ctx.body.stop_domain_renewal,
          },
        },
        ctx.now,
      );
      if (!result.ok) {
        if (result.reason === "domain-not-linked") {
          throw new ApiProblem(
            "validation_failed",
            `stop_domain_renewal: ${result.domain} is not linked to this service`,
            {
              errors: [{ field: "stop_domain_renewal", message: "a domain not linked to this service" }],
            },
          );
        }
        return conflict(`The cancellation cannot be requested: ${result.reason}.`, { reason: result.reason });
      }
      const row = await ctx.deps.db
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
        ])
        .where("c.service_id", "=", ctx.params.id)
        .orderBy("c.id", "desc")
        .executeTakeFirstOrThrow();
      ctx.reply.status(201);
      return {
        object: "cancellation_request" as const,
        id: Number(row.id),
        service: row.service_id,
        customer: row.customer_id,
        mode: row.mode,
        reason: row.reason,
        status: row.status,
        requested_at: iso(row.requested_at),
        effective_at: iso(row.effective_at),
        requested_by: row.requested_by,
        closed_at: isoOrNull(row.closed_at),
      };
    },
    status: 201,
  }),
  apiRoute({
    method: "POST",
    path: "/services/{id}/cancellation/withdraw",
    operationId: "withdrawCancellation",
    summary: "Withdraw a pending cancellation",
    tag: "Services",
    scope: "services",
    params: textId,
    response: serviceSchema,
    problems: [404, 409],
    handler: async (ctx) => {
      await serviceById(ctx, ctx.params.id);
      const result = await withdrawCancellation(
        ctx.deps,
        {
          serviceId: ctx.params.id,
          ...(ctx.key.customerId !== null ? { customerId: ctx.key.customerId } : {}),
        },
        ctx.now,
      );
      if (!result.ok) return conflict(`Nothing to withdraw: ${result.reason}.`, { reason: result.reason });
      return serviceById(ctx, ctx.params.id);
    },
  }),
  apiRoute({
    method: "POST",
    path: "/domains/{id}/auto-renew",
    operationId: "setAutoRenew",
    summary: "Turn a domain's auto-renew on or off",
    description: "Turned on past the payment date, the renewal is charged at once, as in the client area.",
    tag: "Domains",
    scope: "domains",
    params: textId,
    body: z.strictObject({ enabled: z.boolean() }),
    response: domainSchema,
    problems: [404, 409],
    handler: async (ctx) => {
      await domainById(ctx, ctx.params.id);
      const result = await setAutoRenew(
        ctx.deps,
        {
          serviceId: ctx.params.id,
          on: ctx.body.enabled,
          ...(ctx.key.customerId !== null ? { customerId: ctx.key.customerId } : {}),
        },
        ctx.now,
      );
      if (!result.ok)
        return conflict(`Auto-renew cannot be changed: ${result.reason}.`, { reason: result.reason });
      return domainById(ctx, ctx.params.id);
    },
  }),
  apiRoute({
    method: "POST",
    path: "/domains/{id}/reactivate",
    operationId: "reactivateDomain",
    summary: "Reactivate an expired domain in its grace period",
    description: "Issues the reactivation invoice and charges the card on file, as in the client area.",
    tag: "Domains",
    scope: "domains",
    params: textId,
    response: z.strictObject({
      object: z.literal("domain_reactivation"),
      domain: domainSchema,
      invoice: invoiceSchema,
      charge: z.enum(["succeeded", "failed", "none"]),
      failure_code: z.string().nullable(),
    }),
    problems: [404, 409],
    handler: async (ctx) => {
      await domainById(ctx, ctx.params.id);
      const result = await reactivateDomain(
        ctx.deps,
        {
          serviceId: ctx.params.id,
          ...(ctx.key.customerId !== null ? { customerId: ctx.key.customerId } : {}),
        },
        ctx.now,
      );
      if (!result.ok)
        return conflict(`The domain cannot be reactivated: ${result.reason}.`, { reason: result.reason });
      return {
        object: "domain_reactivation" as const,
        domain: await domainById(ctx, ctx.params.id),
        invoice: await invoiceById(ctx, result.invoice),
        charge: result.outcome === null ? ("none" as const) : result.outcome.status,
        failure_code: result.outcome?.status === "failed" ? result.outcome.code : null,
      };
    },
  }),
  apiRoute({
    method: "POST",
    path: "/domains/{id}/transfer-code",
    operationId: "requestTransferCode",
    summary: "Get a domain's transfer (auth) code",
    tag: "Domains",
    scope: "domains",
    params: textId,
    response: z.strictObject({
      object: z.literal("transfer_code"),
      domain: z.string(),
      auth_code: z.string(),
    }),
    problems: [404, 409],
    handler: async (ctx) => {
      await domainById(ctx, ctx.params.id);
      const result = await requestTransferOut(
        ctx.deps,
        {
          serviceId: ctx.params.id,
          ...(ctx.key.customerId !== null ? { customerId: ctx.key.customerId } : {}),
        },
        ctx.now,
      );
      if (!result.ok) {
        return conflict(`No transfer code: ${result.reason}.`, {
          reason: result.reason,
          ...(result.reason === "transfer-locked" ? { locked_until: iso(result.until) } : {}),
        });
      }
      return { object: "transfer_code" as const, domain: ctx.params.id, auth_code: result.authCode };
    },
  }),
  apiRoute({
    method: "POST",
    path: "/invoices/{id}/pay",
    operationId: "payInvoice",
    summary: "Charge an open invoice to the card on file",
    tag: "Invoices",
    scope: "billing",
    params: intId,
    response: z.strictObject({
      object: z.literal("invoice_payment"),
      invoice: invoiceSchema,
      outcome: z.enum(["succeeded", "failed", "awaiting_bank", "none"]),
      failure_code: z.string().nullable(),
    }),
    problems: [404, 409],
    handler: async (ctx) => {
      const invoice = await invoiceById(ctx, ctx.params.id);
      const result = await payInvoice(
        ctx.deps,
        { invoiceId: invoice.id, customerId: invoice.customer },
        ctx.now,
      );
      if (!result.ok) return conflict("The invoice is not open.", { reason: result.reason });
      const outcome = result.outcome
        ? result.outcome.status
        : result.isAwaitingBank
          ? ("awaiting_bank" as const)
          : ("none" as const);
      return {
        object: "invoice_payment" as const,
        invoice: await invoiceById(ctx, invoice.id),
        outcome,
        failure_code: result.outcome?.status === "failed" ? result.outcome.code : null,
      };
    },
  }),
  apiRoute({
    method: "POST",
    path: "/payments/{id}/refunds",
    operationId: "refundPayment",
    summary: "Refund a payment, in whole or in part",
    description:
      "As staff do from a request: the refund answers an open refund or invoice-adjustment ticket of the same customer, and is recorded in the audit log under the API key.",
    tag: "Payments",
    scope: "billing",
    params: intId,
    body: z.strictObject({
      ticket: z.int().positive().describe("The open refund or invoice-adjustment ticket it answers."),
      amount: z.int().positive().describe("Minor units; at most what is left to refund."),
      reason: z.string().trim().min(3).max(1000),
    }),
    response: z.strictObject({
      object: z.literal("refund"),
      id: z.int(),
      payment: z.int(),
      invoice: z.int(),
      amount: moneySchema,
      status: z.enum(["succeeded", "pending", "failed"]),
      failure_code: z.string().nullable(),
    }),
    problems: [404, 409],
    handler: async (ctx) => {
      const payment = await paymentById(ctx, ctx.params.id);
      const ticket = await ticketById(ctx, ctx.body.ticket);
      if (ticket.customer !== payment.customer)
        throw new ApiProblem("not_found", "No such ticket for this payment's customer.");
      const refundable = await refundablePayment(ctx.deps.db, payment.customer, payment.id);
      if (!refundable) return conflict("This payment cannot be refunded.", { reason: "not-refundable" });
      const result = await refundFromTicket(
        ctx.deps,
        keyActor(ctx),
        {
          ticketId: ticket.id,
          paymentId: payment.id,
          amount: ctx.body.amount,
          reason: ctx.body.reason,
          seq: refundable.nextSeq,
        },
        ctx.now,
      );
      switch (result.kind) {
        case "succeeded":
        case "pending":
        case "failed":
          return {
            object: "refund" as const,
            id: result.refundId,
            payment: payment.id,
            invoice: result.invoiceId,
            amount: result.amount,
            status: result.kind,
            failure_code: result.kind === "failed" ? result.code : null,
          };
        case "exceeds":
          return conflict(`At most ${result.max.amount} (${result.max.currency}) can be refunded.`, {
            reason: "exceeds",
            max: result.max,
          });
        default:
          return conflict(`The refund cannot be made: ${result.kind}.`, { reason: result.kind });
      }
    },
  }),
  apiRoute({
    method: "POST",
    path: "/invoices/{id}/adjustments",
    operationId: "adjustInvoice",
    summary: "Adjust an open invoice: void it, remove a line or change one",
    description:
      "As staff do from an invoice-adjustment request, through the same use case: the total is recomputed from the lines, a line removed or lowered leaves a credit note for the amount taken off, and the change is recorded in the audit log under the API key. A paid or void invoice is never edited (refund a paid one); a void asked while a charge is in flight happens once it is settled (`void-deferred`).",
    tag: "Invoices",
    scope: "billing",
    params: intId,
    body: z.discriminatedUnion("action", [
      z.strictObject({ action: z.literal("void"), ...ADJUSTMENT_COMMON }),
      z.strictObject({ action: z.literal("remove-line"), line: z.int().positive(), ...ADJUSTMENT_COMMON }),
      z.strictObject({
        action: z.literal("change-line"),
        line: z.int().positive(),
        description: z.string().trim().min(1).max(500),
        amount: z.int().min(0).describe("The line's new amount, minor units before taxes."),
        ...ADJUSTMENT_COMMON,
      }),
    ]),
    response: z.strictObject({
      object: z.literal("invoice_adjustment"),
      invoice: z.int(),
      result: z.enum(["voided", "void-deferred", "line-removed", "line-changed"]),
      total: moneySchema,
      previous_total: moneySchema.nullable(),
      credited: moneySchema.nullable().describe("The credit note's amount, for a line removed or lowered."),
    }),
    problems: [404, 409],
    handler: async (ctx) => {
      const invoice = await invoiceById(ctx, ctx.params.id);
      const ticket = await ticketById(ctx, ctx.body.ticket);
      if (ticket.customer !== invoice.customer)
        throw new ApiProblem("not_found", "No such ticket for this invoice's customer.");
      const body = ctx.body;
      const result = await adjustInvoice(
        ctx.deps,
        keyActor(ctx),
        {
          invoiceId: invoice.id,
          customerId: invoice.customer,
          ticketId: ticket.id,
          reason: body.reason,
          change:
            body.action === "void"
              ? { kind: "void" }
              : body.action === "remove-line"
                ? { kind: "remove-line", lineId: body.line }
                : {
                    kind: "change-line",
                    lineId: body.line,
                    description: body.description,
                    amount: body.amount,
                  },
        },
        ctx.now,
      );
      if (!result.ok)
        return conflict(`The invoice cannot be adjusted: ${result.reason}.`, { reason: result.reason });
      const isLine = result.kind === "line-removed" || result.kind === "line-changed";
      return {
        object: "invoice_adjustment" as const,
        invoice: result.invoiceId,
        result: result.kind,
        total: result.total,
        previous_total: isLine ? result.previousTotal : null,
        credited: isLine ? result.credited : null,
      };
    },
  }),
  apiRoute({
    method: "POST",
    path: "/tickets",
    operationId: "openTicket",
    summary: "Open a ticket for a customer",
    tag: "Tickets",
    scope: "services",
    body: z.strictObject({
      customer: z.string().min(1).max(200),
      kind: z.enum(TICKET_KINDS),
      subject: z.string().trim().min(3).max(200),
      body: z.string().trim().min(3).max(10_000),
      service: z.string().min(1).max(200).nullable().default(null),
      invoice: z.int().positive().nullable().default(null),
      confirmed_irreversible: z
        .boolean()
        .default(false)
        .describe("A domain-deletion request must confirm that the deletion is irreversible."),
    }),
    response: ticketSchema,
    status: 201,
    problems: [404],
    handler: async (ctx) => {
      const customer = await customerIdOf(ctx, ctx.body.customer);
      if (ctx.body.service !== null && (await serviceById(ctx, ctx.body.service)).customer !== customer)
        throw new ApiProblem("not_found", "No such service for this customer.");
      if (ctx.body.invoice !== null && (await invoiceById(ctx, ctx.body.invoice)).customer !== customer)
        throw new ApiProblem("not_found", "No such invoice for this customer.");
      const { ticket } = await openTicket(
        ctx.deps,
        {
          customerId: customer,
          openedBy: byKey(ctx),
          ticket: {
            kind: ctx.body.kind,
            subject: ctx.body.subject,
            body: ctx.body.body,
            serviceId: ctx.body.service,
            invoiceId: ctx.body.invoice,
            confirmedIrreversible: ctx.body.confirmed_irreversible,
          },
        },
        ctx.now,
      );
      ctx.reply.status(201);
      return ticketById(ctx, ticket);
    },
  }),
];
