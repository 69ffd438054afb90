/** Back office, domains pages. */
export const en = {
  title: "Domains",
};
export type AdminDomainsMessages = typeof en;

export const frCA: AdminDomainsMessages = {
  title: "Domains",
};
