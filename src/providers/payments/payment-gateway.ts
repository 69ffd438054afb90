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

export interface SavedCard {
  token: string;
  /** What the customer sees: "Visa ending 4242". */
  label: string;
}

export interface PaymentGateway {
  charge(request: ChargeRequest): Promise<ChargeOutcome>;
  /** The outcome of an earlier charge by its key, or null if the gateway never received it. */
  lookup(idempotencyKey: string): Promise<ChargeOutcome | null>;
  /** Turns what the customer entered (a test card name here, a client-side token in production) into a token. */
  saveCard(customerId: string, card: string): Promise<SavedCard>;
}
