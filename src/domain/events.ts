/**
 * The one event catalog (DESIGN.md). The same events feed the timeline, notices, webhooks, the
 * audit log and `tenure simulate`; names are stable.
 */
import type { Money } from "./money.js";
import type { Instant } from "./time.js";

export const EVENT_TYPES = [
  "invoice.issued",
  "invoice.voided",
  "invoice.paid",
  "payment.succeeded",
  "payment.failed",
  "payment.refunded",
  "notice.sent",
  "service.activated",
  "service.renewed",
  "service.cancellation_requested",
  "service.cancellation_withdrawn",
  "service.cancelled",
  "service.suspended",
  "service.unsuspended",
  "service.terminated",
  "domain.registered",
  "domain.renewed",
  "domain.auto_renew_changed",
  "domain.suspended",
  "domain.unsuspended",
  "domain.expired",
  "domain.reactivated",
  "domain.redemption_started",
  "domain.restored",
  "domain.released",
  "domain.override_granted",
  "domain.transfer_requested",
  "domain.transfer_denied",
  "domain.transferred_out",
  "domain.deleted",
  "ticket.opened",
  "ticket.closed",
  "reconciliation.drift_found",
  "reconciliation.drift_accepted",
  "reconciliation.drift_rejected",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

type InvoiceRef = { invoice: number; amount: Money };

/** Details carried by each event type, beyond `at`, `type`, `service` and `customer`. */
export interface EventDetails {
  /**
   * `number`: the document number; `amount`: the total charged, `subtotal` before the `taxes`
   * (rate in parts per 100,000, name in the customer's language); `taxNote`: reverse-charge.
   */
  "invoice.issued": InvoiceRef & {
    dueAt: string;
    number?: string;
    subtotal?: Money;
    taxes?: { name: string; rate: number; jurisdiction: string; amount: Money }[];
    taxNote?: string;
  };
  "invoice.voided": InvoiceRef & { reason: string };
  "invoice.paid": InvoiceRef;
  "payment.succeeded": InvoiceRef & { attempt: number };
  "payment.failed": InvoiceRef & { attempt: number; reason: string; nextAttemptAt?: string };
  /** Money given back on a payment: automatically (`by` absent) or by a staff member. */
  "payment.refunded": InvoiceRef & { payment: number; refund: number; reason: string; by?: string };
  /** `by`: the staff member who sent it (a payment link); absent for the automation's notices. */
  "notice.sent": { template: string; to: string; locale: string; by?: string };
  "service.activated": { plan?: string };
  "service.renewed": { termEndsAt: string };
  /** `by`: the staff member who acted for the customer (`staff:<email>`); absent when the customer did. */
  "service.cancellation_requested": {
    when: "immediate" | "end-of-term";
    effectiveAt: string;
    reason: string;
    by?: string;
  };
  "service.cancellation_withdrawn": { by?: string };
  /** `by`: the staff member who carried it out before its time (the cancellation queue). */
  "service.cancelled": { when: "immediate" | "end-of-term"; by?: string };
  "service.suspended": { reason: string };
  "service.unsuspended": { reason: string };
  "service.terminated": { reason: string };
  "domain.registered": { name: string; expiresAt: string };
  "domain.renewed": { name: string; expiresAt: string; amount: Money; basis: string };
  "domain.auto_renew_changed": { on: boolean; reason: string; chargeStillDue?: boolean; by?: string };
  "domain.suspended": { reason: string };
  "domain.unsuspended": { reason: string };
  "domain.expired": { name: string; graceEndsAt: string };
  "domain.reactivated": { name: string; expiresAt: string };
  "domain.redemption_started": { name: string; until: string; restoreFee: Money | null };
  "domain.restored": { name: string; expiresAt: string };
  "domain.released": { name: string };
  /**
   * Staff granted this domain an override (back office), with the reason they typed: a grace
   * extension (`days`, and the new `graceEndsAt`), a restore-fee waiver, the contact e-mail marked
   * verified, or the transfer lock lifted early.
   */
  "domain.override_granted": {
    override: "grace-extended" | "restore-fee-waived" | "email-verified" | "transfer-lock-lifted";
    by: string;
    reason: string;
    days?: number;
    graceEndsAt?: string;
  };
  "domain.transfer_requested": { name: string };
  "domain.transfer_denied": { name: string; until: string; reason: string };
  "domain.transferred_out": { name: string };
  /**
   * `by`: the staff member who deleted it on the owner's request (back office), or `registry`
   * when the registry deleted it by itself (its poll queue, read by reconciliation).
   */
  "domain.deleted": { name: string; by?: string };
  "ticket.opened": { ticket: number; kind: string };
  "ticket.closed": { ticket: number };
  /**
   * Reconciliation: a difference between Tenure and the registry or the gateway (the drift list).
   * A domain's is recorded on its service (`name`: the domain), so the domain's timeline shows it.
   */
  "reconciliation.drift_found": {
    drift: number;
    kind: string;
    subject: string;
    field: string;
    rule: string;
    name?: string;
  };
  /**
   * `by`: `staff:<email>`, or `automatic` (an expiry moved by exactly the renewals Tenure paid for);
   * `expiresAt`: the registry's expiry, written into Tenure's record by the acceptance.
   */
  "reconciliation.drift_accepted": {
    drift: number;
    kind: string;
    subject: string;
    field?: string;
    by: string;
    reason: string;
    name?: string;
    expiresAt?: string;
  };
  /** Tenure's record was kept. */
  "reconciliation.drift_rejected": {
    drift: number;
    kind: string;
    subject: string;
    field?: string;
    by: string;
    reason: string;
    name?: string;
  };
}

export type TenureEvent<T extends EventType = EventType> = {
  at: Instant;
  type: T;
  service?: string;
  customer?: string;
  details: EventDetails[T];
};
