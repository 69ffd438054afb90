/**
 * The back office's frame: the same stylesheet and mobile menu as the client area, a staff header
 * (who is signed in, with which role), and only the sections the role may open.
 */
import { ROLES, type StaffRole } from "../../domain/staff-roles.js";
import { html, type SafeHtml } from "../html.js";
import { csrfField, type Flash, flashBox, type PageContext } from "../layout.js";
import type { Locale } from "../notices/notice-types.js";

interface Section {
  href: string;
  label: (ctx: PageContext) => string;
  roles: readonly StaffRole[];
}

const SECTIONS: Section[] = [
  { href: "/admin", label: (c) => c.m.admin.nav.dashboard, roles: ROLES.anyStaff },
  { href: "/admin/customers", label: (c) => c.m.admin.nav.customers, roles: ROLES.anyStaff },
  { href: "/admin/cancellations", label: (c) => c.m.admin.nav.cancellations, roles: ROLES.anyStaff },
  { href: "/admin/requests", label: (c) => c.m.admin.nav.requests, roles: ROLES.anyStaff },
  { href: "/admin/automation", label: (c) => c.m.admin.nav.automation, roles: ROLES.anyStaff },
  { href: "/admin/preview", label: (c) => c.m.admin.nav.preview, roles: ROLES.anyStaff },
  { href: "/admin/reports", label: (c) => c.m.adminReports.nav, roles: ROLES.money },
  { href: "/admin/policies", label: (c) => c.m.admin.nav.policies, roles: ROLES.anyStaff },
  { href: "/admin/drift", label: (c) => c.m.adminDrift.title, roles: ROLES.anyStaff },
  { href: "/admin/audit", label: (c) => c.m.admin.nav.audit, roles: ROLES.anyStaff },
  { href: "/admin/staff", label: (c) => c.m.admin.nav.staff, roles: ROLES.adminOnly },
  { href: "/admin/api-keys", label: (c) => c.m.admin.nav.apiKeys, roles: ROLES.adminOnly },
  { href: "/admin/webhooks", label: (c) => c.m.admin.nav.webhooks, roles: ROLES.adminOnly },
  { href: "/admin/account", label: (c) => c.m.admin.nav.account, roles: ROLES.anyStaff },
];

function sectionLink(ctx: PageContext, section: Section): SafeHtml {
  const isCurrent = section.href === "/admin" ? ctx.path === "/admin" : ctx.path.startsWith(section.href);
  return html`<li><a href="${section.href}" ${isCurrent ? html`aria-current="page"` : ""}>${section.label(ctx)}</a></li>`;
}

export function adminLayout(ctx: PageContext, title: string, body: SafeHtml, flash?: Flash | null): SafeHtml {
  const { m } = ctx;
  const other: Locale = ctx.locale === "en" ? "fr-CA" : "en";
  const staff = ctx.staff;
  const nav = staff
    ? html`<a class="menu-toggle" href="#menu">${m.admin.nav.menu}</a>
      <nav id="menu" class="menu" aria-label="${m.admin.nav.menu}"><ul>
        ${SECTIONS.filter((s) => s.roles.includes(staff.role)).map((s) => sectionLink(ctx, s))}
        <li><form method="post" action="/admin/logout">${csrfField(ctx)}<button type="submit" class="link">${m.admin.nav.signOut}</button></form></li>
      </ul></nav>`
    : "";
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · ${m.admin.appName}</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body class="back-office">
<a class="skip" href="#main">${m.common.skipToContent}</a>
<header class="top">
  <a class="brand" href="/admin">${m.admin.appName}</a>
  ${staff ? html`<span class="muted staff-who">${m.admin.signedInAs} ${staff.name} · <span class="badge">${m.admin.roles[staff.role] ?? staff.role}</span></span>` : ""}
  <form method="post" action="/admin/language" class="lang">
    ${csrfField(ctx)}<input type="hidden" name="locale" value="${other}"><input type="hidden" name="back" value="${ctx.path}">
    <button type="submit" class="link" lang="${other}" aria-label="${m.common.language.label}: ${m.common.language[other]}">${m.common.language[other]}</button>
  </form>
  ${nav}
</header>
<main id="main" class="wide">
${flashBox(flash)}
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
