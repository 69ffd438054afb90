/**
 * The dashboard (seed 000): the categories Hosting, SSL, Apps and Domains, each listing the
 * customer's services with their state, next due date, price and a Manage button; first, what
 * needs attention (past-due invoices, pending cancellations, suspended services).
 */
import { formatMoney } from "../../../domain/money.js";
import type { Instant } from "../../../domain/time.js";
import type {
  Attention,
  Dashboard,
  DomainSummary,
  SubscriptionSummary,
} from "../../../modules/services/list-services.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";
import { day, dayTag, pendingBadge, planPrice, stateBadge } from "./parts.js";

const CATEGORIES = ["hosting", "ssl", "app", "domains"] as const;
type Category = (typeof CATEGORIES)[number];

function attentionBox(ctx: PageContext, attention: Attention, timeZone: string): SafeHtml {
  const d = ctx.m.services.dashboard;
  const items: SafeHtml[] = [
    ...attention.overdueInvoices.map(
      (i) =>
        html`<li>${d.overdueInvoice(i.invoice, formatMoney(i.total, ctx.locale), day(ctx, i.dueAt, timeZone))}
          <a href="/invoices/${i.invoice}">${d.seeInvoice(i.invoice)}</a></li>`,
    ),
    ...attention.pendingCancellations.map(
      (p) =>
        html`<li>${d.pendingCancellation(p.label, day(ctx, p.effectiveAt, timeZone))}
          <a href="/services/${encodeURIComponent(p.serviceId)}/plan">${d.seeCancellation}</a></li>`,
    ),
    ...attention.suspended.map(
      (s) =>
        html`<li>${d.suspended(s.label)}
          <a href="/${s.isDomain ? "domains" : "services"}/${encodeURIComponent(s.serviceId)}">${d.seeService(s.label)}</a></li>`,
    ),
  ];
  if (items.length === 0) return html``;
  return html`<section class="card attention" aria-labelledby="attention-title">
    <h2 id="attention-title">${d.attentionTitle}</h2>
    <ul>${items}</ul>
  </section>`;
}

function manageButton(ctx: PageContext, href: string, name: string): SafeHtml {
  const d = ctx.m.services.dashboard;
  return html`<a class="button" href="${href}" aria-label="${d.manageLabel(name)}">${d.manage}</a>`;
}

function subscriptionDue(ctx: PageContext, s: SubscriptionSummary, timeZone: string): SafeHtml {
  const d = ctx.m.services.dashboard;
  if (s.pendingCancellation) {
    const at = s.pendingCancellation.effectiveAt;
    return dayTag(ctx, at, timeZone, d.endsOn(day(ctx, at, timeZone)));
  }
  if (s.status === "active" || s.status === "suspended") return dayTag(ctx, s.termEndsAt, timeZone);
  return html`${d.none}`;
}

function subscriptionTable(ctx: PageContext, rows: SubscriptionSummary[], timeZone: string): SafeHtml {
  const d = ctx.m.services.dashboard;
  return html`<table class="responsive">
    <thead><tr><th scope="col">${d.service}</th><th scope="col">${d.state}</th><th scope="col">${d.nextDue}</th><th scope="col">${d.price}</th><th scope="col"><span class="visually-hidden">${d.actions}</span></th></tr></thead>
    <tbody>${rows.map(
      (s) => html`<tr>
        <td data-label="${d.service}">${s.label}</td>
        <td data-label="${d.state}">${stateBadge(ctx, s.status)}${s.pendingCancellation ? html` ${pendingBadge(ctx)}` : ""}</td>
        <td data-label="${d.nextDue}">${subscriptionDue(ctx, s, timeZone)}</td>
        <td data-label="${d.price}">${planPrice(ctx, s.plan, s.price)}</td>
        <td data-label="${d.actions}">${manageButton(ctx, `/services/${encodeURIComponent(s.serviceId)}`, s.label)}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function domainDue(ctx: PageContext, dom: DomainSummary, timeZone: string): SafeHtml {
  const d = ctx.m.services.dashboard;
  const tag = (at: Instant, words: (date: string) => string) =>
    dayTag(ctx, at, timeZone, words(day(ctx, at, timeZone)));
  if (dom.pastDueSince !== null) return html`<strong>${tag(dom.pastDueSince, d.pastDueSince)}</strong>`;
  if (dom.nextPaymentAt !== null) return dayTag(ctx, dom.nextPaymentAt, timeZone);
  if (dom.expiresWithoutRenewalAt !== null) return tag(dom.expiresWithoutRenewalAt, d.expiresOn);
  if (dom.graceEndsAt !== null) return tag(dom.graceEndsAt, d.graceUntil);
  return html`${d.none}`;
}

function domainTable(ctx: PageContext, rows: DomainSummary[], timeZone: string): SafeHtml {
  const d = ctx.m.services.dashboard;
  return html`<table class="responsive">
    <thead><tr><th scope="col">${d.domain}</th><th scope="col">${d.state}</th><th scope="col">${d.nextDue}</th><th scope="col">${d.price}</th><th scope="col"><span class="visually-hidden">${d.actions}</span></th></tr></thead>
    <tbody>${rows.map(
      (dom) => html`<tr>
        <td data-label="${d.domain}">${dom.name}</td>
        <td data-label="${d.state}">${stateBadge(ctx, dom.status)}</td>
        <td data-label="${d.nextDue}">${domainDue(ctx, dom, timeZone)}</td>
        <td data-label="${d.price}">${
          dom.renewalPrice
            ? ctx.m.services.perYears(formatMoney(dom.renewalPrice, ctx.locale), dom.renewalYears)
            : d.none
        }</td>
        <td data-label="${d.actions}">${manageButton(ctx, `/domains/${encodeURIComponent(dom.serviceId)}`, dom.name)}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

export function dashboardPage(ctx: PageContext, dashboard: Dashboard, timeZone: string): SafeHtml {
  const d = ctx.m.services.dashboard;
  const byCategory = (category: Category) =>
    category === "domains" ? dashboard.domains : dashboard.subscriptions.filter((s) => s.kind === category);
  const section = (category: Category) => {
    const title = d.categories[category];
    const body =
      category === "domains"
        ? dashboard.domains.length === 0
          ? html`<p class="muted">${d.empty.domains}</p>`
          : domainTable(ctx, dashboard.domains, timeZone)
        : (() => {
            const rows = dashboard.subscriptions.filter((s) => s.kind === category);
            return rows.length === 0
              ? html`<p class="muted">${d.empty[category]}</p>`
              : subscriptionTable(ctx, rows, timeZone);
          })();
    return html`<section id="${category}" class="category" aria-labelledby="${category}-title">
      <h2 id="${category}-title">${title}</h2>
      ${body}
    </section>`;
  };
  return html`${attentionBox(ctx, dashboard.attention, timeZone)}
  <nav aria-label="${d.categoriesLabel}" class="categories"><ul>
    ${CATEGORIES.map(
      (c) =>
        html`<li><a href="#${c}">${d.categories[c]} <span class="muted">(${byCategory(c).length})</span></a></li>`,
    )}
  </ul></nav>
  ${CATEGORIES.map(section)}`;
}
