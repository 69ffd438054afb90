/**
 * Domains > Domains of seed 000 and the renewal rules of seed 004: the list with its Auto-renew
 * switch and Status column, one domain's page, auto-renew on/off (off is confirmed first; on is
 * confirmed first when it charges at once), reactivation during grace (confirmed first, with the
 * amount), and the transfer code. Each outcome comes back after a 303 as a notice worded on the
 * next domains page; one that charged names the invoice and the amount.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { addYears } from "../../domain/time.js";
import { registrarPolicy } from "../../modules/deps.js";
import { findDomain } from "../../modules/domains/domain-repository.js";
import { findDomainView, listDomains, previewAutoRenewOff } from "../../modules/domains/list-domains.js";
import { reactivateDomain } from "../../modules/domains/reactivate-domain.js";
import { requestTransferOut } from "../../modules/domains/request-transfer-out.js";
import { previewAutoRenewOn, setAutoRenew } from "../../modules/domains/set-auto-renew.js";
import { buildTimeline } from "../../modules/timeline/build-timeline.js";
import { confirmAutoRenewOffPage } from "../../views/pages/domains/confirm-auto-renew.js";
import { confirmAutoRenewOnPage, confirmReactivationPage } from "../../views/pages/domains/confirm-charge.js";
import { domainPage } from "../../views/pages/domains/detail.js";
import { domainsListPage } from "../../views/pages/domains/list.js";
import { type DomainNotice, noticeFlash } from "../../views/pages/domains/notice.js";
import { fmt } from "../../views/pages/domains/parts.js";
import { customerOf, type HttpOptions, localeOf, messages, sendPage } from "../context.js";
import { parseForm, safeNext } from "../forms.js";

declare module "fastify" {
  interface Session {
    /** The outcome of the last domain action, shown once on the next domains page. */
    domainNotice?: DomainNotice;
  }
}

type Params = { Params: { id: string } };

const switchForm = z.object({
  on: z.enum(["0", "1"]),
  confirm: z.literal("1").optional(),
  back: z.string().max(300).optional(),
});
const backForm = z.object({ back: z.string().max(300).optional() });
const confirmForm = z.object({ confirm: z.literal("1").optional() });

/** The form says the customer confirmed what the confirmation page showed. */
function isConfirmed(body: unknown): boolean {
  const form = parseForm(confirmForm, body);
  return form.ok && form.value.confirm === "1";
}

/** Back to the page the form was on: the list or this domain's page, nothing else. */
function backTo(body: unknown, serviceId: string): string {
  const form = parseForm(backForm, body);
  const back = safeNext(form.ok ? form.value.back : undefined);
  return back === "/domains" ? back : `/domains/${encodeURIComponent(serviceId)}`;
}

function redirectWithNotice(request: FastifyRequest, reply: FastifyReply, to: string, notice: DomainNotice) {
  request.session.domainNotice = notice;
  return reply.redirect(to, 303);
}

/** The notice left by the last action, forgotten once taken. */
function takeNotice(request: FastifyRequest): DomainNotice | undefined {
  const notice = request.session.domainNotice;
  if (notice) request.session.domainNotice = undefined;
  return notice;
}

/** A notice worded in the customer's language and time zone, as the page's flash. */
function flashOf(
  request: FastifyRequest,
  reply: FastifyReply,
  timeZone: string,
  notice: DomainNotice | undefined,
) {
  if (!notice) return {};
  const words = { locale: localeOf(request), m: messages(request) };
  return { flash: noticeFlash(words, notice, fmt(words, timeZone), reply.generateCsrf()) };
}

export function registerDomainRoutes(app: FastifyInstance, options: HttpOptions): void {
  const { deps } = options;

  const showDomain = async (
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    extra: { status?: number; notice?: DomainNotice } = {},
  ) => {
    const customer = customerOf(request);
    const now = options.clock.now();
    const view = await findDomainView(deps, { customerId: customer.id, serviceId: request.params.id }, now);
    const timeline = await buildTimeline(deps, view.domain.serviceId, now);
    return sendPage(
      request,
      reply,
      view.domain.name,
      (ctx) => domainPage(ctx, view, timeline, customer.timeZone, now),
      {
        status: extra.status ?? 200,
        ...flashOf(request, reply, customer.timeZone, extra.notice ?? takeNotice(request)),
      },
    );
  };

  app.get("/domains", async (request, reply) => {
    const customer = customerOf(request);
    const views = await listDomains(deps, customer.id, options.clock.now());
    return sendPage(
      request,
      reply,
      (m) => m.domains.title,
      (ctx) => domainsListPage(ctx, views, customer.timeZone),
      flashOf(request, reply, customer.timeZone, takeNotice(request)),
    );
  });

  app.get<Params>("/domains/:id", (request, reply) => showDomain(request, reply));

  app.post<Params>("/domains/:id/auto-renew", async (request, reply) => {
    const customer = customerOf(request);
    const serviceId = request.params.id;
    const now = options.clock.now();
    const form = parseForm(switchForm, request.body);
    if (!form.ok) return showDomain(request, reply, { status: 400, notice: { kind: "bad-switch" } });
    const back = backTo(request.body, serviceId);
    const on = form.value.on === "1";

    if (!on && form.value.confirm !== "1") {
      const preview = await previewAutoRenewOff(deps, { customerId: customer.id, serviceId }, now);
      if (!preview.ok) {
        return redirectWithNotice(request, reply, back, {
          kind: "auto-renew-refused",
          reason: preview.reason,
        });
      }
      if (!preview.alreadyOff) {
        return sendPage(
          request,
          reply,
          (m) => m.domains.confirm.title(preview.domain.name),
          (ctx) => confirmAutoRenewOffPage(ctx, preview, back, customer.timeZone),
        );
      }
    }

    if (on && form.value.confirm !== "1") {
      // Turned back on past its payment date, the renewal is charged at once: say so and ask first.
      const preview = await previewAutoRenewOn(deps, { customerId: customer.id, serviceId }, now);
      if (!preview.ok) {
        return redirectWithNotice(request, reply, back, {
          kind: "auto-renew-refused",
          reason: preview.reason,
        });
      }
      if (preview.chargeNow !== null) {
        const policy = registrarPolicy(deps, preview.domain.registrar);
        const chargeNow = preview.chargeNow;
        return sendPage(
          request,
          reply,
          (m) => m.domains.confirmOn.title(preview.domain.name),
          (ctx) =>
            confirmAutoRenewOnPage(
              ctx,
              {
                serviceId,
                amount: chargeNow.amount,
                cardLabel: chargeNow.cardLabel,
                renewsUntil: addYears(preview.domain.expiresAt, policy.renewalYears),
                back,
              },
              customer.timeZone,
            ),
        );
      }
    }

    const result = await setAutoRenew(deps, { serviceId, on, customerId: customer.id }, now);
    if (!result.ok) {
      return redirectWithNotice(request, reply, back, { kind: "auto-renew-refused", reason: result.reason });
    }
    const domain = await findDomain(deps.db, serviceId);
    const name = domain?.name ?? serviceId;
    if (on)
      return redirectWithNotice(request, reply, back, {
        kind: "auto-renew-on",
        name,
        changed: result.changed,
        charged: result.charged,
      });
    return redirectWithNotice(request, reply, back, {
      kind: "auto-renew-off",
      name,
      changed: result.changed,
      expiresAt: domain?.expiresAt ?? now,
      voided: result.voided,
      deferred: result.deferred,
      refunded: result.refunded,
      needsAdjustment: result.needsAdjustment,
      chargeStillDueAt: result.chargeStillDueAt,
      offLeadDays: domain ? registrarPolicy(deps, domain.registrar).autoRenewOffLeadDays : 1,
    });
  });

  app.post<Params>("/domains/:id/reactivate", async (request, reply) => {
    const customer = customerOf(request);
    const serviceId = request.params.id;
    const back = backTo(request.body, serviceId);
    const now = options.clock.now();
    if (!isConfirmed(request.body)) {
      // It charges the card: say how much, on which card, until when, and ask first.
      const view = await findDomainView(deps, { customerId: customer.id, serviceId }, now);
      const r = view.reactivation;
      if (r === null) {
        return redirectWithNotice(request, reply, back, {
          kind: "reactivation-refused",
          reason: "not-in-grace",
        });
      }
      const policy = registrarPolicy(deps, view.domain.registrar);
      const name = view.domain.name;
      return sendPage(
        request,
        reply,
        (m) =>
          r.window === "restore"
            ? m.domains.confirmReactivate.titleRestore(name)
            : m.domains.confirmReactivate.title(name),
        (ctx) =>
          confirmReactivationPage(
            ctx,
            {
              serviceId,
              window: r.window,
              amount: r.price,
              cardLabel: customer.cardLabel,
              renewsUntil: addYears(view.domain.expiresAt, policy.renewalYears),
              autoRenew: view.domain.autoRenew,
              back,
            },
            customer.timeZone,
          ),
      );
    }
    const result = await reactivateDomain(deps, { serviceId, customerId: customer.id }, now);
    let notice: DomainNotice;
    if (!result.ok) notice = { kind: "reactivation-refused", reason: result.reason };
    else {
      const paid = { invoice: result.invoice, amount: result.amount };
      if (result.outcome?.status === "failed")
        notice = { kind: "reactivation-declined", code: result.outcome.code, ...paid };
      else if (result.expiresAt !== null) {
        const domain = await findDomain(deps.db, serviceId);
        notice = {
          kind: "reactivated",
          expiresAt: result.expiresAt,
          ...paid,
          offerAutoRenew: domain && !domain.autoRenew ? { serviceId, back } : null,
        };
      } else if (result.outcome === null) notice = { kind: "reactivation-pending", ...paid };
      else notice = { kind: "reactivation-processing", ...paid };
    }
    return redirectWithNotice(request, reply, back, notice);
  });

  app.post<Params>("/domains/:id/transfer-code", async (request, reply) => {
    const customer = customerOf(request);
    const serviceId = request.params.id;
    const result = await requestTransferOut(
      deps,
      { serviceId, customerId: customer.id },
      options.clock.now(),
    );
    const to = `/domains/${encodeURIComponent(serviceId)}`;
    if (result.ok) {
      const domain = await findDomain(deps.db, serviceId);
      return redirectWithNotice(request, reply, to, {
        kind: "transfer-code",
        name: domain?.name ?? serviceId,
        code: result.authCode,
      });
    }
    return redirectWithNotice(
      request,
      reply,
      to,
      result.reason === "transfer-locked"
        ? { kind: "transfer-locked", until: result.until }
        : { kind: "transfer-not-active" },
    );
  });
}
