/** Words shared by the requests pages: kinds, statuses, authors, service kinds, dates. */
import type { Instant } from "../../../domain/time.js";
import { formatInstant } from "../../../domain/time.js";
import { isTicketKind } from "../../../modules/tickets/list-tickets.js";
import { formatLongDate } from "../../format.js";
import { html, type SafeHtml } from "../../html.js";
import type { PageContext } from "../../layout.js";

export function kindName(ctx: PageContext, kind: string): string {
  return isTicketKind(kind) ? ctx.m.tickets.kinds[kind] : kind;
}

export function statusBadge(ctx: PageContext, status: string): SafeHtml {
  const word = ctx.m.common.status[status] ?? status;
  return html`<span class="badge badge-${status}">${word}</span>`;
}

export function authorName(ctx: PageContext, author: string): string {
  const authors: Record<string, string> = ctx.m.tickets.authors;
  return authors[author] ?? ctx.m.tickets.authors.support;
}

export function serviceKindName(ctx: PageContext, kind: string): string {
  const kinds: Record<string, string> = ctx.m.tickets.serviceKinds;
  return kinds[kind] ?? kind;
}

/** Where a linked service is managed: a domain on its domain page, the others on their service page. */
export function serviceHref(service: { id: string; kind: string }): string {
  const id = encodeURIComponent(service.id);
  return service.kind === "domain" ? `/domains/${id}` : `/services/${id}`;
}

export function dateTag(ctx: PageContext, at: Instant, timeZone: string): SafeHtml {
  return html`<time datetime="${formatInstant(at)}">${formatLongDate(at, ctx.locale, timeZone)}</time>`;
}
