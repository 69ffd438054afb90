/** Strings of the services pages. */
export const en = {
  title: "Services",
};
export type ServicesMessages = typeof en;

export const frCA: ServicesMessages = {
  title: "Services",
};
