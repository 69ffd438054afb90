/** Back office, requests pages: the list, one request, its actions and their confirmations. */
export const en = {
  title: "Requests",
  detailTitle: (n: number) => `Request #${n}`,
  backToList: "All requests",
  filters: {
    legend: "Filter",
    status: "Status",
    kind: "Kind",
    assigned: "Assigned to",
    any: "Any",
    me: "Me",
    nobody: "Nobody",
    apply: "Show",
    invalid: "This filter is not valid: choose from the lists.",
  },
  statuses: { open: "Open", closed: "Closed" } as Record<string, string>,
  columns: {
    number: "No.",
    customer: "Customer",
    kind: "Kind",
    subject: "Subject",
    status: "Status",
    assignee: "Assigned to",
    age: "Age",
    updated: "Last update",
  },
  age: (days: number, hours: number) => (days > 0 ? `${days} d ${hours} h` : `${hours} h`),
  none: "No request matches.",
  nobody: "Nobody",
  facts: {
    title: "The request",
    customer: "Customer",
    kind: "Kind",
    status: "Status",
    opened: "Opened",
    closed: "Closed",
    assignee: "Assigned to",
    invoice: "Invoice",
    service: "Service",
    domain: "Domain",
    openedBy: "Opened by",
  },
  invoiceFact: (n: number, total: string, paid: string, status: string) =>
    `#${n} — ${total} (paid ${paid}) — ${status}`,
  conversation: "Messages",
  customerAuthor: (name: string) => `${name} (customer)`,
  staffAuthor: (name: string) => `${name} (staff)`,
  assign: {
    title: "Assignment",
    label: "Assign to",
    button: "Assign",
    toMe: "Assign to me",
    unassign: "Nobody",
    done: (name: string) => `Request assigned to ${name}.`,
    cleared: "Request no longer assigned.",
    unchanged: "Nothing changed: the request was already assigned that way.",
    invalid: "Choose an active staff member.",
  },
  reply: {
    title: "Reply to the customer",
    label: "Reply (e-mailed to the customer and shown in their client area)",
    button: "Send the reply",
    done: "Reply sent to the customer.",
    invalid: "Enter a reply of 3 to 10,000 characters.",
    closed: "This request is closed: reopen it to reply.",
  },
  state: {
    title: "Status",
    close: "Close the request",
    reopen: "Reopen the request",
    closed: (n: number) => `Request #${n} closed.`,
    reopened: (n: number) => `Request #${n} reopened.`,
    alreadyClosed: (n: number) => `Request #${n} was already closed.`,
    alreadyOpen: (n: number) => `Request #${n} was already open.`,
    mustBeOpen: "This request is closed: reopen it first.",
    wrongKind: "This action does not apply to this kind of request.",
  },
  refund: {
    title: "Refund a payment",
    intro:
      "Money goes back to the card that paid, through the payment gateway. It can never exceed what was paid minus what was already refunded.",
    none: "This customer has no payment that can be refunded.",
    payment: "Payment",
    paymentOption: (invoice: number, amount: string, max: string, date: string) =>
      `#${invoice} — ${amount} (${date}) — up to ${max}`,
    amount: "Amount to refund",
    amountHint: (max: string) => `At most ${max}. Use a point or a comma for cents (12.50).`,
    reason: "Reason (shown to the customer)",
    review: "Review the refund…",
    columns: { invoice: "Invoice", date: "Paid on", paid: "Paid", refunded: "Refunded", max: "Refundable" },
    confirmTitle: "Confirm the refund",
    confirmText: (amount: string, invoice: number, paid: string, date: string) =>
      `${amount} will be refunded now to the card that paid invoice #${invoice} (payment of ${paid} on ${date}).`,
    confirmMax: (max: string) => `After this refund, at most ${max} more can be refunded on this payment.`,
    confirmButton: (amount: string) => `Refund ${amount}`,
    invalidPayment: "Choose a payment of this customer's.",
    invalidAmount: "Enter an amount greater than zero, such as 12.50.",
    invalidReason: "Enter a reason of 3 to 500 characters.",
    exceeds: (max: string) =>
      `This is more than the payment can give back: at most ${max} can be refunded on it.`,
    stale:
      "Another refund was made on this payment since this confirmation: check the amounts and confirm again.",
    succeeded: (amount: string, invoice: number) =>
      `Refunded ${amount} on invoice #${invoice}. A credit note was added to the invoice.`,
    pending: (amount: string, invoice: number) =>
      `The gateway has not answered yet: the refund of ${amount} on invoice #${invoice} is pending. It is settled under the same key by the next look-up (Check now below, or the engine's next run); it will not be made twice.`,
    failed: (amount: string, invoice: number, code: string) =>
      `The gateway refused the refund of ${amount} on invoice #${invoice} (${code}). Nothing was refunded.`,
  },
  refunds: {
    title: "Refunds to this customer",
    none: "No refund yet.",
    columns: {
      date: "Asked on",
      invoice: "Invoice",
      amount: "Amount",
      status: "Status",
      reason: "Reason",
      by: "By",
    },
    statuses: { pending: "Pending (gateway)", succeeded: "Refunded", failed: "Refused" } as Record<
      string,
      string
    >,
    check: "Check now",
    checkedPending: "The gateway still has not answered: the refund stays pending.",
  },
  adjust: {
    title: "Adjust the invoice",
    intro:
      "Only an open invoice is adjusted; a paid one is refunded instead. The customer sees the adjusted invoice and its PDF.",
    noInvoice: "This request does not quote an invoice.",
    paidRefused: (n: number) =>
      `Invoice #${n} is paid: a paid invoice is never edited. Refund the payment instead (a credit note is added to the invoice).`,
    voidRefused: (n: number) => `Invoice #${n} is void: there is nothing left to adjust.`,
    lines: "Lines",
    line: "Line",
    description: "Description",
    amount: "Amount",
    remove: "Remove this line…",
    change: "Change this line…",
    voidButton: "Void the whole invoice…",
    reason: "Reason (required)",
    review: "Review the adjustment…",
    confirmTitle: "Confirm the adjustment",
    confirmVoid: (n: number, total: string) =>
      `Invoice #${n} (${total}) will be voided now: nothing will be owed on it and it will no longer be charged.`,
    confirmRemove: (n: number, description: string, amount: string, total: string) =>
      `The line “${description}” (${amount}) will be removed from invoice #${n}; its total becomes ${total}.`,
    confirmChange: (n: number, description: string, amount: string, total: string) =>
      `The line becomes “${description}” (${amount}) on invoice #${n}; its total becomes ${total}.`,
    confirmButton: "Confirm the adjustment",
    voided: (n: number, total: string) => `Invoice #${n} (${total}) voided.`,
    voidDeferred: (n: number) =>
      `A charge of invoice #${n} is waiting for the bank: the invoice is voided as soon as it is settled (a charge that went through is refunded).`,
    lineRemoved: (n: number, before: string, after: string) =>
      `Line removed from invoice #${n}: total ${before} → ${after}. A credit note records the difference.`,
    lineChanged: (n: number, before: string, after: string) =>
      `Invoice #${n} adjusted: total ${before} → ${after}.`,
    refused: {
      paid: "A paid invoice is never edited: refund the payment instead.",
      void: "This invoice is void: there is nothing to adjust.",
      "money-in-flight": "A charge of this invoice is waiting for the bank: try again once it is settled.",
      "no-such-line": "This line is not on the invoice.",
      "nothing-left": "Nothing would be left to pay: void the whole invoice instead.",
      "not-above-paid":
        "Part of this invoice is paid already: the total cannot fall to what was paid. Refund instead.",
      "negative-amount": "Enter an amount of zero or more, such as 12.50.",
      "partly-paid":
        "Part of this invoice is paid already: it cannot be voided. Adjust a line or refund instead.",
    } as Record<string, string>,
    invalidAction: "Choose what to do with the invoice.",
    invalidDescription: "Enter a description of 1 to 500 characters.",
    invalidAmount: "Enter an amount of zero or more, such as 12.50.",
    invalidReason: "Enter a reason of 3 to 500 characters.",
  },
  deletion: {
    title: "Delete the domain",
    intro:
      "The customer asked for this domain to be deleted for good. Deleting it goes through the registrar and cannot be undone.",
    start: "Delete the domain…",
    gone: (name: string, status: string) => `The domain ${name} is no longer registered here (${status}).`,
    confirmTitle: (name: string) => `Delete ${name}`,
    /** Shown in both languages whatever the staff member's language: the customer's may be either. */
    warningEn: (name: string) =>
      `Deleting ${name} is irreversible. The name is deleted at the registry now: the website and the e-mail addresses that use it stop working, it cannot be restored, and anyone may register it afterwards. Its open invoices are voided and it is never renewed again.`,
    warningFr: (name: string) =>
      `La suppression de ${name} est irréversible. Le nom est supprimé auprès du registre dès maintenant : le site Web et les adresses courriel qui l’utilisent cessent de fonctionner, il ne pourra pas être restauré et n’importe qui pourra l’enregistrer par la suite. Ses factures ouvertes sont annulées et il ne sera plus jamais renouvelé.`,
    typeName: (name: string) => `To confirm, type the domain name (${name})`,
    reply: "Reply to the customer (the request is then closed)",
    replyDefault: (name: string) =>
      `Your domain ${name} has been deleted at the registry, as you asked. Its open invoices were voided. / Votre domaine ${name} a été supprimé auprès du registre, comme vous l’avez demandé. Ses factures ouvertes ont été annulées.`,
    button: (name: string) => `Delete ${name} for good`,
    mismatch: (name: string) => `Type the domain name exactly (${name}) to confirm the deletion.`,
    invalidReply: "Enter a reply of 3 to 10,000 characters.",
    done: (name: string, invoices: string) =>
      `The domain ${name} was deleted at the registry${invoices ? `; invoices voided: ${invoices}` : ""}. The request is closed.`,
    refused: {
      "already-gone": "This domain is no longer registered here: there is nothing to delete.",
      "money-in-flight": "A charge for this domain is waiting for the bank: try again once it is settled.",
      "not-open": "This request is closed: reopen it first.",
      "wrong-kind": "This request is not about deleting a domain.",
    } as Record<string, string>,
  },
  cancel: "Cancel",
};
export type AdminRequestsMessages = typeof en;

export const frCA: AdminRequestsMessages = {
  title: "Demandes",
  detailTitle: (n: number) => `Demande n° ${n}`,
  backToList: "Toutes les demandes",
  filters: {
    legend: "Filtrer",
    status: "Statut",
    kind: "Type",
    assigned: "Assignée à",
    any: "Toutes",
    me: "Moi",
    nobody: "Personne",
    apply: "Afficher",
    invalid: "Ce filtre n’est pas valide : choisissez dans les listes.",
  },
  statuses: { open: "Ouverte", closed: "Fermée" },
  columns: {
    number: "N°",
    customer: "Client",
    kind: "Type",
    subject: "Objet",
    status: "Statut",
    assignee: "Assignée à",
    age: "Âge",
    updated: "Dernière mise à jour",
  },
  age: (days: number, hours: number) => (days > 0 ? `${days} j ${hours} h` : `${hours} h`),
  none: "Aucune demande ne correspond.",
  nobody: "Personne",
  facts: {
    title: "La demande",
    customer: "Client",
    kind: "Type",
    status: "Statut",
    opened: "Ouverte le",
    closed: "Fermée le",
    assignee: "Assignée à",
    invoice: "Facture",
    service: "Service",
    domain: "Domaine",
    openedBy: "Ouverte par",
  },
  invoiceFact: (n: number, total: string, paid: string, status: string) =>
    `n° ${n} — ${total} (payé ${paid}) — ${status}`,
  conversation: "Messages",
  customerAuthor: (name: string) => `${name} (client)`,
  staffAuthor: (name: string) => `${name} (personnel)`,
  assign: {
    title: "Assignation",
    label: "Assigner à",
    button: "Assigner",
    toMe: "M’assigner la demande",
    unassign: "Personne",
    done: (name: string) => `Demande assignée à ${name}.`,
    cleared: "La demande n’est plus assignée.",
    unchanged: "Rien n’a changé : la demande était déjà assignée ainsi.",
    invalid: "Choisissez un membre actif du personnel.",
  },
  reply: {
    title: "Répondre au client",
    label: "Réponse (envoyée par courriel au client et affichée dans son Espace Client)",
    button: "Envoyer la réponse",
    done: "Réponse envoyée au client.",
    invalid: "Entrez une réponse de 3 à 10 000 caractères.",
    closed: "Cette demande est fermée : rouvrez-la pour répondre.",
  },
  state: {
    title: "Statut",
    close: "Fermer la demande",
    reopen: "Rouvrir la demande",
    closed: (n: number) => `Demande n° ${n} fermée.`,
    reopened: (n: number) => `Demande n° ${n} rouverte.`,
    alreadyClosed: (n: number) => `La demande n° ${n} était déjà fermée.`,
    alreadyOpen: (n: number) => `La demande n° ${n} était déjà ouverte.`,
    mustBeOpen: "Cette demande est fermée : rouvrez-la d’abord.",
    wrongKind: "Cette action ne s’applique pas à ce type de demande.",
  },
  refund: {
    title: "Rembourser un paiement",
    intro:
      "La somme est rendue sur la carte qui a payé, par la passerelle de paiement. Elle ne peut jamais dépasser le montant payé moins ce qui a déjà été remboursé.",
    none: "Ce client n’a aucun paiement remboursable.",
    payment: "Paiement",
    paymentOption: (invoice: number, amount: string, max: string, date: string) =>
      `n° ${invoice} — ${amount} (${date}) — jusqu’à ${max}`,
    amount: "Montant à rembourser",
    amountHint: (max: string) => `Au plus ${max}. Utilisez une virgule ou un point pour les cents (12,50).`,
    reason: "Motif (communiqué au client)",
    review: "Vérifier le remboursement…",
    columns: {
      invoice: "Facture",
      date: "Payé le",
      paid: "Payé",
      refunded: "Remboursé",
      max: "Remboursable",
    },
    confirmTitle: "Confirmer le remboursement",
    confirmText: (amount: string, invoice: number, paid: string, date: string) =>
      `${amount} sera remboursé maintenant sur la carte qui a payé la facture n° ${invoice} (paiement de ${paid} le ${date}).`,
    confirmMax: (max: string) =>
      `Après ce remboursement, au plus ${max} pourra encore être remboursé sur ce paiement.`,
    confirmButton: (amount: string) => `Rembourser ${amount}`,
    invalidPayment: "Choisissez un paiement de ce client.",
    invalidAmount: "Entrez un montant supérieur à zéro, par exemple 12,50.",
    invalidReason: "Entrez un motif de 3 à 500 caractères.",
    exceeds: (max: string) =>
      `C’est plus que ce que le paiement peut rendre : au plus ${max} peut être remboursé sur celui-ci.`,
    stale:
      "Un autre remboursement a été fait sur ce paiement depuis cette confirmation : vérifiez les montants et confirmez de nouveau.",
    succeeded: (amount: string, invoice: number) =>
      `${amount} remboursé sur la facture n° ${invoice}. Une note de crédit a été ajoutée à la facture.`,
    pending: (amount: string, invoice: number) =>
      `La passerelle n’a pas encore répondu : le remboursement de ${amount} sur la facture n° ${invoice} est en attente. Il sera réglé sous la même clé à la prochaine vérification (Vérifier maintenant ci-dessous, ou le prochain passage du moteur); il ne sera pas fait deux fois.`,
    failed: (amount: string, invoice: number, code: string) =>
      `La passerelle a refusé le remboursement de ${amount} sur la facture n° ${invoice} (${code}). Rien n’a été remboursé.`,
  },
  refunds: {
    title: "Remboursements à ce client",
    none: "Aucun remboursement pour l’instant.",
    columns: {
      date: "Demandé le",
      invoice: "Facture",
      amount: "Montant",
      status: "Statut",
      reason: "Motif",
      by: "Par",
    },
    statuses: { pending: "En attente (passerelle)", succeeded: "Remboursé", failed: "Refusé" },
    check: "Vérifier maintenant",
    checkedPending: "La passerelle n’a toujours pas répondu : le remboursement reste en attente.",
  },
  adjust: {
    title: "Ajuster la facture",
    intro:
      "Seule une facture ouverte est ajustée; une facture payée est plutôt remboursée. Le client voit la facture ajustée et son PDF.",
    noInvoice: "Cette demande n’indique aucune facture.",
    paidRefused: (n: number) =>
      `La facture n° ${n} est payée : une facture payée n’est jamais modifiée. Remboursez plutôt le paiement (une note de crédit est ajoutée à la facture).`,
    voidRefused: (n: number) => `La facture n° ${n} est annulée : il n’y a plus rien à ajuster.`,
    lines: "Lignes",
    line: "Ligne",
    description: "Description",
    amount: "Montant",
    remove: "Retirer cette ligne…",
    change: "Modifier cette ligne…",
    voidButton: "Annuler toute la facture…",
    reason: "Motif (obligatoire)",
    review: "Vérifier l’ajustement…",
    confirmTitle: "Confirmer l’ajustement",
    confirmVoid: (n: number, total: string) =>
      `La facture n° ${n} (${total}) sera annulée maintenant : plus rien n’y sera dû et elle ne sera plus prélevée.`,
    confirmRemove: (n: number, description: string, amount: string, total: string) =>
      `La ligne « ${description} » (${amount}) sera retirée de la facture n° ${n}; son total devient ${total}.`,
    confirmChange: (n: number, description: string, amount: string, total: string) =>
      `La ligne devient « ${description} » (${amount}) sur la facture n° ${n}; son total devient ${total}.`,
    confirmButton: "Confirmer l’ajustement",
    voided: (n: number, total: string) => `Facture n° ${n} (${total}) annulée.`,
    voidDeferred: (n: number) =>
      `Un prélèvement de la facture n° ${n} attend la réponse de la banque : la facture sera annulée dès qu’il sera réglé (un prélèvement réussi sera remboursé).`,
    lineRemoved: (n: number, before: string, after: string) =>
      `Ligne retirée de la facture n° ${n} : total ${before} → ${after}. Une note de crédit consigne la différence.`,
    lineChanged: (n: number, before: string, after: string) =>
      `Facture n° ${n} ajustée : total ${before} → ${after}.`,
    refused: {
      paid: "Une facture payée n’est jamais modifiée : remboursez plutôt le paiement.",
      void: "Cette facture est annulée : il n’y a rien à ajuster.",
      "money-in-flight":
        "Un prélèvement de cette facture attend la réponse de la banque : réessayez une fois qu’il sera réglé.",
      "no-such-line": "Cette ligne ne figure pas sur la facture.",
      "nothing-left": "Il ne resterait rien à payer : annulez plutôt toute la facture.",
      "not-above-paid":
        "Une partie de cette facture est déjà payée : le total ne peut pas descendre jusqu’au montant payé. Remboursez plutôt.",
      "negative-amount": "Entrez un montant de zéro ou plus, par exemple 12,50.",
      "partly-paid":
        "Une partie de cette facture est déjà payée : elle ne peut pas être annulée. Ajustez une ligne ou remboursez plutôt.",
    },
    invalidAction: "Choisissez quoi faire de la facture.",
    invalidDescription: "Entrez une description de 1 à 500 caractères.",
    invalidAmount: "Entrez un montant de zéro ou plus, par exemple 12,50.",
    invalidReason: "Entrez un motif de 3 à 500 caractères.",
  },
  deletion: {
    title: "Supprimer le domaine",
    intro:
      "Le client a demandé la suppression définitive de ce domaine. La suppression passe par le registraire et ne peut pas être annulée.",
    start: "Supprimer le domaine…",
    gone: (name: string, status: string) => `Le domaine ${name} n’est plus enregistré chez nous (${status}).`,
    confirmTitle: (name: string) => `Supprimer ${name}`,
    warningEn: en.deletion.warningEn,
    warningFr: en.deletion.warningFr,
    typeName: (name: string) => `Pour confirmer, tapez le nom de domaine (${name})`,
    reply: "Réponse au client (la demande est ensuite fermée)",
    replyDefault: (name: string) =>
      `Votre domaine ${name} a été supprimé auprès du registre, comme vous l’avez demandé. Ses factures ouvertes ont été annulées. / Your domain ${name} has been deleted at the registry, as you asked. Its open invoices were voided.`,
    button: (name: string) => `Supprimer ${name} définitivement`,
    mismatch: (name: string) => `Tapez exactement le nom de domaine (${name}) pour confirmer la suppression.`,
    invalidReply: "Entrez une réponse de 3 à 10 000 caractères.",
    done: (name: string, invoices: string) =>
      `Le domaine ${name} a été supprimé auprès du registre${invoices ? `; factures annulées : ${invoices}` : ""}. La demande est fermée.`,
    refused: {
      "already-gone": "Ce domaine n’est plus enregistré chez nous : il n’y a rien à supprimer.",
      "money-in-flight":
        "Un prélèvement pour ce domaine attend la réponse de la banque : réessayez une fois qu’il sera réglé.",
      "not-open": "Cette demande est fermée : rouvrez-la d’abord.",
      "wrong-kind": "Cette demande ne porte pas sur la suppression d’un domaine.",
    },
  },
  cancel: "Annuler",
};
