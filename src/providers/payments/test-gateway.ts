/**
 * The built-in `test` gateway. Its cards behave like the well-known test cards: `ok`, `declined`,
 * `insufficient-funds`, `expired`, `fails-N-then-ok`, and `lost-answer-N` (the charge is made, but
 * the first N answers about this card's charges are lost: the charge call's, then look-ups' and
 * retries', as when the network fails right after the bank took the money). It keeps its own ledger, like a real
 * gateway, and refuses to charge twice under one idempotency key: the key is UNIQUE in the ledger
 * and a charge is decided and written in one immediate transaction, so processes racing on a key
 * get one charge between them.
 */
import { atomically, type Ledger, openLedger } from "../ledger-file.js";
import type {
  ChargeFailure,
  ChargeOutcome,
  ChargeRequest,
  PaymentGateway,
  RefundFailure,
  RefundOutcome,
  RefundRequest,
  SavedCard,
} from "./payment-gateway.js";

export const TEST_CARDS =
  /^(ok|declined|insufficient-funds|expired|fails-(\d{1,2})-then-ok|lost-answer-(\d{1,2}))$/;

/** What a `lost-answer-N` card throws after charging: the caller cannot know the charge was made. */
export class LostAnswerError extends Error {
  constructor() {
    super("gateway timeout: no answer (test card lost-answer)");
  }
}

export interface LedgerEntry {
  idempotencyKey: string;
  token: string;
  amount: number;
  currency: string;
  /** What the charge was for, as the merchant described it ("Invoice 12"): what reconciliation matches on. */
  description: string;
  outcome: ChargeOutcome;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS charges (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    reference TEXT,
    failure_code TEXT,
    message TEXT
  );
  -- How many times each card was charged: what makes fails-N-then-ok succeed on the N+1-th.
  CREATE TABLE IF NOT EXISTS card_charges (token TEXT PRIMARY KEY, count INTEGER NOT NULL);
  -- Refunds of charges, by their own key; never more than the charge in total.
  CREATE TABLE IF NOT EXISTS refunds (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    charge_key TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('succeeded', 'failed')),
    reference TEXT,
    failure_code TEXT,
    message TEXT
  );
  -- Answers lost so far per card (lost-answer-N loses the first N).
  CREATE TABLE IF NOT EXISTS lost_answers (token TEXT PRIMARY KEY, count INTEGER NOT NULL);
  -- One sequence for card tokens and charge references, as before.
  CREATE TABLE IF NOT EXISTS sequence (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
  INSERT OR IGNORE INTO sequence (id, value) VALUES (1, 0);
`;

export interface RefundEntry {
  idempotencyKey: string;
  chargeKey: string;
  amount: number;
  currency: string;
  outcome: RefundOutcome;
}

interface RefundRow {
  idempotency_key: string;
  charge_key: string;
  amount: number;
  currency: string;
  status: "succeeded" | "failed";
  reference: string | null;
  failure_code: string | null;
  message: string | null;
}

function toRefundEntry(row: RefundRow): RefundEntry {
  return {
    idempotencyKey: row.idempotency_key,
    chargeKey: row.charge_key,
    amount: row.amount,
    currency: row.currency,
    outcome:
      row.status === "succeeded"
        ? { status: "succeeded", reference: row.reference ?? "" }
        : { status: "failed", code: row.failure_code as RefundFailure, message: row.message ?? "" },
  };
}

interface ChargeRow {
  idempotency_key: string;
  token: string;
  amount: number;
  currency: string;
  description: string;
  status: "succeeded" | "failed";
  reference: string | null;
  failure_code: string | null;
  message: string | null;
}

function toEntry(row: ChargeRow): LedgerEntry {
  return {
    idempotencyKey: row.idempotency_key,
    token: row.token,
    amount: row.amount,
    currency: row.currency,
    description: row.description,
    outcome:
      row.status === "succeeded"
        ? { status: "succeeded", reference: row.reference ?? "" }
        : { status: "failed", code: row.failure_code as ChargeFailure, message: row.message ?? "" },
  };
}

export class TestGateway implements PaymentGateway {
  private readonly ledger: Ledger;

  /** With a file, the ledger survives restarts and is shared by processes, like a real gateway's. */
  constructor(options: { file?: string } = {}) {
    this.ledger = openLedger(options.file, SCHEMA);
  }

  async charge(request: ChargeRequest): Promise<ChargeOutcome> {
    let isAnswerLost = false;
    const outcome = atomically(this.ledger, (): ChargeOutcome => {
      const earlier = this.find(request.idempotencyKey);
      if (earlier) {
        // Like a real gateway: a key is bound to its first request; reused for another, it is refused.
        const isSameRequest =
          earlier.token === request.token &&
          earlier.amount === request.amount &&
          earlier.currency === request.currency;
        if (!isSameRequest)
          return {
            status: "failed",
            code: "error",
            message: "Idempotency key reused with different parameters.",
          };
        isAnswerLost = this.losesAnswer(request.token);
        return earlier.outcome;
      }
      const outcome = this.decide(request.token);
      isAnswerLost = this.losesAnswer(request.token);
      this.ledger
        .prepare(
          `INSERT INTO charges (idempotency_key, token, amount, currency, description, status, reference,
             failure_code, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          request.idempotencyKey,
          request.token,
          request.amount,
          request.currency,
          request.description,
          outcome.status,
          outcome.status === "succeeded" ? outcome.reference : null,
          outcome.status === "failed" ? outcome.code : null,
          outcome.status === "failed" ? outcome.message : null,
        );
      return outcome;
    });
    // The charge is in the ledger (committed): only its answer is lost on the way back.
    if (isAnswerLost) throw new LostAnswerError();
    return outcome;
  }

  async lookup(idempotencyKey: string): Promise<ChargeOutcome | null> {
    const entry = this.find(idempotencyKey);
    if (entry && atomically(this.ledger, () => this.losesAnswer(entry.token))) throw new LostAnswerError();
    return entry?.outcome ?? null;
  }

  async refund(request: RefundRequest): Promise<RefundOutcome> {
    return atomically(this.ledger, () => {
      const earlier = this.findRefund(request.idempotencyKey);
      if (earlier) {
        return earlier.chargeKey === request.chargeKey && earlier.amount === request.amount
          ? earlier.outcome
          : { status: "failed", code: "error", message: "Idempotency key reused with different parameters." };
      }
      const charge = this.find(request.chargeKey);
      const refunded = (
        this.ledger
          .prepare(
            "SELECT COALESCE(SUM(amount), 0) AS n FROM refunds WHERE charge_key = ? AND status = 'succeeded'",
          )
          .get(request.chargeKey) as { n: number }
      ).n;
      const outcome: RefundOutcome =
        charge?.outcome.status !== "succeeded" || charge.currency !== request.currency
          ? { status: "failed", code: "charge-not-found", message: "No such successful charge." }
          : request.amount <= 0 || refunded + request.amount > charge.amount
            ? { status: "failed", code: "exceeds-charge", message: "Refunds would exceed the charge." }
            : { status: "succeeded", reference: `re_test_${this.nextSequence()}` };
      this.ledger
        .prepare(
          `INSERT INTO refunds (idempotency_key, charge_key, amount, currency, status, reference, failure_code,
             message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          request.idempotencyKey,
          request.chargeKey,
          request.amount,
          request.currency,
          outcome.status,
          outcome.status === "succeeded" ? outcome.reference : null,
          outcome.status === "failed" ? outcome.code : null,
          outcome.status === "failed" ? outcome.message : null,
        );
      return outcome;
    });
  }

  async lookupRefund(idempotencyKey: string): Promise<RefundOutcome | null> {
    return this.findRefund(idempotencyKey)?.outcome ?? null;
  }

  /** Every refund the gateway made, in order: what a reconciliation would read. */
  refunds(): RefundEntry[] {
    return (
      this.ledger
        .prepare("SELECT * FROM refunds WHERE status = 'succeeded' ORDER BY seq")
        .all() as RefundRow[]
    ).map(toRefundEntry);
  }

  async saveCard(customerId: string, card: string): Promise<SavedCard> {
    if (!TEST_CARDS.test(card)) throw new Error(`unknown test card "${card}"`);
    const sequence = atomically(this.ledger, () => this.nextSequence());
    const last4 =
      card === "ok" || card.startsWith("lost-answer-")
        ? "4242"
        : card === "declined"
          ? "0002"
          : card === "expired"
            ? "0069"
            : "9995";
    return { token: `test_${card}_${customerId}_${sequence}`, label: `Visa •••• ${last4}` };
  }

  /** Every charge the gateway took money for: what a reconciliation would read. */
  successfulCharges(): LedgerEntry[] {
    return this.allCharges().filter((e) => e.outcome.status === "succeeded");
  }

  /** Every charge request the gateway recorded, in the order it received them. */
  allCharges(): LedgerEntry[] {
    return (this.ledger.prepare("SELECT * FROM charges ORDER BY seq").all() as ChargeRow[]).map(toEntry);
  }

  close(): void {
    this.ledger.close();
  }

  private findRefund(idempotencyKey: string): RefundEntry | null {
    const row = this.ledger.prepare("SELECT * FROM refunds WHERE idempotency_key = ?").get(idempotencyKey);
    return row ? toRefundEntry(row as RefundRow) : null;
  }

  private find(idempotencyKey: string): LedgerEntry | null {
    const row = this.ledger.prepare("SELECT * FROM charges WHERE idempotency_key = ?").get(idempotencyKey);
    return row ? toEntry(row as ChargeRow) : null;
  }

  private nextSequence(): number {
    const row = this.ledger.prepare("UPDATE sequence SET value = value + 1 RETURNING value").get();
    return (row as { value: number }).value;
  }

  /** Called inside the charge's transaction: the card's count and the sequence move with the charge. */
  private decide(token: string): ChargeOutcome {
    const card = /^test_(.+)_[^_]+_\d+$/.exec(token)?.[1] ?? "";
    return this.decideOutcome(card, this.countCharge(token));
  }

  /** Whether this answer about a `lost-answer-N` card's charge is lost (one of its first N). */
  private losesAnswer(token: string): boolean {
    const lost = /^test_lost-answer-(\d+)_[^_]+_\d+$/.exec(token);
    if (!lost) return false;
    const row = this.ledger
      .prepare(
        `INSERT INTO lost_answers (token, count) VALUES (?, 1)
         ON CONFLICT (token) DO UPDATE SET count = count + 1 RETURNING count`,
      )
      .get(token) as { count: number };
    return row.count <= Number(lost[1]);
  }

  /** Moves the card's charge count on by one and returns it. */
  private countCharge(token: string): number {
    const { count } = this.ledger
      .prepare(
        `INSERT INTO card_charges (token, count) VALUES (?, 1)
         ON CONFLICT (token) DO UPDATE SET count = count + 1 RETURNING count`,
      )
      .get(token) as { count: number };
    return count;
  }

  private decideOutcome(card: string, count: number): ChargeOutcome {
    const ok: ChargeOutcome = { status: "succeeded", reference: `ch_test_${this.nextSequence()}` };
    if (card === "ok" || card.startsWith("lost-answer-")) return ok;
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
