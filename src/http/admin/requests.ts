/**
 * Back office: requests (tickets). The list and one request (every staff member), and the actions
 * on it, each audited in its own transaction: assign, close, reopen (support, admin), reply (every
 * role: billing answers the refund and adjustment requests it works), refund a payment and adjust
 * the quoted invoice (billing, admin), delete the domain (support, admin). Refunds, adjustments and
 * deletions show a confirmation page first; the confirmed post does it and its flash names the
 * invoice and the amount (or the domain).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { decideLineAdjustment, editRefusal } from "../../domain/invoice-adjustment.js";
import { formatMoney, type Money } from "../../domain/money.js";
import { ROLES } from "../../domain/staff-roles.js";
import { deleteDomainFromTicket, GONE_DOMAIN_STATUSES } from "../../modules/domains/delete-domain.js";
import {
  adjustableInvoice,
  adjustInvoice,
  type InvoiceAdjustment,
} from "../../modules/invoices/adjust-invoice.js";
import { deliverPendingNotices } from "../../modules/notifications/deliver-notices.js";
import { listAudit } from "../../modules/staff/audit-log.js";
import { listStaff } from "../../modules/staff/staff-repository.js";
import { TICKET_KINDS } from "../../modules/tickets/open-ticket.js";
import {
  assignTicket,
  closeTicketAsStaff,
  findStaffTicket,
  listStaffTickets,
  reopenTicket,
  replyAsStaff,
  type StaffTicketDetail,
} from "../../modules/tickets/staff-tickets.js";
import {
  REFUND_TICKET_KINDS,
  refundablePayment,
  refundablePayments,
  refundFromTicket,
  refundsOfCustomer,
  settleRefund,
  type TicketRefundResult,
} from "../../modules/tickets/ticket-refund.js";
import {
  adjustConfirmPage,
  deletionConfirmPage,
  refundConfirmPage,
} from "../../views/admin/requests/confirm.js";
import {
  type RequestPageData,
  type RequestPageState,
  requestDetailPage,
} from "../../views/admin/requests/detail.js";
import { requestListPage } from "../../views/admin/requests/list.js";
import type { Flash } from "../../views/layout.js";
import { type HttpOptions, localeOf, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow, staffOf } from "./admin-guard.js";

/** Minor digits of a currency (2 for USD and CAD, 0 for JPY), as Intl knows them. */
function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * An amount as staff type it ("12.50", "12,50", "12", "1 234,50 $") in minor units; null when it
 * is not one (more decimals than the currency has, letters, a sign).
 */
export function parseAmount(text: string, currency: string): number | null {
  const digits = minorDigits(currency);
  const cleaned = text.replace(/[\s\u00a0\u202f$€]/g, "").replace(/(CAD|USD|EUR|US)$/i, "");
  const match = /^(\d{1,9})(?:[.,](\d+))?$/.exec(cleaned);
  if (!match) return null;
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return null;
  const minor = Number(match[1]) * 10 ** digits + Number(fraction.padEnd(digits, "0") || "0");
  return Number.isSafeInteger(minor) ? minor : null;
}

const idParam = /^[1-9]\d{0,14}$/;

function ticketIdOf(request: FastifyRequest): number {
  const id = (request.params as { id?: string }).id ?? "";
  if (!idParam.test(id)) throw new AppError("NOT_FOUND", "Request not found.");
  return Number(id);
}

const listQuery = z.object({
  status: z.enum(["", "open", "closed"]).optional(),
  kind: z.enum(["", ...TICKET_KINDS]).optional(),
  assigned: z.string().max(100).optional(),
});
const assignForm = z.object({ staff: z.string().max(100) });
const replyForm = z.object({ body: z.string().trim().min(3).max(10_000) });
const reasonField = z.string().trim().min(3).max(500);
const refundForm = z.object({
  payment: z.string().regex(idParam),
  amount: z.string().trim().min(1).max(40),
  reason: reasonField,
  seq: z.string().regex(idParam).optional(),
  confirm: z.literal("yes").optional(),
});
const adjustForm = z.object({
  action: z.enum(["void", "remove-line", "change-line"]),
  line: z.string().regex(idParam).optional(),
  description: z.string().trim().max(500).optional(),
  amount: z.string().trim().max(40).optional(),
  reason: reasonField,
  confirm: z.literal("yes").optional(),
});
const deletionForm = z.object({
  confirm: z.literal("yes").optional(),
  name: z.string().max(300).optional().default(""),
  reply: z.string().max(20_000).optional(),
});

function bodyOf(request: FastifyRequest): Record<string, string> {
  const body = (request.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : ""]));
}

export function registerRequestRoutes(app: FastifyInstance, options: HttpOptions): void {
  const db = options.deps.db;
  const linkTo = (ticketId: number) => `${options.baseUrl.replace(/\/$/, "")}/requests/${ticketId}`;
  const deliverNow = async () => {
    if (options.mailer)
      await deliverPendingNotices(db, options.mailer, options.clock.now(), { seller: options.deps.seller });
  };

  const pageData = async (request: FastifyRequest, ticket: StaffTicketDetail): Promise<RequestPageData> => {
    const me = staffOf(request);
    const isRefundKind = REFUND_TICKET_KINDS.includes(ticket.kind);
    const [activeStaff, payments, refunds, audit] = await Promise.all([
      listStaff(db).then((all) => all.filter((s) => s.disabledAt === null)),
      isRefundKind ? refundablePayments(db, ticket.customer.id) : Promise.resolve([]),
      isRefundKind ? refundsOfCustomer(db, ticket.customer.id) : Promise.resolve([]),
      listAudit(db, { customerId: ticket.customer.id, limit: 500 }),
    ]);
    const invoice =
      ticket.kind === "invoice-adjustment" && ticket.invoice
        ? await adjustableInvoice(db, ticket.invoice.id)
        : null;
    const domainRow =
      ticket.kind === "domain-deletion" && ticket.service
        ? await db
            .selectFrom("domains")
            .select("name")
            .where("service_id", "=", ticket.service.id)
            .executeTakeFirst()
        : undefined;
    return {
      ticket,
      activeStaff,
      me: { id: me.id, role: me.role },
      payments,
      refunds,
      invoice,
      domain: domainRow && ticket.service ? { name: domainRow.name, status: ticket.service.status } : null,
      // This request's own lines, and the actions taken from it on its invoice or domain.
      audit: audit.filter(
        (line) =>
          (line.objectType === "ticket" && line.objectId === String(ticket.id)) ||
          line.after.ticket === ticket.id,
      ),
    };
  };

  const detailPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    ticketId: number,
    state: RequestPageState = {},
    page: { status?: number; flash?: Flash } = {},
  ) => {
    const ticket = await findStaffTicket(db, ticketId);
    const data = await pageData(request, ticket);
    return sendPage(
      request,
      reply,
      (m) => m.adminRequests.detailTitle(ticket.id),
      (ctx) => requestDetailPage(ctx, data, state),
      { status: page.status ?? 200, ...(page.flash ? { flash: page.flash } : {}) },
    );
  };

  /** A refusal shown on the request's page: its status and the reason at the top. */
  const refusePage = (
    request: FastifyRequest,
    reply: FastifyReply,
    ticketId: number,
    status: number,
    text: string,
  ) => detailPage(request, reply, ticketId, {}, { status, flash: { kind: "error", text } });

  const back = (ticketId: number) => `/admin/requests/${ticketId}`;

  app.get("/admin/requests", allow(ROLES.anyStaff), async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const me = staffOf(request);
    const staff = await listStaff(db);
    const parsed = listQuery.safeParse(query);
    const assigned = parsed.success ? (parsed.data.assigned ?? "") : "";
    const isKnownAssignee =
      assigned === "" || assigned === "me" || assigned === "none" || staff.some((s) => s.id === assigned);
    const isValid = parsed.success && isKnownAssignee;
    const filter = {
      // A first visit shows the open ones; "Any" (status=) shows them all.
      status: isValid ? (parsed.data.status ?? "open") : "open",
      kind: isValid ? (parsed.data.kind ?? "") : "",
      assigned: isValid ? assigned : "",
    };
    const tickets = await listStaffTickets(db, {
      ...(filter.status ? { status: filter.status as "open" | "closed" } : {}),
      ...(filter.kind ? { kind: filter.kind } : {}),
      ...(filter.assigned ? { assigned: filter.assigned } : {}),
      meId: me.id,
    });
    const now = options.clock.now();
    return sendPage(
      request,
      reply,
      (m) => m.adminRequests.title,
      (ctx) =>
        requestListPage(
          ctx,
          tickets,
          staff,
          filter,
          now,
          isValid ? null : ctx.m.adminRequests.filters.invalid,
        ),
      { status: isValid ? 200 : 400 },
    );
  });

  app.get("/admin/requests/:id", allow(ROLES.anyStaff), (request, reply) =>
    detailPage(request, reply, ticketIdOf(request)),
  );

  app.post("/admin/requests/:id/assign", allow(ROLES.care), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const r = messages(request).adminRequests;
    const form = parseForm(assignForm, request.body);
    const me = staffOf(request);
    await findStaffTicket(db, ticketId);
    const wanted = form.ok ? form.value.staff : null;
    const staffId = wanted === "me" ? me.id : wanted === "" ? null : wanted;
    const member =
      staffId === null ? null : (await listStaff(db)).find((s) => s.id === staffId && s.disabledAt === null);
    if (wanted === null || (staffId !== null && !member))
      return detailPage(request, reply, ticketId, { errors: { assign: r.assign.invalid } }, { status: 400 });
    const changed = await assignTicket(
      options.deps,
      actorOf(request),
      { ticketId, staffId },
      options.clock.now(),
    );
    return redirectWith(request, reply, back(ticketId), {
      kind: changed ? "success" : "info",
      text: !changed
        ? r.assign.unchanged
        : member
          ? r.assign.done(member.name || member.email)
          : r.assign.cleared,
    });
  });

  app.post("/admin/requests/:id/reply", allow(ROLES.anyStaff), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const r = messages(request).adminRequests;
    await findStaffTicket(db, ticketId);
    const form = parseForm(replyForm, request.body);
    if (!form.ok) {
      return detailPage(
        request,
        reply,
        ticketId,
        { errors: { reply: r.reply.invalid }, values: { reply: bodyOf(request).body ?? "" } },
        { status: 400 },
      );
    }
    const result = await replyAsStaff(
      options.deps,
      actorOf(request),
      { ticketId, body: form.value.body, link: linkTo(ticketId) },
      options.clock.now(),
    );
    if (!result.ok) return refusePage(request, reply, ticketId, 409, r.reply.closed);
    await deliverNow();
    return redirectWith(request, reply, back(ticketId), { kind: "success", text: r.reply.done });
  });

  app.post("/admin/requests/:id/close", allow(ROLES.care), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const r = messages(request).adminRequests;
    await findStaffTicket(db, ticketId);
    const closed = await closeTicketAsStaff(options.deps, actorOf(request), ticketId, options.clock.now());
    return redirectWith(
      request,
      reply,
      back(ticketId),
      closed
        ? { kind: "success", text: r.state.closed(ticketId) }
        : { kind: "info", text: r.state.alreadyClosed(ticketId) },
    );
  });

  app.post("/admin/requests/:id/reopen", allow(ROLES.care), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const r = messages(request).adminRequests;
    await findStaffTicket(db, ticketId);
    const reopened = await reopenTicket(options.deps, actorOf(request), ticketId, options.clock.now());
    return redirectWith(
      request,
      reply,
      back(ticketId),
      reopened
        ? { kind: "success", text: r.state.reopened(ticketId) }
        : { kind: "info", text: r.state.alreadyOpen(ticketId) },
    );
  });

  // ---- Refunds ----

  const refundFlash = (request: FastifyRequest, result: TicketRefundResult): Flash | null => {
    const m = messages(request);
    const r = m.adminRequests.refund;
    const ctxMoney = (value: Money) => formatMoney(value, localeOf(request));
    switch (result.kind) {
      case "succeeded":
        return { kind: "success", text: r.succeeded(ctxMoney(result.amount), result.invoiceId) };
      case "pending":
        return { kind: "info", text: r.pending(ctxMoney(result.amount), result.invoiceId) };
      case "failed":
        return { kind: "error", text: r.failed(ctxMoney(result.amount), result.invoiceId, result.code) };
      default:
        return null;
    }
  };

  app.post("/admin/requests/:id/refund", allow(ROLES.money), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const r = messages(request).adminRequests;
    const ticket = await findStaffTicket(db, ticketId);
    const sent = bodyOf(request);
    const values = { payment: sent.payment ?? "", amount: sent.amount ?? "", reason: sent.reason ?? "" };
    const invalid = (text: string, status = 400) =>
      detailPage(request, reply, ticketId, { errors: { refund: text }, values }, { status });
    if (!REFUND_TICKET_KINDS.includes(ticket.kind))
      return refusePage(request, reply, ticketId, 400, r.state.wrongKind);
    if (ticket.status !== "open") return refusePage(request, reply, ticketId, 409, r.state.mustBeOpen);
    const form = parseForm(refundForm, request.body);
    if (!form.ok) {
      const text = form.errors.payment
        ? r.refund.invalidPayment
        : form.errors.amount
          ? r.refund.invalidAmount
          : form.errors.reason
            ? r.refund.invalidReason
            : r.refund.stale;
      return invalid(text);
    }
    const paymentId = Number(form.value.payment);
    const payment = await refundablePayment(db, ticket.customer.id, paymentId);
    if (!payment) {
      const exists = await db
        .selectFrom("payments")
        .select("customer_id")
        .where("id", "=", paymentId)
        .executeTakeFirst();
      if (exists?.customer_id !== ticket.customer.id) throw new AppError("NOT_FOUND", "Payment not found.");
      return invalid(r.refund.invalidPayment);
    }
    const currency = payment.amount.currency;
    const amount = parseAmount(form.value.amount, currency);
    if (amount === null || amount <= 0) return invalid(r.refund.invalidAmount);
    const maxText = formatMoney({ amount: payment.max, currency }, localeOf(request));
    if (form.value.confirm !== "yes") {
      if (amount > payment.max) return invalid(r.refund.exceeds(maxText));
      return sendPage(
        request,
        reply,
        (m) => m.adminRequests.refund.confirmTitle,
        (c) =>
          refundConfirmPage(c, {
            ticketId,
            paymentId,
            invoiceId: payment.invoiceId,
            paid: payment.amount,
            paidAt: payment.createdAt,
            amount: { amount, currency },
            amountText: form.value.amount,
            maxAfter: { amount: payment.max - amount, currency },
            reason: form.value.reason,
            seq: payment.nextSeq,
          }),
      );
    }
    if (form.value.seq === undefined) return invalid(r.refund.stale);
    const result = await refundFromTicket(
      options.deps,
      actorOf(request),
      { ticketId, paymentId, amount, reason: form.value.reason, seq: Number(form.value.seq) },
      options.clock.now(),
    );
    if (result.kind === "exceeds")
      return invalid(r.refund.exceeds(formatMoney(result.max, localeOf(request))));
    if (result.kind === "stale") return invalid(r.refund.stale, 409);
    if (result.kind === "not-open") return refusePage(request, reply, ticketId, 409, r.state.mustBeOpen);
    if (result.kind === "wrong-kind") return refusePage(request, reply, ticketId, 400, r.state.wrongKind);
    await deliverNow();
    return redirectWith(request, reply, back(ticketId), refundFlash(request, result) ?? undefined);
  });

  app.post("/admin/requests/:id/refunds/:refundId/check", allow(ROLES.money), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const refundParam = (request.params as { refundId?: string }).refundId ?? "";
    if (!idParam.test(refundParam)) throw new AppError("NOT_FOUND", "Refund not found.");
    const ticket = await findStaffTicket(db, ticketId);
    const refund = await db
      .selectFrom("refunds")
      .select(["id", "customer_id"])
      .where("id", "=", Number(refundParam))
      .executeTakeFirst();
    if (refund?.customer_id !== ticket.customer.id) throw new AppError("NOT_FOUND", "Refund not found.");
    const result = await settleRefund(options.deps, Number(refund.id), options.clock.now());
    await deliverNow();
    return redirectWith(
      request,
      reply,
      `${back(ticketId)}#refund`,
      refundFlash(request, result) ?? undefined,
    );
  });

  // ---- Invoice adjustments ----

  app.post("/admin/requests/:id/adjust", allow(ROLES.money), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const r = messages(request).adminRequests;
    const a = r.adjust;
    const ticket = await findStaffTicket(db, ticketId);
    const sent = bodyOf(request);
    const values = {
      line: sent.line ?? "",
      lineAction: sent.action ?? "",
      description: sent.description ?? "",
      lineAmount: sent.amount ?? "",
      adjustReason: sent.reason ?? "",
    };
    const invalid = (text: string, status = 400) =>
      detailPage(
        request,
        reply,
        ticketId,
        { errors: { adjust: text }, values },
        { status, flash: { kind: "error", text } },
      );
    if (ticket.kind !== "invoice-adjustment")
      return refusePage(request, reply, ticketId, 400, r.state.wrongKind);
    if (ticket.status !== "open") return refusePage(request, reply, ticketId, 409, r.state.mustBeOpen);
    if (!ticket.invoice) return refusePage(request, reply, ticketId, 400, a.noInvoice);
    const invoice = await adjustableInvoice(db, ticket.invoice.id);
    if (!invoice) throw new AppError("NOT_FOUND", "Invoice not found.");
    if (invoice.status === "paid") return invalid(a.paidRefused(invoice.id));
    if (invoice.status === "void") return invalid(a.voidRefused(invoice.id));
    const form = parseForm(adjustForm, request.body);
    if (!form.ok)
      return invalid(
        form.errors.action ? a.invalidAction : form.errors.reason ? a.invalidReason : a.invalidAmount,
      );
    const currency = invoice.total.currency;
    const locale = localeOf(request);
    const money = (amount: number) => formatMoney({ amount, currency }, locale);
    let change: InvoiceAdjustment;
    let text: string;
    if (form.value.action === "void") {
      const refused = editRefusal(invoice) ?? (invoice.amountPaid > 0 ? "partly-paid" : null);
      if (refused) return invalid(a.refused[refused] ?? refused, refused === "money-in-flight" ? 409 : 400);
      change = { kind: "void" };
      text = a.confirmVoid(invoice.id, money(invoice.total.amount));
    } else {
      const line = invoice.lines.find((l) => String(l.id) === form.value.line);
      if (!line) return invalid(a.refused["no-such-line"] ?? "");
      if (form.value.action === "remove-line") {
        change = { kind: "remove-line", lineId: line.id };
      } else {
        const description = form.value.description ?? "";
        if (description.length < 1) return invalid(a.invalidDescription);
        const amount = parseAmount(form.value.amount ?? "", currency);
        if (amount === null) return invalid(a.invalidAmount);
        change = { kind: "change-line", lineId: line.id, description, amount };
      }
      const decision = decideLineAdjustment(invoice, change);
      if (!decision.ok)
        return invalid(
          a.refused[decision.reason] ?? decision.reason,
          decision.reason === "money-in-flight" ? 409 : 400,
        );
      text =
        change.kind === "remove-line"
          ? a.confirmRemove(invoice.id, line.description, money(line.amount), money(decision.newTotal))
          : a.confirmChange(invoice.id, change.description, money(change.amount), money(decision.newTotal));
    }
    if (form.value.confirm !== "yes") {
      const fields: Record<string, string> = { action: form.value.action, reason: form.value.reason };
      if (change.kind !== "void") fields.line = String(change.lineId);
      if (change.kind === "change-line") {
        fields.description = change.description;
        fields.amount = form.value.amount ?? "";
      }
      return sendPage(
        request,
        reply,
        (m) => m.adminRequests.adjust.confirmTitle,
        (c) => adjustConfirmPage(c, { ticketId, text, fields }),
      );
    }
    const result = await adjustInvoice(
      options.deps,
      actorOf(request),
      { invoiceId: invoice.id, customerId: ticket.customer.id, ticketId, reason: form.value.reason, change },
      options.clock.now(),
    );
    if (!result.ok) return invalid(a.refused[result.reason] ?? result.reason, 409);
    let flash: Flash;
    if (result.kind === "voided" || result.kind === "void-deferred") {
      flash =
        result.kind === "voided"
          ? { kind: "success", text: a.voided(result.invoiceId, formatMoney(result.total, locale)) }
          : { kind: "info", text: a.voidDeferred(result.invoiceId) };
    } else {
      const before = formatMoney(result.previousTotal, locale);
      const after = formatMoney(result.total, locale);
      flash = {
        kind: "success",
        text:
          result.kind === "line-removed"
            ? a.lineRemoved(result.invoiceId, before, after)
            : a.lineChanged(result.invoiceId, before, after),
      };
    }
    return redirectWith(request, reply, back(ticketId), flash);
  });

  // ---- Domain deletion ----

  /** The request's domain, when it is a deletion request that can still be carried out. */
  const deletionTarget = async (request: FastifyRequest, reply: FastifyReply, ticketId: number) => {
    const r = messages(request).adminRequests;
    const ticket = await findStaffTicket(db, ticketId);
    if (ticket.kind !== "domain-deletion" || !ticket.service)
      return {
        refused: await refusePage(request, reply, ticketId, 400, r.deletion.refused["wrong-kind"] ?? ""),
      };
    if (ticket.status !== "open")
      return {
        refused: await refusePage(request, reply, ticketId, 409, r.deletion.refused["not-open"] ?? ""),
      };
    const domain = await db
      .selectFrom("domains")
      .select("name")
      .where("service_id", "=", ticket.service.id)
      .executeTakeFirst();
    if (!domain) throw new AppError("NOT_FOUND", "Domain not found.");
    if (GONE_DOMAIN_STATUSES.includes(ticket.service.status))
      return {
        refused: await refusePage(request, reply, ticketId, 409, r.deletion.refused["already-gone"] ?? ""),
      };
    return { name: domain.name };
  };

  const deletionPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    input: Parameters<typeof deletionConfirmPage>[1],
    status = 200,
  ) =>
    sendPage(
      request,
      reply,
      (m) => m.adminRequests.deletion.confirmTitle(input.name),
      (ctx) => deletionConfirmPage(ctx, input),
      { status },
    );

  app.get("/admin/requests/:id/delete-domain", allow(ROLES.care), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const target = await deletionTarget(request, reply, ticketId);
    if ("refused" in target) return target.refused;
    return deletionPage(request, reply, { ticketId, name: target.name });
  });

  app.post("/admin/requests/:id/delete-domain", allow(ROLES.care), async (request, reply) => {
    const ticketId = ticketIdOf(request);
    const d = messages(request).adminRequests.deletion;
    const target = await deletionTarget(request, reply, ticketId);
    if ("refused" in target) return target.refused;
    const name = target.name;
    const form = parseForm(deletionForm, request.body);
    const sent = bodyOf(request);
    if (!form.ok || form.value.confirm !== "yes") return deletionPage(request, reply, { ticketId, name });
    const typed = form.value.name.trim();
    const replyText = (form.value.reply ?? "").trim();
    const errors: { name?: string; reply?: string } = {};
    if (typed.toLowerCase() !== name.toLowerCase()) errors.name = d.mismatch(name);
    if (replyText.length < 3 || replyText.length > 10_000) errors.reply = d.invalidReply;
    if (errors.name || errors.reply)
      return deletionPage(
        request,
        reply,
        { ticketId, name, typed: sent.name ?? "", reply: sent.reply ?? "", errors },
        400,
      );
    const result = await deleteDomainFromTicket(
      options.deps,
      actorOf(request),
      { ticketId, reply: replyText, link: linkTo(ticketId) },
      options.clock.now(),
    );
    if (!result.ok)
      return refusePage(request, reply, ticketId, 409, d.refused[result.reason] ?? result.reason);
    await deliverNow();
    return redirectWith(request, reply, back(ticketId), {
      kind: "success",
      text: d.done(result.name, result.voided.voided.map((n) => `#${n}`).join(", ")),
    });
  });
}
