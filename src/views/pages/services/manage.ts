/**
 * Manage a service (seed 000): its details, the gear menu with "Plan details", the domains
 * registered with it, and its timeline.
 */

import type { ServiceDetails } from "../../../modules/services/list-services.js";
import type { Timeline } from "../../../modules/timeline/build-timeline.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";
import { renderTimeline } from "../timeline.js";
import { dateTime, day, dayTag, kindName, pendingBadge, planName, planPrice, stateBadge } from "./parts.js";

export function serviceUrl(serviceId: string, rest = ""): string {
  return `/services/${encodeURIComponent(serviceId)}${rest}`;
}

/** The gear menu: a <details> that works without JavaScript, labelled for screen readers. */
export function gearMenu(ctx: PageContext, serviceId: string): SafeHtml {
  const m = ctx.m.services.manage;
  const planHref = serviceUrl(serviceId, "/plan");
  return html`<details class="gear">
    <summary aria-label="${m.settings}" title="${m.settings}"><span aria-hidden="true">⚙</span></summary>
    <ul>
      <li><a href="${planHref}" ${ctx.path === planHref ? html`aria-current="page"` : ""}>${m.planDetails}</a></li>
    </ul>
  </details>`;
}

export function detailsFacts(ctx: PageContext, details: ServiceDetails, timeZone: string): SafeHtml {
  const m = ctx.m.services.manage;
  const s = details.service;
  const p = details.pendingCancellation;
  const live = s.status === "active" || s.status === "suspended";
  return html`<dl class="facts">
    <dt>${m.label}</dt><dd>${s.label}</dd>
    <dt>${m.kind}</dt><dd>${kindName(ctx, s.kind)}</dd>
    <dt>${m.plan}</dt><dd>${planName(ctx, s.plan)}</dd>
    <dt>${m.price}</dt><dd>${planPrice(ctx, s.plan, { amount: s.price, currency: s.currency })}</dd>
    <dt>${m.state}</dt><dd>${stateBadge(ctx, s.status)}${p ? html` ${pendingBadge(ctx)}` : ""}</dd>
    ${live && p ? html`<dt>${m.termEnds}</dt><dd>${dayTag(ctx, s.termEndsAt, timeZone)}</dd>` : ""}
    ${live && !p ? html`<dt>${m.nextDue}</dt><dd>${dayTag(ctx, s.termEndsAt, timeZone)}</dd>` : ""}
    ${
      p
        ? html`<dt>${m.cancellation}</dt><dd>${
            p.when === "immediate"
              ? m.pendingImmediate(dateTime(ctx, p.effectiveAt, timeZone))
              : m.pendingEndOfTerm(day(ctx, p.effectiveAt, timeZone))
          }</dd>`
        : ""
    }
  </dl>`;
}

export function managePage(
  ctx: PageContext,
  details: ServiceDetails & { timeline: Timeline },
  timeZone: string,
): SafeHtml {
  const m = ctx.m.services.manage;
  const s = details.service;
  return html`<div class="service-bar">
    <p class="muted">${kindName(ctx, s.kind)}</p>
    ${gearMenu(ctx, s.serviceId)}
  </div>
  <section class="card" aria-labelledby="details-title">
    <h2 id="details-title">${m.details}</h2>
    ${detailsFacts(ctx, details, timeZone)}
    <p class="actions"><a class="button secondary" href="${serviceUrl(s.serviceId, "/plan")}">${m.planDetails}</a></p>
  </section>
  ${
    details.linkedDomains.length > 0
      ? html`<section class="card" aria-labelledby="domains-title">
          <h2 id="domains-title">${m.linkedDomains}</h2>
          <ul>${details.linkedDomains.map(
            (d) => html`<li><a href="/domains/${encodeURIComponent(d.serviceId)}">${d.name}</a>
              ${stateBadge(ctx, d.status)} <span class="muted">${d.autoRenew ? m.autoRenewOn : m.autoRenewOff}</span></li>`,
          )}</ul>
        </section>`
      : ""
  }
  ${renderTimeline(ctx, details.timeline, timeZone)}`;
}
