/** Back office, automation pages: the health line, engine runs, failing services, money in flight. */
import type { HealthReason, HealthState } from "../../domain/automation-health.js";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const en = {
  title: "Automation",
  health: {
    label: "Automation status",
    state: { green: "Running on time", late: "Late", failing: "Failing" } as Record<HealthState, string>,
    lastRun: (when: string) => `Last completed engine run: ${when}.`,
    neverRun: "No engine run has completed yet.",
    interval: (seconds: number) => `The worker runs every ${plural(seconds, "second", "seconds")}.`,
    reason: (r: HealthReason): string => {
      switch (r.kind) {
        case "never-ran":
          return "The engine has never completed a run: is the worker started (tenure worker, or tenure start)?";
        case "stalled":
          return `No run has completed for ${plural(r.minutes, "minute", "minutes")}: the worker seems stopped.`;
        case "behind":
          return `The last run completed ${plural(r.minutes, "minute", "minutes")} ago, later than expected.`;
        case "retrying":
          return `${plural(r.services, "service is", "services are")} being retried after a failed step.`;
        case "failing-services":
          return `${plural(r.services, "service has", "services have")} failed ${r.threshold} times in a row or more.`;
        case "unresolved-charges":
          return `${plural(r.charges, "charge awaits", "charges await")} the bank's answer past the alarm delay.`;
        case "unresolved-refunds":
          return `${plural(r.refunds, "refund was", "refunds were")} refused or left unconfirmed by the gateway.`;
      }
    },
    policyNote: "Thresholds: the automation policy (see Policies).",
  },
  failing: {
    title: "Services whose last step failed",
    none: "No service is failing.",
    service: "Service",
    customer: "Customer",
    failures: "Failures in a row",
    lastError: "Last error",
    nextTry: "Next automatic try",
    retry: "Retry now",
    leased: (until: string) => `Being processed by a worker (until ${until}).`,
  },
  charges: {
    title: "Charges awaiting the bank",
    intro:
      "Charges sent to the gateway whose outcome is not known yet. The engine asks again at every run; check now asks at once.",
    none: "No charge is waiting for the bank.",
    since: "Since",
    age: "Age",
    invoice: "Invoice",
    customer: "Customer",
    amount: "Amount",
    attempt: "Attempt",
    key: "Key",
    alarm: "Alarm",
    check: "Check now",
    hours: (h: number) => (h < 1 ? "under an hour" : plural(Math.floor(h), "hour", "hours")),
  },
  refunds: {
    title: "Unresolved refunds",
    intro:
      "Refunds the gateway refused, or has not confirmed past the alarm delay: the customer is owed this money.",
    none: "No unresolved refund.",
    status: { pending: "Unconfirmed", failed: "Refused" } as Record<string, string>,
  },
  runs: {
    title: "Engine runs",
    none: "No engine run yet.",
    run: "Run",
    at: "Brought up to",
    duration: "Duration",
    steps: "Steps applied",
    failed: "Services failed",
    status: "Status",
    worker: "Worker",
    statuses: { ok: "OK", failures: "With failures", running: "Running or interrupted" } as Record<
      string,
      string
    >,
    page: (n: number, of: number) => `Page ${n} of ${of}`,
    newer: "Newer runs",
    older: "Older runs",
    ms: (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`),
  },
  run: {
    title: (id: number) => `Engine run ${id}`,
    failures: "Failures",
    none: "No service failed in this run.",
    step: "Step",
    error: "Error",
    back: "Back to automation",
  },
  retry: {
    title: "Retry now",
    intro: (label: string) =>
      `The engine will bring ${label} up to date now instead of at the end of its back-off, with the rules and the keys it always uses: nothing is done twice.`,
    lastError: "It last failed with:",
    failures: (n: number) => `Failed ${plural(n, "time", "times")} in a row.`,
    money: "Its failed step moves money: the open invoices below may be charged now.",
    openInvoice: (invoice: number, amount: string) => `Invoice ${invoice}: ${amount} due.`,
    confirm: "Retry now",
    notFailing: "This service has no failed step to retry.",
    busy: (until: string) =>
      `A worker is processing this service right now (until ${until}): nothing was done. Try again in a moment.`,
    done: (label: string, steps: number) =>
      `${label}: retried, ${plural(steps, "step", "steps")} applied; the service is up to date.`,
    failed: (label: string, step: string, error: string) =>
      `${label}: retried, failed again at step ${step}: ${error}`,
    charge: (invoice: number, amount: string, status: string) =>
      `Invoice ${invoice}: ${amount} charge ${status}.`,
    chargeStatus: {
      succeeded: "succeeded",
      failed: "failed",
      pending: "awaiting the bank",
      cancelled: "cancelled",
      unapplied: "taken and refunded",
    } as Record<string, string>,
  },
  check: {
    title: "Check a charge now",
    intro: (key: string) =>
      `Tenure will ask the gateway about the charge under the key ${key}. If the gateway never received it, it is sent now under that same key, so it can never be taken twice.`,
    what: (invoice: number, amount: string, since: string) => `Invoice ${invoice}, ${amount}, sent ${since}.`,
    confirm: "Ask the gateway",
    notPending: (status: string) => `This charge is no longer waiting: it is ${status}.`,
    answer: {
      succeeded: (invoice: number, amount: string) =>
        `The gateway says the charge went through: invoice ${invoice}, ${amount}, recorded as paid.`,
      failed: (invoice: number, amount: string) =>
        `The gateway says the charge was refused: invoice ${invoice}, ${amount}; the next attempt follows the policy.`,
      neverReceived: (invoice: number, amount: string, status: string) =>
        `The gateway had never received this charge (invoice ${invoice}, ${amount}): it was sent now under the same key, and is ${status}.`,
      unreachable: (invoice: number, amount: string) =>
        `The gateway did not answer: invoice ${invoice}, ${amount} is still awaiting the bank. The engine will ask again.`,
    },
  },
};
export type AdminAutomationMessages = typeof en;

const pluriel = (n: number, one: string, many: string) => `${n} ${n <= 1 ? one : many}`;

export const frCA: AdminAutomationMessages = {
  title: "Automatisation",
  health: {
    label: "État de l’automatisation",
    state: { green: "À l’heure", late: "En retard", failing: "En échec" },
    lastRun: (when: string) => `Dernière exécution complète du moteur : ${when}.`,
    neverRun: "Le moteur n’a encore terminé aucune exécution.",
    interval: (seconds: number) =>
      `Le processus de travail s’exécute toutes les ${pluriel(seconds, "seconde", "secondes")}.`,
    reason: (r: HealthReason): string => {
      switch (r.kind) {
        case "never-ran":
          return "Le moteur n’a jamais terminé d’exécution : le processus de travail est-il démarré (tenure worker ou tenure start)?";
        case "stalled":
          return `Aucune exécution terminée depuis ${pluriel(r.minutes, "minute", "minutes")} : le processus de travail semble arrêté.`;
        case "behind":
          return `La dernière exécution s’est terminée il y a ${pluriel(r.minutes, "minute", "minutes")}, plus tard que prévu.`;
        case "retrying":
          return `${pluriel(r.services, "service est", "services sont")} en reprise après une étape en échec.`;
        case "failing-services":
          return `${pluriel(r.services, "service a", "services ont")} échoué ${r.threshold} fois de suite ou plus.`;
        case "unresolved-charges":
          return `${pluriel(r.charges, "paiement attend", "paiements attendent")} la réponse de la banque au-delà du délai d’alerte.`;
        case "unresolved-refunds":
          return `${pluriel(r.refunds, "remboursement a été refusé", "remboursements ont été refusés")} ou non confirmés par la passerelle.`;
      }
    },
    policyNote: "Seuils : la politique d’automatisation (voir Politiques).",
  },
  failing: {
    title: "Services dont la dernière étape a échoué",
    none: "Aucun service en échec.",
    service: "Service",
    customer: "Client",
    failures: "Échecs de suite",
    lastError: "Dernière erreur",
    nextTry: "Prochaine reprise automatique",
    retry: "Reprendre maintenant",
    leased: (until: string) => `En cours de traitement par un processus de travail (jusqu’à ${until}).`,
  },
  charges: {
    title: "Paiements en attente de la banque",
    intro:
      "Paiements envoyés à la passerelle dont on ne connaît pas encore l’issue. Le moteur redemande à chaque exécution; « Vérifier maintenant » demande tout de suite.",
    none: "Aucun paiement n’attend la banque.",
    since: "Depuis",
    age: "Âge",
    invoice: "Facture",
    customer: "Client",
    amount: "Montant",
    attempt: "Tentative",
    key: "Clé",
    alarm: "Alerte",
    check: "Vérifier maintenant",
    hours: (h: number) => (h < 1 ? "moins d’une heure" : pluriel(Math.floor(h), "heure", "heures")),
  },
  refunds: {
    title: "Remboursements non résolus",
    intro:
      "Remboursements refusés par la passerelle, ou non confirmés au-delà du délai d’alerte : cet argent est dû au client.",
    none: "Aucun remboursement non résolu.",
    status: { pending: "Non confirmé", failed: "Refusé" },
  },
  runs: {
    title: "Exécutions du moteur",
    none: "Aucune exécution du moteur pour l’instant.",
    run: "Exécution",
    at: "Mise à jour jusqu’à",
    duration: "Durée",
    steps: "Étapes appliquées",
    failed: "Services en échec",
    status: "État",
    worker: "Processus",
    statuses: { ok: "OK", failures: "Avec échecs", running: "En cours ou interrompue" },
    page: (n: number, of: number) => `Page ${n} de ${of}`,
    newer: "Exécutions plus récentes",
    older: "Exécutions plus anciennes",
    ms: (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1).replace(".", ",")} s`),
  },
  run: {
    title: (id: number) => `Exécution ${id} du moteur`,
    failures: "Échecs",
    none: "Aucun service n’a échoué pendant cette exécution.",
    step: "Étape",
    error: "Erreur",
    back: "Retour à l’automatisation",
  },
  retry: {
    title: "Reprendre maintenant",
    intro: (label: string) =>
      `Le moteur va mettre ${label} à jour maintenant plutôt qu’à la fin de son délai de reprise, avec les règles et les clés qu’il utilise toujours : rien n’est fait deux fois.`,
    lastError: "Sa dernière erreur :",
    failures: (n: number) => `${pluriel(n, "échec", "échecs")} de suite.`,
    money:
      "L’étape en échec touche à l’argent : les factures ouvertes ci-dessous peuvent être prélevées maintenant.",
    openInvoice: (invoice: number, amount: string) => `Facture ${invoice} : ${amount} à payer.`,
    confirm: "Reprendre maintenant",
    notFailing: "Ce service n’a aucune étape en échec à reprendre.",
    busy: (until: string) =>
      `Un processus de travail traite ce service en ce moment (jusqu’à ${until}) : rien n’a été fait. Réessayez dans un instant.`,
    done: (label: string, steps: number) =>
      `${label} : repris, ${pluriel(steps, "étape appliquée", "étapes appliquées")}; le service est à jour.`,
    failed: (label: string, step: string, error: string) =>
      `${label} : repris, nouvel échec à l’étape ${step} : ${error}`,
    charge: (invoice: number, amount: string, status: string) =>
      `Facture ${invoice} : paiement de ${amount} ${status}.`,
    chargeStatus: {
      succeeded: "réussi",
      failed: "refusé",
      pending: "en attente de la banque",
      cancelled: "annulé",
      unapplied: "encaissé puis remboursé",
    },
  },
  check: {
    title: "Vérifier un paiement maintenant",
    intro: (key: string) =>
      `Tenure va interroger la passerelle sur le paiement portant la clé ${key}. Si la passerelle ne l’a jamais reçu, il est envoyé maintenant sous cette même clé : il ne peut jamais être prélevé deux fois.`,
    what: (invoice: number, amount: string, since: string) =>
      `Facture ${invoice}, ${amount}, envoyé le ${since}.`,
    confirm: "Interroger la passerelle",
    notPending: (status: string) => `Ce paiement n’est plus en attente : il est ${status}.`,
    answer: {
      succeeded: (invoice: number, amount: string) =>
        `La passerelle confirme le paiement : facture ${invoice}, ${amount}, enregistrée comme payée.`,
      failed: (invoice: number, amount: string) =>
        `La passerelle indique que le paiement a été refusé : facture ${invoice}, ${amount}; la prochaine tentative suit la politique.`,
      neverReceived: (invoice: number, amount: string, status: string) =>
        `La passerelle n’avait jamais reçu ce paiement (facture ${invoice}, ${amount}) : il a été envoyé maintenant sous la même clé, et il est ${status}.`,
      unreachable: (invoice: number, amount: string) =>
        `La passerelle n’a pas répondu : la facture ${invoice}, ${amount}, attend toujours la banque. Le moteur redemandera.`,
    },
  },
};
