/** Runs a scenario, as `tenure simulate` does, on a store of the given dialect; returns wire events. */

import { toWireEvent } from "../../src/engine/simulate/format-events.js";
import { runSimulation, type SimulationResult } from "../../src/engine/simulate/run-simulation.js";
import { scenarioSchema } from "../../src/engine/simulate/scenario-schema.js";
import { createTestStore, type TestDialect } from "./stores.js";

export type WireEvent = Record<string, unknown> & { at: string; type: string; service?: string };

export async function simulate(
  dialect: TestDialect,
  scenario: unknown,
): Promise<{ events: WireEvent[]; refusals: string[]; result: SimulationResult }> {
  const store = await createTestStore(dialect);
  try {
    const result = await runSimulation(scenarioSchema.parse(scenario), { store });
    return {
      events: result.events.map((e) => toWireEvent(e) as WireEvent),
      refusals: result.refusals,
      result,
    };
  } finally {
    await store.dispose();
  }
}

/** Events of one type (and service), as `YYYY-MM-DD` dates: the way a story is told. */
export function datesOf(events: WireEvent[], type: string, service?: string): string[] {
  return events
    .filter((e) => e.type === type && (service === undefined || e.service === service))
    .map((e) => e.at.slice(0, 10));
}

export function noticesOf(events: WireEvent[], service?: string): string[] {
  return events
    .filter((e) => e.type === "notice.sent" && (service === undefined || e.service === service))
    .map((e) => `${e.at.slice(0, 10)} ${String(e.template)}`);
}
