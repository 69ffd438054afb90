/**
 * Back office: one request. What it is about (customer, kind, linked invoice or service), the
 * messages, and the actions the staff member's role allows: assign, reply, close or reopen;
 * refund a payment (billing), adjust the quoted invoice (billing), delete the domain (support).
 * Every money or deletion action leads to a confirmation page first. Then the audit trail.
 */
import { ROLES, type StaffRole } from "../../../domain/staff-roles.js";
import type { AdjustableInvoiceView } from "../../../modules/invoices/adjust-invoice.js";
import type { AuditLine } from "../../../modules/staff/audit-log.js";
import type { StaffMember } from "../../../modules/staff/staff-repository.js";
import type { StaffTicketDetail } from "../../../modules/tickets/staff-tickets.js";
import type { RefundablePayment, RefundView } from "../../../modules/tickets/ticket-refund.js";
import { html, type SafeHtml } from "../../html.js";
import { csrfField, type PageContext } from "../../layout.js";
import { staffDate, staffInstant } from "../admin-format.js";
import { auditTrail } from "../audit-trail.js";
import { amountInput, fieldError, kindName, moneyText, statusBadge } from "./parts.js";

export interface RequestPageData {
  ticket: StaffTicketDetail;
  activeStaff: StaffMember[];
  me: { id: string; role: StaffRole };
  payments: RefundablePayment[];
  refunds: RefundView[];
  /** The quoted invoice, for an invoice-adjustment request. */
  invoice: AdjustableInvoiceView | null;
  /** The domain, for a domain-deletion request. */
  domain: { name: string; status: string } | null;
  audit: AuditLine[];
}

export interface RequestPageState {
  errors?: { assign?: string; reply?: string; refund?: string; adjust?: string; state?: string };
  values?: {
    reply?: string;
    payment?: string;
    amount?: string;
    reason?: string;
    line?: string;
    lineAction?: string;
    description?: string;
    lineAmount?: string;
    adjustReason?: string;
  };
}

const REFUND_KINDS = ["refund", "invoice-adjustment"];

function can(role: StaffRole, roles: readonly StaffRole[]): boolean {
  return roles.includes(role);
}

function factsSection(ctx: PageContext, data: RequestPageData): SafeHtml {
  const r = ctx.m.adminRequests;
  const f = r.facts;
  const t = data.ticket;
  return html`<section class="card" aria-labelledby="facts-title">
    <h2 id="facts-title">${t.subject}</h2>
    <dl class="facts facts-wrap">
      <dt>${f.customer}</dt><dd><a href="/admin/customers/${encodeURIComponent(t.customer.id)}">${t.customer.name}</a><br><span class="muted">${t.customer.email}</span></dd>
      <dt>${f.kind}</dt><dd>${kindName(ctx, t.kind)}</dd>
      <dt>${f.status}</dt><dd>${statusBadge(ctx, t.status)}</dd>
      <dt>${f.opened}</dt><dd>${staffInstant(t.createdAt)}</dd>
      ${t.closedAt !== null ? html`<dt>${f.closed}</dt><dd>${staffInstant(t.closedAt)}</dd>` : ""}
      <dt>${f.assignee}</dt><dd>${t.assignee ? t.assignee.name || t.assignee.email : r.nobody}</dd>
      ${
        t.invoice
          ? html`<dt>${f.invoice}</dt><dd>${r.invoiceFact(
              t.invoice.id,
              moneyText(ctx, t.invoice.total),
              moneyText(ctx, { amount: t.invoice.amountPaid, currency: t.invoice.total.currency }),
              ctx.m.common.status[t.invoice.status] ?? t.invoice.status,
            )}</dd>`
          : ""
      }
      ${
        t.service
          ? html`<dt>${t.service.kind === "domain" ? f.domain : f.service}</dt><dd>${t.service.label} ${statusBadge(ctx, t.service.status)}</dd>`
          : ""
      }
    </dl>
  </section>`;
}

function conversation(ctx: PageContext, data: RequestPageData): SafeHtml {
  const r = ctx.m.adminRequests;
  const t = data.ticket;
  const messages = [
    { id: "message", who: r.customerAuthor(t.customer.name), isStaff: false, body: t.body, at: t.createdAt },
    ...t.replies.map((reply) => ({
      id: `reply-${reply.id}`,
      who:
        reply.author === "customer"
          ? r.customerAuthor(t.customer.name)
          : r.staffAuthor(reply.staff?.name || reply.staff?.email || reply.author),
      isStaff: reply.author !== "customer",
      body: reply.body,
      at: reply.createdAt,
    })),
  ];
  return html`<section class="card" aria-labelledby="conversation">
    <h2 id="conversation">${r.conversation}</h2>
    <ol class="timeline thread">
      ${messages.map(
        (m) => html`<li id="${m.id}" class="author-${m.isStaff ? "staff" : "customer"}">
          <time>${staffInstant(m.at)}</time>
          <div><p><strong>${m.who}</strong></p><p class="ticket-message">${m.body}</p></div>
        </li>`,
      )}
    </ol>
  </section>`;
}

function workSection(ctx: PageContext, data: RequestPageData, state: RequestPageState): SafeHtml {
  const r = ctx.m.adminRequests;
  const t = data.ticket;
  const role = data.me.role;
  const errors = state.errors ?? {};
  const open = t.status === "open";
  const assign = can(role, ROLES.care)
    ? html`<form method="post" action="/admin/requests/${t.id}/assign" class="actions">
        ${csrfField(ctx)}
        <label for="assign-to">${r.assign.label}</label>
        <select id="assign-to" name="staff">
          <option value="">${r.assign.unassign}</option>
          ${data.activeStaff.map(
            (s) =>
              html`<option value="${s.id}" ${t.assignee?.id === s.id ? html`selected` : ""}>${s.name || s.email} (${ctx.m.admin.roles[s.role] ?? s.role})</option>`,
          )}
        </select>
        <button type="submit">${r.assign.button}</button>
        <button type="submit" name="staff" value="me" class="button secondary">${r.assign.toMe}</button>
        ${fieldError("assign-error", errors.assign)}
      </form>`
    : "";
  const reply = open
    ? html`<form method="post" action="/admin/requests/${t.id}/reply" class="stack">
        ${csrfField(ctx)}
        <div><label for="reply">${r.reply.label}</label>
        <textarea id="reply" name="body" rows="5" maxlength="10000" required${errors.reply ? html` aria-invalid="true" aria-describedby="reply-error"` : ""}>${state.values?.reply ?? ""}</textarea>
        ${fieldError("reply-error", errors.reply)}</div>
        <div class="actions"><button type="submit">${r.reply.button}</button></div>
      </form>`
    : html`<p class="muted">${r.reply.closed}</p>`;
  const status = can(role, ROLES.care)
    ? html`<form method="post" action="/admin/requests/${t.id}/${open ? "close" : "reopen"}" class="actions">
        ${csrfField(ctx)}
        <button type="submit" class="button secondary">${open ? r.state.close : r.state.reopen}</button>
        ${fieldError("state-error", errors.state)}
      </form>`
    : "";
  return html`<section class="card" aria-labelledby="work-title">
    <h2 id="work-title">${r.reply.title}</h2>
    ${reply}
    ${assign ? html`<h3>${r.assign.title}</h3>${assign}` : ""}
    ${status ? html`<h3>${r.state.title}</h3>${status}` : ""}
  </section>`;
}

function refundSection(ctx: PageContext, data: RequestPageData, state: RequestPageState): SafeHtml {
  const r = ctx.m.adminRequests;
  const t = data.ticket;
  if (!can(data.me.role, ROLES.money) || !REFUND_KINDS.includes(t.kind)) return html``;
  const c = r.refund.columns;
  const errors = state.errors ?? {};
  const values = state.values ?? {};
  const refundable = data.payments.filter((p) => p.max > 0);
  // The request's own invoice first: what the customer asked about.
  const chosen =
    values.payment ??
    String(refundable.find((p) => p.invoiceId === t.invoice?.id)?.id ?? refundable[0]?.id ?? "");
  const table = html`<table class="responsive"><thead><tr><th scope="col">${c.invoice}</th><th scope="col">${c.date}</th><th scope="col">${c.paid}</th><th scope="col">${c.refunded}</th><th scope="col">${c.max}</th></tr></thead><tbody>
      ${data.payments.map(
        (p) => html`<tr>
          <td data-label="${c.invoice}">#${p.invoiceId}</td>
          <td data-label="${c.date}">${staffInstant(p.createdAt)}</td>
          <td data-label="${c.paid}">${moneyText(ctx, p.amount)}</td>
          <td data-label="${c.refunded}">${moneyText(ctx, { amount: p.refunded, currency: p.amount.currency })}</td>
          <td data-label="${c.max}"><strong>${moneyText(ctx, { amount: p.max, currency: p.amount.currency })}</strong></td>
        </tr>`,
      )}
    </tbody></table>`;
  const selected = refundable.find((p) => String(p.id) === chosen) ?? refundable[0];
  const form =
    t.status !== "open"
      ? html`<p class="muted">${r.state.mustBeOpen}</p>`
      : refundable.length === 0
        ? html``
        : html`<form method="post" action="/admin/requests/${t.id}/refund" class="stack" id="refund-form">
          ${csrfField(ctx)}
          <div><label for="refund-payment">${r.refund.payment}</label>
          <select id="refund-payment" name="payment">
            ${refundable.map(
              (p) =>
                html`<option value="${p.id}" ${String(p.id) === chosen ? html`selected` : ""}>${r.refund.paymentOption(
                  p.invoiceId,
                  moneyText(ctx, p.amount),
                  moneyText(ctx, { amount: p.max, currency: p.amount.currency }),
                  staffDate(p.createdAt),
                )}</option>`,
            )}
          </select></div>
          <div><label for="refund-amount">${r.refund.amount}</label>
          <input type="text" id="refund-amount" name="amount" inputmode="decimal" autocomplete="off" required value="${values.amount ?? (selected ? amountInput(selected.max, selected.amount.currency, ctx.locale) : "")}"${errors.refund ? html` aria-invalid="true" aria-describedby="refund-error"` : ""}>
          ${selected ? html`<p class="muted">${r.refund.amountHint(moneyText(ctx, { amount: selected.max, currency: selected.amount.currency }))}</p>` : ""}</div>
          <div><label for="refund-reason">${r.refund.reason}</label>
          <input type="text" id="refund-reason" name="reason" maxlength="500" required value="${values.reason ?? ""}"></div>
          ${fieldError("refund-error", errors.refund)}
          <div class="actions"><button type="submit">${r.refund.review}</button></div>
        </form>`;
  return html`<section class="card" aria-labelledby="refund-title" id="refund">
    <h2 id="refund-title">${r.refund.title}</h2>
    <p class="muted">${r.refund.intro}</p>
    ${data.payments.length === 0 ? html`<p>${r.refund.none}</p>` : table}
    ${form}
    ${refundList(ctx, data)}
  </section>`;
}

function refundList(ctx: PageContext, data: RequestPageData): SafeHtml {
  const r = ctx.m.adminRequests;
  const c = r.refunds.columns;
  if (data.refunds.length === 0)
    return html`<h3>${r.refunds.title}</h3><p class="muted">${r.refunds.none}</p>`;
  return html`<h3>${r.refunds.title}</h3>
    <table class="responsive refunds-table"><thead><tr><th scope="col">${c.date}</th><th scope="col">${c.invoice}</th><th scope="col">${c.amount}</th><th scope="col">${c.status}</th><th scope="col">${c.reason}</th><th scope="col">${c.by}</th><th scope="col"></th></tr></thead><tbody>
    ${data.refunds.map(
      (refund) => html`<tr>
        <td data-label="${c.date}">${staffInstant(refund.createdAt)}</td>
        <td data-label="${c.invoice}">#${refund.invoiceId}</td>
        <td data-label="${c.amount}">${moneyText(ctx, refund.amount)}</td>
        <td data-label="${c.status}"><span class="badge badge-${refund.status === "succeeded" ? "paid" : refund.status === "failed" ? "expired" : "pending"}">${r.refunds.statuses[refund.status] ?? refund.status}</span>${refund.failureCode ? html` <span class="muted">${refund.failureCode}</span>` : ""}</td>
        <td data-label="${c.reason}">${refund.reason}</td>
        <td data-label="${c.by}">${refund.requestedBy}</td>
        <td>${
          refund.status === "pending"
            ? html`<form method="post" action="/admin/requests/${data.ticket.id}/refunds/${refund.id}/check">${csrfField(ctx)}<button type="submit" class="button secondary">${r.refunds.check}</button></form>`
            : ""
        }</td>
      </tr>`,
    )}
    </tbody></table>`;
}

function adjustSection(ctx: PageContext, data: RequestPageData, state: RequestPageState): SafeHtml {
  const r = ctx.m.adminRequests;
  const a = r.adjust;
  const t = data.ticket;
  if (!can(data.me.role, ROLES.money) || t.kind !== "invoice-adjustment") return html``;
  const invoice = data.invoice;
  const errors = state.errors ?? {};
  const values = state.values ?? {};
  let body: SafeHtml;
  if (!invoice) body = html`<p>${a.noInvoice}</p>`;
  else if (invoice.status === "paid") body = html`<p class="warning">${a.paidRefused(invoice.id)}</p>`;
  else if (invoice.status === "void") body = html`<p>${a.voidRefused(invoice.id)}</p>`;
  else if (t.status !== "open") body = html`<p class="muted">${r.state.mustBeOpen}</p>`;
  else {
    const currency = invoice.total.currency;
    const chosenLine = values.line ?? String(invoice.lines[0]?.id ?? "");
    const line = invoice.lines.find((l) => String(l.id) === chosenLine) ?? invoice.lines[0];
    body = html`<table class="responsive"><thead><tr><th scope="col">${a.line}</th><th scope="col">${a.description}</th><th scope="col">${a.amount}</th></tr></thead><tbody>
        ${invoice.lines.map(
          (l, i) =>
            html`<tr><td data-label="${a.line}">${i + 1}</td><td data-label="${a.description}">${l.description}</td><td data-label="${a.amount}">${moneyText(ctx, { amount: l.amount, currency })}</td></tr>`,
        )}
      </tbody></table>
      <form method="post" action="/admin/requests/${t.id}/adjust" class="stack" id="adjust-form">
        ${csrfField(ctx)}
        <div><label for="adjust-line">${a.line}</label>
        <select id="adjust-line" name="line">${invoice.lines.map(
          (l, i) =>
            html`<option value="${l.id}" ${String(l.id) === chosenLine ? html`selected` : ""}>${i + 1} — ${l.description} — ${moneyText(ctx, { amount: l.amount, currency })}</option>`,
        )}</select></div>
        <fieldset><legend>${a.title}</legend>
          <label><input type="radio" name="action" value="change-line" ${values.lineAction !== "remove-line" ? html`checked` : ""}> ${a.change}</label>
          <label><input type="radio" name="action" value="remove-line" ${values.lineAction === "remove-line" ? html`checked` : ""}> ${a.remove}</label>
        </fieldset>
        <div><label for="adjust-description">${a.description}</label>
        <input type="text" id="adjust-description" name="description" maxlength="500" value="${values.description ?? line?.description ?? ""}"></div>
        <div><label for="adjust-amount">${a.amount}</label>
        <input type="text" id="adjust-amount" name="amount" inputmode="decimal" autocomplete="off" value="${values.lineAmount ?? (line ? amountInput(line.amount, currency, ctx.locale) : "")}"></div>
        <div><label for="adjust-reason">${a.reason}</label>
        <input type="text" id="adjust-reason" name="reason" maxlength="500" required value="${values.adjustReason ?? ""}"></div>
        ${fieldError("adjust-error", errors.adjust)}
        <div class="actions"><button type="submit">${a.review}</button></div>
      </form>
      <form method="post" action="/admin/requests/${t.id}/adjust" class="stack">
        ${csrfField(ctx)}<input type="hidden" name="action" value="void">
        <div><label for="void-reason">${a.reason}</label><input type="text" id="void-reason" name="reason" maxlength="500" required></div>
        <div class="actions"><button type="submit" class="danger">${a.voidButton}</button></div>
      </form>`;
  }
  return html`<section class="card" aria-labelledby="adjust-title" id="adjust">
    <h2 id="adjust-title">${a.title}</h2>
    <p class="muted">${a.intro}</p>
    ${body}
  </section>`;
}

function deletionSection(ctx: PageContext, data: RequestPageData): SafeHtml {
  const r = ctx.m.adminRequests;
  const d = r.deletion;
  const t = data.ticket;
  if (!can(data.me.role, ROLES.care) || t.kind !== "domain-deletion" || !data.domain) return html``;
  const gone = ["deleted", "released", "transferred-out"].includes(data.domain.status);
  return html`<section class="card warning" aria-labelledby="deletion-title" id="deletion">
    <h2 id="deletion-title">${d.title}</h2>
    ${
      gone
        ? html`<p>${d.gone(data.domain.name, ctx.m.common.status[data.domain.status] ?? data.domain.status)}</p>`
        : t.status !== "open"
          ? html`<p class="muted">${r.state.mustBeOpen}</p>`
          : html`<p>${d.intro}</p><p><a class="button danger" href="/admin/requests/${t.id}/delete-domain">${d.start}</a></p>`
    }
  </section>`;
}

export function requestDetailPage(
  ctx: PageContext,
  data: RequestPageData,
  state: RequestPageState = {},
): SafeHtml {
  const r = ctx.m.adminRequests;
  return html`<p><a href="/admin/requests">← ${r.backToList}</a></p>
    ${factsSection(ctx, data)}
    ${conversation(ctx, data)}
    ${workSection(ctx, data, state)}
    ${refundSection(ctx, data, state)}
    ${adjustSection(ctx, data, state)}
    ${deletionSection(ctx, data)}
    ${auditTrail(ctx.m, data.audit)}`;
}
