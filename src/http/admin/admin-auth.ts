/**
 * Staff sign-in: password (the first one generated and replaced at once), then TOTP when enrolled;
 * enrolment offered after the first sign-in and required to stay on for admins. The session,
 * CSRF and rate limits are the client area's own; signing in here starts a new session, so a
 * staff session never carries a customer's, nor the other way round.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ROLES } from "../../domain/staff-roles.js";
import {
  MIN_PASSWORD_LENGTH,
  newTotpSecret,
  totpStepOf,
  totpUri,
} from "../../modules/accounts/account-repository.js";
import { inTransaction } from "../../modules/deps.js";
import { recordAudit } from "../../modules/staff/audit-log.js";
import {
  acceptStaffTotpStep,
  authenticateStaff,
  changeStaffPassword,
  disableStaffTotp,
  enableStaffTotp,
  findStaff,
  recordStaffSignIn,
  setStaffLocale,
  staffTotpSecretOf,
} from "../../modules/staff/staff-repository.js";
import { html } from "../../views/html.js";
import { toLocale } from "../../views/i18n/index.js";
import { csrfField } from "../../views/layout.js";
import { type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm, safeNext } from "../forms.js";
import { signInLimiter, typedAccountKey } from "../sign-in-limits.js";
import { actorOf, allow, PUBLIC_ROUTE, SIGNING_IN_ROUTE, staffOf } from "./admin-guard.js";

const loginForm = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1000),
  next: z.string().optional(),
});
const codeForm = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});
const passwordForm = z.object({ password: z.string().max(1000), confirm: z.string().max(1000) });

/** Only a back-office path is followed after a staff sign-in. */
function adminNext(next: unknown): string {
  const path = safeNext(next);
  return path === "/admin" || path.startsWith("/admin/") || path.startsWith("/admin?") ? path : "/admin";
}

function pendingStaffKey(request: FastifyRequest): string {
  const pending = request.session.pendingTotpStaffId;
  return pending ? `staff-id:${pending}` : `no-account:${request.ip}`;
}

type Reply = FastifyReply;

export function registerAdminAuthRoutes(app: FastifyInstance, options: HttpOptions): void {
  const limitsBy = signInLimiter(app, options, "staff");
  const limits = limitsBy(typedAccountKey, { knownDevices: true });
  const totpLimits = limitsBy(pendingStaffKey);
  // Guessing a code to change two-step verification (a stolen session) is limited like sign-in.
  const codeChangeLimits = signInLimiter(
    app,
    options,
    "staff-totp-change",
  )((request) => `staff-id:${request.session.staffId ?? request.ip}`);
  const db = options.deps.db;

  /** A new session for the staff member (no fixation), keeping only the language. */
  async function startStaffSession(request: FastifyRequest, staffId: string) {
    const locale = request.session.locale;
    await request.session.regenerate();
    request.session.locale = locale;
    request.session.staffId = staffId;
    const now = options.clock.now();
    await recordStaffSignIn(db, staffId, now);
    // The language chosen on the sign-in page becomes the staff member's own.
    if (locale) await setStaffLocale(db, staffId, locale);
    request.staff = await findStaff(db, staffId);
    await recordAudit(db, actorOf(request), now, {
      action: "staff.signed-in",
      objectType: "staff",
      objectId: staffId,
      customerId: null,
    });
  }

  const loginPage = (request: FastifyRequest, reply: Reply, error?: string, email = "") =>
    sendPage(
      request,
      reply,
      (m) => m.admin.auth.signInTitle,
      (ctx) => html`<form method="post" action="/admin/login" class="stack card" novalidate>
        ${csrfField(ctx)}
        <input type="hidden" name="next" value="${adminNext((request.query as { next?: string }).next)}">
        ${error ? html`<p class="field-error" role="alert">${error}</p>` : ""}
        <div><label for="email">${ctx.m.admin.auth.email}</label><input id="email" name="email" type="email" autocomplete="username" required value="${email}"></div>
        <div><label for="password">${ctx.m.admin.auth.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
        <div class="actions"><button type="submit">${ctx.m.admin.auth.signIn}</button></div>
      </form>`,
      { status: error ? 400 : 200 },
    );

  app.get("/admin/login", PUBLIC_ROUTE, (request, reply) => {
    if (request.staff) return reply.redirect("/admin", 303);
    return loginPage(request, reply);
  });

  app.post("/admin/login", { ...PUBLIC_ROUTE, preHandler: limits.check }, async (request, reply) => {
    const m = messages(request);
    const form = parseForm(loginForm, request.body);
    if (!form.ok) return loginPage(request, reply, m.admin.auth.badCredentials);
    const staff = await authenticateStaff(db, form.value.email, form.value.password);
    if (!staff) return loginPage(request, reply, m.admin.auth.badCredentials, form.value.email);
    limits.succeeded(request, reply);
    const next = adminNext(form.value.next);
    if (staff.totpEnabled) {
      const locale = request.session.locale;
      await request.session.regenerate();
      request.session.locale = locale;
      request.session.pendingTotpStaffId = staff.id;
      return reply.redirect(`/admin/login/totp?next=${encodeURIComponent(next)}`, 303);
    }
    await startStaffSession(request, staff.id);
    return reply.redirect(staff.mustChangePassword ? "/admin/password" : next, 303);
  });

  const totpPage = (request: FastifyRequest, reply: Reply, error?: string) =>
    sendPage(
      request,
      reply,
      (m) => m.admin.auth.totpTitle,
      (ctx) => html`<form method="post" action="/admin/login/totp" class="stack card">
        ${csrfField(ctx)}
        <input type="hidden" name="next" value="${adminNext((request.query as { next?: string }).next)}">
        ${error ? html`<p class="field-error" role="alert">${error}</p>` : ""}
        <div><label for="code">${ctx.m.admin.auth.totpCode}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></div>
        <div class="actions"><button type="submit">${ctx.m.admin.auth.verify}</button></div>
      </form>`,
      { status: error ? 400 : 200 },
    );

  app.get("/admin/login/totp", PUBLIC_ROUTE, (request, reply) => {
    if (!request.session.pendingTotpStaffId) return reply.redirect("/admin/login", 303);
    return totpPage(request, reply);
  });

  app.post("/admin/login/totp", { ...PUBLIC_ROUTE, preHandler: totpLimits.check }, async (request, reply) => {
    const pending = request.session.pendingTotpStaffId;
    if (!pending) return reply.redirect("/admin/login", 303);
    const m = messages(request);
    const form = parseForm(codeForm, request.body);
    const staff = await findStaff(db, pending);
    const secret = await staffTotpSecretOf(db, pending);
    const step =
      form.ok && staff && staff.disabledAt === null && secret
        ? totpStepOf(secret, staff.email, form.value.code, options.clock.now())
        : null;
    if (step === null || !staff) return totpPage(request, reply, m.admin.auth.totpInvalid);
    if (!(await acceptStaffTotpStep(db, pending, step)))
      return totpPage(request, reply, m.admin.auth.totpUsed);
    totpLimits.succeeded(request, reply);
    await startStaffSession(request, pending);
    const next = adminNext((request.body as { next?: string }).next);
    return reply.redirect(staff.mustChangePassword ? "/admin/password" : next, 303);
  });

  app.post("/admin/logout", SIGNING_IN_ROUTE, async (request, reply) => {
    const locale = request.staff?.locale;
    await request.session.regenerate();
    if (locale) request.session.locale = locale;
    return reply.redirect("/admin/login", 303);
  });

  app.post("/admin/language", PUBLIC_ROUTE, async (request, reply) => {
    const body = request.body as { locale?: string; back?: string } | undefined;
    const locale = toLocale(body?.locale);
    request.session.locale = locale;
    if (request.staff) await setStaffLocale(db, request.staff.id, locale);
    return reply.redirect(adminNext(body?.back), 303);
  });

  const passwordPage = (request: FastifyRequest, reply: Reply, errors: Record<string, string> = {}) =>
    sendPage(
      request,
      reply,
      (m) => m.admin.auth.changeTitle,
      (ctx) => html`<form method="post" action="/admin/password" class="stack card">
        ${csrfField(ctx)}
        ${staffOf(request).mustChangePassword ? html`<p>${ctx.m.admin.auth.changeIntro}</p>` : ""}
        <div><label for="password">${ctx.m.admin.auth.newPassword}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
          ${errors.password ? html`<p class="field-error">${errors.password}</p>` : ""}</div>
        <div><label for="confirm">${ctx.m.admin.auth.confirmPassword}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
          ${errors.confirm ? html`<p class="field-error">${errors.confirm}</p>` : ""}</div>
        <div class="actions"><button type="submit">${ctx.m.common.form.save}</button></div>
      </form>`,
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );

  app.get("/admin/password", SIGNING_IN_ROUTE, (request, reply) => passwordPage(request, reply));

  app.post("/admin/password", SIGNING_IN_ROUTE, async (request, reply) => {
    const m = messages(request);
    const staff = staffOf(request);
    const form = parseForm(passwordForm, request.body);
    if (!form.ok || form.value.password.length < MIN_PASSWORD_LENGTH)
      return passwordPage(request, reply, { password: m.admin.auth.passwordTooShort });
    if (form.value.password !== form.value.confirm)
      return passwordPage(request, reply, { confirm: m.admin.auth.passwordsDiffer });
    if (staff.mustChangePassword && (await authenticateStaff(db, staff.email, form.value.password)))
      return passwordPage(request, reply, { password: m.admin.auth.passwordSameAsOld });
    const wasFirst = staff.mustChangePassword;
    await inTransaction(options.deps, "staff-password", async (tx) => {
      await recordAudit(tx, actorOf(request), options.clock.now(), {
        action: "staff.password-changed",
        objectType: "staff",
        objectId: staff.id,
        customerId: null,
      });
      await changeStaffPassword(tx, staff.id, form.value.password);
    });
    // The first sign-in goes on to offer two-step verification.
    const to = wasFirst && !staff.totpEnabled ? "/admin/account" : "/admin";
    return redirectWith(request, reply, to, { kind: "success", text: m.admin.auth.passwordChanged });
  });

  const accountPage = (request: FastifyRequest, reply: Reply, error?: string) => {
    const staff = staffOf(request);
    const setup = request.session.staffTotpSetupSecret;
    return sendPage(
      request,
      reply,
      (m) => m.admin.nav.account,
      (ctx) => {
        const a = ctx.m.admin.auth;
        const totp = staff.totpEnabled
          ? html`<p>${a.totpOn}</p>${
              staff.role === "admin"
                ? html`<p class="muted">${a.totpRequiredForAdmin}</p>`
                : html`<form method="post" action="/admin/account/totp/disable" class="stack">${csrfField(ctx)}
                  <div><label for="code">${a.totpCode}</label><input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9]{6}" required></div>
                  <div class="actions"><button type="submit" class="danger">${a.totpDisable}</button></div></form>`
            }`
          : setup
            ? html`<p>${a.totpSetupIntro}</p>
              <p>${a.totpKey}: <code>${setup}</code></p>
              <p class="muted"><code>${totpUri(setup, staff.email)}</code></p>
              <form method="post" action="/admin/account/totp/enable" class="stack">${csrfField(ctx)}
                <div><label for="code">${a.totpCode}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></div>
                <div class="actions"><button type="submit">${a.totpEnable}</button><a href="/admin">${a.totpSkip}</a></div></form>`
            : html`<p>${a.totpSetupIntro}</p>
              <form method="post" action="/admin/account/totp/setup">${csrfField(ctx)}<div class="actions"><button type="submit">${a.totpEnable}</button><a href="/admin">${a.totpSkip}</a></div></form>`;
        return html`${error ? html`<p class="field-error" role="alert">${error}</p>` : ""}
          <section class="card"><h2>${a.totpSetupTitle}</h2>${totp}</section>
          <section class="card"><h2>${a.password}</h2><p><a href="/admin/password">${a.changeTitle}</a></p></section>`;
      },
      { status: error ? 400 : 200 },
    );
  };

  app.get("/admin/account", allow(ROLES.anyStaff), (request, reply) => accountPage(request, reply));

  app.post("/admin/account/totp/setup", allow(ROLES.anyStaff), async (request, reply) => {
    request.session.staffTotpSetupSecret = newTotpSecret();
    return reply.redirect("/admin/account", 303);
  });

  app.post(
    "/admin/account/totp/enable",
    { ...allow(ROLES.anyStaff), preHandler: codeChangeLimits.check },
    async (request, reply) => {
      const staff = staffOf(request);
      const m = messages(request);
      const secret = request.session.staffTotpSetupSecret;
      if (!secret) return reply.redirect("/admin/account", 303);
      const form = parseForm(codeForm, request.body);
      const step = form.ok ? totpStepOf(secret, staff.email, form.value.code, options.clock.now()) : null;
      if (step === null) return accountPage(request, reply, m.admin.auth.totpInvalid);
      if (!(await enableStaffTotp(db, staff.id, secret, step)))
        return accountPage(request, reply, m.admin.auth.totpUsed);
      codeChangeLimits.succeeded(request, reply);
      request.session.staffTotpSetupSecret = undefined;
      await recordAudit(db, actorOf(request), options.clock.now(), {
        action: "staff.totp-enabled",
        objectType: "staff",
        objectId: staff.id,
        customerId: null,
        before: { totp: false },
        after: { totp: true },
      });
      return redirectWith(request, reply, "/admin/account", {
        kind: "success",
        text: m.admin.auth.totpEnabled,
      });
    },
  );

  app.post(
    "/admin/account/totp/disable",
    { ...allow(ROLES.anyStaff), preHandler: codeChangeLimits.check },
    async (request, reply) => {
      const staff = staffOf(request);
      const m = messages(request);
      if (staff.role === "admin") return accountPage(request, reply, m.admin.auth.totpRequiredForAdmin);
      const secret = await staffTotpSecretOf(db, staff.id);
      const form = parseForm(codeForm, request.body);
      const step =
        secret && form.ok ? totpStepOf(secret, staff.email, form.value.code, options.clock.now()) : null;
      if (step === null) return accountPage(request, reply, m.admin.auth.totpInvalid);
      if (!(await acceptStaffTotpStep(db, staff.id, step)))
        return accountPage(request, reply, m.admin.auth.totpUsed);
      codeChangeLimits.succeeded(request, reply);
      await disableStaffTotp(db, staff.id);
      await recordAudit(db, actorOf(request), options.clock.now(), {
        action: "staff.totp-disabled",
        objectType: "staff",
        objectId: staff.id,
        customerId: null,
        before: { totp: true },
        after: { totp: false },
      });
      return redirectWith(request, reply, "/admin/account", {
        kind: "success",
        text: m.admin.auth.totpDisabled,
      });
    },
  );
}
