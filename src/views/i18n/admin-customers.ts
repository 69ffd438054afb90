/** Back office, customers pages. */
export const en = {
  title: "Customers",
};
export type AdminCustomersMessages = typeof en;

export const frCA: AdminCustomersMessages = {
  title: "Customers",
};
