/** Strings of the domains pages. */
export const en = {
  title: "Domains",
};
export type DomainsMessages = typeof en;

export const frCA: DomainsMessages = {
  title: "Domains",
};
