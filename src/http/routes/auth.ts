/**
 * Sign-in (password, then TOTP when enabled), sign-out, forgotten password by a single-use e-mailed
 * link, and the language switch. Sign-in is rate-limited per address and per account.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  acceptTotpStep,
  authenticate,
  completePasswordReset,
  findAccount,
  isResetTokenUsable,
  MIN_PASSWORD_LENGTH,
  setLocale,
  startPasswordReset,
  totpSecretOf,
  totpStepOf,
} from "../../modules/accounts/account-repository.js";
import { inTransaction } from "../../modules/deps.js";
import { deliverPendingNotices } from "../../modules/notifications/deliver-notices.js";
import { noticeSecrets } from "../../modules/notifications/notice-secrets.js";
import { queueNotice } from "../../modules/notifications/queue-notice.js";
import { html } from "../../views/html.js";
import { toLocale } from "../../views/i18n/index.js";
import { csrfField } from "../../views/layout.js";
import { type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm, safeNext } from "../forms.js";
import { rememberLocale } from "../locale.js";
import { signInLimiter, typedAccountKey } from "../sign-in-limits.js";

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
const emailForm = z.object({ email: z.string().trim().min(3).max(320) });
const resetForm = z.object({ password: z.string().max(1000), confirm: z.string().max(1000) });

/**
 * The account whose second step is pending, from the session only: a field of the form must not
 * choose the counter (an `email` per guess gave each guess a fresh one).
 */
function pendingAccountKey(request: FastifyRequest): string {
  const pending = request.session.pendingTotpCustomerId;
  return pending ? `account-id:${pending}` : `no-account:${request.ip}`;
}

export function registerAuthRoutes(app: FastifyInstance, options: HttpOptions): void {
  const limitsBy = signInLimiter(app, options, "client");
  const limits = limitsBy(typedAccountKey, { knownDevices: true });
  const totpLimits = limitsBy(pendingAccountKey);
  // Reset links asked for are counted apart: asking for one on a customer's address slows no sign-in.
  const resetLimits = signInLimiter(app, options, "client-reset")(typedAccountKey);
  // Reset tokens are sealed in the outbox and opened only in the e-mail sent (notice-secrets.ts).
  const secrets = noticeSecrets(options.sessionSecret);
  const mailer = options.mailer ? secrets.unsealingMailer(options.mailer) : null;

  const loginPage = (
    request: FastifyRequest,
    reply: Parameters<typeof sendPage>[1],
    error?: string,
    email = "",
  ) =>
    sendPage(
      request,
      reply,
      (m) => m.auth.signInTitle,
      (ctx) => html`<form method="post" action="/login" class="stack card" novalidate>
        ${csrfField(ctx)}
        <input type="hidden" name="next" value="${safeNext((request.query as { next?: string }).next)}">
        ${error ? html`<p class="field-error" role="alert">${error}</p>` : ""}
        <div><label for="email">${ctx.m.auth.email}</label><input id="email" name="email" type="email" autocomplete="username" required value="${email}"></div>
        <div><label for="password">${ctx.m.auth.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required></div>
        <div class="actions"><button type="submit">${ctx.m.auth.signIn}</button><a href="/password/forgot">${ctx.m.auth.forgot}</a></div>
      </form>`,
      { status: error ? 400 : 200 },
    );

  app.get("/login", (request, reply) => {
    if (request.customer) return reply.redirect("/", 303);
    return loginPage(request, reply);
  });

  app.post("/login", { preHandler: limits.check }, async (request, reply) => {
    const m = messages(request);
    const form = parseForm(loginForm, request.body);
    if (!form.ok) return loginPage(request, reply, m.auth.badCredentials);
    const result = await authenticate(options.deps.db, form.value.email, form.value.password);
    if (!result.ok) return loginPage(request, reply, m.auth.badCredentials, form.value.email);
    limits.succeeded(request, reply);
    // A new session id at sign-in (no fixation); the language chosen before signing in is kept, and
    // so is a form whose post arrived after the session expired (resume-form.ts).
    const { locale, resumeForm } = request.session;
    await request.session.regenerate();
    request.session.locale = locale;
    request.session.resumeForm = resumeForm;
    const next = safeNext(form.value.next);
    if (result.account.totpEnabled) {
      request.session.pendingTotpCustomerId = result.account.customerId;
      return reply.redirect(`/login/totp?next=${encodeURIComponent(next)}`, 303);
    }
    request.session.customerId = result.account.customerId;
    return reply.redirect(next, 303);
  });

  const totpPage = (request: FastifyRequest, reply: Parameters<typeof sendPage>[1], error?: string) =>
    sendPage(
      request,
      reply,
      (m) => m.auth.totpTitle,
      (ctx) => html`<form method="post" action="/login/totp" class="stack card">
        ${csrfField(ctx)}
        <input type="hidden" name="next" value="${safeNext((request.query as { next?: string }).next)}">
        ${error ? html`<p class="field-error" role="alert">${error}</p>` : ""}
        <div><label for="code">${ctx.m.auth.totpCode}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></div>
        <div class="actions"><button type="submit">${ctx.m.auth.verify}</button></div>
      </form>`,
      { status: error ? 400 : 200 },
    );

  app.get("/login/totp", (request, reply) => {
    if (!request.session.pendingTotpCustomerId) return reply.redirect("/login", 303);
    return totpPage(request, reply);
  });

  app.post("/login/totp", { preHandler: totpLimits.check }, async (request, reply) => {
    const pending = request.session.pendingTotpCustomerId;
    if (!pending) return reply.redirect("/login", 303);
    const m = messages(request);
    const form = parseForm(codeForm, request.body);
    const account = await findAccount(options.deps.db, pending);
    const secret = await totpSecretOf(options.deps.db, pending);
    const step =
      form.ok && account && secret
        ? totpStepOf(secret, account.email, form.value.code, options.clock.now())
        : null;
    if (step === null) return totpPage(request, reply, m.auth.totpInvalid);
    // A code works once: its step must be later than the last one accepted for the account.
    if (!(await acceptTotpStep(options.deps.db, pending, step)))
      return totpPage(request, reply, m.auth.totpUsed);
    totpLimits.succeeded(request, reply);
    const { locale, resumeForm } = request.session;
    await request.session.regenerate();
    request.session.locale = locale;
    request.session.resumeForm = resumeForm;
    request.session.customerId = pending;
    return reply.redirect(safeNext((request.body as { next?: string }).next), 303);
  });

  app.post("/logout", async (request, reply) => {
    const locale = request.customer?.locale;
    // A new, empty session (the old one is removed from the store); only the language is kept.
    await request.session.regenerate();
    if (locale) request.session.locale = locale;
    return reply.redirect("/login", 303);
  });

  const forgotPage = (request: FastifyRequest, reply: Parameters<typeof sendPage>[1], sent = false) =>
    sendPage(
      request,
      reply,
      (m) => m.auth.forgotTitle,
      (ctx) =>
        sent
          ? html`<div class="card"><p role="status">${ctx.m.auth.linkSent}</p><p><a href="/login">${ctx.m.auth.signIn}</a></p></div>`
          : html`<form method="post" action="/password/forgot" class="stack card">
              ${csrfField(ctx)}
              <p>${ctx.m.auth.forgotIntro}</p>
              <div><label for="email">${ctx.m.auth.email}</label><input id="email" name="email" type="email" autocomplete="username" required></div>
              <div class="actions"><button type="submit">${ctx.m.auth.sendLink}</button></div>
            </form>`,
    );

  app.get("/password/forgot", (request, reply) => forgotPage(request, reply));

  app.post("/password/forgot", { preHandler: resetLimits.check }, async (request, reply) => {
    const form = parseForm(emailForm, request.body);
    const now = options.clock.now();
    const reset = form.ok ? await startPasswordReset(options.deps.db, form.value.email, now) : null;
    if (reset) {
      // The outbox gets the token sealed; only the e-mail handed to the mailer carries it in clear.
      const link = `${options.baseUrl.replace(/\/$/, "")}/password/reset/${secrets.seal(reset.token)}`;
      await inTransaction(options.deps, "password-reset", (tx) =>
        queueNotice(tx, now, {
          template: "password-reset",
          customerId: reset.customerId,
          serviceId: null,
          // One notice per link: two customers asking in the same millisecond both get theirs.
          marker: `reset:${reset.customerId}:${reset.id}`,
          about: form.ok ? form.value.email : "",
          data: { link, expiresAt: reset.expiresAt },
        }),
      );
      // A reset link is wanted now, not at the next worker tick.
      if (mailer) await deliverPendingNotices(options.deps.db, mailer, now, { seller: options.deps.seller });
    }
    // The same answer whether or not the address has an account.
    return forgotPage(request, reply, true);
  });

  const resetPage = (
    request: FastifyRequest,
    reply: Parameters<typeof sendPage>[1],
    token: string,
    errors: Record<string, string> = {},
  ) =>
    sendPage(
      request,
      reply,
      (m) => m.auth.resetTitle,
      (ctx) => html`<form method="post" action="/password/reset/${token}" class="stack card">
        ${csrfField(ctx)}
        <div><label for="password">${ctx.m.auth.newPassword}</label><input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
          ${errors.password ? html`<p class="field-error">${errors.password}</p>` : ""}</div>
        <div><label for="confirm">${ctx.m.auth.confirmPassword}</label><input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
          ${errors.confirm ? html`<p class="field-error">${errors.confirm}</p>` : ""}</div>
        <div class="actions"><button type="submit">${ctx.m.common.form.save}</button></div>
      </form>`,
      { status: Object.keys(errors).length > 0 ? 400 : 200 },
    );

  const invalidLink = (request: FastifyRequest, reply: Parameters<typeof sendPage>[1]) =>
    sendPage(
      request,
      reply,
      (m) => m.auth.resetTitle,
      (ctx) =>
        html`<div class="card"><p role="alert">${ctx.m.auth.linkInvalid}</p><p><a href="/password/forgot">${ctx.m.auth.forgot}</a></p></div>`,
      { status: 404 },
    );

  app.get<{ Params: { token: string } }>("/password/reset/:token", async (request, reply) => {
    if (!(await isResetTokenUsable(options.deps.db, request.params.token, options.clock.now())))
      return invalidLink(request, reply);
    return resetPage(request, reply, request.params.token);
  });

  app.post<{ Params: { token: string } }>("/password/reset/:token", async (request, reply) => {
    const m = messages(request);
    const form = parseForm(resetForm, request.body);
    const token = request.params.token;
    if (!form.ok) return resetPage(request, reply, token, { password: m.auth.passwordTooShort });
    if (form.value.password.length < MIN_PASSWORD_LENGTH)
      return resetPage(request, reply, token, { password: m.auth.passwordTooShort });
    if (form.value.password !== form.value.confirm)
      return resetPage(request, reply, token, { confirm: m.auth.passwordsDiffer });
    if (!(await completePasswordReset(options.deps.db, token, form.value.password, options.clock.now()))) {
      return invalidLink(request, reply);
    }
    return redirectWith(request, reply, "/login", { kind: "success", text: m.auth.resetDone });
  });

  app.post("/language", async (request, reply) => {
    const body = request.body as { locale?: string; back?: string } | undefined;
    const locale = toLocale(body?.locale);
    request.session.locale = locale;
    rememberLocale(request, reply, locale);
    // Remembered per customer: notices and pages follow it from now on.
    if (request.customer) await setLocale(options.deps.db, request.customer.id, locale);
    return reply.redirect(safeNext(body?.back), 303);
  });
}
