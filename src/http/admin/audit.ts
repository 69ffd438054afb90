/**
 * Back office: the audit log as a searchable list (every staff member), newest first, paged by
 * line id, filtered by free text, dates (UTC days, the end excluded), staff e-mail and object; and
 * the same selection as CSV (admins only), an export that is itself written to the audit log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ROLES } from "../../domain/staff-roles.js";
import type { Instant } from "../../domain/time.js";
import { inTransaction } from "../../modules/deps.js";
import { type AuditFilter, auditCsv, listAudit, recordAudit } from "../../modules/staff/audit-log.js";
import { staffDate } from "../../views/admin/admin-format.js";
import { auditTable } from "../../views/admin/audit-trail.js";
import { html } from "../../views/html.js";
import type { Messages } from "../../views/i18n/index.js";
import { type HttpOptions, messages, sendPage } from "../context.js";
import { actorOf, allow, staffOf } from "./admin-guard.js";

const PAGE_SIZE = 50;
/** An export larger than this is cut: narrow the dates to export the rest. */
export const MAX_EXPORT_LINES = 50_000;

/** The filters as typed (kept in the form and the paging links). */
interface Typed {
  q: string;
  from: string;
  to: string;
  staff: string;
  object: string;
}

type Parsed = { ok: true; filter: AuditFilter; typed: Typed } | { ok: false; errors: string[]; typed: Typed };

function text(query: Record<string, unknown>, key: string): string {
  const value = query[key];
  return typeof value === "string" ? value.trim() : "";
}

/** A UTC day, YYYY-MM-DD, as the instant it starts; null when it is not a real date. */
function utcDay(value: string): Instant | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const at = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== value) return null;
  return at;
}

/** Reads and checks the filters; every problem is named (the page shows them all at once). */
export function parseAuditQuery(query: unknown, m: Messages): Parsed {
  const raw = (query ?? {}) as Record<string, unknown>;
  const typed: Typed = {
    q: text(raw, "q"),
    from: text(raw, "from"),
    to: text(raw, "to"),
    staff: text(raw, "staff"),
    object: text(raw, "object"),
  };
  const a = m.adminAudit;
  const errors: string[] = [];
  const filter: AuditFilter = {};
  if (typed.q.length > 200) errors.push(a.badSearch);
  else if (typed.q) filter.q = typed.q;
  const from = typed.from ? utcDay(typed.from) : undefined;
  const to = typed.to ? utcDay(typed.to) : undefined;
  if (from === null || to === null) errors.push(a.badDate);
  else {
    if (from !== undefined) filter.from = from;
    if (to !== undefined) filter.to = to;
    if (from !== undefined && to !== undefined && from >= to) errors.push(a.badRange);
  }
  if (typed.staff) {
    if (typed.staff.length > 320 || !/^[^\s@]+@[^\s@]+$/.test(typed.staff)) errors.push(a.badStaff);
    else filter.staffEmail = typed.staff;
  }
  if (typed.object) {
    const match = /^([a-z][a-z-]{0,39})(?::(\S{1,200}))?$/.exec(typed.object);
    if (!match) errors.push(a.badObject);
    else {
      filter.objectType = match[1] as string;
      if (match[2] !== undefined) filter.objectId = match[2];
    }
  }
  const before = raw.before;
  if (before !== undefined && before !== "") {
    if (typeof before !== "string" || !/^\d{1,15}$/.test(before) || Number(before) < 1)
      errors.push(a.badBefore);
    else filter.beforeId = Number(before);
  }
  return errors.length > 0 ? { ok: false, errors, typed } : { ok: true, filter, typed };
}

function queryString(typed: Typed, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...typed, ...extra })) if (value) params.set(key, value);
  const s = params.toString();
  return s ? `?${s}` : "";
}

export function registerAuditRoutes(app: FastifyInstance, options: HttpOptions): void {
  const db = options.deps.db;

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const parsed = parseAuditQuery(request.query, messages(request));
    const lines = parsed.ok ? await listAudit(db, { ...parsed.filter, limit: PAGE_SIZE + 1 }) : [];
    const shown = lines.slice(0, PAGE_SIZE);
    const older = lines.length > PAGE_SIZE ? shown[shown.length - 1] : undefined;
    const isAdmin = (ROLES.adminOnly as readonly string[]).includes(staffOf(request).role);
    const typed = parsed.typed;
    return sendPage(
      request,
      reply,
      (m) => m.adminAudit.title,
      (ctx) => {
        const a = ctx.m.adminAudit;
        const field = (name: keyof Typed, label: string, type = "text") =>
          html`<div><label for="audit-${name}">${label}</label><input id="audit-${name}" name="${name}" type="${type}" value="${typed[name]}"></div>`;
        return html`<p class="muted">${a.appendOnly}</p>
          ${
            parsed.ok
              ? ""
              : html`<div class="flash flash-error" role="alert">${parsed.errors.map((e) => html`<p>${e}</p>`)}</div>`
          }
          <section class="card"><form method="get" action="/admin/audit" class="stack" role="search">
            <div><label for="audit-q">${a.search}</label><input id="audit-q" name="q" type="text" value="${typed.q}" placeholder="${a.searchHint}"></div>
            ${field("from", a.from)}
            ${field("to", a.to)}
            ${field("staff", a.staffFilter)}
            ${field("object", a.objectFilter)}
            <div class="actions"><button type="submit">${a.filter}</button><a href="/admin/audit">${a.clear}</a>${
              isAdmin && parsed.ok
                ? html`<a href="/admin/audit.csv${queryString(typed)}" download>${a.exportCsv}</a>`
                : ""
            }</div>
          </form></section>
          ${parsed.ok ? html`<p class="muted" data-testid="audit-count">${a.count(shown.length)}</p>${auditTable(ctx.m, shown)}` : ""}
          <p class="actions">${
            parsed.ok && parsed.filter.beforeId !== undefined
              ? html`<a href="/admin/audit${queryString(typed)}">${a.newest}</a>`
              : ""
          }${older ? html`<a href="/admin/audit${queryString(typed, { before: String(older.id) })}" rel="next">${a.older}</a>` : ""}</p>`;
      },
      { status: parsed.ok ? 200 : 400 },
    );
  };

  app.get("/admin/audit", allow(ROLES.anyStaff), page);

  app.get("/admin/audit.csv", allow(ROLES.adminOnly), async (request, reply) => {
    const parsed = parseAuditQuery(request.query, messages(request));
    if (!parsed.ok) return page(request, reply);
    const now = options.clock.now();
    const lines = await inTransaction(options.deps, "audit-export", async (tx) => {
      const found = await listAudit(tx, { ...parsed.filter, limit: MAX_EXPORT_LINES });
      // Who exported what, and how much of it: an export is a staff action like any other.
      await recordAudit(tx, actorOf(request), now, {
        action: "audit.exported",
        objectType: "audit",
        objectId: "csv",
        customerId: null,
        after: {
          q: parsed.typed.q || null,
          from: parsed.typed.from || null,
          to: parsed.typed.to || null,
          staff: parsed.typed.staff || null,
          object: parsed.typed.object || null,
          lines: found.length,
          truncated: found.length === MAX_EXPORT_LINES,
        },
      });
      return found;
    });
    const name = `audit-log-${staffDate(now)}.csv`;
    return reply
      .header("content-disposition", `attachment; filename="${name}"`)
      .type("text/csv; charset=utf-8")
      .send(auditCsv(lines));
  });
}
