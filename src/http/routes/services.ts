/**
 * The services pages of the client area (seed 000): the dashboard, manage a service, plan details,
 * request (reviewed first, then confirmed) and withdraw a cancellation. Only from the signed-in
 * customer's session; another customer's service (or a domain id) is a 404.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { domainSchedule } from "../../domain/domain-lifecycle.js";
import { legacyFreeApplies } from "../../domain/pricing.js";
import { cancellationEffectiveAt } from "../../domain/subscription-lifecycle.js";
import { type Deps, registrarPolicy } from "../../modules/deps.js";
import { domainPricingFactsOf, findDomains } from "../../modules/domains/domain-repository.js";
import {
  loadDashboard,
  loadServiceDetails,
  loadServiceOverview,
  type ServiceDetails,
} from "../../modules/services/list-services.js";
import { requestCancellation } from "../../modules/services/request-cancellation.js";
import { withdrawCancellation } from "../../modules/services/withdraw-cancellation.js";
import { formatLongDate } from "../../views/format.js";
import type { ServicesMessages } from "../../views/i18n/services.js";
import { dashboardPage } from "../../views/pages/services/dashboard.js";
import { managePage, serviceUrl } from "../../views/pages/services/manage.js";
import {
  type CancelFormState,
  type CancellationConfirmation,
  EMPTY_FORM,
  type LegacyDomains,
  planPage,
  reviewPage,
} from "../../views/pages/services/plan.js";
import { customerOf, type HttpOptions, localeOf, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";

declare module "fastify" {
  interface Session {
    /** What a cancellation request did, shown once on the plan page after the redirect. */
    cancellationConfirmation?: CancellationConfirmation;
  }
}

type Params = { Params: { id: string } };

/** A form field sent once is a string, sent several times an array. */
const asList = (value: unknown): unknown =>
  value === undefined || value === "" ? [] : Array.isArray(value) ? value : [value];

function cancelFormSchema(errors: ServicesMessages["plan"]["errors"]) {
  return z.object({
    reason: z
      .string({ error: errors.reason })
      .trim()
      .min(3, { error: errors.reason })
      .max(1000, { error: errors.reasonTooLong }),
    when: z.enum(["immediate", "end-of-term"], { error: errors.when }),
    stopDomainRenewal: z.preprocess(
      asList,
      z.array(z.string().min(1).max(200), { error: errors.domain }).max(50, { error: errors.domain }),
    ),
  });
}

/** The values as sent, to show the form again with them. */
function sentValues(body: unknown): CancelFormState["values"] {
  const b = (body ?? {}) as Record<string, unknown>;
  return {
    reason: typeof b.reason === "string" ? b.reason : "",
    when: typeof b.when === "string" ? b.when : "",
    stopDomainRenewal: (asList(b.stopDomainRenewal) as unknown[]).filter(
      (v): v is string => typeof v === "string",
    ),
  };
}

/** The legacy free domains registered with the service, with the day their free renewal happens. */
async function legacyDomainsOf(deps: Deps, details: ServiceDetails): Promise<LegacyDomains> {
  const found = await findDomains(
    deps.db,
    details.linkedDomains.map((d) => d.serviceId),
  );
  const domains = [...found.values()];
  const pricing = await domainPricingFactsOf(deps.db, domains);
  const legacy: LegacyDomains = {};
  for (const domain of domains) {
    const facts = pricing.get(domain.serviceId);
    if (!facts || !legacyFreeApplies(facts, deps.policies.pricing)) continue;
    const schedule = domainSchedule(
      domain.expiresAt,
      registrarPolicy(deps, domain.registrar),
      domain.overrides,
    );
    legacy[domain.serviceId] = { renewsAt: schedule.chargeAt };
  }
  return legacy;
}

export function registerServiceRoutes(app: FastifyInstance, options: HttpOptions): void {
  const { deps } = options;

  const renderPlan = async (
    request: FastifyRequest,
    reply: FastifyReply,
    details: ServiceDetails,
    form: CancelFormState = EMPTY_FORM,
    confirmation: CancellationConfirmation | null = null,
  ) => {
    const timeZone = customerOf(request).timeZone;
    const legacy = await legacyDomainsOf(deps, details);
    return sendPage(
      request,
      reply,
      (m) => `${m.services.plan.title} · ${details.service.label}`,
      (ctx) => planPage(ctx, details, { form, confirmation, timeZone, legacy }),
      { status: Object.keys(form.errors).length > 0 ? 400 : 200 },
    );
  };

  app.get("/", async (request, reply) => {
    const customer = customerOf(request);
    const dashboard = await loadDashboard(deps, customer.id, options.clock.now());
    return sendPage(
      request,
      reply,
      (m) => m.services.dashboard.title,
      (ctx) => dashboardPage(ctx, dashboard, customer.timeZone),
    );
  });

  app.get<Params>("/services/:id", async (request, reply) => {
    const customer = customerOf(request);
    const overview = await loadServiceOverview(
      deps,
      { customerId: customer.id, serviceId: request.params.id },
      options.clock.now(),
    );
    return sendPage(request, reply, overview.service.label, (ctx) =>
      managePage(ctx, overview, customer.timeZone),
    );
  });

  app.get<Params>("/services/:id/plan", async (request, reply) => {
    const customer = customerOf(request);
    const details = await loadServiceDetails(deps, { customerId: customer.id, serviceId: request.params.id });
    const confirmation = request.session.cancellationConfirmation;
    const shown = confirmation?.serviceId === details.service.serviceId ? confirmation : null;
    if (shown) request.session.cancellationConfirmation = undefined;
    return renderPlan(request, reply, details, EMPTY_FORM, shown);
  });

  app.post<Params>("/services/:id/cancel", async (request, reply) => {
    const customer = customerOf(request);
    const now = options.clock.now();
    const details = await loadServiceDetails(deps, { customerId: customer.id, serviceId: request.params.id });
    const m = messages(request).services.plan;
    const form = parseForm(cancelFormSchema(m.errors), request.body);
    if (!form.ok) {
      return renderPlan(request, reply, details, { values: sentValues(request.body), errors: form.errors });
    }
    const serviceId = details.service.serviceId;
    if ((request.body as Record<string, unknown> | undefined)?.confirm !== "1") {
      // Nothing is recorded yet: what will happen, and a button to confirm it.
      const live = details.service.status === "active" || details.service.status === "suspended";
      const linked = new Set(details.linkedDomains.map((d) => d.serviceId));
      const stray = form.value.stopDomainRenewal.some((id) => !linked.has(id));
      if (!live || details.pendingCancellation || stray) {
        const reason = details.pendingCancellation
          ? "already-pending"
          : !live
            ? "not-active"
            : "domain-not-linked";
        return redirectWith(request, reply, serviceUrl(serviceId, "/plan"), {
          kind: "error",
          text: m.refusals[reason],
        });
      }
      const review = {
        values: form.value,
        effectiveAt: cancellationEffectiveAt(
          form.value.when,
          now,
          details.service.termEndsAt,
          deps.policies.billing,
        ),
        afterHours: deps.policies.billing.immediateCancellationAfterHours,
        legacy: await legacyDomainsOf(deps, details),
      };
      return sendPage(
        request,
        reply,
        (msgs) => msgs.services.plan.review.title(details.service.label),
        (ctx) => reviewPage(ctx, details, review, customer.timeZone),
      );
    }
    const result = await requestCancellation(
      deps,
      {
        serviceId,
        customerId: customer.id,
        requestedBy: `customer:${customer.id}`,
        request: form.value,
      },
      now,
    );
    const planUrl = serviceUrl(serviceId, "/plan");
    if (!result.ok)
      return redirectWith(request, reply, planUrl, { kind: "error", text: m.refusals[result.reason] });

    const voided = [...result.voided];
    const deferred = [...result.deferred];
    const refunded = [...result.refunded];
    const needsAdjustment = result.needsAdjustment.map((n) => n.invoice);
    const domains: CancellationConfirmation["domains"] = [];
    for (const [domainId, outcome] of Object.entries(result.domains)) {
      const domain = details.linkedDomains.find((d) => d.serviceId === domainId);
      const name = domain?.name ?? domainId;
      if (!outcome.ok) {
        // A legacy free domain has no switch: it lapses with the site (seed 004), and says so.
        domains.push(
          outcome.reason === "legacy-free-renews-automatically"
            ? { name, outcome: "legacy", at: domain?.expiresAt ?? null }
            : { name, outcome: "not-stopped", at: null },
        );
        continue;
      }
      voided.push(...outcome.voided);
      deferred.push(...outcome.deferred);
      refunded.push(...outcome.refunded);
      needsAdjustment.push(...outcome.needsAdjustment.map((n) => n.invoice));
      domains.push(
        outcome.chargeStillDueAt !== null
          ? { name, outcome: "still-charged", at: outcome.chargeStillDueAt }
          : { name, outcome: "stopped", at: domain?.expiresAt ?? null },
      );
    }
    request.session.cancellationConfirmation = {
      serviceId,
      when: form.value.when,
      effectiveAt: result.effectiveAt,
      done: result.effectiveAt <= now,
      voided,
      deferred,
      refunded,
      needsAdjustment,
      domains,
    };
    return reply.redirect(planUrl, 303);
  });

  app.post<Params>("/services/:id/cancellation/withdraw", async (request, reply) => {
    const customer = customerOf(request);
    const now = options.clock.now();
    const details = await loadServiceDetails(deps, { customerId: customer.id, serviceId: request.params.id });
    const serviceId = details.service.serviceId;
    const m = messages(request).services.plan;
    const result = await withdrawCancellation(deps, { serviceId, customerId: customer.id }, now);
    const planUrl = serviceUrl(serviceId, "/plan");
    if (!result.ok)
      return redirectWith(request, reply, planUrl, { kind: "error", text: m.refusals[result.reason] });
    const s = details.service;
    const restored = new Set(result.domainsRestored);
    const renewing = details.linkedDomains.filter((d) => restored.has(d.serviceId)).map((d) => d.name);
    const withdrawn =
      s.status === "active"
        ? m.withdrawnRenews(s.label, formatLongDate(s.termEndsAt, localeOf(request), customer.timeZone))
        : m.withdrawn(s.label);
    return redirectWith(request, reply, planUrl, {
      kind: "success",
      text:
        renewing.length > 0 ? `${withdrawn} ${m.withdrawnDomainsRestored(renewing.join(", "))}` : withdrawn,
    });
  });
}
