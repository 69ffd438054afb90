/**
 * Back office: the customer search, a customer's page, and the forms and confirmation pages of
 * acting for a customer. Every table is `responsive` with a `data-label` per cell (usable at
 * 360 px); actions are links to their own page, shown only to the roles that may use them.
 */
import { formatMoney, type Money } from "../../../domain/money.js";
import { ROLES, type StaffRole } from "../../../domain/staff-roles.js";
import type { CustomerOverview, EventLine } from "../../../modules/customers/customer-overview.js";
import type { CustomerSearch } from "../../../modules/customers/search-customers.js";
import type { PlannedEntry } from "../../../modules/timeline/build-timeline.js";
import { html, type SafeHtml } from "../../html.js";
import type { Messages } from "../../i18n/index.js";
import { csrfField, type PageContext } from "../../layout.js";
import { staffDate, staffInstant } from "../admin-format.js";
import { auditTrail } from "../audit-trail.js";

export function money(ctx: PageContext, value: Money): string {
  return formatMoney(value, ctx.locale);
}

function may(ctx: PageContext, roles: readonly StaffRole[]): boolean {
  return ctx.staff !== null && roles.includes(ctx.staff.role);
}

function status(m: Messages, value: string): SafeHtml {
  return html`<span class="badge badge-${value}">${m.adminCustomers.statuses[value] ?? value}</span>`;
}

export function customerUrl(customerId: string, rest = ""): string {
  return `/admin/customers/${encodeURIComponent(customerId)}${rest}`;
}

export function searchPage(ctx: PageContext, search: CustomerSearch): SafeHtml {
  const s = ctx.m.adminCustomers.search;
  const pageUrl = (page: number) => `/admin/customers?q=${encodeURIComponent(search.q)}&page=${page}`;
  return html`<form method="get" action="/admin/customers" class="stack card" role="search">
      <div><label for="q">${s.label}</label><input id="q" name="q" type="text" value="${search.q}" maxlength="200"></div>
      <div class="actions"><button type="submit">${s.button}</button></div>
    </form>
    <section aria-label="${s.results}">
    ${
      search.hits.length === 0
        ? html`<p class="muted">${s.none(search.q)}</p>`
        : html`<table class="responsive"><thead><tr><th>${s.customer}</th><th>${s.email}</th><th>${s.id}</th><th>${s.matched}</th></tr></thead><tbody>
        ${search.hits.map(
          (hit) => html`<tr>
            <td data-label="${s.customer}"><a href="${customerUrl(hit.id)}">${hit.name}</a></td>
            <td data-label="${s.email}">${hit.email}</td>
            <td data-label="${s.id}"><code>${hit.id}</code></td>
            <td data-label="${s.matched}">${hit.matches.map((match, i) => html`${i > 0 ? ", " : ""}${s.keys[match.key] ?? match.key}: ${match.value}`)}</td>
          </tr>`,
        )}
      </tbody></table>`
    }
    <p class="actions">${search.page > 1 ? html`<a href="${pageUrl(search.page - 1)}">${s.previous}</a>` : ""}
      <span class="muted">${s.page(search.page)}</span>
      ${search.more ? html`<a href="${pageUrl(search.page + 1)}">${s.next}</a>` : ""}</p>
    </section>`;
}

function plannedText(ctx: PageContext, entry: PlannedEntry | null | undefined): SafeHtml | string {
  if (!entry) return "—";
  const label = ctx.m.adminCustomers.planned[entry.kind] ?? entry.kind;
  const amount = "amount" in entry ? ` (${money(ctx, entry.amount)})` : "";
  return html`${staffDate(entry.at)} · ${label}${amount}`;
}

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => {
      if (value && typeof value === "object" && "amount" in value && "currency" in value) {
        const v = value as Money;
        return `${key}=${(v.amount / 100).toFixed(2)} ${v.currency}`;
      }
      return `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`;
    })
    .join(" · ");
}

function eventRow(ctx: PageContext, event: EventLine, labels: Map<string, string>): SafeHtml {
  const t = ctx.m.adminCustomers.timeline;
  return html`<tr>
    <td data-label="${t.at}">${staffInstant(event.at)}</td>
    <td data-label="${t.event}"><code>${event.type}</code></td>
    <td data-label="${t.service}">${event.serviceId ? (labels.get(event.serviceId) ?? event.serviceId) : "—"}</td>
    <td data-label="${t.details}">${detailsText(event.details)}</td>
  </tr>`;
}

export function customerPage(ctx: PageContext, o: CustomerOverview): SafeHtml {
  const c = ctx.m.adminCustomers;
  const { customer, dashboard } = o;
  const money_ = (v: Money) => money(ctx, v);
  const labels = new Map([
    ...dashboard.subscriptions.map((s) => [s.serviceId, s.label] as const),
    ...dashboard.domains.map((d) => [d.serviceId, d.name] as const),
  ]);
  const cancels = may(ctx, ROLES.money);
  const care = may(ctx, ROLES.care);

  const profile = html`<section class="card"><h2>${c.profile.title}</h2><dl class="facts">
    <dt>${c.profile.id}</dt><dd><code>${customer.id}</code></dd>
    <dt>${c.profile.email}</dt><dd>${customer.email}</dd>
    <dt>${c.profile.locale}</dt><dd>${c.profile.locales[customer.locale] ?? customer.locale}</dd>
    <dt>${c.profile.currency}</dt><dd>${customer.currency}</dd>
    <dt>${c.profile.timeZone}</dt><dd>${customer.timeZone}</dd>
    <dt>${c.profile.card}</dt><dd>${customer.cardLabel ?? c.profile.noCard}</dd>
    <dt>${c.profile.since}</dt><dd>${staffDate(customer.createdAt)}</dd>
  </dl></section>`;

  const sv = c.services;
  const services = html`<section id="services"><h2>${sv.title}</h2>${
    dashboard.subscriptions.length === 0
      ? html`<p class="muted">${sv.none}</p>`
      : html`<table class="responsive"><thead><tr><th>${sv.service}</th><th>${sv.plan}</th><th>${sv.status}</th><th>${sv.termEnds}</th><th>${sv.cancellation}</th><th>${sv.next}</th><th>${sv.actions}</th></tr></thead><tbody>
      ${dashboard.subscriptions.map((s) => {
        const pending = s.pendingCancellation;
        const active = s.status === "active" || s.status === "suspended";
        return html`<tr>
          <td data-label="${sv.service}">${s.label} <span class="muted">(${s.kind})</span></td>
          <td data-label="${sv.plan}">${sv.plans[s.plan] ?? s.plan} · ${money_(s.price)}</td>
          <td data-label="${sv.status}">${status(ctx.m, s.status)}</td>
          <td data-label="${sv.termEnds}">${staffDate(s.termEndsAt)}</td>
          <td data-label="${sv.cancellation}">${pending ? sv.pending(ctx.m.adminCancellations.modes[pending.when] ?? pending.when, staffInstant(pending.effectiveAt)) : "—"}</td>
          <td data-label="${sv.next}">${plannedText(ctx, o.nextSteps.get(s.serviceId))}</td>
          <td data-label="${sv.actions}">${
            cancels && active
              ? pending
                ? html`<a href="${customerUrl(customer.id, `/services/${encodeURIComponent(s.serviceId)}/withdraw`)}">${sv.withdraw}</a>`
                : html`<a href="${customerUrl(customer.id, `/services/${encodeURIComponent(s.serviceId)}/cancel`)}">${sv.requestCancel}</a>`
              : ""
          }</td>
        </tr>`;
      })}
    </tbody></table>`
  }</section>`;

  const dm = c.domains;
  const domains = html`<section id="domains"><h2>${dm.title}</h2>${
    dashboard.domains.length === 0
      ? html`<p class="muted">${dm.none}</p>`
      : html`<table class="responsive"><thead><tr><th>${dm.domain}</th><th>${dm.status}</th><th>${dm.expires}</th><th>${dm.autoRenew}</th><th>${dm.next}</th><th>${sv.actions}</th></tr></thead><tbody>
      ${dashboard.domains.map((d) => {
        const next = d.pastDueSince
          ? dm.pastDue(staffDate(d.pastDueSince))
          : d.nextPaymentAt
            ? dm.nextPayment(staffDate(d.nextPaymentAt))
            : d.expiresWithoutRenewalAt
              ? dm.willExpire(staffDate(d.expiresWithoutRenewalAt))
              : d.graceEndsAt
                ? dm.graceUntil(staffDate(d.graceEndsAt))
                : "—";
        const switchable = d.status === "active" || d.status === "suspended";
        const reactivatable = d.status === "expired" || d.status === "redemption";
        const base = customerUrl(customer.id, `/domains/${encodeURIComponent(d.serviceId)}`);
        return html`<tr>
          <td data-label="${dm.domain}"><a href="/admin/domains/${encodeURIComponent(d.serviceId)}">${d.name}</a></td>
          <td data-label="${dm.status}">${status(ctx.m, d.status)}</td>
          <td data-label="${dm.expires}">${staffDate(d.expiresAt)}</td>
          <td data-label="${dm.autoRenew}">${d.autoRenew ? dm.on : dm.off}</td>
          <td data-label="${dm.next}">${next} ${o.nextSteps.get(d.serviceId) ? html`<br><span class="muted">${plannedText(ctx, o.nextSteps.get(d.serviceId))}</span>` : ""}</td>
          <td data-label="${sv.actions}">${
            care && switchable
              ? html`<a href="${base}/auto-renew?on=${d.autoRenew ? "off" : "on"}">${d.autoRenew ? dm.turnOff : dm.turnOn}</a>`
              : ""
          }${cancels && reactivatable ? html`<a href="${base}/reactivate">${dm.reactivate}</a>` : ""}</td>
        </tr>`;
      })}
    </tbody></table>`
  }</section>`;

  const iv = c.invoices;
  const invoices = html`<section id="invoices"><h2>${iv.title}</h2>${
    o.invoices.length === 0
      ? html`<p class="muted">${iv.none}</p>`
      : html`<table class="responsive"><thead><tr><th>${iv.number}</th><th>${iv.items}</th><th>${iv.status}</th><th>${iv.issued}</th><th>${iv.due}</th><th>${iv.total}</th><th>${iv.balance}</th><th>${sv.actions}</th></tr></thead><tbody>
      ${o.invoices.map(
        (invoice) => html`<tr>
          <td data-label="${iv.number}">#${invoice.id}</td>
          <td data-label="${iv.items}">${invoice.lineDescriptions.join("; ")}</td>
          <td data-label="${iv.status}">${status(ctx.m, invoice.status)}</td>
          <td data-label="${iv.issued}">${staffDate(invoice.issuedAt)}</td>
          <td data-label="${iv.due}">${staffDate(invoice.dueAt)}</td>
          <td data-label="${iv.total}" class="billing-amount">${money_(invoice.total)}</td>
          <td data-label="${iv.balance}" class="billing-amount">${money_(invoice.balance)}</td>
          <td data-label="${sv.actions}">${
            cancels && invoice.status === "open" && invoice.balance.amount > 0
              ? html`<a href="${customerUrl(customer.id, `/invoices/${invoice.id}/payment-link`)}">${iv.sendLink}</a>`
              : ""
          }</td>
        </tr>`,
      )}
    </tbody></table>`
  }</section>`;

  const pm = c.payments;
  const payments = html`<section id="payments"><h2>${pm.title}</h2>${
    o.payments.length === 0
      ? html`<p class="muted">${pm.none}</p>`
      : html`<table class="responsive"><thead><tr><th>${pm.payment}</th><th>${pm.invoice}</th><th>${pm.attempt}</th><th>${pm.amount}</th><th>${pm.status}</th><th>${pm.at}</th><th>${pm.refunds}</th></tr></thead><tbody>
      ${o.payments.map(
        (p) => html`<tr>
          <td data-label="${pm.payment}">#${p.id}</td>
          <td data-label="${pm.invoice}">#${p.invoiceId}</td>
          <td data-label="${pm.attempt}">${p.attempt}</td>
          <td data-label="${pm.amount}" class="billing-amount">${money_(p.amount)}</td>
          <td data-label="${pm.status}">${status(ctx.m, p.status)}${p.failureCode ? html` <span class="muted">${pm.failure(p.failureCode)}</span>` : ""}</td>
          <td data-label="${pm.at}">${staffInstant(p.createdAt)}</td>
          <td data-label="${pm.refunds}">${
            p.refunds.length === 0
              ? "—"
              : html`<ul>${p.refunds.map(
                  (r) =>
                    html`<li>${pm.refund(r.id, money_(r.amount), c.statuses[r.status] ?? r.status, r.reason, r.requestedBy)}</li>`,
                )}</ul>`
          }</td>
        </tr>`,
      )}
    </tbody></table>`
  }</section>`;

  const nt = c.notices;
  const names = ctx.m.services.timeline.noticeNames as Record<string, string>;
  const notices = html`<section id="notices"><h2>${nt.title}</h2>${
    o.notices.length === 0
      ? html`<p class="muted">${nt.none}</p>`
      : html`<table class="responsive"><thead><tr><th>${nt.at}</th><th>${nt.template}</th><th>${nt.to}</th><th>${nt.subject}</th><th>${nt.status}</th><th>${nt.attempts}</th><th>${nt.lastError}</th></tr></thead><tbody>
      ${o.notices.map(
        (n) => html`<tr>
          <td data-label="${nt.at}">${staffInstant(n.createdAt)}</td>
          <td data-label="${nt.template}">${names[n.template] ?? n.template} <span class="muted">(${n.template})</span></td>
          <td data-label="${nt.to}">${n.to}</td>
          <td data-label="${nt.subject}">${n.subject}</td>
          <td data-label="${nt.status}"><span class="badge badge-${n.status === "sent" ? "paid" : n.status === "failed" ? "cancelled" : "pending"}">${nt.statuses[n.status] ?? n.status}</span>${n.sentAt ? html` <span class="muted">${nt.sentAt(staffInstant(n.sentAt))}</span>` : ""}</td>
          <td data-label="${nt.attempts}">${n.attempts}</td>
          <td data-label="${nt.lastError}">${n.lastError ?? "—"}</td>
        </tr>`,
      )}
    </tbody></table>`
  }</section>`;

  const rq = c.requests;
  const requests = html`<section id="requests"><h2>${rq.title}</h2>${
    o.tickets.length === 0
      ? html`<p class="muted">${rq.none}</p>`
      : html`<table class="responsive"><thead><tr><th>${rq.number}</th><th>${rq.kind}</th><th>${rq.subject}</th><th>${rq.status}</th><th>${rq.updated}</th></tr></thead><tbody>
      ${o.tickets.map(
        (t) => html`<tr>
          <td data-label="${rq.number}"><a href="/admin/requests/${t.id}">#${t.id}</a></td>
          <td data-label="${rq.kind}">${t.kind}</td>
          <td data-label="${rq.subject}">${t.subject}</td>
          <td data-label="${rq.status}">${status(ctx.m, t.status)}</td>
          <td data-label="${rq.updated}">${staffInstant(t.updatedAt)}</td>
        </tr>`,
      )}
    </tbody></table>`
  }</section>`;

  const tl = c.timeline;
  const timeline = html`<section id="timeline"><h2>${tl.title}</h2>${
    o.events.length === 0
      ? html`<p class="muted">${tl.none}</p>`
      : html`<p class="muted">${tl.limited(o.events.length)}</p><table class="responsive"><thead><tr><th>${tl.at}</th><th>${tl.event}</th><th>${tl.service}</th><th>${tl.details}</th></tr></thead><tbody>
      ${o.events.map((e) => eventRow(ctx, e, labels))}
    </tbody></table>`
  }</section>`;

  return html`${profile}${services}${domains}${invoices}${payments}${notices}${requests}${timeline}${auditTrail(ctx.m, o.audit)}`;
}

/** The reason field every action asks for, with its error. */
export function reasonField(
  ctx: PageContext,
  value: string,
  error: string | undefined,
  label?: string,
): SafeHtml {
  return html`<div><label for="reason">${label ?? ctx.m.adminCustomers.act.reason}</label>
    <textarea id="reason" name="reason" required minlength="3" maxlength="1000">${value}</textarea>
    ${error ? html`<p class="field-error">${error}</p>` : ""}</div>`;
}

export function formErrorBox(ctx: PageContext, errors: Record<string, string>, text?: string): SafeHtml {
  return Object.keys(errors).length > 0
    ? html`<div class="flash flash-error" role="alert">${text ?? ctx.m.adminCustomers.act.formError}</div>`
    : html``;
}

/** An action page: what will happen, the reason, the button; `hidden` carries the choices made. */
export function actionPage(
  ctx: PageContext,
  input: {
    action: string;
    lines: (SafeHtml | string)[];
    hidden: Record<string, string | string[]>;
    reason: string;
    errors: Record<string, string>;
    button: string;
    danger?: boolean;
    back: string;
    backLabel?: string;
    extra?: SafeHtml;
    reasonLabel?: string;
  },
): SafeHtml {
  const hidden = Object.entries(input.hidden).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map(
      (v) => html`<input type="hidden" name="${name}" value="${v}">`,
    ),
  );
  return html`${formErrorBox(ctx, input.errors)}<div class="card confirmation">${input.lines.map((line) => html`<p>${line}</p>`)}</div>
    <form method="post" action="${input.action}" class="stack card">${csrfField(ctx)}${hidden}
      ${input.extra ?? ""}
      ${reasonField(ctx, input.reason, input.errors.reason, input.reasonLabel)}
      <div class="actions"><button type="submit" ${input.danger ? html`class="danger"` : ""}>${input.button}</button><a href="${input.back}">${input.backLabel ?? ctx.m.adminCustomers.act.back}</a></div>
    </form>`;
}
