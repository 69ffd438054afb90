/**
 * Back office: customers. Search (name, e-mail, domain name, invoice number), a customer's page,
 * and acting for a customer through the client area's own use cases — request or withdraw a
 * cancellation, switch a domain's auto-renew, reactivate a domain, send a payment link. Each action
 * asks for a reason, names the staff member in its event and writes its audit line in the same
 * transaction as the change; one that cancels or charges shows what will happen first.
 *
 * Roles: reading is any staff; cancellations, reactivation (it charges the card) and payment links
 * are money (admin, billing); auto-renew is care (admin, support: no money moves when it is turned
 * on, and turning it off only stops a future charge).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { formatMoney } from "../../domain/money.js";
import { ROLES } from "../../domain/staff-roles.js";
import { cancellationEffectiveAt } from "../../domain/subscription-lifecycle.js";
import { formatInstant, type Instant } from "../../domain/time.js";
import { invoiceTotals, loadCustomerOverview } from "../../modules/customers/customer-overview.js";
import { searchCustomers } from "../../modules/customers/search-customers.js";
import { findPayableInvoice, sendPaymentLink } from "../../modules/customers/send-payment-link.js";
import { findDomainView, previewAutoRenewOff } from "../../modules/domains/list-domains.js";
import { reactivateDomain } from "../../modules/domains/reactivate-domain.js";
import { setAutoRenew } from "../../modules/domains/set-auto-renew.js";
import { deliverPendingNotices } from "../../modules/notifications/deliver-notices.js";
import { noticeSecrets } from "../../modules/notifications/notice-secrets.js";
import { previewCarryOut } from "../../modules/services/carry-out-cancellation.js";
import { loadServiceDetails } from "../../modules/services/list-services.js";
import { requestCancellation } from "../../modules/services/request-cancellation.js";
import { withdrawCancellation } from "../../modules/services/withdraw-cancellation.js";
import { type ActingStaff, type AuditEntry, actorMark, recordAudit } from "../../modules/staff/audit-log.js";
import { staffDate, staffInstant } from "../../views/admin/admin-format.js";
import {
  actionPage,
  customerPage,
  customerUrl,
  formErrorBox,
  reasonField,
  searchPage,
} from "../../views/admin/customers/customer-pages.js";
import { html } from "../../views/html.js";
import type { Messages } from "../../views/i18n/index.js";
import { csrfField } from "../../views/layout.js";
import { type HttpOptions, localeOf, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow } from "./admin-guard.js";

type CustomerParams = { Params: { id: string } };
type ServiceParams = { Params: { id: string; serviceId: string } };
type DomainParams = { Params: { id: string; domainId: string } };
type InvoiceParams = { Params: { id: string; invoiceId: string } };

const searchQuery = z.object({
  q: z.string().max(200).optional(),
  page: z.coerce.number().int().min(1).max(10_000).optional(),
});

/** A form field sent once is a string, sent several times an array. */
const asList = (value: unknown): unknown =>
  value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value];

const reasonSchema = z
  .string({ error: "reason" })
  .trim()
  .min(3, { error: "reason" })
  .max(1000, { error: "reason" });

const cancelForm = z.object({
  when: z.enum(["immediate", "end-of-term"], { error: "when" }),
  reason: reasonSchema,
  stopDomainRenewal: z.preprocess(asList, z.array(z.string().min(1).max(200)).max(50)),
  confirm: z.literal("yes").optional(),
});
const reasonForm = z.object({ reason: reasonSchema, confirm: z.literal("yes").optional() });
const autoRenewForm = z.object({ on: z.enum(["on", "off"], { error: "on" }), reason: reasonSchema });
const paymentLinkForm = z.object({
  reason: reasonSchema,
  key: z.string().regex(/^\d{1,16}$/, { error: "key" }),
});

/** The values as sent, to show a form again with them. */
function sent(body: unknown, field: string): string {
  const value = (body ?? {}) as Record<string, unknown>;
  return typeof value[field] === "string" ? (value[field] as string) : "";
}

function fieldErrors(m: Messages, errors: Record<string, string>): Record<string, string> {
  const a = m.adminCustomers.act;
  const out: Record<string, string> = {};
  for (const field of Object.keys(errors)) {
    if (field === "reason") out.reason = a.reasonError;
    else if (field === "when") out.when = a.whenError;
    else out[field] = a.formError;
  }
  return out;
}

function invoiceId(text: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new AppError("NOT_FOUND", "Invoice not found.");
  return Number(text);
}

export function registerCustomerRoutes(app: FastifyInstance, options: HttpOptions): void {
  const { deps } = options;
  const secrets = noticeSecrets(options.sessionSecret);
  const mailer = options.mailer ? secrets.unsealingMailer(options.mailer) : null;

  /** The staff member acting for the customer: the use case writes this line in its transaction. */
  const acting = (request: FastifyRequest, now: Instant, entry: AuditEntry): ActingStaff => {
    const actor = actorOf(request);
    return {
      by: actorMark(actor),
      audit: (tx, after) => recordAudit(tx, actor, now, { ...entry, after: { ...entry.after, ...after } }),
    };
  };

  const customerOrNotFound = async (customerId: string) => {
    const row = await deps.db
      .selectFrom("customers")
      .select(["id", "name"])
      .where("id", "=", customerId)
      .executeTakeFirst();
    if (!row) throw new AppError("NOT_FOUND", "Customer not found.");
    return row;
  };

  // --- Search and the customer's page -------------------------------------------------------

  app.get("/admin/customers", allow(ROLES.anyStaff), async (request, reply) => {
    const query = searchQuery.safeParse(request.query ?? {});
    if (!query.success) {
      return sendPage(
        request,
        reply,
        (m) => m.adminCustomers.title,
        (ctx) =>
          html`<div class="flash flash-error" role="alert">${ctx.m.adminCustomers.search.invalid}</div>${searchPage(ctx, { q: "", page: 1, hits: [], more: false })}`,
        { status: 400 },
      );
    }
    const search = await searchCustomers(deps.db, { q: query.data.q ?? "", page: query.data.page ?? 1 });
    return sendPage(
      request,
      reply,
      (m) => m.adminCustomers.title,
      (ctx) => searchPage(ctx, search),
    );
  });

  app.get<CustomerParams>("/admin/customers/:id", allow(ROLES.anyStaff), async (request, reply) => {
    const overview = await loadCustomerOverview(deps, request.params.id, options.clock.now());
    return sendPage(request, reply, overview.customer.name, (ctx) => customerPage(ctx, overview));
  });

  // --- Request a cancellation ---------------------------------------------------------------

  const cancelFormPage = async (
    request: FastifyRequest<ServiceParams>,
    reply: FastifyReply,
    errors: Record<string, string> = {},
  ) => {
    const { id, serviceId } = request.params;
    const details = await loadServiceDetails(deps, { customerId: id, serviceId });
    const now = options.clock.now();
    const policy = deps.policies.billing;
    const body = request.method === "POST" ? request.body : {};
    const chosen = sent(body, "when");
    const stops = (
      asList((body as Record<string, unknown> | undefined)?.stopDomainRenewal) as unknown[]
    ).filter((v): v is string => typeof v === "string");
    return sendPage(
      request,
      reply,
      (m) => m.adminCustomers.act.cancelTitle(details.service.label),
      (ctx) => {
        const a = ctx.m.adminCustomers.act;
        const endAt = cancellationEffectiveAt("end-of-term", now, details.service.termEndsAt, policy);
        return html`${formErrorBox(ctx, errors)}<p>${a.cancelIntro}</p>
        <form method="post" action="${customerUrl(id, `/services/${encodeURIComponent(serviceId)}/cancel`)}" class="stack card">${csrfField(ctx)}
          <fieldset><legend>${a.when}</legend>
            <div class="choice"><input type="radio" id="when-immediate" name="when" value="immediate" ${chosen === "immediate" ? "checked" : ""}><label for="when-immediate">${a.immediate} <span class="hint">(${a.immediateHint(policy.immediateCancellationHours)})</span></label></div>
            <div class="choice"><input type="radio" id="when-end" name="when" value="end-of-term" ${chosen === "end-of-term" ? "checked" : ""}><label for="when-end">${a.endOfTerm} <span class="hint">(${a.endOfTermHint(staffDate(endAt))})</span></label></div>
            ${errors.when ? html`<p class="field-error">${errors.when}</p>` : ""}
          </fieldset>
          ${
            details.linkedDomains.length > 0
              ? html`<fieldset><legend>${a.stopDomains}</legend>${details.linkedDomains.map(
                  (d) =>
                    html`<label class="check"><input type="checkbox" name="stopDomainRenewal" value="${d.serviceId}" ${stops.includes(d.serviceId) ? "checked" : ""}> ${d.name}</label>`,
                )}</fieldset>`
              : ""
          }
          ${reasonField(ctx, sent(body, "reason"), errors.reason)}
          <div class="actions"><button type="submit">${a.submitCancel}</button><a href="${customerUrl(id)}">${a.back}</a></div>
        </form>`;
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get<ServiceParams>(
    "/admin/customers/:id/services/:serviceId/cancel",
    allow(ROLES.money),
    (request, reply) => cancelFormPage(request, reply),
  );

  app.post<ServiceParams>(
    "/admin/customers/:id/services/:serviceId/cancel",
    allow(ROLES.money),
    async (request, reply) => {
      const { id, serviceId } = request.params;
      const m = messages(request);
      const a = m.adminCustomers.act;
      const details = await loadServiceDetails(deps, { customerId: id, serviceId });
      const form = parseForm(cancelForm, request.body);
      if (!form.ok) return cancelFormPage(request, reply, fieldErrors(m, form.errors));
      const now = options.clock.now();
      const label = details.service.label;
      const effectiveAt = cancellationEffectiveAt(
        form.value.when,
        now,
        details.service.termEndsAt,
        deps.policies.billing,
      );
      const stops = details.linkedDomains.filter((d) => form.value.stopDomainRenewal.includes(d.serviceId));
      if (form.value.confirm !== "yes") {
        // What will happen, then the confirmed post does it.
        const preview = await previewCarryOut(deps, serviceId);
        return sendPage(
          request,
          reply,
          (mm) => mm.adminCustomers.act.confirmCancelTitle(label),
          (ctx) => {
            const fmt = (v: Parameters<typeof formatMoney>[0]) => formatMoney(v, ctx.locale);
            const lines = [
              form.value.when === "immediate"
                ? a.confirmCancelImmediate(label, staffInstant(effectiveAt))
                : a.confirmCancelEnd(label, staffDate(effectiveAt)),
              ...(preview.invoices.length === 0
                ? [a.noInvoices]
                : preview.invoices.map((i) =>
                    i.outcome === "void"
                      ? a.willVoid(i.id, fmt(i.total))
                      : i.outcome === "deferred"
                        ? a.willDefer(i.id, fmt(i.total))
                        : a.willAdjust(i.id, fmt(i.total)),
                  )),
              ...stops.map((d) => a.willStopDomain(d.name)),
            ];
            return actionPage(ctx, {
              action: customerUrl(id, `/services/${encodeURIComponent(serviceId)}/cancel`),
              lines,
              hidden: {
                when: form.value.when,
                stopDomainRenewal: stops.map((d) => d.serviceId),
                confirm: "yes",
              },
              reason: form.value.reason,
              errors: {},
              button: a.doCancel,
              danger: true,
              back: customerUrl(id),
            });
          },
        );
      }
      const result = await requestCancellation(
        deps,
        {
          serviceId,
          customerId: id,
          requestedBy: actorMark(actorOf(request)),
          request: {
            when: form.value.when,
            reason: form.value.reason,
            stopDomainRenewal: stops.map((d) => d.serviceId),
          },
          staff: acting(request, now, {
            action: "service.cancellation_requested",
            objectType: "service",
            objectId: serviceId,
            customerId: id,
            reason: form.value.reason,
            before: { cancellation: "none" },
            after: {
              cancellation: "pending",
              when: form.value.when,
              effectiveAt: formatInstant(effectiveAt),
            },
          }),
        },
        now,
      );
      if (!result.ok) {
        return redirectWith(request, reply, customerUrl(id), {
          kind: "error",
          text: a.refusals[result.reason] ?? result.reason,
        });
      }
      const fmt = (v: Parameters<typeof formatMoney>[0]) => formatMoney(v, localeOf(request));
      const voided = [
        ...result.voided,
        ...Object.values(result.domains).flatMap((d) => (d.ok ? d.voided : [])),
      ];
      const deferred = [
        ...result.deferred,
        ...Object.values(result.domains).flatMap((d) => (d.ok ? d.deferred : [])),
      ];
      const refunded = [
        ...result.refunded,
        ...Object.values(result.domains).flatMap((d) => (d.ok ? d.refunded : [])),
      ];
      const adjust = [
        ...result.needsAdjustment,
        ...Object.values(result.domains).flatMap((d) => (d.ok ? d.needsAdjustment : [])),
      ];
      const totals = await invoiceTotals(deps.db, [...voided, ...deferred, ...adjust.map((n) => n.invoice)]);
      const named = (n: number) => {
        const total = totals.get(n);
        return total ? `#${n} (${fmt(total)})` : `#${n}`;
      };
      const parts = [
        result.effectiveAt <= now
          ? a.cancelledNow(label)
          : a.cancelled(label, staffInstant(result.effectiveAt)),
        voided.length > 0 ? a.voided(voided.map(named).join(", ")) : "",
        deferred.length > 0 ? a.deferred(deferred.map(named).join(", ")) : "",
        refunded.length > 0
          ? a.refunded(refunded.map((r) => `#${r.invoice} (${fmt(r.amount)})`).join(", "))
          : "",
        adjust.length > 0 ? a.needsAdjustment(adjust.map((n) => named(n.invoice)).join(", ")) : "",
      ];
      return redirectWith(request, reply, customerUrl(id), {
        kind: "success",
        text: parts.filter(Boolean).join(" "),
      });
    },
  );

  // --- Withdraw a cancellation ----------------------------------------------------------------

  const withdrawPage = async (
    request: FastifyRequest<ServiceParams>,
    reply: FastifyReply,
    errors: Record<string, string> = {},
  ) => {
    const { id, serviceId } = request.params;
    const details = await loadServiceDetails(deps, { customerId: id, serviceId });
    const pending = details.pendingCancellation;
    return sendPage(
      request,
      reply,
      (m) => m.adminCustomers.act.withdrawTitle(details.service.label),
      (ctx) => {
        const a = ctx.m.adminCustomers.act;
        if (!pending)
          return html`<div class="card"><p role="alert">${a.refusals["nothing-pending"]}</p><p><a href="${customerUrl(id)}">${a.back}</a></p></div>`;
        return actionPage(ctx, {
          action: customerUrl(id, `/services/${encodeURIComponent(serviceId)}/withdraw`),
          lines: [
            a.withdrawIntro(
              ctx.m.adminCancellations.modes[pending.when] ?? pending.when,
              staffInstant(pending.effectiveAt),
            ),
            ctx.m.adminCancellations.customerReason(pending.reason),
          ],
          hidden: {},
          reason: sent(request.method === "POST" ? request.body : {}, "reason"),
          errors,
          button: a.doWithdraw,
          back: customerUrl(id),
        });
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get<ServiceParams>(
    "/admin/customers/:id/services/:serviceId/withdraw",
    allow(ROLES.money),
    (request, reply) => withdrawPage(request, reply),
  );

  app.post<ServiceParams>(
    "/admin/customers/:id/services/:serviceId/withdraw",
    allow(ROLES.money),
    async (request, reply) => {
      const { id, serviceId } = request.params;
      const m = messages(request);
      const a = m.adminCustomers.act;
      const details = await loadServiceDetails(deps, { customerId: id, serviceId });
      const form = parseForm(reasonForm, request.body);
      if (!form.ok) return withdrawPage(request, reply, fieldErrors(m, form.errors));
      const now = options.clock.now();
      const pending = details.pendingCancellation;
      const result = await withdrawCancellation(
        deps,
        {
          serviceId,
          customerId: id,
          staff: acting(request, now, {
            action: "service.cancellation_withdrawn",
            objectType: "service",
            objectId: serviceId,
            customerId: id,
            reason: form.value.reason,
            before: { cancellation: "pending", when: pending?.when ?? null },
            after: { cancellation: "withdrawn", when: null },
          }),
        },
        now,
      );
      if (!result.ok)
        return redirectWith(request, reply, customerUrl(id), {
          kind: "error",
          text: a.refusals[result.reason] ?? result.reason,
        });
      return redirectWith(request, reply, customerUrl(id), {
        kind: "success",
        text: a.withdrawn(details.service.label),
      });
    },
  );

  // --- Auto-renew of a domain ------------------------------------------------------------------

  const autoRenewPage = async (
    request: FastifyRequest<DomainParams>,
    reply: FastifyReply,
    on: boolean,
    errors: Record<string, string> = {},
  ) => {
    const { id, domainId } = request.params;
    const now = options.clock.now();
    const view = await findDomainView(deps, { customerId: id, serviceId: domainId }, now);
    const preview = on ? null : await previewAutoRenewOff(deps, { customerId: id, serviceId: domainId }, now);
    const name = view.domain.name;
    return sendPage(
      request,
      reply,
      (m) => m.adminCustomers.act.autoRenewTitle(name, on),
      (ctx) => {
        const a = ctx.m.adminCustomers.act;
        if (preview && !preview.ok)
          return html`<div class="card"><p role="alert">${a.refusals[preview.reason] ?? preview.reason}</p><p><a href="${customerUrl(id)}">${a.back}</a></p></div>`;
        const lines = [
          view.domain.autoRenew === on ? a.alreadyThat(name, on) : "",
          on ? a.autoRenewOnIntro(name) : a.autoRenewOffIntro(name, staffDate(view.domain.expiresAt)),
          ...(preview?.ok && preview.chargeStillDueAt !== null
            ? [a.autoRenewStillCharged(staffDate(preview.chargeStillDueAt))]
            : []),
          ...(preview?.ok ? preview.voidable.map((n) => a.voided(`#${n}`)) : []),
          ...(preview?.ok ? preview.needsAdjustment.map((n) => a.needsAdjustment(`#${n.invoice}`)) : []),
        ].filter(Boolean);
        return actionPage(ctx, {
          action: customerUrl(id, `/domains/${encodeURIComponent(domainId)}/auto-renew`),
          lines,
          hidden: { on: on ? "on" : "off" },
          reason: sent(request.method === "POST" ? request.body : {}, "reason"),
          errors,
          button: a.doAutoRenew(on),
          back: customerUrl(id),
        });
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get<DomainParams & { Querystring: { on?: string } }>(
    "/admin/customers/:id/domains/:domainId/auto-renew",
    allow(ROLES.care),
    (request, reply) => autoRenewPage(request, reply, request.query.on !== "off"),
  );

  app.post<DomainParams>(
    "/admin/customers/:id/domains/:domainId/auto-renew",
    allow(ROLES.care),
    async (request, reply) => {
      const { id, domainId } = request.params;
      const m = messages(request);
      const a = m.adminCustomers.act;
      const form = parseForm(autoRenewForm, request.body);
      if (!form.ok)
        return autoRenewPage(request, reply, sent(request.body, "on") !== "off", fieldErrors(m, form.errors));
      const now = options.clock.now();
      const on = form.value.on === "on";
      const view = await findDomainView(deps, { customerId: id, serviceId: domainId }, now);
      const result = await setAutoRenew(
        deps,
        {
          serviceId: domainId,
          customerId: id,
          on,
          staff: acting(request, now, {
            action: "domain.auto_renew_changed",
            objectType: "domain",
            objectId: domainId,
            customerId: id,
            reason: form.value.reason,
            before: { autoRenew: view.domain.autoRenew },
            after: { autoRenew: on },
          }),
        },
        now,
      );
      const name = view.domain.name;
      if (!result.ok)
        return redirectWith(request, reply, customerUrl(id), {
          kind: "error",
          text: a.refusals[result.reason] ?? result.reason,
        });
      if (!result.changed)
        return redirectWith(request, reply, customerUrl(id), { kind: "info", text: a.alreadyThat(name, on) });
      const fmt = (v: Parameters<typeof formatMoney>[0]) => formatMoney(v, localeOf(request));
      const totals = await invoiceTotals(deps.db, [
        ...result.voided,
        ...result.deferred,
        ...result.needsAdjustment.map((n) => n.invoice),
      ]);
      const named = (n: number) => {
        const total = totals.get(n);
        return total ? `#${n} (${fmt(total)})` : `#${n}`;
      };
      const parts = [
        a.autoRenewDone(name, on),
        result.chargeStillDueAt !== null ? a.autoRenewStillCharged(staffDate(result.chargeStillDueAt)) : "",
        result.voided.length > 0 ? a.voided(result.voided.map(named).join(", ")) : "",
        result.deferred.length > 0 ? a.deferred(result.deferred.map(named).join(", ")) : "",
        result.needsAdjustment.length > 0
          ? a.needsAdjustment(result.needsAdjustment.map((n) => named(n.invoice)).join(", "))
          : "",
      ];
      return redirectWith(request, reply, customerUrl(id), {
        kind: "success",
        text: parts.filter(Boolean).join(" "),
      });
    },
  );

  // --- Reactivate a domain (charges the card: money) --------------------------------------------

  const reactivatePage = async (
    request: FastifyRequest<DomainParams>,
    reply: FastifyReply,
    errors: Record<string, string> = {},
  ) => {
    const { id, domainId } = request.params;
    const now = options.clock.now();
    const view = await findDomainView(deps, { customerId: id, serviceId: domainId }, now);
    const customer = await deps.db
      .selectFrom("customers")
      .select("card_label")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    const name = view.domain.name;
    return sendPage(
      request,
      reply,
      (m) => m.adminCustomers.act.reactivateTitle(name),
      (ctx) => {
        const a = ctx.m.adminCustomers.act;
        const r = view.reactivation;
        if (!r)
          return html`<div class="card"><p role="alert">${a.refusals["not-in-grace"]}</p><p><a href="${customerUrl(id)}">${a.back}</a></p></div>`;
        const price = formatMoney(r.price, ctx.locale);
        const card = customer.card_label ?? a.noCard;
        return actionPage(ctx, {
          action: customerUrl(id, `/domains/${encodeURIComponent(domainId)}/reactivate`),
          lines: [
            r.window === "restore" ? a.restoreIntro(name, price, card) : a.reactivateIntro(name, price, card),
            a.reactivateUntil(staffDate(r.until)),
          ],
          hidden: { confirm: "yes" },
          reason: sent(request.method === "POST" ? request.body : {}, "reason"),
          errors,
          button: a.doReactivate(price),
          danger: true,
          back: customerUrl(id),
        });
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get<DomainParams>(
    "/admin/customers/:id/domains/:domainId/reactivate",
    allow(ROLES.money),
    (request, reply) => reactivatePage(request, reply),
  );

  app.post<DomainParams>(
    "/admin/customers/:id/domains/:domainId/reactivate",
    allow(ROLES.money),
    async (request, reply) => {
      const { id, domainId } = request.params;
      const m = messages(request);
      const a = m.adminCustomers.act;
      const form = parseForm(reasonForm, request.body);
      if (!form.ok) return reactivatePage(request, reply, fieldErrors(m, form.errors));
      // The page saying what is charged comes first; only its own post carries confirm=yes.
      if (form.value.confirm !== "yes") return reactivatePage(request, reply);
      const now = options.clock.now();
      const view = await findDomainView(deps, { customerId: id, serviceId: domainId }, now);
      const name = view.domain.name;
      const result = await reactivateDomain(
        deps,
        {
          serviceId: domainId,
          customerId: id,
          staff: acting(request, now, {
            action: "domain.reactivation_charged",
            objectType: "domain",
            objectId: domainId,
            customerId: id,
            reason: form.value.reason,
            before: { status: view.domain.status, expiresAt: formatInstant(view.domain.expiresAt) },
            after: {
              amount: view.reactivation?.price.amount ?? null,
              currency: view.reactivation?.price.currency ?? null,
            },
          }),
        },
        now,
      );
      if (!result.ok)
        return redirectWith(request, reply, customerUrl(id), {
          kind: "error",
          text: a.refusals[result.reason] ?? result.reason,
        });
      const invoice = await deps.db
        .selectFrom("invoices")
        .select(["total", "currency"])
        .where("id", "=", result.invoice)
        .executeTakeFirstOrThrow();
      const amount = formatMoney({ amount: invoice.total, currency: invoice.currency }, localeOf(request));
      if (result.outcome?.status === "failed")
        return redirectWith(request, reply, customerUrl(id), {
          kind: "error",
          text: a.reactivationDeclined(name, result.invoice, amount, result.outcome.code),
        });
      if (result.expiresAt !== null)
        return redirectWith(request, reply, customerUrl(id), {
          kind: "success",
          text: a.reactivated(name, result.invoice, amount, staffDate(result.expiresAt)),
        });
      return redirectWith(request, reply, customerUrl(id), {
        kind: "info",
        text: a.reactivationPending(name, result.invoice, amount),
      });
    },
  );

  // --- Send a payment link (money) ---------------------------------------------------------------

  const paymentLinkPage = async (
    request: FastifyRequest<InvoiceParams>,
    reply: FastifyReply,
    errors: Record<string, string> = {},
  ) => {
    const { id } = request.params;
    const number = invoiceId(request.params.invoiceId);
    const customer = await customerOrNotFound(id);
    const invoice = await findPayableInvoice(deps, id, number);
    const to = (
      await deps.db
        .selectFrom("customers")
        .select("email")
        .where("id", "=", customer.id)
        .executeTakeFirstOrThrow()
    ).email;
    return sendPage(
      request,
      reply,
      (m) => m.adminCustomers.act.linkTitle(number),
      (ctx) => {
        const a = ctx.m.adminCustomers.act;
        if (!invoice)
          return html`<div class="card"><p role="alert">${a.refusals["not-open"]}</p><p><a href="${customerUrl(id)}">${a.back}</a></p></div>`;
        // The instant this page was shown keys the link: posting it twice sends one e-mail.
        const key = sent(request.method === "POST" ? request.body : {}, "key") || String(options.clock.now());
        return actionPage(ctx, {
          action: customerUrl(id, `/invoices/${number}/payment-link`),
          lines: [a.linkIntro(number, formatMoney(invoice.balance, ctx.locale), to)],
          hidden: { key },
          reason: sent(request.method === "POST" ? request.body : {}, "reason"),
          errors,
          button: a.doLink,
          back: customerUrl(id),
        });
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get<InvoiceParams>(
    "/admin/customers/:id/invoices/:invoiceId/payment-link",
    allow(ROLES.money),
    (request, reply) => paymentLinkPage(request, reply),
  );

  app.post<InvoiceParams>(
    "/admin/customers/:id/invoices/:invoiceId/payment-link",
    allow(ROLES.money),
    async (request, reply) => {
      const { id } = request.params;
      const number = invoiceId(request.params.invoiceId);
      const m = messages(request);
      const a = m.adminCustomers.act;
      await customerOrNotFound(id);
      const form = parseForm(paymentLinkForm, request.body);
      if (!form.ok) return paymentLinkPage(request, reply, fieldErrors(m, form.errors));
      const now = options.clock.now();
      const result = await sendPaymentLink(
        deps,
        {
          customerId: id,
          invoiceId: number,
          baseUrl: options.baseUrl,
          actor: actorOf(request),
          reason: form.value.reason,
          requestKey: form.value.key,
        },
        now,
      );
      if (!result.ok)
        return redirectWith(request, reply, customerUrl(id), {
          kind: "error",
          text: a.refusals[result.reason] ?? result.reason,
        });
      if (!result.queued)
        return redirectWith(request, reply, customerUrl(id), { kind: "info", text: a.linkAlready(number) });
      // Wanted now, not at the worker's next pass (as a password-reset link).
      if (mailer) await deliverPendingNotices(deps.db, mailer, now, { seller: deps.seller });
      const to = (
        await deps.db.selectFrom("customers").select("email").where("id", "=", id).executeTakeFirstOrThrow()
      ).email;
      return redirectWith(request, reply, customerUrl(id), {
        kind: "success",
        text: a.linkSent(number, formatMoney(result.invoice.balance, localeOf(request)), to),
      });
    },
  );
}
