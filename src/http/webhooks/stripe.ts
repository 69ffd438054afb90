/**
 * POST /webhooks/stripe: Stripe's events, in a Fastify context of their own. The client area has
 * no JSON parser (it takes HTML forms only); this context parses application/json as the raw bytes,
 * which is what the signature covers (`stripe.webhooks.constructEvent` with the Stripe-Signature
 * header and its tolerance, against Tenure's clock). No session and no CSRF token here (app.ts
 * exempts the path): the signature is the authentication. Without the Stripe gateway: 404.
 */
import type { FastifyInstance } from "fastify";
import Stripe from "stripe";
import { reconcileStripeEvent } from "../../modules/payments/reconcile-stripe-event.js";
import { StripeGateway } from "../../providers/payments/stripe-gateway.js";
import type { HttpOptions } from "../context.js";

export const STRIPE_WEBHOOK_PATH = "/webhooks/stripe";

/** Seconds a signed webhook stays acceptable (Stripe's own default). */
const TOLERANCE_SECONDS = 300;

export async function registerStripeWebhooks(app: FastifyInstance, options: HttpOptions): Promise<void> {
  await app.register(async (hooks) => {
    hooks.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) =>
      done(null, body),
    );
    hooks.post(STRIPE_WEBHOOK_PATH, async (request, reply) => {
      const gateway = options.deps.gateway;
      if (!(gateway instanceof StripeGateway) || !gateway.webhookSecret)
        return reply.status(404).send({ error: "not found" });
      const signature = request.headers["stripe-signature"];
      if (typeof signature !== "string" || !Buffer.isBuffer(request.body))
        return reply.status(400).send({ error: "a signed JSON body is expected" });
      let event: Stripe.Event;
      try {
        event = Stripe.webhooks.constructEvent(
          request.body,
          signature,
          gateway.webhookSecret,
          TOLERANCE_SECONDS,
          undefined,
          options.clock.now(),
        );
      } catch {
        return reply.status(400).send({ error: "bad signature" });
      }
      const result = await reconcileStripeEvent(options.deps, event, options.clock.now());
      if (result.kind === "disputed")
        request.log.warn({ event: event.id, payment: result.paymentId }, "Stripe dispute opened");
      return reply.send({ received: true, result: result.kind });
    });
  });
}
