/** Back office, automation pages. */
export const en = {
  title: "Automation",
};
export type AdminAutomationMessages = typeof en;

export const frCA: AdminAutomationMessages = {
  title: "Automation",
};
