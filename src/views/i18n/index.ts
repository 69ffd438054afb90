/**
 * The page string catalogs, one file per area, each with an `en` catalog and a `frCA` catalog of
 * the same type: a key missing in one language fails the typecheck. Pages read `m.area.key`.
 */
import type { Locale } from "../notices/notice-types.js";
import * as auth from "./auth.js";
import * as billing from "./billing.js";
import * as common from "./common.js";
import * as domains from "./domains.js";
import * as services from "./services.js";
import * as tickets from "./tickets.js";

const en = {
  common: common.en,
  auth: auth.en,
  services: services.en,
  domains: domains.en,
  billing: billing.en,
  tickets: tickets.en,
};

export type Messages = typeof en;

const catalogs: Record<Locale, Messages> = {
  en,
  "fr-CA": {
    common: common.frCA,
    auth: auth.frCA,
    services: services.frCA,
    domains: domains.frCA,
    billing: billing.frCA,
    tickets: tickets.frCA,
  },
};

export function messagesFor(locale: Locale): Messages {
  return catalogs[locale];
}

export function toLocale(value: string | undefined | null): Locale {
  return value === "fr-CA" ? "fr-CA" : "en";
}
