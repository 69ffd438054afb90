/** Domains > Domains (seed 000): every domain, its renewal date and price, Auto-renew, Status. */
import type { DomainView } from "../../../modules/domains/list-domains.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";
import { autoRenewSwitch, fmt, priceText, reactivateForm, statusCell } from "./parts.js";

export function domainsListPage(ctx: PageContext, views: DomainView[], timeZone: string): SafeHtml {
  const m = ctx.m.domains;
  const f = fmt(ctx, timeZone);
  if (views.length === 0) return html`<p class="card">${m.empty}</p>`;
  const rows = views.map((view) => {
    const d = view.domain;
    const href = `/domains/${encodeURIComponent(d.serviceId)}`;
    return html`<tr>
      <td data-label="${m.columns.name}"><a href="${href}">${d.name}</a></td>
      <td data-label="${m.columns.expires}"><time datetime="${new Date(d.expiresAt).toISOString()}">${f.date(d.expiresAt)}</time></td>
      <td data-label="${m.columns.price}">${priceText(ctx, view, f)}</td>
      <td data-label="${m.columns.autoRenew}">${autoRenewSwitch(ctx, view, "/domains")}</td>
      <td data-label="${m.columns.status}">${statusCell(ctx, view, f)}</td>
      <td data-label="${m.columns.actions}"><div class="actions">
        <a class="button secondary" href="${href}" aria-label="${m.manageLabel(d.name)}">${m.manage}</a>
        ${reactivateForm(ctx, view, "/domains", f)}
      </div></td>
    </tr>`;
  });
  return html`<p class="muted">${m.intro}</p>
    <table class="responsive domains-table">
      <thead><tr>
        <th scope="col">${m.columns.name}</th>
        <th scope="col">${m.columns.expires}</th>
        <th scope="col">${m.columns.price}</th>
        <th scope="col">${m.columns.autoRenew}</th>
        <th scope="col">${m.columns.status}</th>
        <th scope="col">${m.columns.actions}</th>
      </tr></thead>
      <tbody>${rows}</tbody>
    </table>`;
}
