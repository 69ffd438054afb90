/** Strings of the domains pages (Domains > Domains of seed 000, the renewal rules of seed 004). */

const dayCount = (days: number) => (days === 1 ? "one day" : `${days} days`);
const jours = (days: number) => (days === 1 ? "un jour" : `${days} jours`);

export const en = {
  title: "Domains",
  intro:
    "Domains cannot be cancelled: to let one expire, turn its auto-renew off. The renewal payment is taken before the renewal date shown.",
  empty: "You have no domains.",
  columns: {
    name: "Domain",
    expires: "Renewal date",
    price: "Renewal price",
    autoRenew: "Auto-renew",
    status: "Status",
    actions: "Actions",
  },
  switchOn: "On",
  switchOff: "Off",
  switchContext: (name: string) => `auto-renew for ${name}`,
  legacyNoSwitch: "Renews free while your site stays on a yearly plan",
  free: "Free (legacy offer)",
  none: "—",
  manage: "Manage",
  payInvoice: (invoice: number) => `Pay invoice #${invoice}`,
  manageLabel: (name: string) => `Manage ${name}`,
  reactivate: (price: string) => `Reactivate for ${price}`,
  restore: (price: string) => `Restore for ${price}`,
  state: {
    renews: (date: string) => `Next payment on ${date}`,
    renewsFree: (date: string) => `Renews free on ${date}`,
    legacyEnds: (siteEnds: string, expires: string) =>
      `Free renewal ends with your site on ${siteEnds}: will expire on ${expires}`,
    verifyBy: (date: string) => `Verify the contact e-mail by ${date}, or the domain is suspended`,
    pastDue: (date: string) => `Past due — next attempt on ${date}`,
    pastDueLast: (date: string) => `Past due — no attempt left; expires on ${date}`,
    paymentPending: "Payment being confirmed",
    renewalPaid: "Renewal paid — the renewal at the registry is in progress",
    willExpire: (date: string) => `Will expire on ${date}`,
    grace: (date: string) => `Expired — reactivate until ${date}`,
    redemption: (date: string) => `In redemption until ${date}`,
    expired: "Expired",
    suspendedUnverified: "Suspended: verify the contact e-mail",
    suspended: "Suspended",
    noPrice: "No renewal price is set for this domain: please contact us.",
    ended: {
      released: "Released",
      "transferred-out": "Transferred to another registrar",
      deleted: "Deleted",
    } as Record<string, string>,
  },
  detail: {
    back: "All domains",
    details: "Details",
    registrar: "Registrar",
    registeredOn: "Registered on",
    expiresOn: "Expires on",
    renewalPrice: "Renewal price",
    status: "Status",
    autoRenew: "Auto-renew",
    transferLock: "Transfer lock",
    lockedUntil: (date: string) => `Locked until ${date}`,
    unlocked: (date: string) => `None — transfers allowed since ${date}`,
    linkedSite: "Linked site",
    noSite: "None",
    disconnected: "disconnected",
    transferTitle: "Transfer to another registrar",
    transferIntro: "The transfer code (auth code) lets another registrar take over this domain.",
    requestTransferCode: "Request transfer code",
    deleteTitle: "Delete this domain",
    deleteIntro:
      "Deleting a domain is exceptional and irreversible: it is done on request, after our team confirms it with you.",
    deleteLink: "Delete this domain",
    reactivateTitle: "Reactivate",
    reactivateIntro: (date: string) =>
      `This domain has expired. You can reactivate it until ${date}; it keeps its original renewal date.`,
  },
  confirm: {
    title: (name: string) => `Turn off auto-renew for ${name}?`,
    willExpire: (date: string) => `Your domain will not be renewed and will expire on ${date}.`,
    invoiceVoided: (invoice: number) => `The open renewal invoice #${invoice} will be voided.`,
    cannotVoid: (invoice: number) =>
      `Invoice #${invoice} cannot be voided automatically: you will be asked to file an invoice-adjustment request.`,
    chargeStillMade: (date: string, days: number) =>
      `The charge on ${date} will still be made (auto-renew must be off at least ${dayCount(days)} before).`,
    graceAfter: (date: string) => `After it expires, you can still reactivate it until ${date}.`,
    submit: "Turn off auto-renew",
    keep: "Keep auto-renew on",
  },
  confirmOn: {
    title: (name: string) => `Turn auto-renew on for ${name}?`,
    chargeNow: (amount: string, card: string) =>
      `Its renewal payment date has passed: turning auto-renew on charges ${amount} to ${card} now, on an invoice issued for it.`,
    renewsUntil: (date: string) => `Once paid, the domain is renewed until ${date}.`,
    submit: (amount: string) => `Turn on and pay ${amount}`,
    keep: "Keep auto-renew off",
  },
  confirmReactivate: {
    title: (name: string) => `Reactivate ${name}?`,
    titleRestore: (name: string) => `Restore ${name}?`,
    charge: (amount: string, card: string) =>
      `${amount} will be charged to ${card} now, on an invoice issued for it.`,
    renewsUntil: (date: string) => `The domain is renewed until ${date}: it keeps its original renewal date.`,
    autoRenewOff: "Auto-renew stays off: you can turn it on once the domain is reactivated.",
    submit: (amount: string) => `Reactivate and pay ${amount}`,
    submitRestore: (amount: string) => `Restore and pay ${amount}`,
    keep: "Not now",
  },
  yourCard: "your card on file",
  notice: {
    autoRenewOn: (name: string) => `Auto-renew is on for ${name}.`,
    autoRenewOff: (name: string, date: string) => `Auto-renew is off for ${name}: it will expire on ${date}.`,
    alreadyOn: (name: string) => `Auto-renew was already on for ${name}.`,
    alreadyOff: (name: string) => `Auto-renew was already off for ${name}.`,
    refunded: (n: number, amount: string) =>
      `A payment of ${amount} for invoice #${n} went through while we were voiding it: it has been refunded to your card.`,
    deferred: (n: number) =>
      `A payment for invoice #${n} is still being confirmed by the bank. The invoice will be voided as soon as it is settled, and the payment refunded if it went through.`,
    voided: (invoices: number[]) =>
      invoices.length === 1
        ? `Invoice #${invoices[0]} was voided.`
        : `Invoices ${invoices.map((n) => `#${n}`).join(", ")} were voided.`,
    needsAdjustment: (invoice: number, reason: string) =>
      `Invoice #${invoice} could not be voided automatically (${reason}): file an invoice-adjustment request.`,
    adjustmentReason: { "partly-paid": "partly paid", "other-items": "other items" } as Record<
      string,
      string
    >,
    adjustmentLink: (invoice: number) => `File the adjustment request for invoice #${invoice}`,
    chargeStillDue: (date: string, days: number) =>
      `Auto-renew is off, but the charge on ${date} will still be made (auto-renew must be off at least ${dayCount(days)} before).`,
    legacyFree:
      "This domain renews free while your site stays on a yearly plan: it has no auto-renew switch.",
    notActive: "Auto-renew can only be changed on an active domain.",
    badSwitch: "Choose whether auto-renew should be on or off.",
    reactivated: (date: string, invoice: number, amount: string) =>
      `Reactivated until ${date}: invoice #${invoice} of ${amount} was paid.`,
    reactivationProcessing: (invoice: number, amount: string) =>
      `Payment of ${amount} received (invoice #${invoice}): the reactivation at the registry is in progress.`,
    reactivationPending: (invoice: number, amount: string) =>
      `The payment of ${amount} for invoice #${invoice} is being confirmed; the domain is reactivated as soon as it is.`,
    declined: (reason: string) => `The payment for the reactivation was refused: ${reason}.`,
    declinedInvoice: (invoice: number, amount: string, reason: string) =>
      `The payment of ${amount} for invoice #${invoice} was refused: ${reason}.`,
    offerAutoRenew: (date: string) =>
      `Auto-renew is still off: the domain will expire again on ${date} unless you turn it on.`,
    turnOn: "Turn auto-renew on",
    autoRenewOnPaid: (name: string, invoice: number, amount: string) =>
      `Auto-renew is on for ${name}: invoice #${invoice} of ${amount} was paid, and the domain is renewed.`,
    autoRenewOnPending: (name: string, invoice: number, amount: string) =>
      `Auto-renew is on for ${name}: the payment of ${amount} for invoice #${invoice} is being confirmed by the bank.`,
    autoRenewOnDeclined: (name: string, invoice: number, amount: string, reason: string) =>
      `Auto-renew is on for ${name}, but the payment of ${amount} for invoice #${invoice} was refused: ${reason}.`,
    payInvoice: (invoice: number) => `Pay invoice #${invoice}`,
    updateCard: "Update your payment method",
    failure: {
      declined: "the card was declined",
      "insufficient-funds": "insufficient funds",
      expired: "the card has expired",
      "no-card-on-file": "there is no card on file",
      error: "the payment service had a problem",
    } as Record<string, string>,
    notInGrace: "This domain can no longer be reactivated: it is not in its grace period.",
    noRestoreFee: "This domain cannot be restored online: please contact us.",
    transferCode: (name: string) => `Transfer code for ${name}:`,
    transferCodeHint: "Give it to the new registrar. Keep it private.",
    transferLocked: (date: string) => `Transfers are locked until ${date}.`,
    transferNotActive: "Only an active domain can be transferred.",
  },
};
export type DomainsMessages = typeof en;

export const frCA: DomainsMessages = {
  title: "Domaines",
  intro:
    "Un domaine ne peut pas être annulé : pour le laisser expirer, désactivez son renouvellement automatique. Le paiement du renouvellement est prélevé avant la date de renouvellement indiquée.",
  empty: "Vous n'avez aucun domaine.",
  columns: {
    name: "Domaine",
    expires: "Date de renouvellement",
    price: "Prix du renouvellement",
    autoRenew: "Renouvellement automatique",
    status: "Statut",
    actions: "Actions",
  },
  switchOn: "Activé",
  switchOff: "Désactivé",
  switchContext: (name: string) => `renouvellement automatique de ${name}`,
  legacyNoSwitch: "Renouvelé gratuitement tant que votre site garde un forfait annuel",
  free: "Gratuit (offre héritée)",
  none: "—",
  manage: "Gérer",
  payInvoice: (invoice: number) => `Payer la facture nº ${invoice}`,
  manageLabel: (name: string) => `Gérer ${name}`,
  reactivate: (price: string) => `Réactiver pour ${price}`,
  restore: (price: string) => `Restaurer pour ${price}`,
  state: {
    renews: (date: string) => `Prochain paiement le ${date}`,
    renewsFree: (date: string) => `Renouvelé gratuitement le ${date}`,
    legacyEnds: (siteEnds: string, expires: string) =>
      `Le renouvellement gratuit prend fin avec votre site le ${siteEnds} : expirera le ${expires}`,
    verifyBy: (date: string) =>
      `Vérifiez le courriel du contact d'ici le ${date}, sinon le domaine sera suspendu`,
    pastDue: (date: string) => `Paiement en souffrance — prochaine tentative le ${date}`,
    pastDueLast: (date: string) => `Paiement en souffrance — plus aucune tentative; expire le ${date}`,
    paymentPending: "Paiement en cours de confirmation",
    renewalPaid: "Renouvellement payé — le renouvellement auprès du registraire est en cours",
    willExpire: (date: string) => `Expirera le ${date}`,
    grace: (date: string) => `Expiré — réactivable jusqu'au ${date}`,
    redemption: (date: string) => `En rédemption jusqu'au ${date}`,
    expired: "Expiré",
    suspendedUnverified: "Suspendu : vérifiez le courriel du contact",
    suspended: "Suspendu",
    noPrice: "Aucun prix de renouvellement n'est défini pour ce domaine : veuillez nous contacter.",
    ended: {
      released: "Libéré",
      "transferred-out": "Transféré vers un autre registraire",
      deleted: "Supprimé",
    },
  },
  detail: {
    back: "Tous les domaines",
    details: "Détails",
    registrar: "Registraire",
    registeredOn: "Enregistré le",
    expiresOn: "Expire le",
    renewalPrice: "Prix du renouvellement",
    status: "Statut",
    autoRenew: "Renouvellement automatique",
    transferLock: "Verrou de transfert",
    lockedUntil: (date: string) => `Verrouillé jusqu'au ${date}`,
    unlocked: (date: string) => `Aucun — transferts permis depuis le ${date}`,
    linkedSite: "Site associé",
    noSite: "Aucun",
    disconnected: "déconnecté",
    transferTitle: "Transfert vers un autre registraire",
    transferIntro:
      "Le code de transfert (code d'autorisation) permet à un autre registraire de prendre ce domaine.",
    requestTransferCode: "Demander le code de transfert",
    deleteTitle: "Supprimer ce domaine",
    deleteIntro:
      "La suppression d'un domaine est exceptionnelle et irréversible : elle se fait sur demande, après confirmation de notre équipe avec vous.",
    deleteLink: "Supprimer ce domaine",
    reactivateTitle: "Réactiver",
    reactivateIntro: (date: string) =>
      `Ce domaine est expiré. Vous pouvez le réactiver jusqu'au ${date}; il garde sa date de renouvellement d'origine.`,
  },
  confirm: {
    title: (name: string) => `Désactiver le renouvellement automatique de ${name}?`,
    willExpire: (date: string) => `Votre domaine ne sera pas renouvelé et expirera le ${date}.`,
    invoiceVoided: (invoice: number) => `La facture de renouvellement ouverte nº ${invoice} sera annulée.`,
    cannotVoid: (invoice: number) =>
      `La facture nº ${invoice} ne peut pas être annulée automatiquement : vous devrez soumettre une demande d'ajustement de facture.`,
    chargeStillMade: (date: string, days: number) =>
      `Le prélèvement du ${date} sera quand même effectué (le renouvellement automatique doit être désactivé au moins ${jours(days)} avant).`,
    graceAfter: (date: string) => `Après l'expiration, vous pourrez encore le réactiver jusqu'au ${date}.`,
    submit: "Désactiver le renouvellement automatique",
    keep: "Garder le renouvellement automatique",
  },
  confirmOn: {
    title: (name: string) => `Activer le renouvellement automatique de ${name}?`,
    chargeNow: (amount: string, card: string) =>
      `La date de paiement du renouvellement est passée : activer le renouvellement automatique prélève ${amount} sur ${card} maintenant, sur une facture émise à cet effet.`,
    renewsUntil: (date: string) => `Une fois le paiement accepté, le domaine est renouvelé jusqu'au ${date}.`,
    submit: (amount: string) => `Activer et payer ${amount}`,
    keep: "Laisser le renouvellement automatique désactivé",
  },
  confirmReactivate: {
    title: (name: string) => `Réactiver ${name}?`,
    titleRestore: (name: string) => `Restaurer ${name}?`,
    charge: (amount: string, card: string) =>
      `${amount} sera prélevé sur ${card} maintenant, sur une facture émise à cet effet.`,
    renewsUntil: (date: string) =>
      `Le domaine est renouvelé jusqu'au ${date} : il garde sa date de renouvellement d'origine.`,
    autoRenewOff:
      "Le renouvellement automatique reste désactivé : vous pourrez l'activer une fois le domaine réactivé.",
    submit: (amount: string) => `Réactiver et payer ${amount}`,
    submitRestore: (amount: string) => `Restaurer et payer ${amount}`,
    keep: "Pas maintenant",
  },
  yourCard: "votre carte enregistrée",
  notice: {
    autoRenewOn: (name: string) => `Le renouvellement automatique est activé pour ${name}.`,
    autoRenewOff: (name: string, date: string) =>
      `Le renouvellement automatique est désactivé pour ${name} : il expirera le ${date}.`,
    alreadyOn: (name: string) => `Le renouvellement automatique était déjà activé pour ${name}.`,
    alreadyOff: (name: string) => `Le renouvellement automatique était déjà désactivé pour ${name}.`,
    refunded: (n: number, amount: string) =>
      `Un paiement de ${amount} pour la facture nº ${n} a été accepté pendant son annulation : il a été remboursé sur votre carte.`,
    deferred: (n: number) =>
      `Un paiement pour la facture nº ${n} est en cours de confirmation par la banque. La facture sera annulée dès qu'il sera réglé, et le paiement remboursé s'il a été accepté.`,
    voided: (invoices: number[]) =>
      invoices.length === 1
        ? `La facture nº ${invoices[0]} a été annulée.`
        : `Les factures ${invoices.map((n) => `nº ${n}`).join(", ")} ont été annulées.`,
    needsAdjustment: (invoice: number, reason: string) =>
      `La facture nº ${invoice} n'a pas pu être annulée automatiquement (${reason}) : soumettez une demande d'ajustement de facture.`,
    adjustmentReason: {
      "partly-paid": "partiellement payée",
      "other-items": "elle contient d'autres éléments",
    },
    adjustmentLink: (invoice: number) => `Soumettre la demande d'ajustement pour la facture nº ${invoice}`,
    chargeStillDue: (date: string, days: number) =>
      `Le renouvellement automatique est désactivé, mais le prélèvement du ${date} sera quand même effectué (il doit être désactivé au moins ${jours(days)} avant).`,
    legacyFree:
      "Ce domaine est renouvelé gratuitement tant que votre site garde un forfait annuel : il n'a pas de case Renouvellement automatique.",
    notActive: "Le renouvellement automatique ne peut être modifié que pour un domaine actif.",
    badSwitch: "Indiquez si le renouvellement automatique doit être activé ou désactivé.",
    reactivated: (date: string, invoice: number, amount: string) =>
      `Réactivé jusqu'au ${date} : la facture nº ${invoice} de ${amount} a été payée.`,
    reactivationProcessing: (invoice: number, amount: string) =>
      `Paiement de ${amount} reçu (facture nº ${invoice}) : la réactivation auprès du registraire est en cours.`,
    reactivationPending: (invoice: number, amount: string) =>
      `Le paiement de ${amount} pour la facture nº ${invoice} est en cours de confirmation; le domaine sera réactivé dès qu'il le sera.`,
    declined: (reason: string) => `Le paiement de la réactivation a été refusé : ${reason}.`,
    declinedInvoice: (invoice: number, amount: string, reason: string) =>
      `Le paiement de ${amount} pour la facture nº ${invoice} a été refusé : ${reason}.`,
    offerAutoRenew: (date: string) =>
      `Le renouvellement automatique est toujours désactivé : le domaine expirera de nouveau le ${date} si vous ne l'activez pas.`,
    turnOn: "Activer le renouvellement automatique",
    autoRenewOnPaid: (name: string, invoice: number, amount: string) =>
      `Le renouvellement automatique est activé pour ${name} : la facture nº ${invoice} de ${amount} a été payée et le domaine est renouvelé.`,
    autoRenewOnPending: (name: string, invoice: number, amount: string) =>
      `Le renouvellement automatique est activé pour ${name} : le paiement de ${amount} pour la facture nº ${invoice} est en cours de confirmation par la banque.`,
    autoRenewOnDeclined: (name: string, invoice: number, amount: string, reason: string) =>
      `Le renouvellement automatique est activé pour ${name}, mais le paiement de ${amount} pour la facture nº ${invoice} a été refusé : ${reason}.`,
    payInvoice: (invoice: number) => `Payer la facture nº ${invoice}`,
    updateCard: "Mettre à jour votre mode de paiement",
    failure: {
      declined: "la carte a été refusée",
      "insufficient-funds": "fonds insuffisants",
      expired: "la carte est expirée",
      "no-card-on-file": "aucune carte n'est enregistrée",
      error: "le service de paiement a eu un problème",
    },
    notInGrace: "Ce domaine ne peut plus être réactivé : il n'est pas dans sa période de grâce.",
    noRestoreFee: "Ce domaine ne peut pas être restauré en ligne : veuillez nous contacter.",
    transferCode: (name: string) => `Code de transfert de ${name} :`,
    transferCodeHint: "Remettez-le au nouveau registraire. Gardez-le confidentiel.",
    transferLocked: (date: string) => `Les transferts sont verrouillés jusqu'au ${date}.`,
    transferNotActive: "Seul un domaine actif peut être transféré.",
  },
};
