/**
 * Staff roles (back office, docs/back-office.md): what each may do. Every back-office route
 * declares the roles it allows; a route that declares none is refused to everyone.
 *
 * - admin: everything, including staff accounts and policies;
 * - billing: invoices, payments, refunds, adjustments, cancellations;
 * - support: customers, requests, domains; no money movement.
 */
export const STAFF_ROLES = ["admin", "billing", "support"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export function isStaffRole(value: unknown): value is StaffRole {
  return typeof value === "string" && (STAFF_ROLES as readonly string[]).includes(value);
}

/** Named groups routes use, so a page's rule reads as what it is about. */
export const ROLES = {
  /** Reading the book: every staff member. */
  anyStaff: ["admin", "billing", "support"],
  /** Moving money: refunds, invoice adjustments, payment links, carrying out cancellations. */
  money: ["admin", "billing"],
  /** Customers' services and domains, requests: no money. */
  care: ["admin", "support"],
  /** Staff accounts, policies, the audit log export. */
  adminOnly: ["admin"],
} as const satisfies Record<string, readonly StaffRole[]>;
