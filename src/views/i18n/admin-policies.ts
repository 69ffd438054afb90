/** Back office, policies page: every number in force, where it comes from and what it means. */
import type {
  AutomationPolicy,
  BillingPolicy,
  PricingPolicy,
  RegistrarPolicy,
} from "../../domain/policies.js";

export const en = {
  title: "Policies",
  intro:
    "The rules the engine and the client area apply, with every number in force. A value that differs from the built-in default comes from the policy file named by TENURE_CONFIG (docs/policies.md).",
  registrars: "Registrars",
  registrar: (name: string) => `Registrar ${name}`,
  declared: "Declared in the policy file (not a built-in registrar).",
  billing: "Subscription billing (hosting, SSL, apps)",
  pricing: "Domain pricing",
  automation: "Automation status",
  field: "Field",
  value: "Value",
  source: "Source",
  meaning: "Meaning",
  sources: { default: "Built-in default", file: "Policy file" },
  defaultWas: (value: string) => `default: ${value}`,
  yes: "yes",
  no: "no",
  none: "none",
  days: (n: number) => `${n} ${n === 1 ? "day" : "days"}`,
  redemption: (days: string, fees: string) => `${days}, restore fee ${fees}`,
  lock: (tlds: string, before: string) => `.${tlds} registered before ${before}`,
  meanings: {
    registrar: {
      chargeLeadDays: "Payment is taken this many days before the expiry instant.",
      renewalNoticeDaysBeforeCharge: "The renewal notice goes out this many days before the charge.",
      autoRenewOffLeadDays:
        "Turning auto-renew off only stops the charge if done at least this many days before it.",
      retryEveryDays: "Days between charge attempts after a failure.",
      attempts: "Charge attempts in all, the first included.",
      expiryWarningDaysBefore: "Expiry warnings, in days before expiry, for a domain that will not renew.",
      expiryWarningWhenAutoRenewOn:
        "Whether domains whose auto-renew is on get the expiry warnings too (ICANN practice).",
      graceDays: "Days after expiry during which the owner can still reactivate at the normal price.",
      redemption:
        "The registry's redemption period after grace, with its restore fee; none when the registrar has none.",
      pendingDeleteDays: "Days of pending delete after redemption, before the name is released.",
      verificationDays:
        "A new registration must verify its contact e-mail within this many days or be suspended (0: no check).",
      transferLockDays: "Transfer-out is refused for this many days after registration or transfer-in.",
      renewalYears: "Years added by one renewal.",
      adapter: "Which adapter talks to this registrar: the built-in test registry, or a real one over EPP.",
      epp: "How to reach the EPP registry: host, port, client id, the variable holding the password, certificates.",
    } satisfies Record<keyof RegistrarPolicy, string>,
    billing: {
      invoiceDaysBefore: "The renewal invoice is issued this many days before the due date (end of term).",
      chargeDaysBefore: "The card is charged this many days before the due date (0: on the due date).",
      retryEveryDays: "Days between charge attempts after a failure.",
      attempts: "Charge attempts in all, the first included.",
      suspendAfterDaysOverdue: "A service still unpaid this many days after its due date is suspended.",
      terminateAfterDaysOverdue:
        "A service still unpaid this many days after its due date is terminated and its invoice voided.",
      immediateCancellationAfterHours:
        "An immediate cancellation is carried out this many hours after the request.",
      immediateCancellationHours:
        "The window an immediate cancellation is promised within; the cancellation queue marks a request late past it.",
      pendingChargeAlarmHours:
        "A charge the gateway has not confirmed for this many hours is reported as an alarm by every run.",
    } satisfies Record<keyof BillingPolicy, string>,
    pricing: {
      freeFirstYearFrom:
        "Free domains registered from this date get a free first year, then the standard price.",
      legacyFreeRegisteredBefore:
        "Legacy free domains, registered before this date, stay free while their site is on a yearly plan.",
      legacyFreeCurrency: "The currency a legacy free domain's site must be billed in to stay free.",
      priceLocks:
        "TLDs that renew at the price recorded for them when registered before a date, whatever the public price.",
    } satisfies Record<keyof PricingPolicy, string>,
    automation: {
      lateAfterIntervals:
        "The automation is late when its last completed run is older than this many worker intervals.",
      stalledAfterMinutes: "The automation is failing when no run has completed for this many minutes.",
      failingAfterFailures:
        "The automation is failing when a service's step has failed this many runs in a row; fewer is late.",
    } satisfies Record<keyof AutomationPolicy, string>,
  },
};
export type AdminPoliciesMessages = typeof en;

export const frCA: AdminPoliciesMessages = {
  title: "Politiques",
  intro:
    "Les règles qu’appliquent le moteur et l’espace client, avec chaque valeur en vigueur. Une valeur différente de la valeur par défaut intégrée provient du fichier de politiques désigné par TENURE_CONFIG (docs/policies.md).",
  registrars: "Registraires",
  registrar: (name: string) => `Registraire ${name}`,
  declared: "Déclaré dans le fichier de politiques (pas un registraire intégré).",
  billing: "Facturation des abonnements (hébergement, SSL, applications)",
  pricing: "Prix des domaines",
  automation: "État de l’automatisation",
  field: "Champ",
  value: "Valeur",
  source: "Source",
  meaning: "Signification",
  sources: { default: "Valeur par défaut intégrée", file: "Fichier de politiques" },
  defaultWas: (value: string) => `par défaut : ${value}`,
  yes: "oui",
  no: "non",
  none: "aucune",
  days: (n: number) => `${n} ${n <= 1 ? "jour" : "jours"}`,
  redemption: (days: string, fees: string) => `${days}, frais de restauration ${fees}`,
  lock: (tlds: string, before: string) => `.${tlds} enregistrés avant le ${before}`,
  meanings: {
    registrar: {
      chargeLeadDays: "Le paiement est prélevé ce nombre de jours avant l’instant d’expiration.",
      renewalNoticeDaysBeforeCharge: "L’avis de renouvellement part ce nombre de jours avant le prélèvement.",
      autoRenewOffLeadDays:
        "Désactiver le renouvellement automatique n’évite le prélèvement que si c’est fait au moins ce nombre de jours avant.",
      retryEveryDays: "Jours entre deux tentatives de paiement après un échec.",
      attempts: "Nombre total de tentatives de paiement, la première comprise.",
      expiryWarningDaysBefore:
        "Avis d’expiration, en jours avant l’expiration, pour un domaine qui ne sera pas renouvelé.",
      expiryWarningWhenAutoRenewOn:
        "Si les domaines en renouvellement automatique reçoivent aussi les avis d’expiration (pratique de l’ICANN).",
      graceDays:
        "Jours après l’expiration pendant lesquels le titulaire peut encore réactiver au prix normal.",
      redemption:
        "La période de rédemption du registre après la période de grâce, avec ses frais de restauration; aucune si le registraire n’en a pas.",
      pendingDeleteDays: "Jours de suppression en attente après la rédemption, avant que le nom soit libéré.",
      verificationDays:
        "Un nouvel enregistrement doit confirmer son adresse courriel de contact dans ce délai, sinon il est suspendu (0 : aucune vérification).",
      transferLockDays:
        "Le transfert sortant est refusé pendant ce nombre de jours après l’enregistrement ou un transfert entrant.",
      renewalYears: "Années ajoutées par un renouvellement.",
      adapter:
        "L’adaptateur qui parle à ce registraire : le registre de test intégré, ou un vrai registre par EPP.",
      epp: "Comment joindre le registre EPP : hôte, port, identifiant client, la variable qui contient le mot de passe, certificats.",
    },
    billing: {
      invoiceDaysBefore:
        "La facture de renouvellement est émise ce nombre de jours avant l’échéance (fin du terme).",
      chargeDaysBefore: "La carte est prélevée ce nombre de jours avant l’échéance (0 : le jour même).",
      retryEveryDays: "Jours entre deux tentatives de paiement après un échec.",
      attempts: "Nombre total de tentatives de paiement, la première comprise.",
      suspendAfterDaysOverdue:
        "Un service toujours impayé ce nombre de jours après son échéance est suspendu.",
      terminateAfterDaysOverdue:
        "Un service toujours impayé ce nombre de jours après son échéance est résilié et sa facture annulée.",
      immediateCancellationAfterHours:
        "Une annulation immédiate est effectuée ce nombre d’heures après la demande.",
      immediateCancellationHours:
        "Le délai promis pour une annulation immédiate; la file des annulations signale une demande en retard au-delà.",
      pendingChargeAlarmHours:
        "Un paiement que la passerelle n’a pas confirmé depuis ce nombre d’heures est signalé en alerte à chaque exécution.",
    },
    pricing: {
      freeFirstYearFrom:
        "Les domaines gratuits enregistrés à partir de cette date ont une première année gratuite, puis le prix courant.",
      legacyFreeRegisteredBefore:
        "Les anciens domaines gratuits, enregistrés avant cette date, restent gratuits tant que leur site est en forfait annuel.",
      legacyFreeCurrency:
        "La devise dans laquelle le site d’un ancien domaine gratuit doit être facturé pour qu’il reste gratuit.",
      priceLocks:
        "Extensions renouvelées au prix enregistré pour elles quand elles ont été enregistrées avant une date, quel que soit le prix public.",
    },
    automation: {
      lateAfterIntervals:
        "L’automatisation est en retard quand sa dernière exécution complète date de plus que ce nombre d’intervalles du processus de travail.",
      stalledAfterMinutes:
        "L’automatisation est en échec quand aucune exécution ne s’est terminée depuis ce nombre de minutes.",
      failingAfterFailures:
        "L’automatisation est en échec quand l’étape d’un service a échoué ce nombre d’exécutions de suite; moins, elle est en retard.",
    },
  },
};
