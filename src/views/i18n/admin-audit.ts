/** Back office, audit pages. */
export const en = {
  title: "Audit",
};
export type AdminAuditMessages = typeof en;

export const frCA: AdminAuditMessages = {
  title: "Audit",
};
