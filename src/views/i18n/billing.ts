/** Strings of the billing pages. */
export const en = {
  title: "Billing",
};
export type BillingMessages = typeof en;

export const frCA: BillingMessages = {
  title: "Billing",
};
