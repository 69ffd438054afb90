/**
 * Plan details (seed 000): the plan, its price and term, and the cancellation: the request form
 * (short reason, immediate or at the end of the contract, stop the renewal of the domains
 * registered with the service), or the pending cancellation with its date and a Withdraw button,
 * or the fact that the service is cancelled or terminated. Sending the form first shows what will
 * happen (what stops and when, what is not refunded, each domain's fate) and asks to confirm
 * (reviewPage); after the request, the confirmation says what was done.
 */
import { formatMoney, type Money } from "../../../domain/money.js";
import type { LinkedDomain, ServiceDetails } from "../../../modules/services/list-services.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { gearMenu, serviceUrl } from "./manage.js";
import { dateTime, day, dayTag, kindName, planName, planPrice, stateBadge } from "./parts.js";

/** What the confirmation shows; kept in the session between the POST and the page (JSON only). */
export interface CancellationConfirmation {
  serviceId: string;
  when: "immediate" | "end-of-term";
  effectiveAt: number;
  /** Already carried out (an immediate cancellation with no delay). */
  done: boolean;
  voided: number[];
  /** Voided once the payment in flight for it is settled. */
  deferred: number[];
  /** Payments that went through while their invoice was being voided, given back. */
  refunded: { invoice: number; amount: Money }[];
  needsAdjustment: number[];
  domains: {
    name: string;
    /** "legacy": a legacy free domain, which cannot be stopped: it lapses with the site (seed 004). */
    outcome: "stopped" | "still-charged" | "not-stopped" | "legacy";
    at: number | null;
  }[];
}

/**
 * The legacy free domains registered with the service (seed 004): no auto-renew switch, they renew
 * free while the site stays active on a yearly plan. By id: when their free renewal would happen.
 */
export type LegacyDomains = Record<string, { renewsAt: number }>;

export interface CancelFormState {
  values: { reason: string; when: string; stopDomainRenewal: string[] };
  errors: Record<string, string>;
}

export const EMPTY_FORM: CancelFormState = {
  values: { reason: "", when: "", stopDomainRenewal: [] },
  errors: {},
};

const isLive = (d: LinkedDomain) => d.status === "active" || d.status === "suspended";

/** Domains whose renewal the form can stop: registered with the service, live, auto-renew on, not legacy free. */
export function stoppableDomains(details: ServiceDetails, legacy: LegacyDomains = {}): LinkedDomain[] {
  return details.linkedDomains.filter((d) => d.autoRenew && isLive(d) && legacy[d.serviceId] === undefined);
}

function refundNote(ctx: PageContext, serviceId: string): SafeHtml {
  const p = ctx.m.services.plan;
  return html`<p>${p.refunds} <a href="/requests/new?kind=refund&amp;service=${encodeURIComponent(serviceId)}">${p.refundLink}</a></p>`;
}

function confirmationBox(
  ctx: PageContext,
  details: ServiceDetails,
  c: CancellationConfirmation,
  timeZone: string,
): SafeHtml {
  const p = ctx.m.services.plan;
  const label = details.service.label;
  const what =
    c.when === "immediate"
      ? c.done
        ? p.confirmImmediateDone(label, dateTime(ctx, c.effectiveAt, timeZone))
        : p.confirmImmediate(label, dateTime(ctx, c.effectiveAt, timeZone))
      : p.confirmEndOfTerm(label, day(ctx, c.effectiveAt, timeZone));
  const lines: SafeHtml[] = [html`<li>${what}</li>`];
  if (c.voided.length > 0) lines.push(html`<li>${p.confirmVoided(c.voided)}</li>`);
  for (const r of c.refunded)
    lines.push(html`<li>${p.confirmRefunded(r.invoice, formatMoney(r.amount, ctx.locale))}</li>`);
  for (const n of c.deferred) lines.push(html`<li>${p.confirmDeferred(n)}</li>`);
  for (const n of c.needsAdjustment) {
    lines.push(
      html`<li>${p.confirmNeedsAdjustment(n)}: <a href="/requests/new?kind=invoice-adjustment&amp;invoice=${n}">${p.adjustmentLink(n)}</a></li>`,
    );
  }
  for (const d of c.domains) {
    const at = d.at === null ? "" : day(ctx, d.at, timeZone);
    lines.push(
      html`<li>${
        d.outcome === "stopped"
          ? p.confirmDomainStopped(d.name, at)
          : d.outcome === "still-charged"
            ? p.confirmDomainStillCharged(d.name, at)
            : d.outcome === "legacy"
              ? p.confirmDomainLegacy(d.name, at)
              : p.confirmDomainNotStopped(d.name)
      }</li>`,
    );
  }
  return html`<section class="flash flash-success confirmation" role="status" aria-labelledby="confirm-title">
    <h2 id="confirm-title">${p.confirmTitle}</h2>
    <ul>${lines}</ul>
    ${refundNote(ctx, details.service.serviceId)}
  </section>`;
}

function fieldError(id: string, message: string | undefined): SafeHtml {
  return message ? html`<p class="field-error" id="${id}-error">${message}</p>` : html``;
}

function cancelForm(
  ctx: PageContext,
  details: ServiceDetails,
  form: CancelFormState,
  timeZone: string,
  legacy: LegacyDomains,
) {
  const p = ctx.m.services.plan;
  const s = details.service;
  const { values, errors } = form;
  const domains = stoppableDomains(details, legacy);
  const legacyNotes = details.linkedDomains
    .filter((d) => isLive(d) && legacy[d.serviceId] !== undefined)
    .map((d) => html`<p class="hint">${p.legacyNote(d.name, day(ctx, d.expiresAt, timeZone))}</p>`);
  const hasErrors = Object.keys(errors).length > 0;
  const invalid = (field: string) =>
    errors[field] ? html`aria-invalid="true" aria-describedby="${field}-error"` : "";
  const radio = (value: string, id: string, label: string, hint: string) =>
    html`<div class="choice"><input type="radio" id="${id}" name="when" value="${value}" required ${values.when === value ? "checked" : ""} ${invalid("when")}>
      <label for="${id}">${label} <span class="hint">(${hint})</span></label></div>`;
  return html`<form method="post" action="${serviceUrl(s.serviceId, "/cancel")}" class="stack" novalidate>
    ${csrfField(ctx)}
    ${hasErrors ? html`<p class="field-error" role="alert">${p.errors.form}</p>` : ""}
    <p>${p.intro}</p>
    <div>
      <label for="reason">${p.reason} <span class="hint">${p.reasonHint}</span></label>
      <textarea id="reason" name="reason" maxlength="1000" required ${invalid("reason")}>${values.reason}</textarea>
      ${fieldError("reason", errors.reason)}
    </div>
    <fieldset>
      <legend>${p.when}</legend>
      ${radio("immediate", "when-immediate", p.immediate, p.immediateHint)}
      ${radio("end-of-term", "when-end-of-term", p.endOfTerm, p.endOfTermHint(day(ctx, s.termEndsAt, timeZone)))}
      ${fieldError("when", errors.when)}
    </fieldset>
    ${
      domains.length > 0
        ? html`<fieldset>
            <legend>${p.domainsLegend}</legend>
            ${domains.map(
              (
                d,
                i,
              ) => html`<div class="choice"><input type="checkbox" id="stop-domain-${i}" name="stopDomainRenewal" value="${d.serviceId}" ${values.stopDomainRenewal.includes(d.serviceId) ? "checked" : ""}>
                <label for="stop-domain-${i}">${p.stopDomain(d.name)} <span class="hint">(${p.stopDomainHint(day(ctx, d.expiresAt, timeZone))})</span></label></div>`,
            )}
            ${fieldError("stopDomainRenewal", errors.stopDomainRenewal)}
          </fieldset>`
        : ""
    }
    ${legacyNotes}
    <div class="actions"><button type="submit" class="danger">${p.submit}</button>
      <a href="${serviceUrl(s.serviceId)}">${p.keep}</a></div>
  </form>`;
}

function cancellationSection(
  ctx: PageContext,
  details: ServiceDetails,
  form: CancelFormState,
  timeZone: string,
  legacy: LegacyDomains,
): SafeHtml {
  const p = ctx.m.services.plan;
  const s = details.service;
  const pending = details.pendingCancellation;
  if (pending) {
    return html`<section class="card" aria-labelledby="cancel-title">
      <h2 id="cancel-title">${p.pendingTitle}</h2>
      <p><strong>${
        pending.when === "immediate"
          ? p.pendingImmediate(dateTime(ctx, pending.effectiveAt, timeZone))
          : p.pendingEndOfTerm(day(ctx, pending.effectiveAt, timeZone))
      }</strong></p>
      <p class="muted">${p.requestedOn(day(ctx, pending.requestedAt, timeZone))}</p>
      <dl class="facts"><dt>${p.yourReason}</dt><dd>${pending.reason}</dd></dl>
      <p>${p.withdrawHint}</p>
      <form method="post" action="${serviceUrl(s.serviceId, "/cancellation/withdraw")}" class="actions">
        ${csrfField(ctx)}<button type="submit">${p.withdraw}</button>
      </form>
      ${refundNote(ctx, s.serviceId)}
    </section>`;
  }
  if (s.status === "cancelled" || s.status === "terminated") {
    const text =
      s.status === "terminated"
        ? p.terminated
        : details.cancelledAt !== null
          ? p.cancelledOn(day(ctx, details.cancelledAt, timeZone))
          : p.cancelled;
    return html`<section class="card" aria-labelledby="cancel-title">
      <h2 id="cancel-title">${p.requestTitle}</h2>
      <p>${text}</p>
      ${s.status === "cancelled" ? refundNote(ctx, s.serviceId) : ""}
    </section>`;
  }
  return html`<section class="card" aria-labelledby="cancel-title">
    <h2 id="cancel-title">${p.requestTitle}</h2>
    ${cancelForm(ctx, details, form, timeZone, legacy)}
  </section>`;
}

export function planPage(
  ctx: PageContext,
  details: ServiceDetails,
  options: {
    form: CancelFormState;
    confirmation: CancellationConfirmation | null;
    timeZone: string;
    legacy?: LegacyDomains;
  },
): SafeHtml {
  const m = ctx.m.services.manage;
  const p = ctx.m.services.plan;
  const s = details.service;
  const { timeZone } = options;
  const live = s.status === "active" || s.status === "suspended";
  return html`${options.confirmation ? confirmationBox(ctx, details, options.confirmation, timeZone) : ""}
  <div class="service-bar">
    <p><a href="${serviceUrl(s.serviceId)}">← ${p.back}</a></p>
    ${gearMenu(ctx, s.serviceId)}
  </div>
  <section class="card" aria-labelledby="plan-title">
    <h2 id="plan-title">${s.label}</h2>
    <dl class="facts">
      <dt>${m.kind}</dt><dd>${kindName(ctx, s.kind)}</dd>
      <dt>${m.plan}</dt><dd>${planName(ctx, s.plan)}</dd>
      <dt>${m.price}</dt><dd>${planPrice(ctx, s.plan, { amount: s.price, currency: s.currency })}</dd>
      <dt>${m.state}</dt><dd>${stateBadge(ctx, s.status)}</dd>
      ${live ? html`<dt>${m.termEnds}</dt><dd>${dayTag(ctx, s.termEndsAt, timeZone)}</dd>` : ""}
    </dl>
    ${live && !details.pendingCancellation ? html`<p>${p.renewsOn(day(ctx, s.termEndsAt, timeZone))}</p>` : ""}
  </section>
  ${cancellationSection(ctx, details, options.form, timeZone, options.legacy ?? {})}`;
}

/** What the request will do, from the form as sent: shown before anything is recorded. */
export interface CancellationReview {
  values: { reason: string; when: "immediate" | "end-of-term"; stopDomainRenewal: string[] };
  effectiveAt: number;
  /** billing.immediateCancellationAfterHours: how long an immediate request stays withdrawable. */
  afterHours: number;
  legacy: LegacyDomains;
}

/** Cancelling asks first (house rule): what stops and when, what is not refunded, each domain's fate. */
export function reviewPage(
  ctx: PageContext,
  details: ServiceDetails,
  review: CancellationReview,
  timeZone: string,
): SafeHtml {
  const p = ctx.m.services.plan;
  const r = p.review;
  const s = details.service;
  const { values } = review;
  const lines: SafeHtml[] = [
    html`<li>${
      values.when === "immediate"
        ? r.immediate(s.label, dateTime(ctx, review.effectiveAt, timeZone), review.afterHours)
        : r.endOfTerm(s.label, day(ctx, review.effectiveAt, timeZone))
    }</li>`,
    html`<li>${values.when === "immediate" ? r.notRefundedImmediate(day(ctx, s.termEndsAt, timeZone)) : r.notRefundedEndOfTerm}</li>`,
  ];
  for (const d of details.linkedDomains.filter(isLive)) {
    const expires = day(ctx, d.expiresAt, timeZone);
    const legacy = review.legacy[d.serviceId];
    if (legacy !== undefined) {
      lines.push(
        html`<li>${
          review.effectiveAt <= legacy.renewsAt
            ? r.legacyLapses(d.name, expires)
            : r.legacyRenewsFirst(d.name, day(ctx, legacy.renewsAt, timeZone))
        }</li>`,
      );
    } else if (values.stopDomainRenewal.includes(d.serviceId)) {
      lines.push(html`<li>${r.domainStops(d.name, expires)}</li>`);
    } else if (d.autoRenew) {
      lines.push(html`<li>${r.domainKeeps(d.name)}</li>`);
    }
  }
  const hidden = [
    html`<input type="hidden" name="reason" value="${values.reason}">`,
    html`<input type="hidden" name="when" value="${values.when}">`,
    ...values.stopDomainRenewal.map(
      (id) => html`<input type="hidden" name="stopDomainRenewal" value="${id}">`,
    ),
  ];
  return html`<section class="card warning" aria-labelledby="review-title">
    <h2 id="review-title">${p.requestTitle}</h2>
    <ul>${lines}</ul>
    <dl class="facts"><dt>${p.yourReason}</dt><dd>${values.reason}</dd></dl>
    <form method="post" action="${serviceUrl(s.serviceId, "/cancel")}" class="actions">
      ${csrfField(ctx)}${hidden}<input type="hidden" name="confirm" value="1">
      <button type="submit" class="danger">${r.submit}</button>
      <a class="button secondary" href="${serviceUrl(s.serviceId, "/plan")}">${r.keep}</a>
    </form>
  </section>`;
}
