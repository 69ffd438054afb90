/**
 * The page string catalogs, one file per area, each with an `en` catalog and a `frCA` catalog of
 * the same type: a key missing in one language fails the typecheck. Pages read `m.area.key`.
 */
import { withFrenchTypography } from "../format.js";
import type { Locale } from "../notices/notice-types.js";
import * as admin from "./admin.js";
import * as adminApi from "./admin-api.js";
import * as adminAudit from "./admin-audit.js";
import * as adminAutomation from "./admin-automation.js";
import * as adminCancellations from "./admin-cancellations.js";
import * as adminCustomers from "./admin-customers.js";
import * as adminDomains from "./admin-domains.js";
import * as adminDrift from "./admin-drift.js";
import * as adminOverview from "./admin-overview.js";
import * as adminPolicies from "./admin-policies.js";
import * as adminPreview from "./admin-preview.js";
import * as adminReports from "./admin-reports.js";
import * as adminRequests from "./admin-requests.js";
import * as adminStaff from "./admin-staff.js";
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
  admin: admin.en,
  adminOverview: adminOverview.en,
  adminCustomers: adminCustomers.en,
  adminCancellations: adminCancellations.en,
  adminRequests: adminRequests.en,
  adminDrift: adminDrift.en,
  adminAutomation: adminAutomation.en,
  adminPreview: adminPreview.en,
  adminReports: adminReports.en,
  adminPolicies: adminPolicies.en,
  adminDomains: adminDomains.en,
  adminAudit: adminAudit.en,
  adminStaff: adminStaff.en,
  adminApi: adminApi.en,
};

export type Messages = typeof en;

const catalogs: Record<Locale, Messages> = {
  en,
  // French typography (no-break spaces before : ; ! ?, inside « », one mark nº) on every string.
  "fr-CA": withFrenchTypography({
    common: common.frCA,
    auth: auth.frCA,
    services: services.frCA,
    domains: domains.frCA,
    billing: billing.frCA,
    tickets: tickets.frCA,
    admin: admin.frCA,
    adminOverview: adminOverview.frCA,
    adminCustomers: adminCustomers.frCA,
    adminCancellations: adminCancellations.frCA,
    adminRequests: adminRequests.frCA,
    adminAutomation: adminAutomation.frCA,
    adminDrift: adminDrift.frCA,
    adminPreview: adminPreview.frCA,
    adminReports: adminReports.frCA,
    adminPolicies: adminPolicies.frCA,
    adminDomains: adminDomains.frCA,
    adminAudit: adminAudit.frCA,
    adminStaff: adminStaff.frCA,
    adminApi: adminApi.frCA,
  }),
};

export function messagesFor(locale: Locale): Messages {
  return catalogs[locale];
}

export function toLocale(value: string | undefined | null): Locale {
  return value === "fr-CA" ? "fr-CA" : "en";
}
