/**
 * Formatting for staff pages: instants in UTC, spelled the same in both languages
 * ("2026-12-02 14:05 UTC"), since staff compare them with logs, the engine's runs and each other.
 */
import type { Instant } from "../../domain/time.js";

export function staffInstant(at: Instant | null | undefined): string {
  if (at === null || at === undefined) return "—";
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function staffDate(at: Instant | null | undefined): string {
  if (at === null || at === undefined) return "—";
  return new Date(at).toISOString().slice(0, 10);
}
