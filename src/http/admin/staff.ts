/** Back office: staff accounts (admin only): list, add with a one-time password, disable. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { ROLES, STAFF_ROLES } from "../../domain/staff-roles.js";
import { inTransaction } from "../../modules/deps.js";
import { recordAudit } from "../../modules/staff/audit-log.js";
import { addStaff, disableStaff, listStaff } from "../../modules/staff/staff-repository.js";
import { staffInstant } from "../../views/admin/admin-format.js";
import { html } from "../../views/html.js";
import { csrfField } from "../../views/layout.js";
import { type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { actorOf, allow, staffOf } from "./admin-guard.js";

const addForm = z.object({
  email: z.email().max(320),
  role: z.enum(STAFF_ROLES),
  name: z.string().trim().max(200).optional(),
});
const disableForm = z.object({
  email: z.string().trim().min(1).max(320),
  confirm: z.literal("yes").optional(),
});

export function registerStaffRoutes(app: FastifyInstance, options: HttpOptions): void {
  const db = options.deps.db;

  const staffPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: Record<string, string>; created?: { email: string; password: string } } = {},
  ) => {
    const all = await listStaff(db);
    const errors = extra.errors ?? {};
    return sendPage(
      request,
      reply,
      (m) => m.adminStaff.title,
      (ctx) => {
        const s = ctx.m.adminStaff;
        return html`${
          extra.created
            ? html`<div class="flash flash-success" role="status"><p>${s.added(extra.created.email)}</p><p>${s.oneTimePassword} <code data-testid="one-time-password">${extra.created.password}</code></p></div>`
            : ""
        }
        <table class="responsive"><thead><tr><th>${s.email}</th><th>${s.name}</th><th>${s.role}</th><th>${s.totp}</th><th>${s.lastSignIn}</th><th>${s.status}</th><th></th></tr></thead><tbody>
        ${all.map(
          (member) => html`<tr>
            <td data-label="${s.email}">${member.email}</td>
            <td data-label="${s.name}">${member.name}</td>
            <td data-label="${s.role}">${ctx.m.admin.roles[member.role] ?? member.role}</td>
            <td data-label="${s.totp}">${member.totpEnabled ? s.yes : s.no}</td>
            <td data-label="${s.lastSignIn}">${member.lastSignInAt ? staffInstant(member.lastSignInAt) : s.never}</td>
            <td data-label="${s.status}"><span class="badge ${member.disabledAt ? "badge-cancelled" : "badge-active"}">${member.disabledAt ? s.disabled : s.active}</span></td>
            <td>${
              member.disabledAt === null && member.id !== staffOf(request).id
                ? html`<form method="post" action="/admin/staff/disable">${csrfField(ctx)}<input type="hidden" name="email" value="${member.email}"><button type="submit" class="danger">${s.disable}</button></form>`
                : ""
            }</td></tr>`,
        )}
        </tbody></table>
        <section class="card"><h2>${s.add}</h2>
        <form method="post" action="/admin/staff" class="stack">${csrfField(ctx)}
          <div><label for="email">${s.email}</label><input id="email" name="email" type="email" required>${errors.email ? html`<p class="field-error">${errors.email}</p>` : ""}</div>
          <div><label for="name">${s.name}</label><input id="name" name="name" type="text"></div>
          <div><label for="role">${s.role}</label><select id="role" name="role">${STAFF_ROLES.map((r) => html`<option value="${r}">${ctx.m.admin.roles[r] ?? r}</option>`)}</select>${errors.role ? html`<p class="field-error">${errors.role}</p>` : ""}</div>
          <div class="actions"><button type="submit">${s.addButton}</button></div>
        </form></section>`;
      },
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );
  };

  app.get("/admin/staff", allow(ROLES.adminOnly), (request, reply) => staffPage(request, reply));

  app.post("/admin/staff", allow(ROLES.adminOnly), async (request, reply) => {
    const s = messages(request).adminStaff;
    const form = parseForm(addForm, request.body);
    if (!form.ok) {
      return staffPage(request, reply, {
        errors: {
          ...(form.errors.email ? { email: s.invalidEmail } : {}),
          ...(form.errors.role ? { role: s.invalidRole } : {}),
        },
      });
    }
    const now = options.clock.now();
    try {
      const created = await inTransaction(options.deps, "staff-add", async (tx) => {
        const result = await addStaff(
          tx,
          {
            email: form.value.email,
            role: form.value.role,
            ...(form.value.name ? { name: form.value.name } : {}),
          },
          now,
        );
        await recordAudit(tx, actorOf(request), now, {
          action: "staff.added",
          objectType: "staff",
          objectId: result.staff.id,
          customerId: null,
          after: { email: result.staff.email, role: result.staff.role },
        });
        return result;
      });
      return staffPage(request, reply, {
        created: { email: created.staff.email, password: created.oneTimePassword },
      });
    } catch (error) {
      if (error instanceof AppError && error.code === "CONFLICT")
        return staffPage(request, reply, { errors: { email: s.duplicate } });
      throw error;
    }
  });

  app.post("/admin/staff/disable", allow(ROLES.adminOnly), async (request, reply) => {
    const s = messages(request).adminStaff;
    const form = parseForm(disableForm, request.body);
    if (!form.ok) return staffPage(request, reply, { errors: { email: s.invalidEmail } });
    if (form.value.email.toLowerCase() === staffOf(request).email)
      return staffPage(request, reply, { errors: { email: s.cannotDisableSelf } });
    // Asks first: the page says what will happen, the second post (confirm=yes) does it.
    if (form.value.confirm !== "yes") {
      const email = form.value.email;
      return sendPage(
        request,
        reply,
        (m) => m.adminStaff.disable,
        (ctx) => html`<div class="card"><p>${ctx.m.adminStaff.confirmDisable(email)}</p>
          <form method="post" action="/admin/staff/disable">${csrfField(ctx)}<input type="hidden" name="email" value="${email}"><input type="hidden" name="confirm" value="yes">
          <div class="actions"><button type="submit" class="danger">${ctx.m.adminStaff.disable}</button><a href="/admin/staff">${ctx.m.common.form.cancel}</a></div></form></div>`,
      );
    }
    const now = options.clock.now();
    const disabled = await inTransaction(options.deps, "staff-disable", async (tx) => {
      const member = await disableStaff(tx, form.value.email, now);
      if (!member) return null;
      await recordAudit(tx, actorOf(request), now, {
        action: "staff.disabled",
        objectType: "staff",
        objectId: member.id,
        customerId: null,
        before: { disabled: false },
        after: { disabled: true },
      });
      return member;
    });
    if (!disabled) throw new AppError("NOT_FOUND", "no such active staff member");
    return redirectWith(request, reply, "/admin/staff", {
      kind: "success",
      text: s.disabledDone(disabled.email),
    });
  });
}
