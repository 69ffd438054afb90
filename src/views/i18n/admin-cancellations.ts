/** Back office, cancellations pages: the queue, carrying one out, the reasons report. */
export const en = {
  title: "Cancellations",
  intro: (hours: number) =>
    `Pending cancellation requests. An immediate one is promised within ${hours} hours of its request; past that it is late.`,
  none: "No cancellation is pending.",
  customer: "Customer",
  service: "Service",
  mode: "Mode",
  reason: "Reason",
  requested: "Requested",
  effective: "Takes effect",
  window: "Window",
  actions: "Actions",
  modes: { immediate: "immediate", "end-of-term": "end of term" } as Record<string, string>,
  late: "late",
  lateBy: (time: string) => `late by ${time}`,
  timeLeft: (time: string) => `${time} left`,
  duration: (hours: number, minutes: number) => (hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`),
  noWindow: "—",
  by: (who: string) => `by ${who}`,
  byCustomer: "by the customer",
  asked: (who: string) => `carrying out (asked ${who}): a charge awaits the bank`,
  carryOut: "Carry out now",
  reasonsLink: "Reasons by category and month",
  carryTitle: (label: string) => `Carry out now: ${label}`,
  carryIntro: (label: string, customer: string) =>
    `${label} (${customer}) is cancelled now, by the same step the automation uses when a request falls due.`,
  carryRequest: (mode: string, requested: string, effective: string) =>
    `Requested ${requested} (${mode}); it would take effect ${effective}.`,
  customerReason: (reason: string) => `Customer's reason: “${reason}”`,
  pendingCharge:
    "A charge of this service awaits the bank's answer: it is settled first; until it is, the cancellation waits (a charge that went through on an invoice being voided is refunded).",
  staffReason: "Your reason (recorded in the audit log)",
  reasonError: "Give a reason (3 characters or more).",
  formError: "Nothing was done: check the fields below.",
  doCarryOut: "Carry out the cancellation now",
  back: "Back to the queue",
  done: (label: string) => `${label} is cancelled.`,
  waitingPayment: (label: string) =>
    `${label}: a charge awaits the bank's answer; the cancellation is carried out as soon as it is settled.`,
  waitingEngine: (label: string, error: string) =>
    `${label}: the automation could not carry it out (${error}); it retries at its next run.`,
  refusals: {
    "not-pending": "This request is no longer pending: it was carried out or withdrawn.",
    "already-asked":
      "A staff member already asked for this one to be carried out; it completes once the charge in flight is settled.",
    "not-found": "No such request.",
  } as Record<string, string>,
  reasons: {
    title: "Cancellation reasons",
    intro: (months: number) =>
      `Requests of the last ${months} months (pending, carried out and withdrawn), by the category of the reason the customer wrote, per calendar month (UTC).`,
    category: "Category",
    total: "Total",
    months: "Months",
    show: "Show",
    none: "No cancellation requests in these months.",
    monthsError: "Choose between 1 and 36 months.",
    categories: {
      price: "Price",
      switching: "Moving to another provider",
      closing: "Closing the business or site",
      "not-needed": "No longer needed",
      problems: "Problems or support",
      other: "Other",
    } as Record<string, string>,
  },
};
export type AdminCancellationsMessages = typeof en;

export const frCA: AdminCancellationsMessages = {
  title: "Annulations",
  intro: (hours: number) =>
    `Demandes d’annulation en attente. Une annulation immédiate doit être effectuée dans les ${hours} heures suivant la demande; passé ce délai, elle est en retard.`,
  none: "Aucune annulation en attente.",
  customer: "Client",
  service: "Service",
  mode: "Mode",
  reason: "Raison",
  requested: "Demandée",
  effective: "Prend effet",
  window: "Délai",
  actions: "Actions",
  modes: { immediate: "immédiate", "end-of-term": "fin du terme" },
  late: "en\u00a0retard",
  lateBy: (time: string) => `en retard de ${time}`,
  timeLeft: (time: string) => `reste ${time}`,
  duration: (hours: number, minutes: number) => (hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`),
  noWindow: "—",
  by: (who: string) => `par ${who}`,
  byCustomer: "par le client",
  asked: (who: string) => `en cours (demandé ${who}) : un paiement attend la réponse de la banque`,
  carryOut: "Effectuer maintenant",
  reasonsLink: "Raisons par catégorie et par mois",
  carryTitle: (label: string) => `Effectuer maintenant : ${label}`,
  carryIntro: (label: string, customer: string) =>
    `${label} (${customer}) est annulé maintenant, par la même étape que l’automatisation applique quand une demande arrive à échéance.`,
  carryRequest: (mode: string, requested: string, effective: string) =>
    `Demandée le ${requested} (${mode}); elle prendrait effet le ${effective}.`,
  customerReason: (reason: string) => `Raison du client : « ${reason} »`,
  pendingCharge:
    "Un paiement de ce service attend la réponse de la banque : il est réglé d’abord; d’ici là, l’annulation attend (un paiement passé sur une facture en cours d’annulation est remboursé).",
  staffReason: "Votre raison (inscrite au journal d’audit)",
  reasonError: "Inscrivez une raison (3 caractères ou plus).",
  formError: "Rien n’a été fait : vérifiez les champs ci-dessous.",
  doCarryOut: "Effectuer l’annulation maintenant",
  back: "Retour à la file",
  done: (label: string) => `${label} est annulé.`,
  waitingPayment: (label: string) =>
    `${label} : un paiement attend la réponse de la banque; l’annulation est effectuée dès qu’il est réglé.`,
  waitingEngine: (label: string, error: string) =>
    `${label} : l’automatisation n’a pas pu l’effectuer (${error}); elle réessaie à sa prochaine exécution.`,
  refusals: {
    "not-pending": "Cette demande n’est plus en attente : elle a été effectuée ou retirée.",
    "already-asked":
      "Un membre du personnel a déjà demandé de l’effectuer; elle se termine dès que le paiement en cours est réglé.",
    "not-found": "Cette demande n’existe pas.",
  },
  reasons: {
    title: "Raisons d’annulation",
    intro: (months: number) =>
      `Demandes des ${months} derniers mois (en attente, effectuées et retirées), selon la catégorie de la raison inscrite par le client, par mois civil (UTC).`,
    category: "Catégorie",
    total: "Total",
    months: "Mois",
    show: "Afficher",
    none: "Aucune demande d’annulation pendant ces mois.",
    monthsError: "Choisissez entre 1 et 36 mois.",
    categories: {
      price: "Prix",
      switching: "Départ vers un autre fournisseur",
      closing: "Fermeture de l’entreprise ou du site",
      "not-needed": "N’en a plus besoin",
      problems: "Problèmes ou soutien",
      other: "Autre",
    },
  },
};
