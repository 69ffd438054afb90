/** Back office, preview pages. */
export const en = {
  title: "Preview",
};
export type AdminPreviewMessages = typeof en;

export const frCA: AdminPreviewMessages = {
  title: "Preview",
};
