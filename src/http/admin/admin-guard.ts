/**
 * Who may open a back-office route. Every route under /admin declares, in its `config`, either
 * `staffAccess: "public"` (the sign-in pages), `staffAccess: "signing-in"` (a staff member halfway
 * through: choosing a password, signing out), or the `roles` it allows. A route that declares
 * nothing is refused to everyone (deny by default; the access-matrix test names it).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { StaffRole } from "../../domain/staff-roles.js";
import type { StaffActor } from "../../modules/staff/audit-log.js";
import { html } from "../../views/html.js";
import { messages, sendPage } from "../context.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The staff roles a back-office route allows. */
    roles?: readonly StaffRole[];
    /** A back-office route open before (or during) sign-in. */
    staffAccess?: "public" | "signing-in";
  }
}

/** Route options for a back-office page or action allowed to these roles. */
export function allow(roles: readonly StaffRole[]) {
  return { config: { roles } };
}

export const PUBLIC_ROUTE = { config: { staffAccess: "public" as const } };
export const SIGNING_IN_ROUTE = { config: { staffAccess: "signing-in" as const } };

export function staffOf(request: FastifyRequest) {
  if (!request.staff) throw new Error("route requires a signed-in staff member");
  return request.staff;
}

/** The staff member acting, as the audit log records them. */
export function actorOf(request: FastifyRequest): StaffActor {
  const staff = staffOf(request);
  return { id: staff.id, email: staff.email, role: staff.role, address: request.ip };
}

function forbiddenPage(request: FastifyRequest, reply: FastifyReply, needed: readonly StaffRole[]) {
  const m = messages(request);
  const role = request.staff?.role ?? "";
  const names = needed.map((r) => m.admin.roles[r] ?? r);
  return sendPage(
    request,
    reply,
    m.admin.forbidden.title,
    () =>
      html`<div class="card"><p role="alert">${m.admin.forbidden.text(m.admin.roles[role] ?? role, names.join(m.admin.forbidden.or) || "—")}</p>
        <p><a href="/admin">${m.admin.forbidden.back}</a></p></div>`,
    { status: 403, flash: null },
  );
}

/** Runs after the session, the staff member and the CSRF check are known. */
export async function guardBackOffice(request: FastifyRequest, reply: FastifyReply) {
  // An unknown path under /admin is a 404 for staff; a visitor is sent to sign in first, so the
  // back office's paths cannot be probed from outside.
  if (request.is404) {
    if (!request.staff) return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`, 303);
    return;
  }
  const config = request.routeOptions.config;
  if (config.staffAccess === "public") return;
  const staff = request.staff;
  if (!staff) return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`, 303);
  if (config.staffAccess === "signing-in") return;
  if (staff.mustChangePassword) return reply.redirect("/admin/password", 303);
  const roles = config.roles ?? [];
  if (!roles.includes(staff.role)) return forbiddenPage(request, reply, roles);
}
