/** Strings of the requests (tickets) pages: refunds, invoice adjustments, domain deletions, questions. */
export const en = {
  title: "Requests",
  newTitle: "New request",
  newButton: "New request",
  detailTitle: (n: number) => `Request #${n}`,
  number: (n: number) => `#${n}`,
  empty:
    "You have no requests yet. Open one to ask for a refund, an invoice adjustment, a domain deletion, or to ask a question.",
  columns: {
    number: "Number",
    kind: "Kind",
    subject: "Subject",
    status: "Status",
    updated: "Last update",
  },
  kinds: {
    refund: "Refund",
    "invoice-adjustment": "Invoice adjustment",
    "domain-deletion": "Domain deletion",
    question: "Question",
  },
  kindHints: {
    refund: "After cancelling a service, ask our billing team for a refund.",
    "invoice-adjustment": "Ask our billing team to correct an invoice, quoting its number.",
    "domain-deletion": "Ask for a domain name to be deleted for good (irreversible).",
    question: "Anything else about your account, services or invoices.",
  },
  serviceKinds: { hosting: "Hosting", ssl: "SSL", app: "App", domain: "Domain" },
  kindNav: "Kind of request",
  chooseKind: "What is your request about?",
  continue: "Continue",
  choose: "Choose…",
  fields: {
    kind: "Kind of request",
    subject: "Subject",
    message: "Message",
    invoice: "Invoice to adjust",
    refundService: "Cancelled service",
    domain: "Domain to delete",
    confirmIrreversible: "I understand that this deletion is irreversible",
  },
  invoiceOption: (n: number, amount: string, status: string) => `#${n} — ${amount} — ${status}`,
  cancellationPending: "cancellation requested",
  cancellationDone: "cancelled",
  subjects: {
    invoiceAdjustment: (n: number) => `Invoice adjustment: #${n}`,
    refund: (label: string) => `Refund: ${label}`,
    domainDeletion: (name: string) => `Domain deletion: ${name}`,
  },
  refundNone:
    "A refund is requested after cancelling the service. None of your services has a cancellation yet: from the dashboard, choose Manage on the service, then Plan details and Request cancellation. Then come back here to ask for a refund.",
  refundNoneLink: "Go to the dashboard",
  invoiceNone: "You have no invoice to adjust.",
  invoiceNoneLink: "See your invoices",
  domainNone: "You have no domain name that could be deleted.",
  domainNoneLink: "See your domains",
  warning: {
    title: "Deleting a domain is irreversible",
    text: "Deleting a domain name is irreversible and has important consequences: the website and the e-mail addresses that use it stop working, the name cannot be recovered, and anyone may register it afterwards.",
    alternative:
      "If you only want to stop renewing it, turn auto-renew off instead: the domain then simply expires at the end of its term.",
    link: "Manage auto-renew on the Domains page",
  },
  nextTitle: "What happens next",
  next: {
    refund:
      "Our billing team checks your request against the cancellation and answers here. If the refund is eligible, it is issued to the payment method that was charged.",
    "invoice-adjustment":
      "Our billing team reviews the invoice you quoted and adjusts it by hand. Their answer appears here and the corrected invoice in Invoices.",
    "domain-deletion":
      "Nothing is deleted yet. Our support team confirms the deletion with you here before carrying it out; until then you can close this request to call it off.",
    question:
      "Our support team answers here. You can reply to add details at any time while the request is open.",
  },
  send: "Send the request",
  errors: {
    kind: "Choose the kind of request.",
    subject: "Enter a subject of 3 to 200 characters.",
    message: "Enter a message of 3 to 10,000 characters.",
    invoice: "Choose the invoice to adjust.",
    refundService: "Choose the cancelled service to be refunded.",
    domain: "Choose the domain to delete.",
    confirmIrreversible: "Tick the box to confirm that you understand this deletion is irreversible.",
    reply: "Enter a reply of 3 to 10,000 characters.",
  },
  facts: {
    kind: "Kind",
    status: "Status",
    opened: "Opened",
    closed: "Closed",
    invoice: "Invoice",
    service: "Service",
    domain: "Domain",
  },
  invoiceLink: (n: number, amount: string) => `#${n} — ${amount}`,
  conversation: "Messages",
  authors: { customer: "You", billing: "Billing team", support: "Support", staff: "Our team" },
  replyTitle: "Reply",
  replyLabel: "Your reply",
  sendReply: "Send the reply",
  closeHint: "No longer need an answer? Close the request.",
  closeButton: "Close this request",
  closedNote: (date: string) => `This request was closed on ${date}. To follow up, open a new request.`,
  replyRefused:
    "This request is closed, so it no longer takes replies. Open a new request if you need more help.",
  backToList: "All requests",
  flash: {
    sent: (n: number) => `Request #${n} sent.`,
    replied: "Your reply was sent.",
    closed: (n: number) => `Request #${n} closed.`,
    alreadyClosed: (n: number) => `Request #${n} was already closed.`,
  },
};
export type TicketsMessages = typeof en;

export const frCA: TicketsMessages = {
  title: "Demandes",
  newTitle: "Nouvelle demande",
  newButton: "Nouvelle demande",
  detailTitle: (n) => `Demande #${n}`,
  number: (n) => `#${n}`,
  empty:
    "Vous n'avez aucune demande pour l'instant. Ouvrez-en une pour demander un remboursement, un ajustement de facture, la suppression d'un domaine ou pour poser une question.",
  columns: {
    number: "Numéro",
    kind: "Type",
    subject: "Objet",
    status: "Statut",
    updated: "Dernière mise à jour",
  },
  kinds: {
    refund: "Remboursement",
    "invoice-adjustment": "Ajustement de facture",
    "domain-deletion": "Suppression de domaine",
    question: "Question",
  },
  kindHints: {
    refund: "Après l'annulation d'un service, demandez un remboursement à notre équipe de facturation.",
    "invoice-adjustment":
      "Demandez à notre équipe de facturation de corriger une facture, en indiquant son numéro.",
    "domain-deletion": "Demandez la suppression définitive d'un nom de domaine (irréversible).",
    question: "Toute autre question sur votre compte, vos services ou vos factures.",
  },
  serviceKinds: { hosting: "Hébergement", ssl: "SSL", app: "App", domain: "Domaine" },
  kindNav: "Type de demande",
  chooseKind: "Quel est l'objet de votre demande?",
  continue: "Continuer",
  choose: "Choisir…",
  fields: {
    kind: "Type de demande",
    subject: "Objet",
    message: "Message",
    invoice: "Facture à ajuster",
    refundService: "Service annulé",
    domain: "Domaine à supprimer",
    confirmIrreversible: "Je comprends que cette suppression est irréversible",
  },
  invoiceOption: (n, amount, status) => `#${n} — ${amount} — ${status}`,
  cancellationPending: "annulation demandée",
  cancellationDone: "annulé",
  subjects: {
    invoiceAdjustment: (n) => `Ajustement de facture : #${n}`,
    refund: (label) => `Remboursement : ${label}`,
    domainDeletion: (name) => `Suppression de domaine : ${name}`,
  },
  refundNone:
    "Un remboursement se demande après l'annulation du service. Aucun de vos services n'a encore de demande d'annulation : dans votre tableau de bord, cliquez sur Gérer pour le service, puis sur Détails du plan et Demande d'annulation. Revenez ensuite ici pour demander un remboursement.",
  refundNoneLink: "Aller au tableau de bord",
  invoiceNone: "Vous n'avez aucune facture à ajuster.",
  invoiceNoneLink: "Voir vos factures",
  domainNone: "Vous n'avez aucun nom de domaine qui pourrait être supprimé.",
  domainNoneLink: "Voir vos domaines",
  warning: {
    title: "La suppression d'un domaine est irréversible",
    text: "La suppression d'un nom de domaine est irréversible et a des conséquences importantes : le site Web et les adresses courriel qui l'utilisent cessent de fonctionner, le nom ne peut pas être récupéré et n'importe qui pourra l'enregistrer par la suite.",
    alternative:
      "Si vous souhaitez seulement ne plus le renouveler, désactivez plutôt le renouvellement automatique : le domaine expirera simplement à sa date d'échéance.",
    link: "Gérer le renouvellement automatique dans Domaines",
  },
  nextTitle: "La suite",
  next: {
    refund:
      "Notre équipe de facturation vérifie votre demande en fonction de l'annulation et vous répond ici. Si le remboursement est admissible, il est versé au mode de paiement qui a été débité.",
    "invoice-adjustment":
      "Notre équipe de facturation examine la facture indiquée et l'ajuste manuellement. Sa réponse s'affiche ici et la facture corrigée, dans Factures.",
    "domain-deletion":
      "Rien n'est supprimé pour l'instant. Notre équipe du support confirme la suppression avec vous ici avant de l'effectuer; d'ici là, vous pouvez fermer cette demande pour y renoncer.",
    question:
      "Notre équipe du support vous répond ici. Vous pouvez ajouter des précisions tant que la demande est ouverte.",
  },
  send: "Envoyer la demande",
  errors: {
    kind: "Choisissez le type de demande.",
    subject: "Inscrivez un objet de 3 à 200 caractères.",
    message: "Inscrivez un message de 3 à 10 000 caractères.",
    invoice: "Choisissez la facture à ajuster.",
    refundService: "Choisissez le service annulé à rembourser.",
    domain: "Choisissez le domaine à supprimer.",
    confirmIrreversible:
      "Cochez la case pour confirmer que vous comprenez que cette suppression est irréversible.",
    reply: "Inscrivez une réponse de 3 à 10 000 caractères.",
  },
  facts: {
    kind: "Type",
    status: "Statut",
    opened: "Ouverte le",
    closed: "Fermée le",
    invoice: "Facture",
    service: "Service",
    domain: "Domaine",
  },
  invoiceLink: (n, amount) => `#${n} — ${amount}`,
  conversation: "Messages",
  authors: { customer: "Vous", billing: "Équipe de facturation", support: "Support", staff: "Notre équipe" },
  replyTitle: "Répondre",
  replyLabel: "Votre réponse",
  sendReply: "Envoyer la réponse",
  closeHint: "Vous n'avez plus besoin de réponse? Fermez la demande.",
  closeButton: "Fermer cette demande",
  closedNote: (date) =>
    `Cette demande a été fermée le ${date}. Pour faire un suivi, ouvrez une nouvelle demande.`,
  replyRefused:
    "Cette demande est fermée et n'accepte plus de réponses. Ouvrez une nouvelle demande si vous avez besoin d'aide.",
  backToList: "Toutes les demandes",
  flash: {
    sent: (n) => `Demande #${n} envoyée.`,
    replied: "Votre réponse a été envoyée.",
    closed: (n) => `Demande #${n} fermée.`,
    alreadyClosed: (n) => `La demande #${n} était déjà fermée.`,
  },
};
