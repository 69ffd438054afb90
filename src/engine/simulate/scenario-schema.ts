/**
 * The scenario format of `tenure simulate` (docs/simulate.md). Strict: an unknown field, a bad
 * date or a reference to an unknown customer or service is refused with the field's path.
 */
import { z } from "zod";
import { sellerSchema } from "../../domain/seller.js";
import { PLANS } from "../../domain/subscription-lifecycle.js";
import { billingAddressSchema } from "../../domain/taxes.js";
import { addYears, isValidTimeZone, parseInstant } from "../../domain/time.js";
import { TEST_CARDS } from "../../providers/payments/test-gateway.js";
import { LOCALES } from "../../views/notices/notice-types.js";

/**
 * The longest story a scenario may tell, from its earliest date (its start, or a service's start or
 * registration) to `until`. Each term is replayed, so the cost grows with the span: 50 years of a
 * monthly plan take a few seconds, and no policy question needs more (a registration lasts at most
 * ten years). Without a bound, a typo such as 9999 for 2029 runs for hours.
 */
export const MAX_SCENARIO_YEARS = 50;
/** At most this many customers, services and actions: a scenario is a story, not a customer base. */
export const MAX_SCENARIO_CUSTOMERS = 1000;
export const MAX_SCENARIO_SERVICES = 1000;
export const MAX_SCENARIO_ACTIONS = 10_000;

/**
 * A zone that both the calendar maths (Temporal) and the date formatting of notices and pages
 * (Intl) accept: Temporal alone takes offsets such as +05:00, which Intl refuses.
 */
function isUsableTimeZone(zone: string): boolean {
  if (!isValidTimeZone(zone)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const instant = z
  .string({ error: "expected an ISO-8601 instant such as 2021-04-15T14:00:00Z" })
  .refine((s) => parseInstant(s) !== null, "expected an ISO-8601 instant such as 2021-04-15T14:00:00Z")
  .transform((s) => parseInstant(s) as number);
const id = z.string().min(1).max(64);
const amount = z.int("expected an integer amount in minor units (2000 = 20.00)").min(0);
const currency = z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as USD");
const card = z
  .string()
  .refine(
    (c) => c === "none" || TEST_CARDS.test(c),
    "expected ok, declined, insufficient-funds, expired, fails-N-then-ok, lost-answer-N or none",
  );

const customer = z.strictObject({
  id,
  locale: z.enum(LOCALES),
  currency,
  card,
  email: z.email().optional(),
  name: z.string().min(1).max(200).optional(),
  timeZone: z
    .string()
    .refine(isUsableTimeZone, {
      error: (issue) =>
        `unknown time zone ${JSON.stringify(issue.input)}: expected an IANA zone such as America/Toronto or UTC`,
    })
    .optional(),
  /** Where the customer is for taxes (docs/taxes.md); without one, not taxed by default. */
  billingAddress: billingAddressSchema.optional(),
});

/**
 * Who sells (docs/taxes.md): where it collects taxes. Only `country` is required; the rest of the
 * seller identity is optional here (a simulation prints no invoice).
 */
const seller = sellerSchema.partial().required({ country: true });

const subscription = z.strictObject({
  id,
  customer: id,
  kind: z.enum(["hosting", "ssl", "app"]),
  plan: z.enum(PLANS),
  price: amount,
  startedAt: instant,
  label: z.string().min(1).max(200).optional(),
  currency: currency.optional(),
});

const domain = z.strictObject({
  id,
  customer: id,
  kind: z.literal("domain"),
  name: z.string().min(3).max(253),
  registrar: z.string().min(1),
  registeredAt: instant,
  years: z.int().min(1).max(10).default(1),
  autoRenew: z.boolean().default(true),
  renewalPrice: amount,
  emailVerified: z.boolean().default(true),
  site: id.nullable().default(null),
  offer: z.enum(["free-first-year", "legacy-free"]).nullable().default(null),
});

const at = { at: instant };
const action = z.discriminatedUnion("do", [
  z.strictObject({ ...at, do: z.literal("verify-email"), service: id }),
  z.strictObject({ ...at, do: z.literal("set-auto-renew"), service: id, on: z.boolean() }),
  z.strictObject({ ...at, do: z.literal("set-card"), customer: id, card }),
  z.strictObject({ ...at, do: z.literal("reactivate"), service: id }),
  z.strictObject({ ...at, do: z.literal("pay-invoice"), service: id }),
  z.strictObject({
    ...at,
    do: z.literal("cancel"),
    service: id,
    when: z.enum(["immediate", "end-of-term"]),
    reason: z.string(),
    stopDomainRenewal: z.array(id).default([]),
  }),
  z.strictObject({ ...at, do: z.literal("withdraw-cancellation"), service: id }),
  z.strictObject({ ...at, do: z.literal("request-transfer-out"), service: id }),
  z.strictObject({
    ...at,
    do: z.literal("change-plan"),
    service: id,
    plan: z.enum(PLANS),
    price: amount.optional(),
  }),
  z.strictObject({ ...at, do: z.literal("move-domain"), service: id, site: id }),
]);

export const scenarioSchema = z
  .strictObject({
    start: instant,
    until: instant,
    policies: z.unknown().optional(),
    /** The seller whose tax registrations apply; without one, no tax is charged. */
    seller: seller.optional(),
    /** Public renewal prices by TLD and currency, e.g. { "life": { "USD": 3500 } }. */
    tldPrices: z.record(z.string().min(1), z.record(currency, amount)).default({}),
    customers: z
      .array(customer)
      .min(1)
      .max(MAX_SCENARIO_CUSTOMERS, `at most ${MAX_SCENARIO_CUSTOMERS} customers in one scenario`),
    services: z
      .array(z.discriminatedUnion("kind", [subscription, domain]))
      .max(MAX_SCENARIO_SERVICES, `at most ${MAX_SCENARIO_SERVICES} services in one scenario`),
    actions: z
      .array(action)
      .max(MAX_SCENARIO_ACTIONS, `at most ${MAX_SCENARIO_ACTIONS} actions in one scenario`)
      .default([]),
  })
  .superRefine((s, ctx) => {
    if (s.until <= s.start) ctx.addIssue({ code: "custom", path: ["until"], message: "must be after start" });
    const earliest = addYears(s.until, -MAX_SCENARIO_YEARS);
    const years = (from: number) => Math.ceil((s.until - from) / (365.2425 * 86_400_000));
    if (s.start < earliest) {
      ctx.addIssue({
        code: "custom",
        path: ["until"],
        message:
          `the scenario spans ${years(s.start)} years; at most ${MAX_SCENARIO_YEARS} are simulated ` +
          `(MAX_SCENARIO_YEARS): bring until closer to start`,
      });
    } else {
      s.services.forEach((svc, i) => {
        const field = svc.kind === "domain" ? "registeredAt" : "startedAt";
        const from = svc.kind === "domain" ? svc.registeredAt : svc.startedAt;
        if (from < earliest) {
          ctx.addIssue({
            code: "custom",
            path: ["services", i, field],
            message:
              `${years(from)} years before until: its whole history is replayed, and a scenario covers ` +
              `at most ${MAX_SCENARIO_YEARS} years (MAX_SCENARIO_YEARS)`,
          });
        }
      });
    }
    const customers = new Set<string>();
    s.customers.forEach((c, i) => {
      if (customers.has(c.id))
        ctx.addIssue({ code: "custom", path: ["customers", i, "id"], message: `duplicate id "${c.id}"` });
      customers.add(c.id);
    });
    const kinds = new Map<string, string>();
    s.services.forEach((svc, i) => {
      if (kinds.has(svc.id))
        ctx.addIssue({ code: "custom", path: ["services", i, "id"], message: `duplicate id "${svc.id}"` });
      kinds.set(svc.id, svc.kind);
      if (!customers.has(svc.customer)) {
        ctx.addIssue({
          code: "custom",
          path: ["services", i, "customer"],
          message: `unknown customer "${svc.customer}"`,
        });
      }
    });
    s.services.forEach((svc, i) => {
      if (svc.kind === "domain" && svc.site !== null && kinds.get(svc.site) !== "hosting") {
        ctx.addIssue({
          code: "custom",
          path: ["services", i, "site"],
          message: `unknown hosting service "${svc.site}"`,
        });
      }
    });
    s.actions.forEach((a, i) => {
      const path = ["actions", i];
      if (a.at < s.start || a.at > s.until)
        ctx.addIssue({ code: "custom", path: [...path, "at"], message: "must lie between start and until" });
      if (a.do === "set-card") {
        if (!customers.has(a.customer))
          ctx.addIssue({
            code: "custom",
            path: [...path, "customer"],
            message: `unknown customer "${a.customer}"`,
          });
        return;
      }
      const kind = kinds.get(a.service);
      if (kind === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [...path, "service"],
          message: `unknown service "${a.service}"`,
        });
        return;
      }
      const onDomain = [
        "verify-email",
        "set-auto-renew",
        "reactivate",
        "request-transfer-out",
        "move-domain",
      ];
      const onSubscription = ["cancel", "withdraw-cancellation", "change-plan"];
      if (onDomain.includes(a.do) && kind !== "domain") {
        ctx.addIssue({
          code: "custom",
          path: [...path, "service"],
          message: `"${a.do}" applies to a domain, "${a.service}" is ${kind}`,
        });
      }
      if (onSubscription.includes(a.do) && kind === "domain") {
        ctx.addIssue({
          code: "custom",
          path: [...path, "service"],
          message: `"${a.do}" applies to hosting, SSL or apps, "${a.service}" is a domain`,
        });
      }
      if (a.do === "move-domain" && kinds.get(a.site) !== "hosting") {
        ctx.addIssue({
          code: "custom",
          path: [...path, "site"],
          message: `unknown hosting service "${a.site}"`,
        });
      }
      if (a.do === "cancel") {
        a.stopDomainRenewal.forEach((d, j) => {
          if (kinds.get(d) !== "domain") {
            ctx.addIssue({
              code: "custom",
              path: [...path, "stopDomainRenewal", j],
              message: `unknown domain "${d}"`,
            });
          }
        });
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioAction = Scenario["actions"][number];

/** `services[1].registeredAt: expected …` — the path an author can find in the file. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}

export function describeScenarioIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys") {
      return `${formatIssuePath([...issue.path, issue.keys[0] ?? ""])}: unknown field`;
    }
    if (issue.code === "invalid_union" && "discriminator" in issue) {
      return `${formatIssuePath([...issue.path, String(issue.discriminator)])}: ${issue.message}`;
    }
    return `${formatIssuePath(issue.path) || "(scenario)"}: ${issue.message}`;
  });
}
