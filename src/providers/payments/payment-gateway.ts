/**
 * Port: a card payment gateway. Every charge carries an idempotency key; a gateway that sees a key
 * again answers with the first outcome and charges nothing more. A real adapter (Stripe and the
 * like) fits this port unchanged.
 */
export const CHARGE_FAILURES = [
  "declined",
  "insufficient-funds",
  "expired",
  "no-card-on-file",
  "error",
  // A hard decline (lost or stolen card, invalid account, "do not try again"): retrying cannot help.
  "card-unusable",
  // The bank wants the customer present (3-D Secure): an off-session charge cannot succeed.
  "authentication-required",
] as const;
export type ChargeFailure = (typeof CHARGE_FAILURES)[number];

export interface ChargeRequest {
  idempotencyKey: string;
  token: string;
  amount: number;
  currency: string;
  description: string;
}

export type ChargeOutcome =
  | { status: "succeeded"; reference: string }
  | { status: "failed"; code: ChargeFailure; message: string };

/** Money given back on an earlier charge, named by that charge's key, under a key of its own. */
export interface RefundRequest {
  idempotencyKey: string;
  chargeKey: string;
  amount: number;
  currency: string;
  reason: string;
}

export const REFUND_FAILURES = ["charge-not-found", "exceeds-charge", "error"] as const;
export type RefundFailure = (typeof REFUND_FAILURES)[number];

export type RefundOutcome =
  | { status: "succeeded"; reference: string }
  | { status: "failed"; code: RefundFailure; message: string };

export interface SavedCard {
  token: string;
  /** What the customer sees: "Visa ending 4242". */
  label: string;
}

export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /** The outcome of an earlier charge by its key, or null if the gateway never received it. */
  lookup(idempotencyKey: string): Promise<ChargeOutcome | null>;
  /** Refunds part or all of a succeeded charge; the same key again answers the first outcome. */
  refund(request: RefundRequest): Promise<RefundOutcome>;
  /** The outcome of an earlier refund by its key, or null if the gateway never received it. */
  lookupRefund(idempotencyKey: string): Promise<RefundOutcome | null>;
  /** Turns what the customer entered (a test card name here, a client-side token in production) into a token. */
  saveCard(customerId: string, card: string): Promise<SavedCard>;
}

/**
 * The gateway could not be asked (timeout, network, 5xx): the charge's outcome is unknown and its
 * payment stays pending, to be asked about again under the same key. The message is the cause's.
 */
export class GatewayUnavailableError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "GatewayUnavailableError";
  }
}
