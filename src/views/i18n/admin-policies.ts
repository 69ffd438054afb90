/** Back office, policies pages. */
export const en = {
  title: "Policies",
};
export type AdminPoliciesMessages = typeof en;

export const frCA: AdminPoliciesMessages = {
  title: "Policies",
};
