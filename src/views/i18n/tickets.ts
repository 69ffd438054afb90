/** Strings of the tickets pages. */
export const en = {
  title: "Tickets",
};
export type TicketsMessages = typeof en;

export const frCA: TicketsMessages = {
  title: "Tickets",
};
