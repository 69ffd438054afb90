/**
 * Time travel: runs the engine at every instant at which some service has work due (or an outside
 * happening is scheduled), from `from` to `until`, so each step happens exactly at its instant.
 * The simulator and the demo data use it; production runs the worker on the real clock instead.
 */
import type { Instant } from "../domain/time.js";
import { formatInstant } from "../domain/time.js";
import type { Deps } from "../modules/deps.js";
import { type RunOptions, runEngine } from "./run-engine.js";

export async function nextDueAt(deps: Deps): Promise<Instant | null> {
  const row = await deps.db
    .selectFrom("services")
    .select((eb) => eb.fn.min("next_due_at").as("at"))
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}

export interface Happenings {
  /** The next instant at which something outside the engine happens (a scripted action). */
  nextAt(): Instant | null;
  /** Applies what happens at `at`, after the engine ran there. */
  applyAt(at: Instant): Promise<void>;
}

/**
 * A run that fails while advancing time is a defect or an impossible policy: stop and say so.
 * (A gateway that loses an answer, test card `lost-answer-N`, is not: that is retried.)
 */
export class AdvanceError extends Error {}

export async function advanceTo(
  deps: Deps,
  from: Instant,
  until: Instant,
  happenings?: Happenings,
  options: Pick<RunOptions, "record"> = {},
): Promise<void> {
  for (;;) {
    const candidates = [await nextDueAt(deps), happenings?.nextAt() ?? null].filter(
      (t): t is number => t !== null,
    );
    if (candidates.length === 0) return;
    const at = Math.max(from, Math.min(...candidates));
    if (at > until) return;
    const report = await runEngine(deps, at, { worker: "advance", ...options });
    // A gateway that did not answer is retried by the next run (its back-off), as in production.
    const failure = report.failures.find((f) => !f.awaitsGateway);
    if (failure) {
      throw new AdvanceError(
        `${formatInstant(at)}: ${failure.service} failed at step ${failure.step}: ${failure.error}`,
      );
    }
    await happenings?.applyAt(at);
  }
}
