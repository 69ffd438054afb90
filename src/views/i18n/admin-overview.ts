/** Back office, overview page. */
export const en = {
  title: "Overview",
  openRequests: "Open requests",
  pendingCancellations: "Pending cancellations",
  failingServices: "Services whose last step failed",
  pendingCharges: "Charges awaiting the bank",
  see: "See",
};
export type AdminOverviewMessages = typeof en;

export const frCA: AdminOverviewMessages = {
  title: "Vue d'ensemble",
  openRequests: "Demandes ouvertes",
  pendingCancellations: "Annulations en attente",
  failingServices: "Services dont la dernière étape a échoué",
  pendingCharges: "Paiements en attente de la banque",
  see: "Voir",
};
