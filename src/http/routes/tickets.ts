/**
 * Requests (tickets) of the client area, seed 000: a refund after a cancellation, an invoice
 * adjustment quoting the invoice number, an irreversible domain deletion confirmed explicitly, or a
 * question; then the replies, and closing. Every id in a path, query or form must be the customer's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import {
  assertTicketOwner,
  findTicket,
  isTicketKind,
  listTickets,
  type TicketFormChoices,
  type TicketKind,
  ticketFormChoices,
} from "../../modules/tickets/list-tickets.js";
import { closeTicket, openTicket, TICKET_KINDS } from "../../modules/tickets/open-ticket.js";
import { replyToTicket } from "../../modules/tickets/reply-to-ticket.js";
import type { Messages } from "../../views/i18n/index.js";
import { type TicketDetailState, ticketDetailPage } from "../../views/pages/tickets/detail.js";
import { ticketListPage } from "../../views/pages/tickets/list.js";
import {
  emptyTicketForm,
  newTicketPage,
  type TicketFormErrors,
  type TicketFormField,
  type TicketFormState,
} from "../../views/pages/tickets/new.js";
import { customerOf, type HttpOptions, messages, redirectWith, sendPage, setFlash } from "../context.js";
import { formTokenOf, newFormToken, oncePerToken } from "../form-tokens.js";
import { parseForm } from "../forms.js";
import { takeResumedForm } from "../resume-form.js";

const text = z.string().max(20_000).optional().default("");
const ticketForm = z
  .object({
    kind: z.enum(TICKET_KINDS),
    subject: z.string().trim().min(3).max(200),
    message: z.string().trim().min(3).max(10_000),
    invoice: text,
    service: text,
    confirmedIrreversible: text,
  })
  .superRefine((form, ctx) => {
    if (form.kind === "invoice-adjustment" && !/^[1-9]\d{0,14}$/.test(form.invoice.trim()))
      ctx.addIssue({ code: "custom", path: ["invoice"], message: "invoice" });
    if ((form.kind === "refund" || form.kind === "domain-deletion") && form.service.trim() === "")
      ctx.addIssue({ code: "custom", path: ["service"], message: "service" });
    if (form.kind === "domain-deletion" && form.confirmedIrreversible === "")
      ctx.addIssue({ code: "custom", path: ["confirmedIrreversible"], message: "confirmedIrreversible" });
  });

const replyForm = z.object({ body: z.string().trim().min(3).max(10_000) });

/** The message shown beside each field, in the customer's language. */
function fieldMessages(m: Messages, kind: TicketKind | null, fields: string[]): TicketFormErrors {
  const e = m.tickets.errors;
  const byField: Record<TicketFormField, string> = {
    kind: e.kind,
    subject: e.subject,
    message: e.message,
    invoice: e.invoice,
    service: kind === "domain-deletion" ? e.domain : e.refundService,
    confirmedIrreversible: e.confirmIrreversible,
  };
  const errors: TicketFormErrors = {};
  for (const field of fields) {
    if (field in byField) errors[field as TicketFormField] = byField[field as TicketFormField];
  }
  return errors;
}

function str(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** The form as it was sent, to show again. */
function stateOf(body: Record<string, unknown>): TicketFormState {
  return {
    formToken: formTokenOf(body) ?? newFormToken(),
    kind: isTicketKind(body.kind) ? body.kind : null,
    subject: str(body.subject),
    message: str(body.message),
    invoice: str(body.invoice),
    service: str(body.service),
    confirmedIrreversible: str(body.confirmedIrreversible) !== "",
  };
}

/** A path id is a positive integer, or the page does not exist. */
function ticketIdOf(param: string): number {
  if (!/^[1-9]\d{0,14}$/.test(param)) throw new AppError("NOT_FOUND", "Request not found.");
  return Number(param);
}

/** The service a form may name for this kind (refund: cancelled services; deletion: domains). */
function eligibleServices(choices: TicketFormChoices, kind: TicketKind): string[] {
  if (kind === "refund") return choices.refundable.map((s) => s.id);
  if (kind === "domain-deletion") return choices.domains.map((d) => d.id);
  return [];
}

/** Pre-fills the form from the query; ids that are not the customer's are ignored, never shown. */
function prefill(
  m: Messages,
  kind: TicketKind | null,
  query: Record<string, unknown>,
  choices: TicketFormChoices,
) {
  const state = emptyTicketForm(kind);
  const t = m.tickets;
  if (kind === "invoice-adjustment") {
    const invoice = choices.invoices.find((i) => String(i.id) === str(query.invoice));
    if (invoice) {
      state.invoice = String(invoice.id);
      state.subject = t.subjects.invoiceAdjustment(invoice.id);
    }
  } else if (kind === "refund") {
    const service = choices.refundable.find((s) => s.id === str(query.service));
    if (service) {
      state.service = service.id;
      state.subject = t.subjects.refund(service.label);
    }
  } else if (kind === "domain-deletion") {
    const domain = choices.domains.find((d) => d.id === str(query.service));
    if (domain) {
      state.service = domain.id;
      state.subject = t.subjects.domainDeletion(domain.label);
    }
  }
  return state;
}

export function registerTicketRoutes(app: FastifyInstance, options: HttpOptions): void {
  const db = options.deps.db;

  const formPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    state: TicketFormState,
    errors: TicketFormErrors,
    choices: TicketFormChoices,
  ) =>
    sendPage(
      request,
      reply,
      (m) => m.tickets.newTitle,
      (ctx) => newTicketPage(ctx, state, errors, choices),
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );

  const detailPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ticketId: number,
    state: TicketDetailState & { status?: number; refused?: string } = {},
  ) => {
    const customer = customerOf(request);
    const ticket = await findTicket(db, customer.id, ticketId);
    return sendPage(
      request,
      reply,
      (m) => m.tickets.detailTitle(ticket.id),
      (ctx) => ticketDetailPage(ctx, ticket, customer.timeZone, state),
      {
        status: state.status ?? 200,
        ...(state.refused ? { flash: { kind: "error" as const, text: state.refused } } : {}),
      },
    );
  };

  app.get("/requests", async (request, reply) => {
    const customer = customerOf(request);
    const tickets = await listTickets(db, customer.id);
    return sendPage(
      request,
      reply,
      (m) => m.tickets.title,
      (ctx) => ticketListPage(ctx, tickets, customer.timeZone),
    );
  });

  app.get("/requests/new", async (request, reply) => {
    const customer = customerOf(request);
    const query = (request.query ?? {}) as Record<string, unknown>;
    const kind = isTicketKind(query.kind) ? query.kind : null;
    const choices = await ticketFormChoices(db, customer.id);
    // Typed before the session expired (resume-form.ts): put back, to check and send again.
    const resumed = takeResumedForm(request, "/requests/new");
    if (resumed) {
      const state = stateOf(resumed);
      return sendPage(
        request,
        reply,
        (m) => m.tickets.newTitle,
        (ctx) => newTicketPage(ctx, state, {}, choices),
        { flash: { kind: "info", text: messages(request).auth.formRestored } },
      );
    }
    const state = { ...prefill(messages(request), kind, query, choices), formToken: newFormToken() };
    return formPage(request, reply, state, {}, choices);
  });

  app.post("/requests", async (request, reply) => {
    const customer = customerOf(request);
    const m = messages(request);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const choices = await ticketFormChoices(db, customer.id);
    const kind = isTicketKind(body.kind) ? body.kind : null;
    const state = stateOf(body);
    const form = parseForm(ticketForm, body);
    if (!form.ok)
      return formPage(request, reply, state, fieldMessages(m, kind, Object.keys(form.errors)), choices);
    const value = form.value;
    const serviceId =
      value.kind === "refund" || value.kind === "domain-deletion" ? value.service.trim() || null : null;
    // The customer's own service of the wrong sort is a form error; another customer's is NOT_FOUND
    // (openTicket checks ownership of the service and the invoice).
    if (
      serviceId !== null &&
      choices.serviceIds.includes(serviceId) &&
      !eligibleServices(choices, value.kind).includes(serviceId)
    ) {
      return formPage(request, reply, state, fieldMessages(m, value.kind, ["service"]), choices);
    }
    const open = async () => {
      const { ticket } = await openTicket(
        options.deps,
        {
          customerId: customer.id,
          openedBy: customer.id,
          ticket: {
            kind: value.kind,
            subject: value.subject,
            body: value.message,
            serviceId,
            invoiceId: value.kind === "invoice-adjustment" ? Number(value.invoice.trim()) : null,
            confirmedIrreversible: value.kind === "domain-deletion" && value.confirmedIrreversible !== "",
          },
        },
        options.clock.now(),
      );
      setFlash(request, { kind: "success", text: m.tickets.flash.sent(ticket) });
      return `/requests/${ticket}`;
    };
    // A repeated or concurrent post of the same form opens one request (form-tokens.ts).
    const token = formTokenOf(body);
    if (!token) return reply.redirect(await open(), 303);
    const once = await oncePerToken(
      db,
      { token, customerId: customer.id, purpose: "ticket" },
      options.clock.now(),
      open,
    );
    return reply.redirect(once.location ?? "/requests", 303);
  });

  app.get<{ Params: { id: string } }>("/requests/:id", async (request, reply) =>
    detailPage(request, reply, ticketIdOf(request.params.id)),
  );

  app.post<{ Params: { id: string } }>("/requests/:id/replies", async (request, reply) => {
    const customer = customerOf(request);
    const m = messages(request);
    const ticketId = ticketIdOf(request.params.id);
    const body = str((request.body as Record<string, unknown> | undefined)?.body);
    const form = parseForm(replyForm, request.body);
    if (!form.ok) {
      return detailPage(request, reply, ticketId, {
        status: 400,
        reply: body,
        replyError: m.tickets.errors.reply,
      });
    }
    const result = await replyToTicket(
      options.deps,
      { customerId: customer.id, ticketId, body: form.value.body },
      options.clock.now(),
    );
    if (!result.ok)
      return detailPage(request, reply, ticketId, { status: 409, refused: m.tickets.replyRefused });
    return redirectWith(request, reply, `/requests/${ticketId}`, {
      kind: "success",
      text: m.tickets.flash.replied,
    });
  });

  app.post<{ Params: { id: string } }>("/requests/:id/close", async (request, reply) => {
    const customer = customerOf(request);
    const m = messages(request);
    const ticketId = ticketIdOf(request.params.id);
    await assertTicketOwner(db, customer.id, ticketId);
    const closed = await closeTicket(options.deps, ticketId, options.clock.now());
    return redirectWith(
      request,
      reply,
      `/requests/${ticketId}`,
      closed
        ? { kind: "success", text: m.tickets.flash.closed(ticketId) }
        : { kind: "info", text: m.tickets.flash.alreadyClosed(ticketId) },
    );
  });
}
