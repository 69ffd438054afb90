/**
 * The Stripe gateway: the payment port over the official `stripe` SDK.
 *
 * - A charge is an off-session PaymentIntent on the customer's saved PaymentMethod, created with
 *   `confirm: true` under Tenure's own idempotency key (`charge:<invoice>:<attempt>`). The SDK never
 *   retries on its own (`maxNetworkRetries: 0`: its retries would carry a random key of its own);
 *   Tenure's pending payment is what retries, under the same key, so Stripe replays its first answer.
 * - `lookup` after a lost answer must never guess: it lists the customer's PaymentIntents (a list is
 *   read from Stripe's primary store, unlike search, which lags) and matches the key kept in the
 *   intent's metadata. Not found there means Stripe never received the charge.
 * - One Stripe Customer per Tenure customer: found by its metadata, else created under the key
 *   `customer:<id>` (search lags by seconds, the key holds for a day: together they never make two).
 * - A card token is `<stripe customer>/<payment method>`, so a charge needs no other look-up.
 */

import type { Kysely } from "kysely";
import Stripe from "stripe";
import type { Database } from "../../db/schema.js";
import {
  type ChargeFailure,
  type ChargeOutcome,
  type ChargeRequest,
  GatewayUnavailableError,
  type PaymentGateway,
  type RefundOutcome,
  type RefundRequest,
  type SavedCard,
} from "./payment-gateway.js";

export interface StripeGatewayOptions {
  secretKey: string;
  /** Signs the webhooks Stripe sends to /webhooks/stripe (`whsec_…`). */
  webhookSecret?: string;
  /** Shown to Stripe.js on the payment-method page (`pk_…`). */
  publishableKey?: string;
  /** The Tenure database: which customer a charge key belongs to, which charge a refund key names. */
  db: Kysely<Database>;
  /** Tests point the SDK at the in-repo fake (test/support/fake-stripe.ts). */
  host?: string;
  port?: number;
  protocol?: "http" | "https";
  /** Milliseconds before a call counts as unanswered (the payment stays pending). */
  timeoutMs?: number;
}

/** The SDK client Tenure uses everywhere: never the SDK's own retries, a bounded wait. */
export function stripeClient(
  options: Pick<StripeGatewayOptions, "secretKey" | "host" | "port" | "protocol" | "timeoutMs">,
): Stripe {
  return new Stripe(options.secretKey, {
    maxNetworkRetries: 0,
    timeout: options.timeoutMs ?? 30_000,
    telemetry: false,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
  });
}

/** Issuer declines that no retry can fix: the customer must give another card. */
const HARD_DECLINES = new Set([
  "stolen_card",
  "lost_card",
  "pickup_card",
  "restricted_card",
  "invalid_account",
  "fraudulent",
  "merchant_blacklist",
  "revocation_of_all_authorizations",
  "revocation_of_authorization",
  "stop_payment_order",
  "card_not_supported",
  "currency_not_supported",
  "incorrect_number",
  "invalid_number",
  "new_account_information_available",
  "security_violation",
  "transaction_not_allowed",
]);

/** Declines that a later attempt may clear: they follow the policy's retries. */
const SOFT_ERRORS = new Set([
  "processing_error",
  "try_again_later",
  "issuer_not_available",
  "reenter_transaction",
]);

/**
 * Stripe's reason for a failed charge (`code`, `decline_code`, `advice_code`) as Tenure's outcome.
 * Hard declines become `card-unusable` or `expired` (retries stop, a new card is asked for); soft
 * ones `insufficient-funds`, `error` or `declined` (the policy's retries follow);
 * `authentication_required` becomes `authentication-required` (the customer pays on-session).
 */
export function mapDecline(reason: {
  code?: string | null;
  decline_code?: string | null;
  advice_code?: string | null;
}): ChargeFailure {
  const code = reason.code ?? "";
  const decline = reason.decline_code ?? "";
  if (code === "authentication_required" || decline === "authentication_required")
    return "authentication-required";
  if (code === "expired_card" || decline === "expired_card") return "expired";
  if (HARD_DECLINES.has(decline) || reason.advice_code === "do_not_try_again") return "card-unusable";
  if (decline === "insufficient_funds" || code === "insufficient_funds") return "insufficient-funds";
  if (SOFT_ERRORS.has(decline) || SOFT_ERRORS.has(code)) return "error";
  if (code === "card_declined" || code === "incorrect_cvc" || decline !== "") return "declined";
  return "error";
}

/** Whether a Stripe error means the outcome is unknown (no answer, Stripe's own failure). */
function isUnanswered(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return true;
  return (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError ||
    (error.statusCode ?? 0) >= 500
  );
}

function parseToken(token: string): { customer: string; paymentMethod: string } | null {
  const match = /^(cus_[A-Za-z0-9_]+)\/(pm_[A-Za-z0-9_]+)$/.exec(token);
  return match ? { customer: match[1] ?? "", paymentMethod: match[2] ?? "" } : null;
}

/** What a PaymentIntent says about the charge, or null while it is not decided. */
function outcomeOf(intent: Stripe.PaymentIntent): ChargeOutcome | null {
  if (intent.status === "succeeded") return { status: "succeeded", reference: intent.id };
  if (intent.status === "processing") return null;
  const error = intent.last_payment_error;
  if (intent.status === "requires_action")
    return {
      status: "failed",
      code: "authentication-required",
      message: "The bank asks the customer to confirm.",
    };
  if (error) return { status: "failed", code: mapDecline(error), message: error.message ?? "Declined." };
  if (intent.status === "canceled") return { status: "failed", code: "error", message: "Payment cancelled." };
  return null;
}

export class StripeGateway implements PaymentGateway {
  readonly stripe: Stripe;
  readonly webhookSecret: string | undefined;
  readonly publishableKey: string | undefined;
  private readonly db: Kysely<Database>;

  constructor(options: StripeGatewayOptions) {
    this.stripe = stripeClient(options);
    this.db = options.db;
    this.webhookSecret = options.webhookSecret;
    this.publishableKey = options.publishableKey;
  }

  close(): void {}

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const card = parseToken(request.token);
    if (!card) return { status: "failed", code: "no-card-on-file", message: "Not a Stripe card token." };
    const about = await this.db
      .selectFrom("payments")
      .leftJoin("invoices", "invoices.id", "payments.invoice_id")
      .select(["payments.invoice_id as invoiceId", "invoices.service_id as serviceId"])
      .where("payments.idempotency_key", "=", request.idempotencyKey)
      .executeTakeFirst();
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          customer: card.customer,
          payment_method: card.paymentMethod,
          off_session: true,
          confirm: true,
          description: request.description,
          metadata: {
            tenure_key: request.idempotencyKey,
            ...(about ? { invoice: String(about.invoiceId) } : {}),
            ...(about?.serviceId ? { service: about.serviceId } : {}),
          },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      const outcome = outcomeOf(intent);
      if (outcome === null) throw new Error(`PaymentIntent ${intent.id} is ${intent.status}`);
      return outcome;
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError)
        return { status: "failed", code: mapDecline(error), message: error.message };
      if (error instanceof Stripe.errors.StripeIdempotencyError)
        return { status: "failed", code: "error", message: error.message };
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing")
        return { status: "failed", code: "no-card-on-file", message: error.message };
      if (isUnanswered(error)) throw new GatewayUnavailableError(error);
      return {
        status: "failed",
        code: "error",
        message: error instanceof Error ? error.message : String(error),
      };
    }
  }

  async lookup(idempotencyKey: string): Promise<ChargeOutcome | null> {
    const intent = await this.findIntent(idempotencyKey);
    if (intent === null) return null;
    const outcome = outcomeOf(intent);
    if (outcome === null) throw new GatewayUnavailableError(`PaymentIntent ${intent.id} is ${intent.status}`);
    return outcome;
  }

  async refund(request: RefundRequest): Promise<RefundOutcome> {
    const intent = await this.findIntent(request.chargeKey);
    if (intent?.status !== "succeeded" || intent.currency !== request.currency.toLowerCase())
      return { status: "failed", code: "charge-not-found", message: "No such successful charge." };
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: intent.id,
          amount: request.amount,
          metadata: { tenure_key: request.idempotencyKey, tenure_reason: request.reason.slice(0, 450) },
        },
        { idempotencyKey: request.idempotencyKey },
      );
      return refund.status === "failed" || refund.status === "canceled"
        ? { status: "failed", code: "error", message: refund.failure_reason ?? "Refund failed." }
        : { status: "succeeded", reference: refund.id };
    } catch (error) {
      if (isUnanswered(error)) throw new GatewayUnavailableError(error);
      const message = error instanceof Error ? error.message : String(error);
      const code =
        error instanceof Stripe.errors.StripeError && error.code === "charge_exceeds_source_limit"
          ? "exceeds-charge"
          : /exceed|greater than/i.test(message)
            ? "exceeds-charge"
            : "error";
      return { status: "failed", code, message };
    }
  }

  async lookupRefund(idempotencyKey: string): Promise<RefundOutcome | null> {
    const row = await this.db
      .selectFrom("refunds")
      .innerJoin("payments", "payments.id", "refunds.payment_id")
      .select("payments.idempotency_key as chargeKey")
      .where("refunds.idempotency_key", "=", idempotencyKey)
      .executeTakeFirst();
    if (!row) return null;
    const intent = await this.findIntent(row.chargeKey);
    if (intent === null) return null;
    try {
      for await (const refund of this.stripe.refunds.list({ payment_intent: intent.id, limit: 100 })) {
        if (refund.metadata?.tenure_key !== idempotencyKey) continue;
        return refund.status === "failed" || refund.status === "canceled"
          ? { status: "failed", code: "error", message: refund.failure_reason ?? "Refund failed." }
          : { status: "succeeded", reference: refund.id };
      }
    } catch (error) {
      throw new GatewayUnavailableError(error);
    }
    return null;
  }

  /**
   * `card` is a PaymentMethod (`pm_…`: confirmed here in a SetupIntent, the server-side path the
   * tests and test tokens use) or a SetupIntent that Stripe.js confirmed in the browser (`seti_…`).
   */
  async saveCard(customerId: string, card: string): Promise<SavedCard> {
    if (!/^(pm|seti)_[A-Za-z0-9_]{1,200}$/.test(card))
      throw new Error("not a Stripe PaymentMethod or SetupIntent");
    const customer = await this.ensureCustomer(customerId);
    let setup: Stripe.SetupIntent;
    if (card.startsWith("seti_")) {
      setup = await this.stripe.setupIntents.retrieve(card);
      if (setup.customer !== customer) throw new Error("the SetupIntent belongs to another customer");
    } else {
      setup = await this.stripe.setupIntents.create({
        customer,
        payment_method: card,
        confirm: true,
        usage: "off_session",
        metadata: { tenure_customer: customerId },
      });
    }
    if (setup.status !== "succeeded" || !setup.payment_method)
      throw new Error(`card not saved (${setup.status})`);
    const methodId =
      typeof setup.payment_method === "string" ? setup.payment_method : setup.payment_method.id;
    const method = await this.stripe.paymentMethods.retrieve(methodId);
    const brand = method.card?.brand ?? "card";
    const label = `${brand.charAt(0).toUpperCase()}${brand.slice(1)} •••• ${method.card?.last4 ?? "????"}`;
    return { token: `${customer}/${method.id}`, label };
  }

  /** A client secret for Stripe.js to confirm a card in the browser (the payment-method page). */
  async createSetupIntent(customerId: string): Promise<{ id: string; clientSecret: string }> {
    const customer = await this.ensureCustomer(customerId);
    const setup = await this.stripe.setupIntents.create({
      customer,
      usage: "off_session",
      metadata: { tenure_customer: customerId },
    });
    return { id: setup.id, clientSecret: setup.client_secret ?? "" };
  }

  /** The Stripe Customer of this Tenure customer, created once. */
  async ensureCustomer(customerId: string): Promise<string> {
    const found = await this.findCustomer(customerId);
    if (found) return found;
    const row = await this.db
      .selectFrom("customers")
      .select(["email", "name"])
      .where("id", "=", customerId)
      .executeTakeFirst();
    const created = await this.stripe.customers.create(
      { email: row?.email, name: row?.name, metadata: { tenure_customer: customerId } },
      { idempotencyKey: `customer:${customerId}` },
    );
    return created.id;
  }

  private async findCustomer(customerId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom("customers")
      .select("card_token")
      .where("id", "=", customerId)
      .executeTakeFirst();
    const fromToken = row?.card_token ? parseToken(row.card_token) : null;
    if (fromToken) return fromToken.customer;
    const result = await this.stripe.customers.search({
      query: `metadata['tenure_customer']:'${customerId.replace(/['\\]/g, "")}'`,
      limit: 1,
    });
    return result.data[0]?.id ?? null;
  }

  /** The PaymentIntent made under this key, read from Stripe's lists (never its lagging search). */
  private async findIntent(key: string): Promise<Stripe.PaymentIntent | null> {
    const payment = await this.db
      .selectFrom("payments")
      .select("customer_id")
      .where("idempotency_key", "=", key)
      .executeTakeFirst();
    if (!payment) return null;
    try {
      const customer = await this.findCustomer(payment.customer_id);
      if (customer === null) return null;
      for await (const intent of this.stripe.paymentIntents.list({ customer, limit: 100 })) {
        if (intent.metadata?.tenure_key === key) return intent;
      }
      return null;
    } catch (error) {
      throw new GatewayUnavailableError(error);
    }
  }
}
