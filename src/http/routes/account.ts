/** Account settings: language and two-step verification (TOTP). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import {
  acceptTotpStep,
  enableTotp,
  findAccount,
  newTotpSecret,
  setTotp,
  totpSecretOf,
  totpStepOf,
  totpUri,
} from "../../modules/accounts/account-repository.js";
import { html } from "../../views/html.js";
import { csrfField } from "../../views/layout.js";
import { customerOf, type HttpOptions, messages, redirectWith, sendPage } from "../context.js";
import { parseForm } from "../forms.js";
import { signInLimiter } from "../sign-in-limits.js";

declare module "fastify" {
  interface Session {
    /** A TOTP secret shown to the customer, kept until they prove their app has it. */
    totpSetupSecret?: string;
  }
}

const codeForm = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/),
});

export function registerAccountRoutes(app: FastifyInstance, options: HttpOptions): void {
  // Guessing a code to turn two-step verification off (a stolen session) is limited like sign-in.
  const codeLimits = signInLimiter(
    app,
    options,
    "client-totp-change",
  )((request) => `account-id:${request.session.customerId ?? request.ip}`);
  const accountPage = async (request: FastifyRequest, reply: FastifyReply, error?: string) => {
    const customer = customerOf(request);
    const account = await findAccount(options.deps.db, customer.id);
    const setup = request.session.totpSetupSecret;
    return sendPage(
      request,
      reply,
      (m) => m.auth.accountTitle,
      (ctx) => {
        const m = ctx.m;
        const other = ctx.locale === "en" ? "fr-CA" : "en";
        return html`<section class="card">
          <h2>${m.common.language.label}</h2>
          <p>${m.common.language[ctx.locale]}</p>
          <form method="post" action="/language">${csrfField(ctx)}<input type="hidden" name="locale" value="${other}"><input type="hidden" name="back" value="/account">
            <button type="submit" class="button secondary" lang="${other}">${m.common.language[other]}</button></form>
        </section>
        <section class="card">
          <h2>${m.auth.security}</h2>
          ${error ? html`<p class="field-error" role="alert">${error}</p>` : ""}
          ${
            account?.totpEnabled
              ? html`<p>${m.auth.totpOn}</p>
                <form method="post" action="/account/totp/disable" class="stack">${csrfField(ctx)}
                  <div><label for="code">${m.auth.totpCode}</label><input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9]{6}" required></div>
                  <div class="actions"><button type="submit" class="danger">${m.auth.totpDisable}</button></div></form>`
              : setup
                ? html`<p>${m.auth.totpSetupIntro}</p>
                  <p>${m.auth.totpKey}: <code>${setup}</code></p>
                  <p class="muted"><code>${totpUri(setup, account?.email ?? customer.email)}</code></p>
                  <form method="post" action="/account/totp/enable" class="stack">${csrfField(ctx)}
                    <div><label for="code">${m.auth.totpCode}</label><input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required></div>
                    <div class="actions"><button type="submit">${m.auth.verify}</button></div></form>`
                : html`<p>${m.auth.totpOff}</p>
                  <form method="post" action="/account/totp/setup">${csrfField(ctx)}<button type="submit">${m.auth.totpEnable}</button></form>`
          }
        </section>`;
      },
      { status: error ? 400 : 200 },
    );
  };

  app.get("/account", (request, reply) => accountPage(request, reply));

  app.post("/account/totp/setup", async (request, reply) => {
    request.session.totpSetupSecret = newTotpSecret();
    return reply.redirect("/account", 303);
  });

  app.post("/account/totp/enable", { preHandler: codeLimits.check }, async (request, reply) => {
    const customer = customerOf(request);
    const secret = request.session.totpSetupSecret;
    const form = parseForm(codeForm, request.body);
    if (!secret) return reply.redirect("/account", 303);
    const step = form.ok ? totpStepOf(secret, customer.email, form.value.code, options.clock.now()) : null;
    if (step === null) return accountPage(request, reply, messages(request).auth.totpInvalid);
    // The confirming code is used up like a sign-in's: it cannot sign in afterwards.
    if (!(await enableTotp(options.deps.db, customer.id, secret, step))) {
      return accountPage(request, reply, messages(request).auth.totpUsed);
    }
    codeLimits.succeeded(request, reply);
    request.session.totpSetupSecret = undefined;
    return redirectWith(request, reply, "/account", {
      kind: "success",
      text: messages(request).auth.totpEnabled,
    });
  });

  app.post("/account/totp/disable", { preHandler: codeLimits.check }, async (request, reply) => {
    const customer = customerOf(request);
    const secret = await totpSecretOf(options.deps.db, customer.id);
    const form = parseForm(codeForm, request.body);
    const step =
      secret && form.ok ? totpStepOf(secret, customer.email, form.value.code, options.clock.now()) : null;
    if (step === null) return accountPage(request, reply, messages(request).auth.totpInvalid);
    if (!(await acceptTotpStep(options.deps.db, customer.id, step))) {
      return accountPage(request, reply, messages(request).auth.totpUsed);
    }
    codeLimits.succeeded(request, reply);
    await setTotp(options.deps.db, customer.id, null);
    return redirectWith(request, reply, "/account", {
      kind: "success",
      text: messages(request).auth.totpDisabled,
    });
  });
}
