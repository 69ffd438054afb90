/**
 * The notice string catalogs, one per locale. Every catalog has the type `NoticeMessages`, so a
 * template or a common string missing in one language is a compile error. Messages are plain text;
 * render-notice.ts lays them out as text and as (escaped) HTML.
 */
import { type Formatters, withFrenchTypography } from "../format.js";
import type { Locale, NoticeData, NoticeTemplate } from "./notice-types.js";

export type { Formatters };

export interface TemplateMessages<T extends NoticeTemplate> {
  subject(data: NoticeData<T>, f: Formatters): string;
  paragraphs(data: NoticeData<T>, f: Formatters): string[];
}

export interface NoticeMessages {
  greeting(customerName: string): string;
  signOff: string;
  signature: string;
  footer: string;
  templates: { [T in NoticeTemplate]: TemplateMessages<T> };
}

/** Charge failure codes (payment-gateway.ts); anything else is shown as a generic failure. */
type FailureReason =
  | "declined"
  | "insufficient-funds"
  | "expired"
  | "no-card-on-file"
  | "card-unusable"
  | "authentication-required"
  | "other";

function failureReason(reason: string): FailureReason {
  switch (reason) {
    case "declined":
    case "insufficient-funds":
    case "expired":
    case "no-card-on-file":
    case "card-unusable":
    case "authentication-required":
      return reason;
    default:
      return "other";
  }
}

const enFailures: Record<FailureReason, string> = {
  declined: "your card was declined",
  "insufficient-funds": "the card has insufficient funds",
  expired: "your card has expired",
  "no-card-on-file": "there is no card on file",
  "card-unusable": "your bank refused the card for good (please add another card)",
  "authentication-required":
    "your bank asks you to confirm the payment yourself (please pay it from your client area)",
  other: "the payment could not be processed",
};

const frFailures: Record<FailureReason, string> = {
  declined: "votre carte a été refusée",
  "insufficient-funds": "les fonds sont insuffisants",
  expired: "votre carte est expirée",
  "no-card-on-file": "aucune carte de paiement n’est enregistrée à votre dossier",
  "card-unusable": "votre banque a refusé la carte définitivement (veuillez ajouter une autre carte)",
  "authentication-required":
    "votre banque demande que vous confirmiez vous-même le paiement (veuillez le régler dans votre espace client)",
  other: "le paiement n’a pas pu être traité",
};

export const en: NoticeMessages = {
  greeting: (name) => `Hello ${name},`,
  signOff: "Kind regards,",
  signature: "The billing team",
  footer:
    "For your security, we never accept account changes by e-mail or phone: please use your client area.",
  templates: {
    "renewal-upcoming": {
      subject: (d, f) =>
        `${d.subject} renews on ${f.date(d.expiresAt)}: ${f.money(d.price)} charged on ${f.date(d.chargeAt)}`,
      paragraphs: (d, f) => [
        d.cardLabel === null
          ? `Auto-renew is on for ${d.subject}, which renews on ${f.date(d.expiresAt)}. On ${f.date(d.chargeAt)} (the charge date), we will charge ${f.money(d.price)} to renew it, but there is no card on file: please add one in your client area before that date to avoid any interruption.`
          : `Auto-renew is on for ${d.subject}, which renews on ${f.date(d.expiresAt)}. On ${f.date(d.chargeAt)} (the charge date), we will charge ${f.money(d.price)} to the card on file (${d.cardLabel}) to renew it.`,
        `Renewal date: ${f.date(d.expiresAt)}, the day it currently expires. Charge date: ${f.date(d.chargeAt)}.`,
        d.cardLabel === null
          ? "Once a valid card is on file, there is nothing else to do."
          : "Now is a good time to check that your payment details are up to date. If the card is valid, there is nothing else to do.",
        `If you do not want to renew, turn auto-renew off in your client area by ${f.date(d.autoRenewDeadline)} at the latest, before the charge on ${f.date(d.chargeAt)}.`,
      ],
    },
    "expiry-warning": {
      subject: (d, f) => `${d.subject} expires on ${f.date(d.expiresAt)}`,
      paragraphs: (d, f) => [
        `Unless you take action, ${d.subject} will expire on ${f.date(d.expiresAt)} (in ${d.daysBefore} ${d.daysBefore === 1 ? "day" : "days"}).`,
        "To keep it, turn auto-renew back on in the Domains section of your client area and make sure your payment details are up to date.",
        "If you want to let it expire, there is nothing to do.",
      ],
    },
    "payment-failed": {
      subject: (d) => `Payment failed for invoice #${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `Payment attempt ${d.attempt} of ${f.money(d.amount)} for invoice #${d.invoiceNumber} (${d.subject}) failed: ${enFailures[failureReason(d.reason)]}.`,
        d.nextAttemptAt === null
          ? "There will be no further automatic attempt: please pay the invoice from your client area as soon as possible."
          : `We will try again on ${f.date(d.nextAttemptAt)}.`,
        "Please update your card in your client area to avoid any interruption of service.",
      ],
    },
    "domain-expired": {
      subject: (d) => `${d.subject} has expired`,
      paragraphs: (d, f) => [
        `${d.subject} expired on ${f.date(d.expiresAt)} and is no longer connected to your site.`,
        `You can reactivate it until ${f.date(d.graceEndsAt)} for ${f.money(d.reactivationPrice)}, from the Domains section of your client area. A reactivated domain keeps its original renewal date.`,
        "After that date, the domain may be released and registered by someone else.",
      ],
    },
    "domain-suspended": {
      subject: (d) => `Domain suspended: ${d.subject}`,
      paragraphs: (d) => [
        `${d.subject} has been suspended because its contact e-mail address was not verified.`,
        "To restore it, verify the address by following the link in the verification e-mail; you can send a new one from your client area.",
      ],
    },
    "verification-required": {
      subject: (d, f) => `Verify your e-mail address for ${d.subject} before ${f.date(d.deadline)}`,
      paragraphs: (d, f) => [
        `Please verify the contact e-mail address of ${d.subject} before ${f.date(d.deadline)}, by following the link in the verification e-mail.`,
        "Without this verification, the domain will be suspended.",
        "If you did not receive the e-mail, you can send a new one from your client area.",
      ],
    },
    "invoice-issued": {
      subject: (d) => `Invoice #${d.invoiceNumber} for ${d.subject}`,
      paragraphs: (d, f) => [
        `Invoice #${d.invoiceNumber} of ${f.money(d.amount)} for ${d.subject} has been issued. It is due on ${f.date(d.dueAt)}.`,
        "You can view and pay it from your client area.",
      ],
    },
    "ticket-reply": {
      subject: (d) => `Reply to your request #${d.ticketNumber}: ${d.subject}`,
      paragraphs: (d) => [
        `Our team replied to your request #${d.ticketNumber} (${d.subject}):`,
        d.body,
        `To read the whole conversation or answer, open the request in your client area: ${d.link}`,
      ],
    },
    "password-reset": {
      subject: (d) => `Choose a new password for ${d.subject}`,
      paragraphs: (d) => [
        `Someone asked to reset the password of the client area account ${d.subject}. To choose a new password, open this link: ${d.link}`,
        "The link works once and for one hour. If you did not ask for it, ignore this message: your password stays as it is.",
      ],
    },
    "payment-link": {
      subject: (d) => `Pay invoice #${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `Invoice #${d.invoiceNumber} of ${f.money(d.amount)} for ${d.subject} is still open; it was due on ${f.date(d.dueAt)}.`,
        `To pay it, sign in to your client area and open this link: ${d.link}`,
        "If you have already paid it, there is nothing else to do.",
      ],
    },
    "payment-receipt": {
      subject: (d) => `Payment receipt for invoice #${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `We received your payment of ${f.money(d.amount)} on ${f.date(d.paidAt)} for invoice #${d.invoiceNumber} (${d.subject}). Thank you!`,
        "The invoice is now paid; you can view it in your client area.",
      ],
    },
    "payment-refunded": {
      subject: (d, f) => `Refund of ${f.money(d.amount)} for invoice #${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `We refunded ${f.money(d.amount)} to your card on ${f.date(d.refundedAt)} for invoice #${d.invoiceNumber} (${d.subject}).`,
        d.reason === "invoice-voided"
          ? "The payment went through while the invoice was being cancelled, so nothing is owed on it: the money goes back to you."
          : d.reason === "invoice-already-paid"
            ? "The invoice had already been paid, so this second payment goes back to you."
            : `Reason: “${d.reason}”.`,
        "Depending on your bank, the refund appears on your statement within 5 to 10 business days.",
      ],
    },
    "cancellation-confirmed": {
      subject: (d) => `Cancellation request confirmed: ${d.subject}`,
      paragraphs: (d, f) => [
        d.when === "immediate"
          ? `We received your request to cancel ${d.subject} immediately. It will be carried out within 24 hours, by ${f.date(d.effectiveAt)}.`
          : `We received your request to cancel ${d.subject} at the end of your contract. It takes effect on ${f.date(d.effectiveAt)}; until then the service stays active, and it will not be renewed.`,
        `Reason given: “${d.reason}”.`,
        `Changed your mind? You can withdraw this request from your client area until ${f.date(d.effectiveAt)}.`,
        "If you are eligible for a refund, please open a request (ticket) with our billing team from your client area, now that the cancellation has been requested.",
        "We are sorry to see you go. If you need any help, our team is here for you.",
      ],
    },
    "invoice-adjustment-needed": {
      subject: (d) => `Invoice #${d.invoiceNumber} needs an adjustment (${d.subject})`,
      paragraphs: (d, f) => [
        `We could not void invoice #${d.invoiceNumber} (${f.money(d.amount)}) for ${d.subject} automatically, because ${d.reason === "partly-paid" ? "it is partly paid" : "it also carries other items"}.`,
        `Please file an invoice-adjustment request from your client area, quoting invoice number ${d.invoiceNumber}, and our staff will adjust it by hand.`,
      ],
    },
    "service-suspended": {
      subject: (d) => `Service suspended for non-payment: ${d.subject}`,
      paragraphs: (d, f) => [
        `Your service ${d.subject} has been suspended because invoice #${d.invoiceNumber} (${f.money(d.amount)}) is unpaid.`,
        "Pay this invoice from your client area to restore the service.",
        `Otherwise, the service will be terminated on ${f.date(d.terminateAt)}.`,
      ],
    },
    "service-terminated": {
      subject: (d) => `Service terminated: ${d.subject}`,
      paragraphs: (d) => [
        d.invoiceNumber === null
          ? `Your service ${d.subject} has been terminated for non-payment.`
          : `Your service ${d.subject} has been terminated for non-payment of invoice #${d.invoiceNumber}.`,
        "If you would like to get this service back, please open a request from your client area.",
      ],
    },
  },
};

export const frCA: NoticeMessages = {
  greeting: (name) => `Bonjour ${name},`,
  signOff: "Cordialement,",
  signature: "L’équipe de facturation",
  footer:
    "Par mesure de sécurité, nous n’acceptons aucune modification de compte par courriel ou par téléphone : veuillez passer par votre Espace Client.",
  templates: {
    "renewal-upcoming": {
      subject: (d, f) =>
        `${d.subject} : renouvellement le ${f.date(d.expiresAt)}, prélèvement de ${f.money(d.price)} le ${f.date(d.chargeAt)}`,
      paragraphs: (d, f) => [
        d.cardLabel === null
          ? `Le renouvellement automatique est activé pour ${d.subject}, qui se renouvelle le ${f.date(d.expiresAt)}. Le ${f.date(d.chargeAt)} (date du prélèvement), nous prélèverons ${f.money(d.price)} pour le renouveler, mais aucune carte de paiement n’est enregistrée à votre dossier : veuillez en ajouter une dans votre Espace Client avant cette date pour éviter toute interruption.`
          : `Le renouvellement automatique est activé pour ${d.subject}, qui se renouvelle le ${f.date(d.expiresAt)}. Le ${f.date(d.chargeAt)} (date du prélèvement), nous débiterons ${f.money(d.price)} de la carte enregistrée à votre dossier (${d.cardLabel}) pour le renouveler.`,
        `Date de renouvellement : le ${f.date(d.expiresAt)}, jour de son échéance actuelle. Date du prélèvement : le ${f.date(d.chargeAt)}.`,
        d.cardLabel === null
          ? "Une fois une carte valide enregistrée, vous n’aurez rien d’autre à faire."
          : "C’est le moment idéal pour vérifier que vos informations de paiement sont à jour. Si la carte est valide, vous n’avez rien d’autre à faire.",
        `Si vous ne souhaitez pas renouveler, désactivez le renouvellement automatique dans votre Espace Client au plus tard le ${f.date(d.autoRenewDeadline)}, avant le prélèvement du ${f.date(d.chargeAt)}.`,
      ],
    },
    "expiry-warning": {
      subject: (d, f) => `${d.subject} expirera le ${f.date(d.expiresAt)}`,
      paragraphs: (d, f) => [
        `Sans intervention de votre part, ${d.subject} expirera le ${f.date(d.expiresAt)} (dans ${d.daysBefore} ${d.daysBefore > 1 ? "jours" : "jour"}).`,
        "Pour le conserver, réactivez le renouvellement automatique dans la section Domaines de votre Espace Client et assurez-vous que vos informations de paiement sont à jour.",
        "Si vous souhaitez le laisser expirer, vous n’avez rien à faire.",
      ],
    },
    "payment-failed": {
      subject: (d) => `Échec du paiement de la facture n° ${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `La tentative de paiement n° ${d.attempt} de ${f.money(d.amount)} pour la facture n° ${d.invoiceNumber} (${d.subject}) a échoué : ${frFailures[failureReason(d.reason)]}.`,
        d.nextAttemptAt === null
          ? "Aucune autre tentative automatique ne sera faite : veuillez régler la facture dans votre Espace Client dès que possible."
          : `Nous effectuerons une nouvelle tentative le ${f.date(d.nextAttemptAt)}.`,
        "Veuillez mettre à jour votre carte dans votre Espace Client afin d’éviter toute interruption de service.",
      ],
    },
    "domain-expired": {
      subject: (d) => `Nom de domaine expiré : ${d.subject}`,
      paragraphs: (d, f) => [
        `Le nom de domaine ${d.subject} a expiré le ${f.date(d.expiresAt)} et n’est plus connecté à votre site.`,
        `Vous pouvez le réactiver jusqu’au ${f.date(d.graceEndsAt)} pour ${f.money(d.reactivationPrice)}, à partir de la section Domaines de votre Espace Client. Un domaine réactivé conserve sa date de renouvellement d’origine.`,
        "Après cette date, le domaine pourrait être libéré et enregistré par quelqu’un d’autre.",
      ],
    },
    "domain-suspended": {
      subject: (d) => `Nom de domaine suspendu : ${d.subject}`,
      paragraphs: (d) => [
        `Le nom de domaine ${d.subject} a été suspendu parce que l’adresse courriel de son contact n’a pas été vérifiée.`,
        "Pour le rétablir, vérifiez l’adresse en suivant le lien du courriel de vérification; vous pouvez en demander un nouveau à partir de votre Espace Client.",
      ],
    },
    "verification-required": {
      subject: (d, f) => `${d.subject} : vérifiez votre adresse courriel avant le ${f.date(d.deadline)}`,
      paragraphs: (d, f) => [
        `Veuillez vérifier l’adresse courriel du contact du nom de domaine ${d.subject} avant le ${f.date(d.deadline)}, en suivant le lien du courriel de vérification.`,
        "Sans cette vérification, le domaine sera suspendu.",
        "Si vous n’avez pas reçu ce courriel, vous pouvez en demander un nouveau à partir de votre Espace Client.",
      ],
    },
    "invoice-issued": {
      subject: (d) => `Facture n° ${d.invoiceNumber} : ${d.subject}`,
      paragraphs: (d, f) => [
        `La facture n° ${d.invoiceNumber} de ${f.money(d.amount)} pour ${d.subject} a été émise. Elle est payable au plus tard le ${f.date(d.dueAt)}.`,
        "Vous pouvez la consulter et la régler dans votre Espace Client.",
      ],
    },
    "ticket-reply": {
      subject: (d) => `Réponse à votre demande n° ${d.ticketNumber} : ${d.subject}`,
      paragraphs: (d) => [
        `Notre équipe a répondu à votre demande n° ${d.ticketNumber} (${d.subject}) :`,
        d.body,
        `Pour lire toute la conversation ou y répondre, ouvrez la demande dans votre Espace Client : ${d.link}`,
      ],
    },
    "password-reset": {
      subject: (d) => `Choisissez un nouveau mot de passe pour ${d.subject}`,
      paragraphs: (d) => [
        `Une demande de réinitialisation du mot de passe du compte Espace Client ${d.subject} a été faite. Pour choisir un nouveau mot de passe, ouvrez ce lien : ${d.link}`,
        "Le lien ne fonctionne qu’une fois et pendant une heure. Si vous n’êtes pas à l’origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.",
      ],
    },
    "payment-link": {
      subject: (d) => `Réglez la facture n° ${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `La facture n° ${d.invoiceNumber} de ${f.money(d.amount)} pour ${d.subject} est toujours ouverte; elle était payable au plus tard le ${f.date(d.dueAt)}.`,
        `Pour la régler, connectez-vous à votre Espace Client et ouvrez ce lien : ${d.link}`,
        "Si vous l’avez déjà réglée, vous n’avez rien d’autre à faire.",
      ],
    },
    "payment-receipt": {
      subject: (d) => `Reçu de paiement, facture n° ${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `Nous avons bien reçu votre paiement de ${f.money(d.amount)} le ${f.date(d.paidAt)} pour la facture n° ${d.invoiceNumber} (${d.subject}). Merci!`,
        "La facture est maintenant acquittée; vous pouvez la consulter dans votre Espace Client.",
      ],
    },
    "payment-refunded": {
      subject: (d, f) =>
        `Remboursement de ${f.money(d.amount)}, facture n° ${d.invoiceNumber} (${d.subject})`,
      paragraphs: (d, f) => [
        `Nous avons remboursé ${f.money(d.amount)} sur votre carte le ${f.date(d.refundedAt)} pour la facture n° ${d.invoiceNumber} (${d.subject}).`,
        d.reason === "invoice-voided"
          ? "Le paiement a été effectué pendant l’annulation de la facture; comme rien n’est dû, la somme vous est rendue."
          : d.reason === "invoice-already-paid"
            ? "La facture était déjà acquittée; ce second paiement vous est donc rendu."
            : `Motif : « ${d.reason} ».`,
        "Selon votre banque, le remboursement paraîtra sur votre relevé d’ici 5 à 10 jours ouvrables.",
      ],
    },
    "cancellation-confirmed": {
      subject: (d) => `Confirmation de votre demande d’annulation : ${d.subject}`,
      paragraphs: (d, f) => [
        d.when === "immediate"
          ? `Nous avons bien reçu votre demande d’annulation immédiate de ${d.subject}. Elle sera prise en compte dans les 24 heures, au plus tard le ${f.date(d.effectiveAt)}.`
          : `Nous avons bien reçu votre demande d’annulation de ${d.subject} à la fin de votre contrat. Elle prendra effet le ${f.date(d.effectiveAt)}; d’ici là, le service demeure actif, et il ne sera pas renouvelé.`,
        `Raison indiquée : « ${d.reason} ».`,
        `Vous avez changé d’avis? Vous pouvez retirer cette demande à partir de votre Espace Client jusqu’au ${f.date(d.effectiveAt)}.`,
        "Si vous êtes admissible à un remboursement, veuillez soumettre une demande (billet) à notre équipe de facturation à partir de votre Espace Client, maintenant que l’annulation a été demandée.",
        "Nous regrettons votre décision. Si vous avez besoin d’aide, notre équipe est là pour vous.",
      ],
    },
    "invoice-adjustment-needed": {
      subject: (d) => `Facture n° ${d.invoiceNumber} : ajustement requis (${d.subject})`,
      paragraphs: (d, f) => [
        `Nous n’avons pas pu annuler automatiquement la facture n° ${d.invoiceNumber} (${f.money(d.amount)}) liée à ${d.subject}, car ${d.reason === "partly-paid" ? "elle est partiellement payée" : "elle comporte aussi d’autres éléments"}.`,
        `Veuillez soumettre une demande d’ajustement de facture à partir de votre Espace Client en indiquant le numéro de facture ${d.invoiceNumber}; notre personnel l’ajustera manuellement.`,
      ],
    },
    "service-suspended": {
      subject: (d) => `Service suspendu pour non-paiement : ${d.subject}`,
      paragraphs: (d, f) => [
        `Votre service ${d.subject} a été suspendu, car la facture n° ${d.invoiceNumber} (${f.money(d.amount)}) demeure impayée.`,
        "Réglez cette facture dans votre Espace Client pour rétablir le service.",
        `À défaut de paiement, le service sera résilié le ${f.date(d.terminateAt)}.`,
      ],
    },
    "service-terminated": {
      subject: (d) => `Service résilié : ${d.subject}`,
      paragraphs: (d) => [
        d.invoiceNumber === null
          ? `Votre service ${d.subject} a été résilié pour non-paiement.`
          : `Votre service ${d.subject} a été résilié pour non-paiement de la facture n° ${d.invoiceNumber}.`,
        "Si vous souhaitez récupérer ce service, veuillez soumettre une demande à partir de votre Espace Client.",
      ],
    },
  },
};

/** French notices get French typography (format.ts) on every string they say. */
export const MESSAGES: Record<Locale, NoticeMessages> = { en, "fr-CA": withFrenchTypography(frCA) };
