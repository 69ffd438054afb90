/**
 * One table from error to answer. Expected outcomes never get here (they are results); what does
 * is an AppError (its public message is shown), a CSRF or validation refusal, or a defect (a 500
 * page that says nothing was changed; the details go to the log only).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../domain/app-error.js";
import { html } from "../views/html.js";
import { localeOf, messages, sendPage } from "./context.js";
import { TooManyAttempts } from "./sign-in-limits.js";

function errorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  title: string,
  text: string,
) {
  const m = messages(request);
  return sendPage(
    request,
    reply,
    title,
    () => html`<div class="card"><p>${text}</p><p><a href="/">${m.common.errors.back}</a></p></div>`,
    { status, flash: null },
  );
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const m = messages(request);
    return errorPage(request, reply, 404, m.common.errors.notFoundTitle, m.common.errors.notFound);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const m = messages(request);
    if (error instanceof AppError && error.httpStatus < 500) {
      if (error.code === "NOT_FOUND")
        return errorPage(request, reply, 404, m.common.errors.notFoundTitle, m.common.errors.notFound);
      // Public messages are written in English; other languages get their catalog's wording.
      const text = localeOf(request) === "en" ? error.publicMessage : m.common.errors.notCompleted;
      return errorPage(request, reply, error.httpStatus, m.common.errors.forbiddenTitle, text);
    }
    if (error.statusCode === 429) {
      // The real wait, in whole minutes rounded up (the Retry-After header has the seconds).
      const seconds = error instanceof TooManyAttempts ? error.waitSeconds : 60;
      const minutes = Math.max(1, Math.ceil(seconds / 60));
      return errorPage(request, reply, 429, m.common.errors.forbiddenTitle, m.common.errors.tooMany(minutes));
    }
    if (error.code?.startsWith("FST_CSRF") || error.statusCode === 403) {
      return errorPage(request, reply, 403, m.common.errors.forbiddenTitle, m.common.errors.forbidden);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return errorPage(
        request,
        reply,
        error.statusCode,
        m.common.errors.forbiddenTitle,
        m.common.errors.forbidden,
      );
    }
    request.log.error({ err: error }, "request failed");
    return errorPage(request, reply, 500, m.common.errors.serverTitle, m.common.errors.server);
  });
}
