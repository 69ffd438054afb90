/**
 * Policies are data (DESIGN.md, principle 1): every number an operator may change lives here
 * with its documented default, and an operator overrides any of it in a validated config file.
 */
import { z } from "zod";
import { DEFAULT_NUMBERING, type NumberingPolicy, numberingPolicySchema } from "./numbering.js";
import { mergeTaxPolicy, type TaxPolicy, taxPolicyOverridesSchema } from "./taxes.js";
import { parseInstant } from "./time.js";

const days = z.int().min(0).max(3650);
const positiveDays = z.int().min(1).max(3650);
const currencyCode = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as USD");
const amountsByCurrency = z.record(currencyCode, z.int().min(0));
const isoInstant = z.string().refine((s) => parseInstant(s) !== null, "expected an ISO-8601 date or instant");

export const registrarPolicySchema = z.strictObject({
  /** Payment is taken this long before the expiry instant (seed 004: 15 days). */
  chargeLeadDays: days,
  /** The renewal notice goes out this long before the charge (seed 004: 15 days). */
  renewalNoticeDaysBeforeCharge: days,
  /** Turning auto-renew off only stops the charge if done at least this long before it (1 day). */
  autoRenewOffLeadDays: days,
  /** Spacing between charge attempts after a failure (5 days). */
  retryEveryDays: positiveDays,
  /** Charge attempts in total, the first included (3). */
  attempts: z.int().min(1).max(20),
  /** Expiry warnings, in days before expiry, when the domain will not renew (30). */
  expiryWarningDaysBefore: z.array(positiveDays),
  /** Whether expiry warnings also go to domains whose auto-renew is on (ICANN practice). */
  expiryWarningWhenAutoRenewOn: z.boolean(),
  /** Days after expiry during which the owner can reactivate (60 or 30). */
  graceDays: days,
  /** Registry redemption period after grace, with its restore fee; null when the registrar has none. */
  redemption: z.strictObject({ days: positiveDays, restoreFee: amountsByCurrency }).nullable(),
  /** Pending delete after redemption, before release (gTLD: 5 days). */
  pendingDeleteDays: days,
  /** A new registration must verify its contact e-mail within this many days or be suspended (15). */
  verificationDays: days,
  /** Transfer-out is refused for this many days after registration or transfer-in (60). */
  transferLockDays: days,
  /** Years added by one renewal. */
  renewalYears: z.int().min(1).max(10),
  /** The adapter that talks to this registrar: the built-in `test` registry (default) or `epp`. */
  adapter: z.enum(["test", "epp"]).optional(),
  /** How to reach the registry when `adapter` is `epp` (docs/providers.md). */
  epp: z.lazy(() => eppConnectionSchema).optional(),
});
export type RegistrarPolicy = z.infer<typeof registrarPolicySchema>;

/** An EPP registry connection. The password is never here: `passwordEnv` names the variable holding it. */
export const eppConnectionSchema = z.strictObject({
  host: z.string().min(1),
  port: z.int().min(1).max(65535).default(700),
  clientId: z.string().min(3).max(16),
  passwordEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "the name of an environment variable, such as EPP_PASSWORD"),
  /** PEM files: Tenure's TLS client certificate and key, and the CA that signed the registry's certificate. */
  certFile: z.string().optional(),
  keyFile: z.string().optional(),
  caFile: z.string().optional(),
  /** The name in the registry's certificate, when it is not `host`. */
  servername: z.string().optional(),
  /** Object and extension URIs sent at login (defaults: domain, host, contact; rgp, secDNS). */
  objURIs: z.array(z.string().min(1)).optional(),
  extensions: z.array(z.string().min(1)).optional(),
  poolSize: z.int().min(1).max(16).default(2),
  connectTimeoutMs: z.int().min(100).max(120_000).default(10_000),
  commandTimeoutMs: z.int().min(100).max(300_000).default(30_000),
  /** An idle session says hello this often so the registry keeps it (0: never). */
  keepAliveSeconds: z.int().min(0).max(3600).default(300),
  /** Validate the registry's answers against the schemas too (Tenure's own frames always are). */
  validateResponses: z.boolean().default(false),
  /** Reconciliation reads at most this many domains a second from this registry. */
  infoPerSecond: z.number().min(0.1).max(100).default(5),
});
export type EppConnectionPolicy = z.infer<typeof eppConnectionSchema>;

/** The reconciliation job (src/modules/reconciliation): how often, and how much at a time. */
export const reconciliationPolicySchema = z.strictObject({
  /**
   * A worker runs it this often (0: only `tenure reconcile`). The next run's instant is kept in
   * the database and claimed by one worker at a time, so a restart or a second worker changes nothing.
   */
  everyMinutes: z.int().min(0).max(10080),
  /** A run's claim lasts this long: a worker that died mid-run leaves it to another after it. */
  leaseMinutes: z.int().min(1).max(1440),
  /** Domains read from a registry per batch (domain:info, one session each in the pool). */
  batchSize: z.int().min(1).max(500),
  /** Payments settled this recently are compared with the gateway, along with every pending one. */
  recentPaymentDays: z.int().min(0).max(90),
});
export type ReconciliationPolicy = z.infer<typeof reconciliationPolicySchema>;

export const DEFAULT_RECONCILIATION: ReconciliationPolicy = {
  everyMinutes: 1440,
  leaseMinutes: 60,
  batchSize: 25,
  recentPaymentDays: 7,
};

/** The JSON API (docs/api.md). */
export const apiPolicySchema = z.strictObject({
  /** Requests per minute per API key; past it, 429 `rate_limited` with Retry-After. */
  rateLimitPerMinute: z.int().min(1).max(100_000),
});
export type ApiPolicy = z.infer<typeof apiPolicySchema>;

export const DEFAULT_API: ApiPolicy = { rateLimitPerMinute: 120 };

/** Webhook delivery (docs/api.md): how long an attempt may take, the retry schedule, when to give up. */
export const webhookPolicySchema = z.strictObject({
  /** An attempt with no answer within this many seconds counts as failed (a timeout). */
  attemptTimeoutSeconds: z.int().min(1).max(120),
  /** Seconds to wait after the 1st, 2nd… failed attempt; the last one repeats. */
  retryDelaysSeconds: z
    .array(
      z
        .int()
        .min(1)
        .max(7 * 86_400),
    )
    .min(1)
    .max(50),
  /**
   * An endpoint whose oldest waiting delivery has failed for this many days is disabled. At least
   * 3: a receiver down over a long weekend must still get its messages (issue 13).
   */
  disableAfterDays: z.int().min(3, "at least 3 days of retries before an endpoint is disabled").max(60),
});
export type WebhookPolicy = z.infer<typeof webhookPolicySchema>;

/** Standard Webhooks' suggested schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then daily. */
export const DEFAULT_WEBHOOKS: WebhookPolicy = {
  attemptTimeoutSeconds: 10,
  retryDelaysSeconds: [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 86_400, 86_400, 86_400],
  disableAfterDays: 5,
};

export const billingPolicySchema = z.strictObject({
  /** The renewal invoice is issued this long before the due date (end of term). */
  invoiceDaysBefore: days,
  /** The card is charged this long before the due date (0: on the due date). */
  chargeDaysBefore: days,
  retryEveryDays: positiveDays,
  attempts: z.int().min(1).max(20),
  /** A service still unpaid this long after its due date is suspended. */
  suspendAfterDaysOverdue: days,
  /** A service still unpaid this long after its due date is terminated. */
  terminateAfterDaysOverdue: days,
  /** An immediate cancellation is carried out this many hours after the request, withdrawable until then (seed 000: within 24). */
  immediateCancellationAfterHours: z.int().min(0).max(24),
  /**
   * The window an immediate cancellation is promised within (seed 000: "within 24 h"): the
   * back office's cancellation queue shows the time left in it and marks a request late past it.
   */
  immediateCancellationHours: z.int().min(1).max(168),
  /** A charge whose outcome is still unknown this long after the gateway call raises an alarm. */
  pendingChargeAlarmHours: z.int().min(1).max(720),
});
export type BillingPolicy = z.infer<typeof billingPolicySchema>;

export const pricingPolicySchema = z.strictObject({
  /** Free domains registered from this instant get a free first year, then the standard price. */
  freeFirstYearFrom: isoInstant,
  /** Legacy free domains: registered before this instant, free while their site is on a yearly plan. */
  legacyFreeRegisteredBefore: isoInstant,
  /** The currency a legacy free domain's site must be billed in to stay free. */
  legacyFreeCurrency: currencyCode,
  /** TLDs that renew at the price paid when registered before a date, whatever the public price. */
  priceLocks: z.array(z.strictObject({ tlds: z.array(z.string().min(1)), registeredBefore: isoInstant })),
});
export type PricingPolicy = z.infer<typeof pricingPolicySchema>;

/** When the back office calls the automation late or failing (its health line, issue 9). */
export const automationPolicySchema = z.strictObject({
  /** Late when the last completed engine run is older than this many worker intervals (3). */
  lateAfterIntervals: z.int().min(1).max(1000),
  /** Failing when no engine run has completed for this many minutes: the worker is not running (60). */
  stalledAfterMinutes: z.int().min(1).max(10080),
  /** Failing when a service's step has failed this many runs in a row; fewer is late, being retried (3). */
  failingAfterFailures: z.int().min(1).max(100),
});
export type AutomationPolicy = z.infer<typeof automationPolicySchema>;

export const BUILT_IN_REGISTRARS: Record<string, RegistrarPolicy> = {
  "squarespace-domains": {
    chargeLeadDays: 15,
    renewalNoticeDaysBeforeCharge: 15,
    autoRenewOffLeadDays: 1,
    retryEveryDays: 5,
    attempts: 3,
    expiryWarningDaysBefore: [30],
    expiryWarningWhenAutoRenewOn: false,
    graceDays: 60,
    redemption: null,
    pendingDeleteDays: 0,
    verificationDays: 15,
    transferLockDays: 60,
    renewalYears: 1,
  },
  tucows: {
    chargeLeadDays: 15,
    renewalNoticeDaysBeforeCharge: 15,
    autoRenewOffLeadDays: 1,
    retryEveryDays: 5,
    attempts: 3,
    expiryWarningDaysBefore: [30],
    expiryWarningWhenAutoRenewOn: false,
    graceDays: 30,
    redemption: null,
    pendingDeleteDays: 0,
    verificationDays: 15,
    transferLockDays: 60,
    renewalYears: 1,
  },
  "gtld-registry": {
    chargeLeadDays: 15,
    renewalNoticeDaysBeforeCharge: 15,
    autoRenewOffLeadDays: 1,
    retryEveryDays: 5,
    attempts: 3,
    // ICANN ERRP: about one month and one week before expiry, to every registrant not yet renewed.
    expiryWarningDaysBefore: [30, 7],
    expiryWarningWhenAutoRenewOn: true,
    graceDays: 30,
    redemption: { days: 30, restoreFee: { USD: 8000, CAD: 11000, EUR: 7500 } },
    pendingDeleteDays: 5,
    verificationDays: 15,
    transferLockDays: 60,
    renewalYears: 1,
  },
};

/**
 * Back office: the most days staff may add, in total, to one domain's grace period when its
 * registrar has no redemption period (with one, the redemption's length bounds it).
 */
export const MAX_GRACE_EXTENSION_DAYS = 30;

export const DEFAULT_BILLING: BillingPolicy = {
  invoiceDaysBefore: 14,
  chargeDaysBefore: 0,
  retryEveryDays: 3,
  attempts: 3,
  suspendAfterDaysOverdue: 5,
  terminateAfterDaysOverdue: 30,
  immediateCancellationAfterHours: 4,
  immediateCancellationHours: 24,
  pendingChargeAlarmHours: 12,
};

export const DEFAULT_AUTOMATION: AutomationPolicy = {
  lateAfterIntervals: 3,
  stalledAfterMinutes: 60,
  failingAfterFailures: 3,
};

export const DEFAULT_PRICING: PricingPolicy = {
  freeFirstYearFrom: "2015-03-05T00:00:00Z",
  legacyFreeRegisteredBefore: "2015-03-05T00:00:00Z",
  legacyFreeCurrency: "USD",
  priceLocks: [
    { tlds: ["family", "life", "ninja", "photography"], registeredBefore: "2021-01-11T00:00:00Z" },
  ],
};

/** What an operator writes: any subset, validated field by field. */
export const policyOverridesSchema = z.strictObject({
  registrars: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "registrar names are lower-case letters, digits and dashes"),
      registrarPolicySchema.partial().extend({ extends: z.string().optional() }).strict(),
    )
    .optional(),
  billing: billingPolicySchema.partial().strict().optional(),
  pricing: pricingPolicySchema.partial().strict().optional(),
  automation: automationPolicySchema.partial().strict().optional(),
  reconciliation: reconciliationPolicySchema.partial().strict().optional(),
  /** Sales taxes (src/domain/taxes.ts, docs/taxes.md): rates by jurisdiction, merged per key. */
  taxes: taxPolicyOverridesSchema.optional(),
  /** Document number prefixes (src/domain/numbering.ts). */
  numbering: numberingPolicySchema.partial().strict().optional(),
  api: apiPolicySchema.partial().strict().optional(),
  webhooks: webhookPolicySchema.partial().strict().optional(),
});
export type PolicyOverrides = z.infer<typeof policyOverridesSchema>;

export interface Policies {
  registrars: Record<string, RegistrarPolicy>;
  billing: BillingPolicy;
  pricing: PricingPolicy;
  automation: AutomationPolicy;
  reconciliation: ReconciliationPolicy;
  taxes: TaxPolicy;
  numbering: NumberingPolicy;
  api: ApiPolicy;
  webhooks: WebhookPolicy;
}

export type PolicyResult = { ok: true; policies: Policies } | { ok: false; errors: string[] };

/** Names the offending field the way an operator wrote it: `registrars.tucows.graceDays`. */
export function describeIssues(error: z.ZodError, prefix = ""): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join(".");
    if (issue.code === "unrecognized_keys") {
      return `${[path, issue.keys[0]].filter(Boolean).join(".")}: unknown field`;
    }
    // A bad record key carries the key schema's own message one level down.
    if (issue.code === "invalid_key") return `${path}: ${issue.issues[0]?.message ?? issue.message}`;
    return `${path || "(root)"}: ${issue.message}`;
  });
}

/**
 * The shortest terms the leads apply to, in days of 24 hours (DESIGN.md, principle 3): a monthly
 * plan's February, and a domain's registration or renewal of one year (never less: `years` and
 * `renewalYears` are at least 1).
 */
export const SHORTEST_MONTHLY_TERM_DAYS = 28;
export const SHORTEST_REGISTRATION_TERM_DAYS = 365;

/** A combination of numbers that each pass their own range but make no sense together. */
export interface PolicyViolation {
  /** Where to look: the one field to change (`billing.invoiceDaysBefore`) or the section (`registrars.tucows`). */
  path: string;
  /** The fields that conflict, the first one named by `path` when there is only one. */
  fields: string[];
  message: string;
}

export function formatViolation(violation: PolicyViolation): string {
  return `${violation.path}: ${violation.message}`;
}

function registrarViolations(policy: RegistrarPolicy, where: string): PolicyViolation[] {
  const found: PolicyViolation[] = [];
  /** Named after the first field, the one to change; on the section when no one field is to blame. */
  const add = (fields: string[], message: string, onSection = false) =>
    found.push({ path: onSection ? where : `${where}.${fields[0]}`, fields, message });
  const term = SHORTEST_REGISTRATION_TERM_DAYS;
  const lead = policy.chargeLeadDays;
  if (lead >= term) {
    // A lead of a year or more puts the charge before the term starts, and again after each renewal:
    // every future year would be charged at once (3650 days: ten renewals on the first day).
    add(
      ["chargeLeadDays"],
      `${lead} days before expiry is not within the shortest registration term (one year, ${term} days): ` +
        `the charge would come before the term starts and renew year after year at once; use fewer than ${term} days`,
    );
  } else if (lead + policy.renewalNoticeDaysBeforeCharge >= term) {
    add(
      ["renewalNoticeDaysBeforeCharge", "chargeLeadDays"],
      `the renewal notice (${policy.renewalNoticeDaysBeforeCharge} days before the charge, chargeLeadDays ${lead}: ` +
        `${lead + policy.renewalNoticeDaysBeforeCharge} days before expiry) would come before the term starts ` +
        `(the shortest is ${term} days); keep the two under ${term} days together`,
    );
  }
  if (policy.autoRenewOffLeadDays > policy.renewalNoticeDaysBeforeCharge) {
    add(
      ["autoRenewOffLeadDays", "renewalNoticeDaysBeforeCharge"],
      `the last moment to turn auto-renew off (${policy.autoRenewOffLeadDays} days before the charge) comes before ` +
        `the renewal notice (renewalNoticeDaysBeforeCharge ${policy.renewalNoticeDaysBeforeCharge}): the owner ` +
        `would learn of the charge too late to stop it; make it at most renewalNoticeDaysBeforeCharge`,
    );
  }
  const retrySpan = (policy.attempts - 1) * policy.retryEveryDays;
  if (policy.attempts > 1 && retrySpan >= lead) {
    // nextRetryAt stops at the expiry: the attempts that do not fit before it are never made.
    add(
      ["attempts", "retryEveryDays", "chargeLeadDays"],
      `retries (${policy.attempts} attempts every ${policy.retryEveryDays} days = the last ${retrySpan} days after ` +
        `the first) end at or after expiry (chargeLeadDays ${lead}): the last attempts would never be made; ` +
        `lower attempts or retryEveryDays, or raise chargeLeadDays above ${retrySpan}`,
      true,
    );
  }
  const warnings = policy.expiryWarningDaysBefore;
  const early = warnings.filter((d) => d >= term);
  const repeated = warnings.filter((d, i) => warnings.indexOf(d) !== i);
  if (early.length > 0) {
    add(
      ["expiryWarningDaysBefore"],
      `${early.join(", ")} days before expiry would come before the term starts (the shortest is ${term} days); ` +
        `use fewer than ${term}`,
    );
  }
  if (repeated.length > 0) {
    add(
      ["expiryWarningDaysBefore"],
      `${[...new Set(repeated)].join(", ")} given twice: each warning is sent once`,
    );
  }
  // Grace, redemption and pending delete follow one another by construction; what can go wrong is
  // a window so long that a domain reactivated or restored at its end (renewed from its old expiry,
  // by renewalYears) comes back already due for its next charge, or already expired.
  const window = policy.graceDays + 1 + (policy.redemption?.days ?? 0);
  const renewed = term * policy.renewalYears;
  if (lead < term && window + lead > renewed) {
    add(
      ["graceDays", "redemption", "chargeLeadDays", "renewalYears"],
      `a domain reactivated or restored at the end of its window (graceDays ${policy.graceDays} + 1` +
        `${policy.redemption ? ` + redemption ${policy.redemption.days}` : ""} = ${window} days after expiry) ` +
        `would come back with its next charge (chargeLeadDays ${lead} before the renewed expiry, ${renewed} days ` +
        `after the old one with renewalYears ${policy.renewalYears}) already past; shorten grace or redemption`,
      true,
    );
  }
  if (policy.adapter === "epp" && !policy.epp) {
    add(
      ["epp"],
      "the epp adapter needs an epp section (host, clientId, passwordEnv): docs/providers.md",
      true,
    );
  }
  return found;
}

function billingViolations(policy: BillingPolicy, where: string): PolicyViolation[] {
  const found: PolicyViolation[] = [];
  /** Named after the first field, the one to change; on the section when no one field is to blame. */
  const add = (fields: string[], message: string, onSection = false) =>
    found.push({ path: onSection ? where : `${where}.${fields[0]}`, fields, message });
  const term = SHORTEST_MONTHLY_TERM_DAYS;
  // Both leads apply to monthly plans: a lead of a month or more bills the term after next at once.
  for (const field of ["invoiceDaysBefore", "chargeDaysBefore"] as const) {
    if (policy[field] >= term) {
      add(
        [field],
        `${policy[field]} days is not shorter than the shortest monthly term (February, ${term} days): ` +
          `monthly plans would be ${field === "invoiceDaysBefore" ? "invoiced" : "charged"} for two terms at once; ` +
          `use at most ${term - 1}`,
      );
    }
  }
  if (policy.chargeDaysBefore > policy.invoiceDaysBefore) {
    add(
      ["chargeDaysBefore", "invoiceDaysBefore"],
      `the card would be charged (${policy.chargeDaysBefore} days before the due date) before the renewal invoice ` +
        `and its notice are issued (invoiceDaysBefore ${policy.invoiceDaysBefore}); make invoiceDaysBefore at least ` +
        `chargeDaysBefore`,
    );
  }
  const retrySpan = (policy.attempts - 1) * policy.retryEveryDays;
  const room = policy.chargeDaysBefore + policy.terminateAfterDaysOverdue;
  if (policy.attempts > 1 && retrySpan >= room) {
    // nextRetryAt stops at the termination: the attempts that do not fit before it are never made.
    add(
      ["attempts", "retryEveryDays", "chargeDaysBefore", "terminateAfterDaysOverdue"],
      `retries (${policy.attempts} attempts every ${policy.retryEveryDays} days = the last ${retrySpan} days after ` +
        `the first) end at or after termination (chargeDaysBefore ${policy.chargeDaysBefore} + ` +
        `terminateAfterDaysOverdue ${policy.terminateAfterDaysOverdue} = ${room} days after the first charge): the ` +
        `last attempts would never be made; lower attempts or retryEveryDays, or terminate later`,
      true,
    );
  }
  if (policy.immediateCancellationAfterHours > policy.immediateCancellationHours) {
    add(
      ["immediateCancellationAfterHours", "immediateCancellationHours"],
      `an immediate cancellation would be carried out ${policy.immediateCancellationAfterHours} hours after the ` +
        `request, past the ${policy.immediateCancellationHours}-hour window it is promised within ` +
        `(immediateCancellationHours): every one would be late; make it at most immediateCancellationHours`,
    );
  }
  if (policy.suspendAfterDaysOverdue > policy.terminateAfterDaysOverdue) {
    add(
      ["suspendAfterDaysOverdue", "terminateAfterDaysOverdue"],
      `suspension (${policy.suspendAfterDaysOverdue} days overdue) would come after termination ` +
        `(terminateAfterDaysOverdue ${policy.terminateAfterDaysOverdue}); make it at most terminateAfterDaysOverdue`,
    );
  }
  return found;
}

/**
 * The rules that hold between policy numbers (docs/policies.md, "Rules between the numbers"):
 * every violation, each naming its fields, so that one message lists everything to fix.
 */
export function policyViolations(policies: Policies, prefix = ""): PolicyViolation[] {
  const at = (...parts: string[]) => [prefix, ...parts].filter(Boolean).join(".");
  return [
    ...Object.entries(policies.registrars).flatMap(([name, policy]) =>
      registrarViolations(policy, at("registrars", name)),
    ),
    ...billingViolations(policies.billing, at("billing")),
  ];
}

export function resolvePolicies(overrides: unknown, prefix = ""): PolicyResult {
  const parsed = policyOverridesSchema.safeParse(overrides ?? {});
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error, prefix) };
  // Copies, so that nothing done to a resolved policy can change the built-in defaults.
  const registrars: Record<string, RegistrarPolicy> = structuredClone(BUILT_IN_REGISTRARS);
  const errors: string[] = [];
  const refused = new Set<string>();
  for (const [name, { extends: base, ...fields }] of Object.entries(parsed.data.registrars ?? {})) {
    const parent = registrars[base ?? name];
    const where = [prefix, "registrars", name].filter(Boolean).join(".");
    if (base && !registrars[base]) {
      errors.push(`${where}.extends: unknown registrar "${base}"`);
      refused.add(name);
      continue;
    }
    const merged = registrarPolicySchema.safeParse({ ...parent, ...fields });
    if (!merged.success) {
      errors.push(...describeIssues(merged.error, where));
      refused.add(name);
      continue;
    }
    registrars[name] = merged.data;
  }
  const policies: Policies = {
    registrars,
    billing: { ...DEFAULT_BILLING, ...parsed.data.billing },
    pricing: structuredClone({ ...DEFAULT_PRICING, ...parsed.data.pricing }),
    automation: { ...DEFAULT_AUTOMATION, ...parsed.data.automation },
    reconciliation: { ...DEFAULT_RECONCILIATION, ...parsed.data.reconciliation },
    taxes: mergeTaxPolicy(parsed.data.taxes),
    numbering: { ...DEFAULT_NUMBERING, ...parsed.data.numbering },
    api: { ...DEFAULT_API, ...parsed.data.api },
    webhooks: structuredClone({ ...DEFAULT_WEBHOOKS, ...parsed.data.webhooks }),
  };
  // Judged as a whole too, every section at once so that one message lists everything to fix; a
  // registrar already refused field by field is not judged again.
  const judged = { ...policies, registrars: { ...registrars } };
  for (const name of refused) delete judged.registrars[name];
  errors.push(...policyViolations(judged, prefix).map(formatViolation));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, policies };
}

export function defaultPolicies(): Policies {
  const result = resolvePolicies({});
  if (!result.ok) throw new Error(`built-in policies are invalid: ${result.errors.join("; ")}`);
  return result.policies;
}
