/**
 * The page frame: header with the navigation (a menu that opens without JavaScript on a phone),
 * the language switch, and the main content. Mobile first.
 */

import type { StaffRole } from "../domain/staff-roles.js";
import { adminLayout } from "./admin/admin-layout.js";
import { html, type SafeHtml } from "./html.js";
import type { Messages } from "./i18n/index.js";
import type { Locale } from "./notices/notice-types.js";

export interface PageContext {
  locale: Locale;
  m: Messages;
  /** Present when a customer is signed in. */
  customer: { name: string } | null;
  /** Present when a staff member is signed in (back-office pages only). */
  staff: { name: string; role: StaffRole } | null;
  /** A back-office page: the staff frame (views/admin/admin-layout.ts). */
  isBackOffice: boolean;
  csrfToken: string;
  /** The current path, for the active menu entry and the language switch's return. */
  path: string;
}

export interface Flash {
  kind: "success" | "error" | "info";
  text: string | SafeHtml;
}

function navLink(ctx: PageContext, href: string, label: string): SafeHtml {
  const isCurrent = href === "/" ? ctx.path === "/" : ctx.path.startsWith(href);
  return html`<li><a href="${href}" ${isCurrent ? html`aria-current="page"` : ""}>${label}</a></li>`;
}

export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

export function flashBox(flash: Flash | null | undefined): SafeHtml {
  if (!flash) return html``;
  return html`<div class="flash flash-${flash.kind}" role="${flash.kind === "error" ? "alert" : "status"}">${flash.text}</div>`;
}

export function layout(ctx: PageContext, title: string, body: SafeHtml, flash?: Flash | null): SafeHtml {
  if (ctx.isBackOffice) return adminLayout(ctx, title, body, flash);
  const { m } = ctx;
  const other: Locale = ctx.locale === "en" ? "fr-CA" : "en";
  // On a phone the menu opens through its anchor (:target), so it works without JavaScript.
  const nav = ctx.customer
    ? html`<a class="menu-toggle" href="#menu">${m.common.nav.menu}</a>
      <nav id="menu" class="menu" aria-label="${m.common.nav.menu}"><ul>
          ${navLink(ctx, "/", m.common.nav.dashboard)}
          ${navLink(ctx, "/domains", m.common.nav.domains)}
          ${navLink(ctx, "/invoices", m.common.nav.invoices)}
          ${navLink(ctx, "/requests", m.common.nav.requests)}
          ${navLink(ctx, "/payment-method", m.common.nav.paymentMethod)}
          ${navLink(ctx, "/account", m.common.nav.account)}
          <li><form method="post" action="/logout">${csrfField(ctx)}<button type="submit" class="link">${m.common.nav.signOut}</button></form></li>
        </ul></nav>`
    : "";
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${m.common.appName}</title>
<link rel="stylesheet" href="/assets/app.css">
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<script src="/assets/menus.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${m.common.skipToContent}</a>
<header class="top">
  <a class="brand" href="/">${m.common.appName}</a>
  <form method="post" action="/language" class="lang">
    ${csrfField(ctx)}<input type="hidden" name="locale" value="${other}"><input type="hidden" name="back" value="${ctx.path}">
    <button type="submit" class="link" lang="${other}" aria-label="${m.common.language.label}: ${m.common.language[other]}">${m.common.language[other]}</button>
  </form>
  ${nav}
</header>
<main id="main">
${flashBox(flash)}
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}
