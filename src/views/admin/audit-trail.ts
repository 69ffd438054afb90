/** The audit lines of one object (a customer, a domain, an invoice…), or of a search: a table. */
import type { AuditLine } from "../../modules/staff/audit-log.js";
import { html, type SafeHtml } from "../html.js";
import type { Messages } from "../i18n/index.js";
import { staffInstant } from "./admin-format.js";

function changes(line: AuditLine): string {
  const keys = new Set([...Object.keys(line.before), ...Object.keys(line.after)]);
  return [...keys]
    .map(
      (key) =>
        `${key}: ${JSON.stringify(line.before[key] ?? null)} → ${JSON.stringify(line.after[key] ?? null)}`,
    )
    .join("; ");
}

export function auditTable(m: Messages, lines: AuditLine[]): SafeHtml {
  const a = m.adminAudit;
  if (lines.length === 0) return html`<p class="muted">${a.none}</p>`;
  return html`<table class="responsive audit"><thead><tr><th>${a.at}</th><th>${a.staff}</th><th>${a.action}</th><th>${a.object}</th><th>${a.reason}</th><th>${a.changes}</th><th>${a.address}</th></tr></thead><tbody>
    ${lines.map(
      (line) => html`<tr>
        <td data-label="${a.at}">${staffInstant(line.at)}</td>
        <td data-label="${a.staff}">${line.staffEmail} <span class="muted">(${m.admin.roles[line.role] ?? line.role})</span></td>
        <td data-label="${a.action}"><code>${line.action}</code></td>
        <td data-label="${a.object}">${line.objectType} ${line.objectId}</td>
        <td data-label="${a.reason}">${line.reason}</td>
        <td data-label="${a.changes}">${changes(line)}</td>
        <td data-label="${a.address}">${line.clientAddress}</td>
      </tr>`,
    )}
  </tbody></table>`;
}

/** A section for an object's page: "Staff actions" and its lines. */
export function auditTrail(m: Messages, lines: AuditLine[]): SafeHtml {
  return html`<section><h2>${m.adminAudit.trail}</h2>${auditTable(m, lines)}</section>`;
}
