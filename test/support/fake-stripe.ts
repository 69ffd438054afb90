/**
 * A fake Stripe API on loopback, for the `stripe` SDK pointed at it (host/port/protocol). It does
 * what Tenure relies on, the way Stripe does it:
 * - idempotency: a POST's key is bound to its first request; the same key again replays the stored
 *   response (status and body, `Idempotent-Replayed: true`), the same key with other parameters is
 *   refused with 400 `idempotency_error`;
 * - outcomes from Stripe's test PaymentMethod tokens (pm_card_visa, pm_card_chargeDeclined…),
 *   which a SetupIntent turns into a PaymentMethod of the customer's;
 * - lists that see every write at once (as Stripe's do), a customer search by metadata;
 * - `loseAnswers(n)`: the next n POSTs are carried out, then their connection is dropped;
 * - webhooks signed with `stripe.webhooks.generateTestHeaderString`.
 */
import { createHash } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import Stripe from "stripe";

/** Stripe's test tokens: what a charge on such a card does (null: it succeeds). */
export const STRIPE_TEST_CARDS: Record<
  string,
  {
    last4: string;
    brand: string;
    decline: { code: string; decline_code?: string; advice_code?: string } | null;
  }
> = {
  pm_card_visa: { last4: "4242", brand: "visa", decline: null },
  pm_card_mastercard: { last4: "4444", brand: "mastercard", decline: null },
  pm_card_chargeDeclined: {
    last4: "0002",
    brand: "visa",
    decline: { code: "card_declined", decline_code: "generic_decline" },
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    last4: "9995",
    brand: "visa",
    decline: { code: "card_declined", decline_code: "insufficient_funds" },
  },
  pm_card_chargeDeclinedExpiredCard: {
    last4: "0069",
    brand: "visa",
    decline: { code: "expired_card", decline_code: "expired_card" },
  },
  pm_card_chargeDeclinedLostCard: {
    last4: "9987",
    brand: "visa",
    decline: { code: "card_declined", decline_code: "lost_card" },
  },
  pm_card_chargeDeclinedStolenCard: {
    last4: "9979",
    brand: "visa",
    decline: { code: "card_declined", decline_code: "stolen_card" },
  },
  pm_card_chargeDeclinedProcessingError: {
    last4: "0119",
    brand: "visa",
    decline: { code: "processing_error" },
  },
  /** Not one of Stripe's tokens: do_not_honor with the network's "do not try again" advice. */
  pm_card_chargeDeclinedDoNotTryAgain: {
    last4: "0010",
    brand: "visa",
    decline: { code: "card_declined", decline_code: "do_not_honor", advice_code: "do_not_try_again" },
  },
  /** Not one of Stripe's tokens: the first charge on the card is declined, the next ones succeed. */
  pm_card_tenureFailsOnceThenOk: {
    last4: "0341",
    brand: "visa",
    decline: { code: "card_declined", decline_code: "generic_decline" },
  },
  pm_card_authenticationRequired: {
    last4: "3184",
    brand: "visa",
    decline: { code: "authentication_required", decline_code: "authentication_required" },
  },
};

type Json = Record<string, unknown>;

interface Stored {
  route: string;
  fingerprint: string;
  status: number;
  body: unknown;
}

/** Stripe's form encoding (`metadata[key]=value`) back into objects, one level deep is enough. */
function parseForm(text: string): Json {
  const out: Json = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const nested = /^([^[]+)\[([^\]]*)\](.*)$/.exec(key);
    if (!nested) {
      out[key] = value;
      continue;
    }
    const [, head = "", inner = "", rest = ""] = nested;
    const child = (out[head] ?? (inner === "0" || inner === "" ? [] : {})) as Json | unknown[];
    if (Array.isArray(child)) child.push(value);
    else child[rest ? `${inner}${rest}` : inner] = value;
    out[head] = child;
  }
  return out;
}

export interface FakeStripe {
  host: string;
  port: number;
  protocol: "http";
  secretKey: string;
  webhookSecret: string;
  /** An SDK client on the fake, as Tenure builds its own. */
  client(): Stripe;
  /**
   * The next n POST requests are carried out, but their answer never arrives (the socket drops).
   * The SDK reconnects once after a closed connection, under the same idempotency key, so one lost
   * charge answer is `loseAnswers(2)`.
   */
  loseAnswers(n: number): void;
  /**
   * While on, every request is carried out and its answer dropped (a network that fails for a
   * while). `"from-next-charge"`: from the next PaymentIntent created on (look-ups before it answer).
   */
  dropAnswers(on: boolean | "from-next-charge"): void;
  /** How many POSTs arrived under this idempotency key. */
  requestsUnder(key: string): number;
  paymentIntents(): Json[];
  refunds(): Json[];
  customers(): Json[];
  /** A webhook's body and Stripe-Signature header, signed at `timestampSeconds`. */
  webhook(
    type: string,
    object: Json,
    timestampSeconds: number,
    secret?: string,
  ): { payload: string; signature: string };
  close(): Promise<void>;
}

export async function startFakeStripe(): Promise<FakeStripe> {
  const app: FastifyInstance = Fastify({ logger: false });
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_r, body, done) =>
    done(null, parseForm(String(body))),
  );
  const idempotency = new Map<string, Stored>();
  const seen = new Map<string, number>();
  const chargesByMethod = new Map<string, number>();
  const customers = new Map<string, Json>();
  const intents = new Map<string, Json>();
  const refunds = new Map<string, Json>();
  const setups = new Map<string, Json>();
  const methods = new Map<string, Json & { token: string }>();
  let sequence = 0;
  let toLose = 0;
  const nextId = (prefix: string) => `${prefix}_fake${String(++sequence).padStart(6, "0")}`;

  const list = (url: string, data: Json[]) => ({ object: "list", data, has_more: false, url });
  const stripeError = (status: number, error: Json) => ({ status, body: { error } });

  /** A POST under Stripe's idempotency rules; `run` decides the answer the first time only. */
  const idempotent =
    (route: string, run: (body: Json, request: FastifyRequest) => { status: number; body: unknown }) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const body = (request.body ?? {}) as Json;
      const key = request.headers["idempotency-key"];
      const fingerprint = createHash("sha256")
        .update(`${route}${request.url}${JSON.stringify(body)}`)
        .digest("hex");
      let answer: Stored | undefined;
      let isReplay = false;
      if (typeof key === "string") {
        seen.set(key, (seen.get(key) ?? 0) + 1);
        const earlier = idempotency.get(key);
        if (earlier && earlier.fingerprint !== fingerprint) {
          answer = {
            route,
            fingerprint,
            ...stripeError(400, {
              type: "idempotency_error",
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            }),
          };
        } else if (earlier) {
          answer = earlier;
          isReplay = true;
        }
      }
      if (!answer) {
        answer = { route, fingerprint, ...run(body, request) };
        if (typeof key === "string") idempotency.set(key, answer);
      }
      if (toLose > 0) {
        toLose--;
        request.raw.socket.destroy();
        return reply.hijack();
      }
      if (isReplay) reply.header("idempotent-replayed", "true");
      return reply.status(answer.status).send(answer.body);
    };

  const requireAuth = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers.authorization !== "Bearer sk_test_fake") {
      return reply
        .status(401)
        .send({ error: { type: "invalid_request_error", message: "Invalid API Key provided" } });
    }
  };
  app.addHook("onRequest", requireAuth);
  let dropping = false;
  let dropFromNextCharge = false;
  app.addHook("onSend", async (request, _reply, payload) => {
    if (dropping) request.raw.socket.destroy();
    return payload;
  });

  app.post(
    "/v1/customers",
    idempotent("customer", (body) => {
      const customer = {
        id: nextId("cus"),
        object: "customer",
        email: body.email ?? null,
        name: body.name ?? null,
        metadata: body.metadata ?? {},
      };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }),
  );
  app.get("/v1/customers/search", async (request) => {
    const query = String((request.query as Json).query ?? "");
    const match = /^metadata\['([^']+)'\]:'([^']*)'$/.exec(query);
    const data = match
      ? [...customers.values()].filter((c) => (c.metadata as Json)[match[1] ?? ""] === match[2])
      : [];
    return { object: "search_result", data, has_more: false, url: "/v1/customers/search" };
  });

  const methodFrom = (token: string, customer: unknown): (Json & { token: string }) | null => {
    const card = STRIPE_TEST_CARDS[token];
    if (!card) return null;
    const method = {
      id: nextId("pm"),
      object: "payment_method",
      type: "card",
      customer,
      token,
      card: { brand: card.brand, last4: card.last4, exp_month: 12, exp_year: 2034 },
    };
    methods.set(method.id, method);
    return method;
  };
  const noSuch = (what: string, id: unknown) =>
    stripeError(404, {
      type: "invalid_request_error",
      code: "resource_missing",
      message: `No such ${what}: '${String(id)}'`,
    });

  const confirmSetup = (setup: Json, token: unknown) => {
    const method = methodFrom(String(token), setup.customer);
    if (!method) return noSuch("PaymentMethod", token);
    setup.payment_method = method.id;
    setup.status = "succeeded";
    return { status: 200, body: setup };
  };
  app.post(
    "/v1/setup_intents",
    idempotent("setup_intent", (body) => {
      if (!customers.has(String(body.customer))) return noSuch("customer", body.customer);
      const id = nextId("seti");
      const setup: Json = {
        id,
        object: "setup_intent",
        customer: body.customer,
        client_secret: `${id}_secret_fake`,
        payment_method: null,
        status: "requires_payment_method",
        usage: body.usage ?? "off_session",
        metadata: body.metadata ?? {},
      };
      setups.set(id, setup);
      return body.confirm === "true" && body.payment_method
        ? confirmSetup(setup, body.payment_method)
        : { status: 200, body: setup };
    }),
  );
  app.post(
    "/v1/setup_intents/:id/confirm",
    idempotent("setup_confirm", (body, request) => {
      const setup = setups.get((request.params as { id: string }).id);
      return setup ? confirmSetup(setup, body.payment_method) : noSuch("setup_intent", "");
    }),
  );
  app.get("/v1/setup_intents/:id", async (request, reply) => {
    const setup = setups.get((request.params as { id: string }).id);
    if (!setup) return reply.status(404).send(noSuch("setup_intent", "").body);
    return setup;
  });
  app.get("/v1/payment_methods/:id", async (request, reply) => {
    const method = methods.get((request.params as { id: string }).id);
    if (!method) return reply.status(404).send(noSuch("payment_method", "").body);
    const { token: _token, ...visible } = method;
    return visible;
  });

  app.post(
    "/v1/payment_intents",
    idempotent("payment_intent", (body) => {
      const method = methods.get(String(body.payment_method));
      if (!method || method.customer !== body.customer) return noSuch("PaymentMethod", body.payment_method);
      const card = STRIPE_TEST_CARDS[method.token];
      if (dropFromNextCharge) dropping = true;
      const id = nextId("pi");
      const charges = (chargesByMethod.get(String(method.id)) ?? 0) + 1;
      chargesByMethod.set(String(method.id), charges);
      const isFailingOnce = method.token === "pm_card_tenureFailsOnceThenOk";
      const decline = isFailingOnce && charges > 1 ? null : (card?.decline ?? null);
      const intent: Json = {
        id,
        object: "payment_intent",
        amount: Number(body.amount),
        amount_received: decline ? 0 : Number(body.amount),
        currency: body.currency,
        customer: body.customer,
        payment_method: method.id,
        description: body.description ?? null,
        metadata: body.metadata ?? {},
        status: decline ? "requires_payment_method" : "succeeded",
        latest_charge: decline ? null : nextId("ch"),
        last_payment_error: decline
          ? {
              type: "card_error",
              ...decline,
              message: `Your card was declined (${decline.decline_code ?? decline.code}).`,
            }
          : null,
        created: Math.floor(sequence),
      };
      intents.set(id, intent);
      if (!decline) return { status: 200, body: intent };
      return stripeError(402, {
        type: "card_error",
        ...decline,
        message: (intent.last_payment_error as Json).message,
        payment_intent: intent,
      });
    }),
  );
  app.get("/v1/payment_intents", async (request) => {
    const { customer } = request.query as Json;
    const data = [...intents.values()]
      .filter((i) => customer === undefined || i.customer === customer)
      .reverse();
    return list("/v1/payment_intents", data);
  });
  app.get("/v1/payment_intents/:id", async (request, reply) => {
    const intent = intents.get((request.params as { id: string }).id);
    if (!intent) return reply.status(404).send(noSuch("payment_intent", "").body);
    return intent;
  });

  app.post(
    "/v1/refunds",
    idempotent("refund", (body) => {
      const intent = intents.get(String(body.payment_intent));
      if (intent?.status !== "succeeded") return noSuch("payment_intent", body.payment_intent);
      const refunded = [...refunds.values()]
        .filter((r) => r.payment_intent === intent.id)
        .reduce((sum, r) => sum + Number(r.amount), 0);
      const amount = body.amount === undefined ? Number(intent.amount) - refunded : Number(body.amount);
      if (amount <= 0 || refunded + amount > Number(intent.amount)) {
        return stripeError(400, {
          type: "invalid_request_error",
          code: "charge_exceeds_source_limit",
          message: `Refund amount (${amount}) is greater than unrefunded amount on charge.`,
        });
      }
      const refund = {
        id: nextId("re"),
        object: "refund",
        amount,
        currency: intent.currency,
        payment_intent: intent.id,
        status: "succeeded",
        metadata: body.metadata ?? {},
      };
      refunds.set(refund.id, refund);
      return { status: 200, body: refund };
    }),
  );
  app.get("/v1/refunds", async (request) => {
    const { payment_intent } = request.query as Json;
    const data = [...refunds.values()].filter(
      (r) => payment_intent === undefined || r.payment_intent === payment_intent,
    );
    return list("/v1/refunds", data.reverse());
  });

  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const signer = new Stripe("sk_test_fake");
  const fake: FakeStripe = {
    host: "127.0.0.1",
    port,
    protocol: "http",
    secretKey: "sk_test_fake",
    webhookSecret: "whsec_fake_secret",
    client: () =>
      new Stripe("sk_test_fake", {
        host: "127.0.0.1",
        port,
        protocol: "http",
        maxNetworkRetries: 0,
        telemetry: false,
      }),
    loseAnswers: (n) => {
      toLose = n;
    },
    dropAnswers: (on) => {
      dropping = on === true;
      dropFromNextCharge = on === "from-next-charge";
    },
    requestsUnder: (key) => seen.get(key) ?? 0,
    paymentIntents: () => [...intents.values()],
    refunds: () => [...refunds.values()],
    customers: () => [...customers.values()],
    webhook: (type, object, timestampSeconds, secret = fake.webhookSecret) => {
      const payload = JSON.stringify({
        id: nextId("evt"),
        object: "event",
        type,
        created: timestampSeconds,
        data: { object },
      });
      const signature = signer.webhooks.generateTestHeaderString({
        payload,
        secret,
        timestamp: timestampSeconds,
      });
      return { payload, signature };
    },
    close: () => app.close(),
  };
  return fake;
}
