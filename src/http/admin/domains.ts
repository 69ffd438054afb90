/**
 * Back office: one domain's page (what the pure rules compute for it, its invoices, its timeline
 * and its audit trail) and the overrides staff may grant it, each with a required reason, audited
 * and shown on the timeline (src/modules/domains/domain-overrides.ts):
 *
 * - extend the grace period, mark the contact e-mail verified, lift the transfer lock: ROLES.care
 *   (support handles domains);
 * - waive the restore fee: ROLES.money. It changes what the customer is charged, which is billing's
 *   call; support, who moves no money, cannot.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import {
  type DomainOverrideRequest,
  domainSchedule,
  graceExtensionLimit,
  overrideRefusal,
  restoreFeeOf,
  transferAllowedFrom,
} from "../../domain/domain-lifecycle.js";
import { formatMoney } from "../../domain/money.js";
import { ROLES, type StaffRole } from "../../domain/staff-roles.js";
import { addDays, type Instant } from "../../domain/time.js";
import { registrarPolicy } from "../../modules/deps.js";
import { grantDomainOverride, type OverrideKind } from "../../modules/domains/domain-overrides.js";
import { type DomainRecord, findDomain, quoteRenewal } from "../../modules/domains/domain-repository.js";
import { listAudit } from "../../modules/staff/audit-log.js";
import { buildTimeline } from "../../modules/timeline/build-timeline.js";
import { staffDate } from "../../views/admin/admin-format.js";
import { auditTrail } from "../../views/admin/audit-trail.js";
import { html, type SafeHtml } from "../../views/html.js";
import { csrfField } from "../../views/layout.js";
import { renderTimeline } from "../../views/pages/timeline.js";
import { type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow, staffOf } from "./admin-guard.js";

type Params = { Params: { id: string } };

const reason = z.string().trim().min(1).max(1000);
const reasonForm = z.object({ reason });
const extendForm = z.object({
  reason,
  days: z
    .string()
    .trim()
    .regex(/^\d{1,4}$/),
});

/** Who may grant each override. */
export const OVERRIDE_ROLES: Record<OverrideKind, readonly StaffRole[]> = {
  "extend-grace": ROLES.care,
  "waive-restore-fee": ROLES.money,
  "verify-email": ROLES.care,
  "lift-transfer-lock": ROLES.care,
};

const PATHS: Record<OverrideKind, string> = {
  "extend-grace": "extend-grace",
  "waive-restore-fee": "waive-restore-fee",
  "verify-email": "verify-email",
  "lift-transfer-lock": "lift-transfer-lock",
};

/** A form shown again: which one, and what was wrong with it. */
interface FormError {
  kind: OverrideKind;
  reason?: string;
  days?: string;
  /** The domain's state refuses it (already done, grace over…). */
  refusal?: string;
  typed?: { reason?: string; days?: string };
}

async function loadDomain(options: HttpOptions, id: string): Promise<DomainRecord> {
  const domain = await findDomain(options.deps.db, id);
  if (!domain) throw new AppError("NOT_FOUND", "Domain not found.");
  return domain;
}

export function registerAdminDomainRoutes(app: FastifyInstance, options: HttpOptions): void {
  const { deps } = options;

  const domainPage = async (
    request: FastifyRequest<Params>,
    reply: FastifyReply,
    error: FormError | null = null,
    status = 200,
  ) => {
    const domain = await loadDomain(options, request.params.id);
    const now = options.clock.now();
    const policy = registrarPolicy(deps, domain.registrar);
    const schedule = domainSchedule(domain.expiresAt, policy, domain.overrides);
    const quote = await quoteRenewal(deps, deps.db, domain).catch((e: unknown) => {
      if (e instanceof AppError && e.code === "CONFLICT") return null;
      throw e;
    });
    const currency = quote?.price.currency ?? domain.recordedPrice.currency;
    const fee = restoreFeeOf(policy, currency);
    const transferFrom = transferAllowedFrom(
      domain.lockStartAt,
      policy,
      domain.overrides.transferLockLiftedAt,
    );
    const [invoices, timeline, audit] = await Promise.all([
      deps.db
        .selectFrom("invoices")
        .select(["id", "purpose", "status", "total", "currency", "issued_at"])
        .where("service_id", "=", domain.serviceId)
        .orderBy("id", "desc")
        .limit(100)
        .execute(),
      buildTimeline(deps, domain.serviceId, now),
      listAudit(deps.db, { objectType: "domain", objectId: domain.serviceId }),
    ]);
    const role = staffOf(request).role;
    const left = graceExtensionLimit(policy) - domain.overrides.graceExtensionDays;
    const can = (kind: OverrideKind) => OVERRIDE_ROLES[kind].includes(role);
    const refusalOf = (r: DomainOverrideRequest) => overrideRefusal(domain, r, policy, now);

    return sendPage(
      request,
      reply,
      (m) => m.adminDomains.pageTitle(domain.name),
      (ctx) => {
        const d = ctx.m.adminDomains;
        const money = (amount: number) => formatMoney({ amount, currency }, ctx.locale);
        const redemption =
          schedule.redemptionStartsAt === null
            ? d.noRedemption
            : d.redemptionSpan(
                staffDate(schedule.redemptionStartsAt),
                staffDate(addDays(schedule.pendingDeleteStartsAt ?? schedule.releaseAt, -1)),
              );
        const lock =
          now < transferFrom
            ? d.lockedUntil(staffDate(transferFrom))
            : d.unlockedSince(staffDate(transferFrom));
        const lifted = domain.overrides.transferLockLiftedAt;
        const facts = html`<section class="card"><dl class="facts facts-wrap">
          <dt>${d.customer}</dt><dd><a href="/admin/customers/${encodeURIComponent(domain.customerId)}">${domain.customerId}</a></dd>
          <dt>${d.registrar}</dt><dd>${domain.registrar}</dd>
          <dt>${d.status}</dt><dd><span class="badge badge-${domain.status}" data-testid="domain-status">${d.statuses[domain.status] ?? domain.status}</span></dd>
          <dt>${d.registered}</dt><dd>${staffDate(domain.registeredAt)}</dd>
          <dt>${d.expires}</dt><dd>${staffDate(domain.expiresAt)}</dd>
          <dt>${d.autoRenew}</dt><dd>${domain.autoRenew ? d.on : d.off}</dd>
          <dt>${d.renewalPrice}</dt><dd>${quote ? formatMoney(quote.price, ctx.locale) : d.noPrice}</dd>
          <dt>${d.email}</dt><dd>${domain.emailVerified ? d.verified : d.notVerified}</dd>
          <dt>${d.transferLock}</dt><dd data-testid="transfer-lock">${lock}${lifted !== null && lifted >= domain.lockStartAt ? html` (${d.liftedAt(staffDate(lifted))})` : ""}</dd>
          <dt>${d.graceEnds}</dt><dd data-testid="grace-ends">${staffDate(schedule.graceEndsAt)}${
            domain.overrides.graceExtensionDays > 0
              ? html` (${d.extendedBy(domain.overrides.graceExtensionDays)})`
              : ""
          }</dd>
          <dt>${d.redemption}</dt><dd>${redemption}</dd>
          <dt>${d.release}</dt><dd>${staffDate(schedule.releaseAt)}</dd>
          ${
            policy.redemption
              ? html`<dt>${d.restoreFee}</dt><dd data-testid="restore-fee">${
                  domain.overrides.restoreFeeWaived
                    ? html`<s>${fee === undefined ? "—" : money(fee)}</s> ${d.waived}`
                    : fee === undefined
                      ? "—"
                      : money(fee)
                }</dd>`
              : ""
          }
        </dl></section>`;

        const overrideForm = (
          kind: OverrideKind,
          title: string,
          button: string,
          extra: SafeHtml | string = "",
        ) => {
          const mine = error?.kind === kind ? error : null;
          const id = `${kind}-reason`;
          return html`<section class="card" id="${kind}"><h3>${title}</h3>
            ${mine?.refusal ? html`<p class="field-error" role="alert">${mine.refusal}</p>` : ""}
            <form method="post" action="/admin/domains/${encodeURIComponent(domain.serviceId)}/${PATHS[kind]}" class="stack">${csrfField(ctx)}
              ${extra}
              <div><label for="${id}">${d.reason}</label><textarea id="${id}" name="reason" required maxlength="1000">${mine?.typed?.reason ?? ""}</textarea>${mine?.reason ? html`<p class="field-error">${mine.reason}</p>` : ""}</div>
              <div class="actions"><button type="submit">${button}</button></div>
            </form></section>`;
        };

        const forms: SafeHtml[] = [];
        const show = (kind: OverrideKind, r: DomainOverrideRequest) =>
          can(kind) && (refusalOf(r) === null || error?.kind === kind);
        if (can("extend-grace")) {
          const refusal = refusalOf({ kind: "extend-grace", days: 1 });
          if (refusal === null || error?.kind === "extend-grace") {
            const mine = error?.kind === "extend-grace" ? error : null;
            forms.push(
              overrideForm(
                "extend-grace",
                d.extendGrace.title,
                d.extendGrace.button,
                html`<div><label for="extend-grace-days">${d.extendGrace.days(Math.max(0, left))}</label><input id="extend-grace-days" name="days" type="text" inputmode="numeric" pattern="[0-9]*" required value="${mine?.typed?.days ?? ""}">${mine?.days ? html`<p class="field-error">${mine.days}</p>` : ""}</div>`,
              ),
            );
          } else if (refusal === "days-out-of-range") {
            forms.push(
              html`<section class="card"><h3>${d.extendGrace.title}</h3><p class="muted">${d.extendGrace.none}</p></section>`,
            );
          }
        }
        if (show("waive-restore-fee", { kind: "waive-restore-fee" })) {
          forms.push(
            overrideForm(
              "waive-restore-fee",
              d.waiveFee.title,
              d.waiveFee.button,
              html`<p>${d.waiveFee.text(fee === undefined ? "—" : money(fee))}</p>`,
            ),
          );
        } else if (!can("waive-restore-fee") && refusalOf({ kind: "waive-restore-fee" }) === null) {
          forms.push(
            html`<section class="card"><h3>${d.waiveFee.title}</h3><p class="muted">${d.waiveFee.moneyOnly}</p></section>`,
          );
        }
        if (show("verify-email", { kind: "verify-email" }))
          forms.push(overrideForm("verify-email", d.verifyEmail.title, d.verifyEmail.button));
        if (show("lift-transfer-lock", { kind: "lift-transfer-lock" }))
          forms.push(overrideForm("lift-transfer-lock", d.liftLock.title, d.liftLock.button));
        const canAny = (Object.keys(OVERRIDE_ROLES) as OverrideKind[]).some(can);

        const invoiceTable =
          invoices.length === 0
            ? html`<p class="muted">${d.noInvoices}</p>`
            : html`<table class="responsive"><thead><tr><th>${d.invoice}</th><th>${d.purpose}</th><th>${d.invoiceStatus}</th><th>${d.total}</th><th>${d.issued}</th></tr></thead><tbody>
              ${invoices.map(
                (i) => html`<tr>
                  <td data-label="${d.invoice}">#${i.id}</td>
                  <td data-label="${d.purpose}">${d.purposes[i.purpose] ?? i.purpose}</td>
                  <td data-label="${d.invoiceStatus}"><span class="badge badge-${i.status}">${d.invoiceStatuses[i.status] ?? i.status}</span></td>
                  <td data-label="${d.total}">${formatMoney({ amount: Number(i.total), currency: i.currency }, ctx.locale)}</td>
                  <td data-label="${d.issued}">${staffDate(Number(i.issued_at))}</td>
                </tr>`,
              )}</tbody></table>`;

        return html`${facts}
          <section><h2>${d.overrides}</h2>
            ${canAny ? html`<p class="muted">${d.overridesIntro}</p>` : html`<p class="muted">${d.notAllowed}</p>`}
            ${forms}
          </section>
          <section class="card"><h2>${d.invoices}</h2>${invoiceTable}</section>
          ${renderTimeline(ctx, timeline, "UTC")}
          ${auditTrail(ctx.m, audit)}`;
      },
      { status },
    );
  };

  app.get<Params>("/admin/domains/:id", allow(ROLES.anyStaff), (request, reply) =>
    domainPage(request, reply),
  );

  const grant = async (request: FastifyRequest<Params>, reply: FastifyReply, kind: OverrideKind) => {
    const d = messages(request).adminDomains;
    // Unknown ids are a 404 whatever the form says.
    const domain = await loadDomain(options, request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const typed = {
      reason: typeof body.reason === "string" ? body.reason : "",
      days: typeof body.days === "string" ? body.days : "",
    };
    const policy = registrarPolicy(deps, domain.registrar);
    const left = Math.max(0, graceExtensionLimit(policy) - domain.overrides.graceExtensionDays);
    let overrideRequest: DomainOverrideRequest;
    let reasonText: string;
    if (kind === "extend-grace") {
      const form = parseForm(extendForm, body);
      if (!form.ok) {
        return domainPage(
          request,
          reply,
          {
            kind,
            typed,
            ...(form.errors.reason ? { reason: d.reasonRequired } : {}),
            ...(form.errors.days ? { days: d.daysInvalid(left) } : {}),
          },
          400,
        );
      }
      overrideRequest = { kind, days: Number(form.value.days) };
      reasonText = form.value.reason;
    } else {
      const form = parseForm(reasonForm, body);
      if (!form.ok) return domainPage(request, reply, { kind, typed, reason: d.reasonRequired }, 400);
      overrideRequest = { kind } as DomainOverrideRequest;
      reasonText = form.value.reason;
    }
    const now = options.clock.now();
    const outcome = await grantDomainOverride(
      deps,
      { serviceId: domain.serviceId, request: overrideRequest, reason: reasonText, actor: actorOf(request) },
      now,
    );
    if (!outcome.ok) {
      if (outcome.reason === "days-out-of-range")
        return domainPage(request, reply, { kind, typed, days: d.daysInvalid(outcome.limit ?? left) }, 400);
      return domainPage(
        request,
        reply,
        { kind, typed, refusal: d.refusals[outcome.reason] ?? outcome.reason },
        409,
      );
    }
    const text = flashText(d, overrideRequest, outcome);
    return redirectWith(request, reply, `/admin/domains/${encodeURIComponent(domain.serviceId)}`, {
      kind: "success",
      text,
    });
  };

  for (const kind of Object.keys(PATHS) as OverrideKind[]) {
    app.post<Params>(`/admin/domains/:id/${PATHS[kind]}`, allow(OVERRIDE_ROLES[kind]), (request, reply) =>
      grant(request, reply, kind),
    );
  }
}

function flashText(
  d: ReturnType<typeof messages>["adminDomains"],
  request: DomainOverrideRequest,
  outcome: { graceEndsAt?: Instant; voidedInvoice?: number; unsuspended?: boolean },
): string {
  switch (request.kind) {
    case "extend-grace":
      return d.extendGrace.done(request.days, staffDate(outcome.graceEndsAt ?? null));
    case "waive-restore-fee":
      return outcome.voidedInvoice !== undefined
        ? d.waiveFee.doneVoided(outcome.voidedInvoice)
        : d.waiveFee.done;
    case "verify-email":
      return outcome.unsuspended ? d.verifyEmail.doneUnsuspended : d.verifyEmail.done;
    case "lift-transfer-lock":
      return d.liftLock.done;
  }
}
