/**
 * The Stripe gateway against the in-repo fake Stripe (test/support/fake-stripe.ts), on both
 * databases: a charge, each class of decline, a lost answer retried under the same key (one
 * PaymentIntent), webhooks before and after the engine's own settlement (one payment), refunds,
 * and webhooks whose signature is wrong or stale.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { setCard } from "../../src/modules/customers/customer-repository.js";
import { findOpenInvoiceOf, payInvoice } from "../../src/modules/invoices/pay-invoice.js";
import { chargeKey } from "../../src/modules/payments/charge-invoice.js";
import { mapDecline, StripeGateway } from "../../src/providers/payments/stripe-gateway.js";
import { en as billingEn, frCA as billingFr } from "../../src/views/i18n/billing.js";
import { renderNotice } from "../../src/views/notices/render-notice.js";
import { at } from "../support/engine-fixture.js";
import { type FakeStripe, startFakeStripe } from "../support/fake-stripe.js";
import { createHttpFixture, type HttpFixture } from "../support/http.js";
import { DIALECTS } from "../support/stores.js";

// A fresh fake Stripe account per test: keys and customer ids repeat across fresh databases.
let fake: FakeStripe;
beforeEach(async () => {
  fake = await startFakeStripe();
});
afterEach(async () => {
  await fake.close();
});

function gatewayOn(f: HttpFixture): StripeGateway {
  return new StripeGateway({
    secretKey: fake.secretKey,
    webhookSecret: fake.webhookSecret,
    db: f.deps.db,
    host: fake.host,
    port: fake.port,
    protocol: fake.protocol,
    timeoutMs: 5_000,
  });
}

describe("decline mapping", () => {
  it.each([
    [{ code: "card_declined", decline_code: "stolen_card" }, "card-unusable"],
    [{ code: "card_declined", decline_code: "lost_card" }, "card-unusable"],
    [{ code: "card_declined", decline_code: "invalid_account" }, "card-unusable"],
    [
      { code: "card_declined", decline_code: "do_not_honor", advice_code: "do_not_try_again" },
      "card-unusable",
    ],
    [{ code: "card_declined", decline_code: "do_not_honor" }, "declined"],
    [{ code: "expired_card", decline_code: "expired_card" }, "expired"],
    [{ code: "card_declined", decline_code: "insufficient_funds" }, "insufficient-funds"],
    [{ code: "processing_error" }, "error"],
    [{ code: "card_declined", decline_code: "try_again_later" }, "error"],
    [{ code: "card_declined", decline_code: "generic_decline" }, "declined"],
    [{ code: "authentication_required", decline_code: "authentication_required" }, "authentication-required"],
  ] as const)("%o is %s", (reason, code) => {
    expect(mapDecline(reason)).toBe(code);
  });
});

describe("what the customer is told about the new failure codes", () => {
  it.each([
    ["card-unusable", /refused the card for good/, /refusé la carte définitivement/],
    ["authentication-required", /confirm the payment yourself/, /confirmiez vous-même le paiement/],
  ] as const)("%s, in both languages, on the invoice page and in the notice", (reason, english, french) => {
    expect(billingEn.result[reason]).toBeTruthy();
    expect(billingFr.result[reason]).toBeTruthy();
    expect(billingEn.result[reason]).not.toBe(billingEn.result.error);
    const data = {
      customerName: "Marie",
      timeZone: "America/Toronto",
      subject: "exemple.com",
      invoiceNumber: 12,
      amount: { amount: 2000, currency: "CAD" },
      attempt: 1,
      reason,
      nextAttemptAt: null,
    };
    expect(renderNotice("payment-failed", "en", data).text).toMatch(english);
    expect(renderNotice("payment-failed", "fr-CA", data).text).toMatch(french);
  });
});

describe.each(DIALECTS)("Stripe gateway (%s)", (dialect) => {
  let f: HttpFixture;
  let gateway: StripeGateway;

  beforeEach(async () => {
    f = await createHttpFixture(dialect, { now: "2022-04-05T10:00:00Z" });
    gateway = gatewayOn(f);
    f.deps.gateway = gateway;
  });
  afterEach(async () => {
    await f.dispose();
  });

  /** A customer with a card saved through a SetupIntent, and a renewal invoice waiting. */
  async function invoiceFor(customer: string, card: string): Promise<number> {
    await f.addLogin(customer, card);
    await f.addHosting(`h-${customer}`, customer, "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-04-01T14:00:00Z"));
    const id = await findOpenInvoiceOf(f.deps, `h-${customer}`);
    if (id === null) throw new Error("no invoice");
    return id;
  }

  async function intentsOf(customer: string) {
    const token = await f.deps.db
      .selectFrom("customers")
      .select("card_token")
      .where("id", "=", customer)
      .executeTakeFirstOrThrow();
    const stripeCustomer = token.card_token?.split("/")[0];
    return fake.paymentIntents().filter((i) => i.customer === stripeCustomer);
  }

  async function paymentsOf(invoiceId: number) {
    return f.deps.db
      .selectFrom("payments")
      .select(["status", "failure_code", "gateway_ref", "idempotency_key"])
      .where("invoice_id", "=", invoiceId)
      .orderBy("id")
      .execute();
  }

  it("saves a card once per customer and pays an invoice with an off-session PaymentIntent", async () => {
    const invoiceId = await invoiceFor("c-ok", "pm_card_visa");
    // A second card for the same customer: still one Stripe Customer.
    await setCard(f.deps, "c-ok", "pm_card_mastercard");
    expect(
      fake.customers().filter((c) => (c.metadata as Record<string, string>).tenure_customer === "c-ok"),
    ).toHaveLength(1);
    const paid = await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    expect(paid).toEqual(
      expect.objectContaining({ ok: true, outcome: expect.objectContaining({ status: "succeeded" }) }),
    );
    const [intent, ...others] = await intentsOf("c-ok");
    expect(others).toEqual([]);
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select(["status", "total", "currency", "service_id"])
      .where("id", "=", invoiceId)
      .executeTakeFirstOrThrow();
    expect(invoice.status).toBe("paid");
    expect(intent).toEqual(
      expect.objectContaining({
        amount: invoice.total,
        currency: invoice.currency.toLowerCase(),
        status: "succeeded",
        metadata: expect.objectContaining({
          invoice: String(invoiceId),
          service: invoice.service_id,
          tenure_key: expect.stringMatching(/^charge:.+:1$/),
        }),
      }),
    );
    const [payment] = await paymentsOf(invoiceId);
    expect(payment).toEqual(expect.objectContaining({ status: "succeeded", gateway_ref: intent?.id }));
  });

  it.each([
    ["pm_card_chargeDeclined", "declined"],
    ["pm_card_chargeDeclinedInsufficientFunds", "insufficient-funds"],
    ["pm_card_chargeDeclinedExpiredCard", "expired"],
    ["pm_card_chargeDeclinedLostCard", "card-unusable"],
    ["pm_card_chargeDeclinedStolenCard", "card-unusable"],
    ["pm_card_chargeDeclinedDoNotTryAgain", "card-unusable"],
    ["pm_card_chargeDeclinedProcessingError", "error"],
    ["pm_card_authenticationRequired", "authentication-required"],
  ])("a charge on %s fails as %s, and asking again under its key says the same", async (card, code) => {
    const invoiceId = await invoiceFor("c-decline", card);
    const paid = await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    expect(paid).toEqual(
      expect.objectContaining({ outcome: expect.objectContaining({ status: "failed", code }) }),
    );
    const [payment] = await paymentsOf(invoiceId);
    expect(payment).toEqual(expect.objectContaining({ status: "failed", failure_code: code }));
    expect(await gateway.lookup(payment?.idempotency_key ?? "")).toEqual(
      expect.objectContaining({ status: "failed", code }),
    );
    const types = await f.deps.db
      .selectFrom("events")
      .select("type")
      .where("type", "=", "payment.failed")
      .execute();
    expect(types).toHaveLength(1);
  });

  it("a lost answer stays pending, then is found under the same key: one PaymentIntent, paid once", async () => {
    const invoiceId = await invoiceFor("c-lost", "pm_card_visa");
    // The charge's answer and the look-ups right after it are lost (the network fails for a while).
    fake.dropAnswers("from-next-charge");
    const paid = await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    fake.dropAnswers(false);
    expect(paid).toEqual({ ok: true, outcome: null, isAwaitingBank: true });
    expect((await paymentsOf(invoiceId)).map((p) => p.status)).toEqual(["pending"]);
    await runEngine(f.deps, at("2022-04-05T11:00:00Z"));
    const payments = await paymentsOf(invoiceId);
    expect(payments.map((p) => p.status)).toEqual(["succeeded"]);
    expect(await intentsOf("c-lost")).toHaveLength(1);
    // The charge and the SDK's one reconnect after the closed connection, under the same key.
    expect(fake.requestsUnder(payments[0]?.idempotency_key ?? "")).toBe(2);
    // Sent again under the same key, Stripe replays its first answer: still one PaymentIntent.
    const key = payments[0]?.idempotency_key ?? "";
    const again = await gateway.charge({
      idempotencyKey: key,
      token:
        (
          await f.deps.db
            .selectFrom("customers")
            .select("card_token")
            .where("id", "=", "c-lost")
            .executeTakeFirstOrThrow()
        ).card_token ?? "",
      amount: (
        await f.deps.db
          .selectFrom("payments")
          .select("amount")
          .where("idempotency_key", "=", key)
          .executeTakeFirstOrThrow()
      ).amount,
      currency: "USD",
      description: `Invoice ${invoiceId}`,
    });
    expect(again).toEqual({ status: "succeeded", reference: payments[0]?.gateway_ref });
    expect(await intentsOf("c-lost")).toHaveLength(1);
  });

  it("an answer lost on a single call is asked about again at once, under the same key", async () => {
    const invoiceId = await invoiceFor("c-lost-once", "pm_card_visa");
    fake.loseAnswers(2); // the call's answer and the SDK's one reconnect under the same key
    const paid = await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    expect(paid.ok).toBe(true);
    expect((await paymentsOf(invoiceId)).map((p) => p.status)).toEqual(["succeeded"]);
    expect(await intentsOf("c-lost-once")).toHaveLength(1);
  });

  it("the same key with other parameters is refused, as Stripe does", async () => {
    const invoiceId = await invoiceFor("c-reuse", "pm_card_visa");
    await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    const [payment] = await paymentsOf(invoiceId);
    const token =
      (
        await f.deps.db
          .selectFrom("customers")
          .select("card_token")
          .where("id", "=", "c-reuse")
          .executeTakeFirstOrThrow()
      ).card_token ?? "";
    const reused = await gateway.charge({
      idempotencyKey: payment?.idempotency_key ?? "",
      token,
      amount: 1,
      currency: "USD",
      description: "something else",
    });
    expect(reused).toEqual(expect.objectContaining({ status: "failed", code: "error" }));
    expect(await intentsOf("c-reuse")).toHaveLength(1);
  });

  it("lookup of a key Stripe never received is null (nothing was charged)", async () => {
    await invoiceFor("c-none", "pm_card_visa");
    expect(await gateway.lookup(chargeKey("nothing", 1))).toBeNull();
  });

  /** Posts a signed event to the webhook route. */
  async function deliver(
    type: string,
    object: Record<string, unknown>,
    options: { secret?: string; at?: number } = {},
  ) {
    const { payload, signature } = fake.webhook(
      type,
      object,
      Math.floor((options.at ?? f.clock.now()) / 1000),
      options.secret,
    );
    return f.app.inject({
      method: "POST",
      url: "/webhooks/stripe",
      headers: { "content-type": "application/json", "stripe-signature": signature },
      payload,
    });
  }

  it("a webhook that arrives before the engine's answer pays the invoice once", async () => {
    const invoiceId = await invoiceFor("c-hook", "pm_card_visa");
    fake.dropAnswers("from-next-charge");
    await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    fake.dropAnswers(false);
    const [intent] = await intentsOf("c-hook");
    const response = await deliver("payment_intent.succeeded", intent ?? {});
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, result: "settled" });
    expect((await paymentsOf(invoiceId)).map((p) => p.status)).toEqual(["succeeded"]);
    // The engine's own look-up then, and the same webhook again: nothing more.
    await runEngine(f.deps, at("2022-04-05T11:00:00Z"));
    expect((await deliver("payment_intent.succeeded", intent ?? {})).statusCode).toBe(200);
    const paid = await f.deps.db
      .selectFrom("events")
      .select("type")
      .where("type", "in", ["payment.succeeded", "invoice.paid"])
      .execute();
    expect(paid.map((e) => e.type).sort()).toEqual(["invoice.paid", "payment.succeeded"]);
    expect((await paymentsOf(invoiceId)).map((p) => p.status)).toEqual(["succeeded"]);
    const invoice = await f.deps.db
      .selectFrom("invoices")
      .select(["status", "amount_paid", "total"])
      .where("id", "=", invoiceId)
      .executeTakeFirstOrThrow();
    expect(invoice.amount_paid).toBe(invoice.total);
  });

  it("a webhook that arrives after the engine settled changes nothing", async () => {
    const invoiceId = await invoiceFor("c-late", "pm_card_visa");
    await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    const [intent] = await intentsOf("c-late");
    const before = await f.deps.db.selectFrom("events").select("id").execute();
    expect((await deliver("payment_intent.succeeded", intent ?? {})).statusCode).toBe(200);
    expect(
      (await deliver("payment_intent.payment_failed", { ...intent, status: "requires_payment_method" }))
        .statusCode,
    ).toBe(200);
    expect(await f.deps.db.selectFrom("events").select("id").execute()).toHaveLength(before.length);
    expect((await paymentsOf(invoiceId)).map((p) => p.status)).toEqual(["succeeded"]);
  });

  it("a payment_failed webhook settles a pending charge as failed with Stripe's reason", async () => {
    const invoiceId = await invoiceFor("c-failhook", "pm_card_chargeDeclinedInsufficientFunds");
    fake.dropAnswers("from-next-charge");
    await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    fake.dropAnswers(false);
    const [intent] = await intentsOf("c-failhook");
    expect((await deliver("payment_intent.payment_failed", intent ?? {})).statusCode).toBe(200);
    expect(await paymentsOf(invoiceId)).toEqual([
      expect.objectContaining({ status: "failed", failure_code: "insufficient-funds" }),
    ]);
  });

  it("refunds go through refunds.create under their own key, once", async () => {
    const invoiceId = await invoiceFor("c-refund", "pm_card_visa");
    await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    const [payment] = await paymentsOf(invoiceId);
    const request = {
      idempotencyKey: `refund:${payment?.idempotency_key}:1`,
      chargeKey: payment?.idempotency_key ?? "",
      amount: 500,
      currency: "USD",
      reason: "goodwill",
    };
    const first = await gateway.refund(request);
    expect(first).toEqual({ status: "succeeded", reference: expect.stringMatching(/^re_/) });
    expect(await gateway.refund(request)).toEqual(first);
    expect(fake.refunds()).toEqual([
      expect.objectContaining({ amount: 500, payment_intent: payment?.gateway_ref }),
    ]);
    expect(
      await gateway.refund({ ...request, idempotencyKey: "refund:too-much", amount: 1_000_000 }),
    ).toEqual(expect.objectContaining({ status: "failed", code: "exceeds-charge" }));
    expect(
      await gateway.refund({ ...request, idempotencyKey: "refund:nothing", chargeKey: "charge:none:1" }),
    ).toEqual(expect.objectContaining({ status: "failed", code: "charge-not-found" }));
  });

  it("refuses a webhook with a wrong or stale signature, or none, and changes nothing", async () => {
    const invoiceId = await invoiceFor("c-sig", "pm_card_visa");
    fake.dropAnswers("from-next-charge");
    await payInvoice(f.deps, { invoiceId }, at("2022-04-05T10:00:00Z"));
    fake.dropAnswers(false);
    const [intent] = await intentsOf("c-sig");
    const forged = await deliver("payment_intent.succeeded", intent ?? {}, { secret: "whsec_not_ours" });
    expect(forged.statusCode).toBe(400);
    const stale = await deliver("payment_intent.succeeded", intent ?? {}, {
      at: f.clock.now() - 10 * 60_000,
    });
    expect(stale.statusCode).toBe(400);
    const unsigned = await f.app.inject({
      method: "POST",
      url: "/webhooks/stripe",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify({ type: "payment_intent.succeeded", data: { object: intent } }),
    });
    expect(unsigned.statusCode).toBe(400);
    expect((await paymentsOf(invoiceId)).map((p) => p.status)).toEqual(["pending"]);
  });

  it("the webhook needs no session or CSRF token, while other posts still do", async () => {
    await invoiceFor("c-csrf", "pm_card_visa");
    const hook = await deliver("customer.created", { id: "cus_x" });
    expect(hook.statusCode).toBe(200);
    expect(hook.json()).toEqual({ received: true, result: "ignored" });
    const client = f.client();
    await client.login("c-csrf@example.test");
    const withoutToken = await client.post("/payment-method", { card: "pm_card_visa" }, { csrf: false });
    expect(withoutToken.statusCode).toBe(403);
    const withToken = await client.post("/payment-method", { card: "pm_card_visa" });
    expect(withToken.statusCode).toBe(303);
  });
});
