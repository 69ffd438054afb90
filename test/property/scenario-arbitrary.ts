/**
 * fast-check generators of random but valid `tenure simulate` scenarios (scenario-schema.ts): one to
 * three customers with test cards, one to four services (domains at the three built-in registrars,
 * hosting monthly or yearly, SSL, apps), a window of one to three years, and customer actions at
 * random instants, many of them near a domain's charge, expiry or grace dates where the rules bite.
 * Every reference is resolved to a valid id, so the schema always accepts the scenario; the product
 * may still refuse an action (that is a refusal, not a failure).
 */
import fc from "fast-check";

export const REGISTRARS = ["squarespace-domains", "tucows", "gtld-registry"] as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface ScenarioCustomer {
  id: string;
  locale: "en" | "fr-CA";
  currency: string;
  card: string;
}

export interface ScenarioSubscription {
  id: string;
  customer: string;
  kind: "hosting" | "ssl" | "app";
  plan: "monthly" | "yearly";
  price: number;
  startedAt: string;
}

export interface ScenarioDomain {
  id: string;
  customer: string;
  kind: "domain";
  name: string;
  registrar: string;
  registeredAt: string;
  years: number;
  autoRenew: boolean;
  renewalPrice: number;
  emailVerified: boolean;
  site: string | null;
  offer: "free-first-year" | null;
}

export type ScenarioService = ScenarioSubscription | ScenarioDomain;

export type ScenarioAction = { at: string } & (
  | { do: "verify-email"; service: string }
  | { do: "set-auto-renew"; service: string; on: boolean }
  | { do: "set-card"; customer: string; card: string }
  | { do: "reactivate"; service: string }
  | { do: "pay-invoice"; service: string }
  | {
      do: "cancel";
      service: string;
      when: "immediate" | "end-of-term";
      reason: string;
      stopDomainRenewal: string[];
    }
  | { do: "withdraw-cancellation"; service: string }
  | { do: "request-transfer-out"; service: string }
  | { do: "change-plan"; service: string; plan: "monthly" | "yearly"; price?: number }
  | { do: "move-domain"; service: string; site: string }
);

/** The input of `tenure simulate`, as JSON: what a failing run prints to be replayed. */
export interface GeneratedScenario {
  start: string;
  until: string;
  customers: ScenarioCustomer[];
  services: ScenarioService[];
  actions: ScenarioAction[];
}

const iso = (at: number) => new Date(at).toISOString();

export const cardArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constant("ok") },
  { weight: 1, arbitrary: fc.constantFrom("declined", "insufficient-funds", "expired", "none") },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }).map((n) => `fails-${n}-then-ok`) },
);

const customerArbitrary = fc.record({
  locale: fc.constantFrom("en" as const, "fr-CA" as const),
  currency: fc.constantFrom("USD", "CAD"),
  card: cardArbitrary,
});

/** A service before its references are resolved: indexes are taken modulo what exists. */
const rawServiceArbitrary = fc.record({
  kind: fc.oneof(
    { weight: 5, arbitrary: fc.constant("domain" as const) },
    { weight: 3, arbitrary: fc.constant("hosting" as const) },
    { weight: 1, arbitrary: fc.constantFrom("ssl" as const, "app" as const) },
  ),
  customer: fc.nat(),
  /** Days from the window's start: some services began before it, so their dates fall inside. */
  startDays: fc.integer({ min: -330, max: 240 }),
  hour: fc.integer({ min: 0, max: 23 }),
  plan: fc.constantFrom("monthly" as const, "yearly" as const),
  price: fc.integer({ min: 100, max: 30_000 }),
  registrar: fc.constantFrom(...REGISTRARS),
  years: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }),
  autoRenew: fc.oneof(
    { weight: 5, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  emailVerified: fc.oneof(
    { weight: 5, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  renewalPrice: fc.integer({ min: 500, max: 6_000 }),
  site: fc.option(fc.nat(), { nil: null, freq: 2 }),
  offer: fc.constantFrom(null, "free-first-year" as const),
});
type RawService = typeof rawServiceArbitrary extends fc.Arbitrary<infer T> ? T : never;

const ACTION_KINDS = [
  "verify-email",
  "set-auto-renew",
  "set-card",
  "reactivate",
  "pay-invoice",
  "cancel",
  "withdraw-cancellation",
  "request-transfer-out",
  "change-plan",
  "move-domain",
] as const;

/**
 * When an action happens: anywhere in the window, or a number of days around one of a service's
 * anniversaries (a domain's charge is 15 days before its expiry, grace follows it), with a jitter in
 * minutes so that it sometimes lands just before or just after a step.
 */
const rawTimingArbitrary = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("anywhere" as const),
      minutes: fc.nat({ max: 3 * 366 * 24 * 60 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("near-anniversary" as const),
      cycle: fc.nat({ max: 48 }),
      days: fc.integer({ min: -35, max: 75 }),
      minutes: fc.integer({ min: -180, max: 180 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("near-rule-instant" as const),
      cycle: fc.nat({ max: 48 }),
      point: fc.nat(),
      minutes: fc.oneof(
        fc.constantFrom(0, 1, -1, 60, -60, 24 * 60, -24 * 60),
        fc.integer({ min: -2 * 24 * 60, max: 2 * 24 * 60 }),
      ),
    }),
  },
);

/**
 * Days from a term end or an expiry at which the rules act with the default policies: renewal
 * notice and expiry warning, the auto-renew deadline, the charge and its retries, expiry, the end
 * of tucows' and squarespace's grace, gTLD redemption and pending delete; for subscriptions the
 * invoice, the due date, suspension and termination.
 */
const DOMAIN_POINTS = [-30, -16, -15, -10, -5, 0, 30, 31, 60, 61, 66];
const DOMAIN_POINTS_AFTER_EXPIRY = [0, 1, 30, 31, 60, 61];
const SUBSCRIPTION_POINTS = [-14, -1, 0, 3, 5, 6, 30, 31];

/** Weighted towards the actions that move a domain's or a subscription's lifecycle. */
const ACTION_WEIGHTS: Record<(typeof ACTION_KINDS)[number], number> = {
  "verify-email": 1,
  "set-auto-renew": 5,
  "set-card": 3,
  reactivate: 3,
  "pay-invoice": 2,
  cancel: 2,
  "withdraw-cancellation": 2,
  "request-transfer-out": 1,
  "change-plan": 1,
  "move-domain": 1,
};

const rawActionArbitrary = fc.record({
  do: fc.oneof(
    ...ACTION_KINDS.map((kind) => ({ weight: ACTION_WEIGHTS[kind], arbitrary: fc.constant(kind) })),
  ),
  timing: rawTimingArbitrary,
  service: fc.nat(),
  customer: fc.nat(),
  on: fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  card: cardArbitrary,
  when: fc.constantFrom("immediate" as const, "end-of-term" as const),
  stopDomains: fc.boolean(),
  plan: fc.constantFrom("monthly" as const, "yearly" as const),
  price: fc.option(fc.integer({ min: 100, max: 30_000 }), { nil: undefined }),
  site: fc.nat(),
  /** A second action at the very same instant (a double click, two tabs): its undo or a repeat. */
  twin: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
type RawAction = typeof rawActionArbitrary extends fc.Arbitrary<infer T> ? T : never;

function pick<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

function resolveServices(raw: RawService[], customers: ScenarioCustomer[], start: number): ScenarioService[] {
  const services: ScenarioService[] = [];
  raw.forEach((r, i) => {
    const customer = pick(customers, r.customer)!.id;
    const at = iso(start + r.startDays * DAY + r.hour * HOUR);
    if (r.kind !== "domain") {
      services.push({
        id: `${r.kind === "hosting" ? "site" : r.kind}${i + 1}`,
        customer,
        kind: r.kind,
        plan: r.plan,
        price: r.price,
        startedAt: at,
      });
    }
  });
  raw.forEach((r, i) => {
    if (r.kind !== "domain") return;
    const customer = pick(customers, r.customer)!.id;
    const sites = services.filter((s) => s.kind === "hosting" && s.customer === customer);
    services.push({
      id: `d${i + 1}`,
      customer,
      kind: "domain",
      name: `name${i + 1}.com`,
      registrar: r.registrar,
      registeredAt: iso(start + r.startDays * DAY + r.hour * HOUR),
      years: r.years,
      autoRenew: r.autoRenew,
      renewalPrice: r.renewalPrice,
      emailVerified: r.emailVerified,
      site: r.site === null ? null : (pick(sites, r.site)?.id ?? null),
      offer: r.offer,
    });
  });
  return services;
}

/** A service's registration or start, then each expiry or term end, over four years. */
function anniversariesOf(target: ScenarioService, expiriesOnly: boolean): number[] {
  const first = new Date(target.kind === "domain" ? target.registeredAt : target.startedAt);
  const all: number[] = [];
  const monthly = target.kind !== "domain" && target.plan === "monthly";
  for (let k = 0; k <= (monthly ? 48 : 4); k += 1) {
    const at = new Date(first);
    if (monthly) at.setUTCMonth(at.getUTCMonth() + k);
    else if (target.kind === "domain")
      at.setUTCFullYear(at.getUTCFullYear() + (k === 0 ? 0 : target.years + k - 1));
    else at.setUTCFullYear(at.getUTCFullYear() + k);
    if (k > 0 || !expiriesOnly) all.push(at.getTime());
  }
  return all;
}

/** The instant of an action: anywhere in the window, or near an anniversary of the service it targets. */
function actionInstant(
  timing: RawAction["timing"],
  target: ScenarioService,
  start: number,
  until: number,
  afterExpiry: boolean,
): number {
  let at: number;
  if (timing.kind === "anywhere") {
    at = start + (timing.minutes % Math.max(1, Math.floor((until - start) / MINUTE))) * MINUTE;
  } else {
    // One of the target's expiries (domains) or term ends (subscriptions) near the window, so that
    // the offsets below land where the rules act; registration and start count too.
    const anniversaries = anniversariesOf(target, afterExpiry).filter(
      (t) => t >= start - 70 * DAY && t <= until + 35 * DAY,
    );
    const anniversary = new Date(anniversaries[timing.cycle % Math.max(1, anniversaries.length)] ?? until);
    let days: number;
    if (timing.kind === "near-anniversary") {
      // A reactivation only means something after an expiry: within the longest grace.
      days = afterExpiry ? Math.abs(timing.days) % 66 : timing.days;
    } else {
      const points =
        target.kind !== "domain"
          ? SUBSCRIPTION_POINTS
          : afterExpiry
            ? DOMAIN_POINTS_AFTER_EXPIRY
            : DOMAIN_POINTS;
      days = points[timing.point % points.length]!;
    }
    at = anniversary.getTime() + days * DAY + timing.minutes * MINUTE;
  }
  return Math.min(until, Math.max(start, at));
}

type ActionBody = ScenarioAction extends infer A ? (A extends { at: string } ? Omit<A, "at"> : never) : never;

/** What the action does and the service its timing is taken from. */
function resolveBody(
  r: RawAction,
  services: ScenarioService[],
  customers: ScenarioCustomer[],
): { body: ActionBody; target: ScenarioService } {
  const domains = services.filter((s): s is ScenarioDomain => s.kind === "domain");
  const subscriptions = services.filter((s): s is ScenarioSubscription => s.kind !== "domain");
  const cardOf = (customer: string) => customers.find((c) => c.id === customer)?.card ?? "ok";
  const setCard = (): { body: ActionBody; target: ScenarioService } => {
    const customer = pick(customers, r.customer)!.id;
    const own = services.filter((s) => s.customer === customer);
    return {
      body: { do: "set-card", customer, card: r.card },
      target: pick(own, r.service) ?? pick(services, r.service)!,
    };
  };
  switch (r.do) {
    case "set-card":
      return setCard();
    case "pay-invoice": {
      const service = pick(services, r.service)!;
      return { body: { do: "pay-invoice", service: service.id }, target: service };
    }
    case "reactivate": {
      // Aimed at the domains likely to lapse: auto-renew off, or a card that keeps failing.
      const lapsing = domains.filter(
        (d) => !d.autoRenew || !["ok", "fails-1-then-ok", "fails-2-then-ok"].includes(cardOf(d.customer)),
      );
      const domain = pick(lapsing.length > 0 ? lapsing : domains, r.service);
      return domain ? { body: { do: r.do, service: domain.id }, target: domain } : setCard();
    }
    case "verify-email":
    case "request-transfer-out": {
      const domain = pick(domains, r.service);
      return domain ? { body: { do: r.do, service: domain.id }, target: domain } : setCard();
    }
    case "set-auto-renew": {
      const domain = pick(domains, r.service);
      return domain
        ? { body: { do: "set-auto-renew", service: domain.id, on: r.on }, target: domain }
        : setCard();
    }
    case "move-domain": {
      const domain = pick(domains, r.service);
      const sites = subscriptions.filter((s) => s.kind === "hosting" && s.customer === domain?.customer);
      const site = pick(sites, r.site);
      return domain && site
        ? { body: { do: "move-domain", service: domain.id, site: site.id }, target: domain }
        : setCard();
    }
    case "cancel": {
      const sub = pick(subscriptions, r.service);
      if (!sub) return setCard();
      const linked = domains.filter((d) => d.site === sub.id);
      const body: ActionBody = {
        do: "cancel",
        service: sub.id,
        when: r.when,
        reason: "no longer needed",
        stopDomainRenewal: r.stopDomains ? linked.map((d) => d.id) : [],
      };
      // Stopping a domain's renewal matters near that domain's dates, not the site's.
      return { body, target: r.stopDomains ? (pick(linked, r.site) ?? sub) : sub };
    }
    case "withdraw-cancellation": {
      const sub = pick(subscriptions, r.service);
      return sub ? { body: { do: "withdraw-cancellation", service: sub.id }, target: sub } : setCard();
    }
    case "change-plan": {
      const sub = pick(subscriptions, r.service);
      if (!sub) return setCard();
      return {
        body: {
          do: "change-plan",
          service: sub.id,
          plan: r.plan,
          ...(r.price !== undefined ? { price: r.price } : {}),
        },
        target: sub,
      };
    }
  }
}

function resolveAction(
  r: RawAction,
  services: ScenarioService[],
  customers: ScenarioCustomer[],
  start: number,
  until: number,
): ScenarioAction[] {
  const { body, target } = resolveBody(r, services, customers);
  // Nothing is done to a service before it exists (its start or registration instant).
  const referenced = [
    "service" in body ? body.service : null,
    "site" in body ? body.site : null,
    ...("stopDomainRenewal" in body ? body.stopDomainRenewal : []),
  ];
  const born = Math.max(
    start,
    ...services
      .filter((s) => referenced.includes(s.id))
      .map((s) => Date.parse(s.kind === "domain" ? s.registeredAt : s.startedAt)),
  );
  const at = Math.max(born, actionInstant(r.timing, target, start, until, r.do === "reactivate"));
  const action = { at: iso(at), ...body } as ScenarioAction;
  const actions = [action];
  if (r.twin) {
    const twin: ActionBody | null =
      body.do === "set-auto-renew"
        ? { ...body, on: !body.on }
        : body.do === "cancel"
          ? { do: "withdraw-cancellation", service: body.service }
          : body.do === "change-plan"
            ? {
                do: "change-plan",
                service: body.service,
                plan: body.plan === "monthly" ? "yearly" : "monthly",
              }
            : body.do === "pay-invoice" || body.do === "reactivate"
              ? body
              : null;
    if (twin) actions.push({ at: iso(at), ...twin } as ScenarioAction);
  }
  if (body.do !== "reactivate" || !(r.on || r.stopDomains)) return actions;
  // The usual journey: the owner of a lapsed domain puts a working card on file, then reactivates.
  const fixCard: ScenarioAction = {
    at: iso(Math.max(start, at - MINUTE)),
    do: "set-card",
    customer: target.customer,
    card: r.on ? "ok" : r.card,
  };
  return [fixCard, ...actions];
}

export const scenarioArbitrary: fc.Arbitrary<GeneratedScenario> = fc
  .record({
    /** Days after 2021-01-01: the window opens at a random midnight between 2021 and 2024. */
    startDay: fc.integer({ min: 0, max: 3 * 365 }),
    windowDays: fc.integer({ min: 365, max: 3 * 365 }),
    customers: fc.array(customerArbitrary, { minLength: 1, maxLength: 3 }),
    services: fc.array(rawServiceArbitrary, { minLength: 1, maxLength: 4 }),
    actions: fc.array(rawActionArbitrary, { maxLength: 15 }),
  })
  .map((raw) => {
    const start = Date.parse("2021-01-01T00:00:00Z") + raw.startDay * DAY;
    const until = start + raw.windowDays * DAY;
    const customers = raw.customers.map((c, i) => ({ id: `c${i + 1}`, ...c }));
    const services = resolveServices(raw.services, customers, start);
    const actions = raw.actions
      .flatMap((a) => resolveAction(a, services, customers, start, until))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return { start: iso(start), until: iso(until), customers, services, actions };
  });
