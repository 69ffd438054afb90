/**
 * What an imported service must say to take its place in the engine without replaying the old
 * system's past (docs/import.md): its status and dates must agree at the import instant, so the
 * first run neither charges for a term that is over nor applies a step that already happened.
 */
import { domainSchedule, reactivationWindow } from "./domain-lifecycle.js";
import type { RegistrarPolicy } from "./policies.js";
import { addDays, formatInstant, type Instant } from "./time.js";

export interface ImportProblem {
  field: string;
  message: string;
}

const day = (at: Instant) => formatInstant(at).slice(0, 10);

export function subscriptionImportProblems(
  s: { status: string; startedAt: Instant; termEndsAt: Instant },
  now: Instant,
): ImportProblem[] {
  const problems: ImportProblem[] = [];
  if (s.termEndsAt <= s.startedAt)
    problems.push({ field: "term_ends_at", message: "must be after started_at" });
  else if ((s.status === "active" || s.status === "suspended") && s.termEndsAt <= now) {
    problems.push({
      field: "term_ends_at",
      message: `the paid term ended on ${day(s.termEndsAt)}, before the import: give the end of the term paid for, or import the service as terminated`,
    });
  }
  return problems;
}

export interface ImportedDomainFacts {
  status: string;
  registeredAt: Instant;
  expiresAt: Instant;
  emailVerified: boolean;
  offer: string | null;
}

export function domainImportProblems(
  d: ImportedDomainFacts,
  policy: RegistrarPolicy,
  legacyFreeRegisteredBefore: Instant,
  now: Instant,
): ImportProblem[] {
  const problems: ImportProblem[] = [];
  if (d.registeredAt > now) problems.push({ field: "registered_at", message: "is after the import instant" });
  if (d.expiresAt <= d.registeredAt) {
    problems.push({ field: "expires_at", message: "must be after registered_at" });
    return problems;
  }
  if (d.offer === "legacy-free" && d.registeredAt >= legacyFreeRegisteredBefore) {
    problems.push({
      field: "offer",
      message: `the legacy free offer only applies to domains registered before ${day(legacyFreeRegisteredBefore)}`,
    });
  }
  const schedule = domainSchedule(d.expiresAt, policy);
  switch (d.status) {
    case "active":
    case "suspended":
      if (d.expiresAt <= now) {
        problems.push({
          field: "expires_at",
          message: `expired on ${day(d.expiresAt)}, before the import: import it as expired (in grace) or redemption`,
        });
      }
      if (d.status === "suspended" && d.emailVerified) {
        problems.push({
          field: "status",
          message: "only a domain whose e-mail is not verified is suspended: import it as active",
        });
      }
      if (
        d.status === "active" &&
        !d.emailVerified &&
        policy.verificationDays > 0 &&
        addDays(d.registeredAt, policy.verificationDays) <= now
      ) {
        problems.push({
          field: "email_verified",
          message: `not verified and past its verification deadline (${day(addDays(d.registeredAt, policy.verificationDays))}): import it as suspended, or as verified`,
        });
      }
      break;
    case "expired":
      if (d.expiresAt > now)
        problems.push({ field: "status", message: "expired, but expires_at is after the import" });
      else if (reactivationWindow({ status: "expired", expiresAt: d.expiresAt }, policy, now) === null) {
        problems.push({
          field: "status",
          message: `its grace ended on ${day(schedule.graceEndsAt)}: import it as ${policy.redemption ? "redemption or " : ""}released`,
        });
      }
      break;
    case "redemption":
      if (policy.redemption === null) {
        problems.push({ field: "status", message: "this registrar has no redemption period" });
      } else if (
        now < (schedule.redemptionStartsAt ?? schedule.releaseAt) ||
        reactivationWindow({ status: "redemption", expiresAt: d.expiresAt }, policy, now) === null
      ) {
        problems.push({
          field: "status",
          message: `not in redemption at the import instant (redemption from ${day(schedule.redemptionStartsAt ?? schedule.releaseAt)} until ${day(schedule.pendingDeleteStartsAt ?? schedule.releaseAt)})`,
        });
      }
      break;
  }
  return problems;
}
