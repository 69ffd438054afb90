/**
 * The notice templates by name and the data each one is rendered with. The engine queues a notice
 * with this data; rendering turns it into subject, text and HTML in the customer's language.
 */
export const LOCALES = ["fr-CA", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export const NOTICE_TEMPLATES = [
  "renewal-upcoming",
  "expiry-warning",
  "payment-failed",
  "domain-expired",
  "domain-suspended",
  "verification-required",
  "invoice-issued",
  "payment-receipt",
  "payment-refunded",
  "cancellation-confirmed",
  "invoice-adjustment-needed",
  "service-suspended",
  "service-terminated",
  "password-reset",
  "payment-link",
  "ticket-reply",
] as const;
export type NoticeTemplate = (typeof NOTICE_TEMPLATES)[number];

/** Amounts are integer minor units; instants are epoch milliseconds, shown in `timeZone`. */
export interface MoneyValue {
  amount: number;
  currency: string;
}

export interface NoticeCommon {
  customerName: string;
  timeZone: string;
  /** What the notice is about: a domain name or a service label ("Hosting — Pro yearly"). */
  subject: string;
}

export interface NoticeDataByTemplate {
  /**
   * Seed 004: sent 15 days before the charge; the card will be charged on `chargeAt` to renew the
   * domain, which expires (and renews) on `expiresAt`; auto-renew can be turned off until
   * `autoRenewDeadline` (the registrar's lead before the charge).
   */
  "renewal-upcoming": {
    chargeAt: number;
    expiresAt: number;
    autoRenewDeadline: number;
    price: MoneyValue;
    cardLabel: string | null;
  };
  /** Auto-renew is off (or the charge failed): the domain expires on `expiresAt`. */
  "expiry-warning": { expiresAt: number; daysBefore: number };
  /** A charge attempt failed; `nextAttemptAt` is null when no attempt is left. */
  "payment-failed": {
    invoiceNumber: number;
    amount: MoneyValue;
    attempt: number;
    reason: string;
    nextAttemptAt: number | null;
  };
  /** The domain expired and was disconnected; it can be reactivated until `graceEndsAt`. */
  "domain-expired": { expiresAt: number; graceEndsAt: number; reactivationPrice: MoneyValue };
  /** Suspended because the contact e-mail was not verified in time. */
  "domain-suspended": { reason: "email-unverified" };
  /** Verify the contact e-mail before `deadline` or the domain is suspended. */
  "verification-required": { deadline: number };
  "invoice-issued": { invoiceNumber: number; amount: MoneyValue; dueAt: number };
  "payment-receipt": { invoiceNumber: number; amount: MoneyValue; paidAt: number };
  /** Money given back: `reason` is `invoice-voided`, `invoice-already-paid`, or staff's words. */
  "payment-refunded": { invoiceNumber: number; amount: MoneyValue; reason: string; refundedAt: number };
  "cancellation-confirmed": { when: "immediate" | "end-of-term"; effectiveAt: number; reason: string };
  /** An open invoice could not be voided automatically: file an adjustment request quoting it. */
  "invoice-adjustment-needed": {
    invoiceNumber: number;
    amount: MoneyValue;
    reason: "partly-paid" | "other-items";
  };
  "service-suspended": { invoiceNumber: number; amount: MoneyValue; terminateAt: number };
  "service-terminated": { invoiceNumber: number | null };
  /** A single-use link to choose a new password, valid until `expiresAt`. */
  "password-reset": { link: string; expiresAt: number };
  /** A staff member answered one of the customer's requests (`subject`: the request's subject). */
  "ticket-reply": { ticketNumber: number; body: string; link: string };
  /** Sent by staff (back office): the open invoice's page in the client area, where it is paid. */
  "payment-link": { invoiceNumber: number; amount: MoneyValue; dueAt: number; link: string };
}

export type NoticeData<T extends NoticeTemplate = NoticeTemplate> = NoticeCommon & NoticeDataByTemplate[T];

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}
