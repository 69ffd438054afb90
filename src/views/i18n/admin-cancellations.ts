/** Back office, cancellations pages. */
export const en = {
  title: "Cancellations",
};
export type AdminCancellationsMessages = typeof en;

export const frCA: AdminCancellationsMessages = {
  title: "Cancellations",
};
