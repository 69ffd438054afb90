/** One domain: its facts, the auto-renew switch, Reactivate, transfer code, deletion request, timeline. */
import type { Instant } from "../../../domain/time.js";
import type { DomainView } from "../../../modules/domains/list-domains.js";
import type { Timeline } from "../../../modules/timeline/build-timeline.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { renderTimeline } from "../timeline.js";
import { autoRenewSwitch, fmt, priceText, reactivateForm, statusCell } from "./parts.js";

const ENDED = ["released", "transferred-out", "deleted"];

export function domainPage(
  ctx: PageContext,
  view: DomainView,
  timeline: Timeline,
  timeZone: string,
  now: Instant,
): SafeHtml {
  const m = ctx.m.domains;
  const t = m.detail;
  const f = fmt(ctx, timeZone);
  const d = view.domain;
  const id = encodeURIComponent(d.serviceId);
  const self = `/domains/${d.serviceId}`;
  const lock =
    now < view.transferAllowedFrom
      ? t.lockedUntil(f.date(view.transferAllowedFrom))
      : t.unlocked(f.date(view.transferAllowedFrom));
  const site = view.site
    ? html`<a href="/services/${encodeURIComponent(view.site.id)}">${view.site.label}</a>${d.siteConnected ? "" : html` <span class="muted">(${t.disconnected})</span>`}`
    : html`<span class="muted">${t.noSite}</span>`;

  const reactivate = view.reactivation
    ? html`<section class="card warning" aria-labelledby="reactivate-title">
        <h2 id="reactivate-title">${t.reactivateTitle}</h2>
        <p>${t.reactivateIntro(f.date(view.reactivation.until))}</p>
        <div class="actions">${reactivateForm(ctx, view, self, f)}</div>
      </section>`
    : "";

  const transfer =
    d.status === "active"
      ? html`<section class="card" aria-labelledby="transfer-title">
          <h2 id="transfer-title">${t.transferTitle}</h2>
          <p>${t.transferIntro}</p>
          <form method="post" action="/domains/${id}/transfer-code">${csrfField(ctx)}
            <button type="submit">${t.requestTransferCode}</button></form>
        </section>`
      : "";

  const deletion = ENDED.includes(d.status)
    ? ""
    : html`<section class="card" aria-labelledby="delete-title">
        <h2 id="delete-title">${t.deleteTitle}</h2>
        <p class="warning">${t.deleteIntro}</p>
        <p><a class="button danger" href="/requests/new?kind=domain-deletion&amp;service=${id}">${t.deleteLink}</a></p>
      </section>`;

  return html`<p><a href="/domains">← ${t.back}</a></p>
    ${reactivate}
    <section class="card" aria-labelledby="details-title">
      <h2 id="details-title">${t.details}</h2>
      <dl class="facts">
        <dt>${t.status}</dt><dd>${statusCell(ctx, view, f)}</dd>
        <dt>${t.registrar}</dt><dd>${d.registrar}</dd>
        <dt>${t.registeredOn}</dt><dd>${f.date(d.registeredAt)}</dd>
        <dt>${t.expiresOn}</dt><dd>${f.date(d.expiresAt)}</dd>
        <dt>${t.renewalPrice}</dt><dd>${priceText(ctx, view, f)}</dd>
        <dt>${t.autoRenew}</dt><dd>${autoRenewSwitch(ctx, view, self)}</dd>
        <dt>${t.transferLock}</dt><dd>${lock}</dd>
        <dt>${t.linkedSite}</dt><dd>${site}</dd>
      </dl>
    </section>
    ${transfer}
    ${renderTimeline(ctx, timeline, timeZone)}
    ${deletion}`;
}
