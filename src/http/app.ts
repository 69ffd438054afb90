/**
 * The client area (Espace Client): a Fastify app over the use cases. Sessions are server-side
 * (@fastify/session with a database store), cookies HttpOnly, SameSite=Lax and Secure behind TLS;
 * every form carries a CSRF token (@fastify/csrf-protection); sign-in is rate-limited per address
 * and per account (@fastify/rate-limit); helmet sets the security headers.
 */
import { fileURLToPath } from "node:url";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import formbody from "@fastify/formbody";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import session from "@fastify/session";
import fastifyStatic from "@fastify/static";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { DAY } from "../domain/time.js";
import { findCustomer } from "../modules/customers/customer-repository.js";
import { findStaff } from "../modules/staff/staff-repository.js";
import { guardBackOffice } from "./admin/admin-guard.js";
import { registerBackOffice } from "./admin/register-admin.js";
import { isApiPath, registerApi } from "./api/api.js";
import { type HttpOptions, isAdminPath } from "./context.js";
import { registerErrorHandling } from "./errors.js";
import { rememberLocale } from "./locale.js";
import { registerPageCache } from "./page-cache.js";
import { resumeAfterSignIn } from "./resume-form.js";
import { registerAccountRoutes } from "./routes/account.js";
import { registerAuthRoutes } from "./routes/auth.js";
import { registerBillingRoutes } from "./routes/billing.js";
import { registerDomainRoutes } from "./routes/domains.js";
import { registerServiceRoutes } from "./routes/services.js";
import { registerTicketRoutes } from "./routes/tickets.js";
import { DatabaseSessionStore, SESSION_DAYS } from "./session-store.js";
import { registerStripeWebhooks, STRIPE_WEBHOOK_PATH } from "./webhooks/stripe.js";

/** Walks the request's values without recursion (a hostile body can be nested very deep). */
function containsNul(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === "string") {
      if (value.includes("\u0000")) return true;
    } else if (value && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (key.includes("\u0000")) return true;
        pending.push(child);
      }
    }
  }
  return false;
}

/** Public files, the same for everyone: the only responses a browser or a proxy may keep. */
const STATIC_PREFIX = "/assets/";

/** Paths anyone may reach; everything else needs a signed-in customer. */
const PUBLIC_PATHS = [/^\/login(\/|$)/, /^\/password\//, /^\/assets\//, /^\/language$/, /^\/health$/];

export async function buildApp(options: HttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's default generic types.
    ...(options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false }),
    // Only behind a proxy we run may X-Forwarded-* be believed (client address, https).
    trustProxy: options.trustProxy ?? false,
    // One line per request (the onResponse hook below), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
  });
  await app.register(helmet, {
    contentSecurityPolicy: { directives: { "form-action": ["'self'"], "upgrade-insecure-requests": null } },
    // The page a form was on travels with its post (resume-form.ts), never to another site.
    referrerPolicy: { policy: "same-origin" },
  });
  // The client area takes HTML form posts only: no JSON bodies (a JSON API would be its own app).
  app.removeContentTypeParser("application/json");
  await app.register(formbody);
  await app.register(cookie);
  await app.register(session, {
    secret: options.sessionSecret,
    cookieName: "tenure_session",
    store: new DatabaseSessionStore(options.deps.db, options.clock, (error) =>
      app.log.error({ err: error }, "session store callback failed"),
    ),
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: "lax", secure: "auto", path: "/", maxAge: SESSION_DAYS * DAY },
  });
  await app.register(csrf, { sessionPlugin: "@fastify/session" });
  await app.register(rateLimit, { global: false });
  await app.register(fastifyStatic, {
    root: fileURLToPath(new URL("../../public/", import.meta.url)),
    prefix: STATIC_PREFIX,
  });
  // Pages are personal (a signed-in customer's records, the TOTP key during setup) or carry a CSRF
  // token or a reset link's token: no response but a static file is stored by a browser or proxy.
  app.addHook("onSend", async (request, reply, payload) => {
    if (!request.url.startsWith(STATIC_PREFIX)) reply.header("cache-control", "no-store");
    return payload;
  });

  // Requests through a proxy that is not trusted all share the proxy's address (one sign-in
  // bucket, http links): say so once, when the first one arrives.
  if (!options.trustProxy) {
    let warned = false;
    app.addHook("onRequest", async (request) => {
      if (warned || request.headers["x-forwarded-for"] === undefined) return;
      warned = true;
      app.log.warn(
        { from: request.socket.remoteAddress },
        "requests arrive with X-Forwarded-For but TENURE_TRUST_PROXY is not set: every client behind the proxy shares its address (sign-in limits, logs); set TENURE_TRUST_PROXY to the proxy's address",
      );
    });
  }

  app.addHook("onResponse", async (request, reply) => {
    // A reset link's token is a secret: never in the log.
    const url = request.url.replace(/^\/password\/reset\/[^/?]+/, "/password/reset/…");
    request.log.info(
      { status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      `${request.method} ${url}`,
    );
  });

  app.decorateRequest("customer", null);
  app.decorateRequest("staff", null);
  // NUL cannot be stored in PostgreSQL text and is never meaningful in a form or a path: refuse it.
  app.addHook("preValidation", async (request) => {
    if (containsNul(request.params) || containsNul(request.query) || containsNul(request.body)) {
      throw Object.assign(new Error("NUL character in the request"), { statusCode: 400 });
    }
  });
  app.addHook("preHandler", async (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    // The JSON API (src/http/api) has its own authentication: no session, no CSRF.
    if (isApiPath(path)) return;
    // Stripe's webhooks carry a signature instead of a session and a CSRF token (webhooks/stripe.ts).
    if (path === STRIPE_WEBHOOK_PATH && request.method === "POST") return;
    // The back office reads only the staff session; the client area only the customer's.
    const isBackOffice = isAdminPath(path);
    if (isBackOffice) {
      const staffId = request.session.staffId;
      const staff = staffId ? await findStaff(options.deps.db, staffId) : null;
      request.staff = staff && staff.disabledAt === null ? staff : null;
    } else {
      const customerId = request.session.customerId;
      request.customer = customerId ? await findCustomer(options.deps.db, customerId) : null;
    }
    // A form posted after the session expired: sign in (in the visitor's language), then back to it.
    if (
      !isBackOffice &&
      !request.customer &&
      request.method === "POST" &&
      !PUBLIC_PATHS.some((p) => p.test(path))
    ) {
      return resumeAfterSignIn(request, reply);
    }
    if (request.customer) rememberLocale(request, reply, request.customer.locale);
    if (request.method !== "GET" && request.method !== "HEAD") {
      await new Promise<void>((resolve, reject) =>
        app.csrfProtection(request, reply, (error?: Error) => (error ? reject(error) : resolve())),
      );
    }
    if (isBackOffice) return guardBackOffice(request, reply);
    if (!request.customer && !PUBLIC_PATHS.some((p) => p.test(path))) {
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
  });
  registerPageCache(app, options);
  registerErrorHandling(app);

  app.get("/health", async () => ({ ok: true }));
  registerAuthRoutes(app, options);
  registerAccountRoutes(app, options);
  registerServiceRoutes(app, options);
  registerDomainRoutes(app, options);
  registerBillingRoutes(app, options);
  registerTicketRoutes(app, options);
  registerBackOffice(app, options);
  await registerApi(app, options);
  await registerStripeWebhooks(app, options);
  return app;
}
