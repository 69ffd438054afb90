/**
 * The billing pages of the client area: invoices (list, detail, pay with the card on file, PDF)
 * and the payment method. Paying goes through `payInvoice`, which resolves a charge still pending
 * instead of starting another: a double submit never charges twice.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { setCard } from "../../modules/customers/customer-repository.js";
import { sellerOf } from "../../modules/deps.js";
import { findInvoice } from "../../modules/invoices/invoice-repository.js";
import { getInvoiceDetail, listInvoices, listPastDueInvoices } from "../../modules/invoices/list-invoices.js";
import { payInvoice } from "../../modules/invoices/pay-invoice.js";
import { renderInvoicePdf } from "../../modules/invoices/render-invoice-pdf.js";
import { creditNotesOf } from "../../modules/payments/credit-notes.js";
import { TEST_CARDS, TestGateway } from "../../providers/payments/test-gateway.js";
import { formattersFor } from "../../views/format.js";
import { html } from "../../views/html.js";
import { invoiceDetailPage, invoiceListPage } from "../../views/pages/billing/invoices.js";
import {
  type PaymentMethodView,
  pastDueNote,
  paymentMethodPage,
} from "../../views/pages/billing/payment-method.js";
import { customerOf, type HttpOptions, localeOf, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";

/** An invoice number in the path; anything else is a page that does not exist. */
const invoiceParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

export function registerBillingRoutes(app: FastifyInstance, options: HttpOptions): void {
  // Read at each request: the gateway is chosen at start-up, tests swap it after the app is built.
  const isTestGateway = () => options.deps.gateway instanceof TestGateway;

  /** The invoice id of the path; a malformed one is a page that does not exist, like another's. */
  const invoiceIdOf = (request: FastifyRequest): number => {
    const parsed = invoiceParams.safeParse(request.params);
    if (!parsed.success) throw new AppError("NOT_FOUND", "Invoice not found.");
    return parsed.data.id;
  };

  app.get("/invoices", async (request, reply) => {
    const customer = customerOf(request);
    const now = options.clock.now();
    const invoices = await listInvoices(options.deps.db, customer.id, localeOf(request));
    return sendPage(
      request,
      reply,
      (m) => m.billing.invoicesTitle,
      (ctx) => invoiceListPage(ctx, customer, invoices, now),
    );
  });

  app.get("/invoices/:id", async (request, reply) => {
    const id = invoiceIdOf(request);
    const customer = customerOf(request);
    const now = options.clock.now();
    const invoice = await getInvoiceDetail(options.deps.db, customer.id, id, localeOf(request));
    const creditNotes = await creditNotesOf(options.deps.db, invoice.id, customer.id);
    return sendPage(
      request,
      reply,
      (m) => m.billing.invoiceTitle(invoice.id),
      (ctx) => invoiceDetailPage(ctx, customer, invoice, now, creditNotes),
    );
  });

  app.post("/invoices/:id/pay", async (request, reply) => {
    const id = invoiceIdOf(request);
    const customer = customerOf(request);
    const now = options.clock.now();
    const b = messages(request).billing;
    const back = `/invoices/${id}`;
    const result = await payInvoice(options.deps, { invoiceId: id, customerId: customer.id }, now);
    const outcome = result.ok ? result.outcome : null;
    if (result.ok && result.isAwaitingBank)
      return redirectWith(request, reply, back, { kind: "info", text: b.awaitingBank });
    if (outcome === null) {
      // Another click (or the engine) got there first: say what it did, read back from the invoice.
      const invoice = await findInvoice(options.deps.db, id);
      if (invoice?.status === "paid") {
        const amount = formattersFor(localeOf(request), customer.timeZone).money({
          amount: invoice.amountPaid,
          currency: invoice.total.currency,
        });
        return redirectWith(request, reply, back, {
          kind: "success",
          text: b.alreadyPaid(b.invoiceNumber(id), amount),
        });
      }
      if (invoice?.status === "void")
        return redirectWith(request, reply, back, { kind: "info", text: b.nowVoid });
      return redirectWith(request, reply, back, {
        kind: "info",
        text: result.ok ? b.alreadyProcessing : b.notOpen,
      });
    }
    if (outcome.status === "succeeded")
      return redirectWith(request, reply, back, { kind: "success", text: b.paidThanks });
    const reason = b.result[outcome.code] ?? b.result.error ?? outcome.code;
    return redirectWith(request, reply, back, {
      kind: "error",
      text: html`${b.declined(reason.toLowerCase())} <a href="/payment-method">${b.updateCard}</a>`,
    });
  });

  app.get("/invoices/:id/pdf", async (request, reply) => {
    const id = invoiceIdOf(request);
    const customer = customerOf(request);
    const now = options.clock.now();
    const m = messages(request);
    // The document's language is the customer's; its lines are worded in it.
    const invoice = await getInvoiceDetail(options.deps.db, customer.id, id, customer.locale);
    const pdf = await renderInvoicePdf(
      { ...invoice, customer: { name: customer.name, email: customer.email } },
      {
        locale: customer.locale,
        timeZone: customer.timeZone,
        m: m.billing,
        issuer: m.common.appName,
        seller: sellerOf(options.deps),
        createdAt: now,
      },
    );
    return reply
      .type("application/pdf")
      .header("content-disposition", `attachment; filename="invoice-${invoice.id}.pdf"`)
      .header("cache-control", "private, no-store")
      .send(pdf);
  });

  const cardForm = () =>
    z.object({
      card: isTestGateway() ? z.string().trim().regex(TEST_CARDS) : z.string().trim().min(1).max(500),
    });

  const paymentMethodPageFor = async (
    request: FastifyRequest,
    reply: FastifyReply,
    view: Omit<PaymentMethodView, "cardLabel" | "testMode"> = {},
  ) => {
    const customer = customerOf(request);
    const now = options.clock.now();
    // Past-due invoices are offered right under the card that can pay them.
    const pastDue = customer.hasCard ? await listPastDueInvoices(options.deps.db, customer.id, now) : [];
    return sendPage(
      request,
      reply,
      (m) => m.billing.paymentMethodTitle,
      (ctx) =>
        html`${pastDueNote(ctx, pastDue)}${paymentMethodPage(ctx, {
          ...view,
          cardLabel: customer.hasCard ? customer.cardLabel : null,
          testMode: isTestGateway(),
        })}`,
      { status: view.error ? 400 : 200 },
    );
  };

  app.get("/payment-method", (request, reply) => paymentMethodPageFor(request, reply));

  app.post("/payment-method", async (request, reply) => {
    const customer = customerOf(request);
    const b = messages(request).billing;
    const form = parseForm(cardForm(), request.body);
    if (!form.ok) {
      const sent = (request.body as { card?: unknown } | undefined)?.card;
      return paymentMethodPageFor(request, reply, {
        error: b.invalidCard,
        ...(typeof sent === "string" && !isTestGateway() ? { card: sent } : {}),
      });
    }
    let saved: { label: string | null };
    try {
      saved = await setCard(options.deps, customer.id, form.value.card);
    } catch (error) {
      // A token the gateway refuses (unknown, declined at setup, another customer's): a 400, not a 500.
      if (error instanceof AppError || isTestGateway()) throw error;
      request.log.warn({ err: error }, "the gateway refused a card");
      return paymentMethodPageFor(request, reply, { error: b.invalidCard, card: form.value.card });
    }
    return redirectWith(request, reply, "/payment-method", {
      kind: "success",
      text: b.cardSaved(saved.label ?? ""),
    });
  });
}
