/** Back office, requests pages. */
export const en = {
  title: "Requests",
};
export type AdminRequestsMessages = typeof en;

export const frCA: AdminRequestsMessages = {
  title: "Requests",
};
