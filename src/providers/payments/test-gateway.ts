/**
 * The built-in `test` gateway. Its cards behave like the well-known test cards: `ok`, `declined`,
 * `insufficient-funds`, `expired`, and `fails-N-then-ok`. It keeps its own ledger, like a real
 * gateway, and refuses to charge twice under one idempotency key.
 */
import { DurableFile } from "../durable-file.js";
import type { ChargeOutcome, ChargeRequest, PaymentGateway, SavedCard } from "./payment-gateway.js";

export const TEST_CARDS = /^(ok|declined|insufficient-funds|expired|fails-(\d{1,2})-then-ok)$/;

export interface LedgerEntry {
  idempotencyKey: string;
  token: string;
  amount: number;
  currency: string;
  outcome: ChargeOutcome;
}

interface GatewayState {
  entries: LedgerEntry[];
  chargesByToken: Record<string, number>;
  sequence: number;
}

export class TestGateway implements PaymentGateway {
  private readonly entries = new Map<string, LedgerEntry>();
  private readonly chargesByToken = new Map<string, number>();
  private sequence = 0;
  private readonly file: DurableFile<GatewayState> | null;

  /** With a file, the ledger survives restarts, like a real gateway's (crash tests read it). */
  constructor(options: { file?: string } = {}) {
    this.file = options.file
      ? new DurableFile(options.file, () => ({ entries: [], chargesByToken: {}, sequence: 0 }))
      : null;
    const state = this.file?.load();
    if (state) {
      for (const entry of state.entries) this.entries.set(entry.idempotencyKey, entry);
      for (const [token, count] of Object.entries(state.chargesByToken))
        this.chargesByToken.set(token, count);
      this.sequence = state.sequence;
    }
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    const earlier = this.entries.get(request.idempotencyKey);
    if (earlier) {
      // Like a real gateway: a key is bound to its first request; reused for another, it is refused.
      const isSameRequest =
        earlier.token === request.token &&
        earlier.amount === request.amount &&
        earlier.currency === request.currency;
      return isSameRequest
        ? earlier.outcome
        : { status: "failed", code: "error", message: "Idempotency key reused with different parameters." };
    }
    const outcome = this.decide(request.token);
    this.entries.set(request.idempotencyKey, {
      idempotencyKey: request.idempotencyKey,
      token: request.token,
      amount: request.amount,
      currency: request.currency,
      outcome,
    });
    this.persist();
    return outcome;
  }

  async lookup(idempotencyKey: string): Promise<ChargeOutcome | null> {
    return this.entries.get(idempotencyKey)?.outcome ?? null;
  }

  async saveCard(customerId: string, card: string): Promise<SavedCard> {
    if (!TEST_CARDS.test(card)) throw new Error(`unknown test card "${card}"`);
    this.sequence += 1;
    this.persist();
    const last4 =
      card === "ok" ? "4242" : card === "declined" ? "0002" : card === "expired" ? "0069" : "9995";
    return { token: `test_${card}_${customerId}_${this.sequence}`, label: `Visa •••• ${last4}` };
  }

  /** Every charge the gateway took money for: what a reconciliation would read. */
  successfulCharges(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.outcome.status === "succeeded");
  }

  allCharges(): LedgerEntry[] {
    return [...this.entries.values()];
  }

  private persist(): void {
    this.file?.save({
      entries: [...this.entries.values()],
      chargesByToken: Object.fromEntries(this.chargesByToken),
      sequence: this.sequence,
    });
  }

  private decide(token: string): ChargeOutcome {
    const card = /^test_(.+)_[^_]+_\d+$/.exec(token)?.[1] ?? "";
    const count = (this.chargesByToken.get(token) ?? 0) + 1;
    this.chargesByToken.set(token, count);
    this.sequence += 1;
    const ok: ChargeOutcome = { status: "succeeded", reference: `ch_test_${this.sequence}` };
    if (card === "ok") return ok;
    if (card === "declined")
      return { status: "failed", code: "declined", message: "Your card was declined." };
    if (card === "insufficient-funds") {
      return { status: "failed", code: "insufficient-funds", message: "Your card has insufficient funds." };
    }
    if (card === "expired") return { status: "failed", code: "expired", message: "Your card has expired." };
    const failures = /^fails-(\d+)-then-ok$/.exec(card);
    if (failures) {
      return count <= Number(failures[1])
        ? { status: "failed", code: "declined", message: "Your card was declined." }
        : ok;
    }
    return { status: "failed", code: "error", message: "Unknown card token." };
  }
}
