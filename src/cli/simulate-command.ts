/** `tenure simulate SCENARIO.json [--format jsonl|table]`: exit 2 with the field named on bad input. */
import { readFile } from "node:fs/promises";
import { AppError } from "../domain/app-error.js";
import { AdvanceError } from "../engine/advance.js";
import { formatJsonLines, formatTable } from "../engine/simulate/format-events.js";
import {
  runSimulation,
  SimulationLimitError,
  type SimulationOptions,
} from "../engine/simulate/run-simulation.js";
import { describeScenarioIssues, scenarioSchema } from "../engine/simulate/scenario-schema.js";
import { type CommandIo, UsageError } from "./command-io.js";

export async function simulateCommand(
  file: string | undefined,
  format: string,
  io: CommandIo,
  /** Lower limits, for tests. */
  options: Pick<SimulationOptions, "limits"> = {},
): Promise<number> {
  if (!file) throw new UsageError("simulate needs a scenario file: tenure simulate SCENARIO.json");
  if (format !== "jsonl" && format !== "table")
    throw new UsageError(`--format must be jsonl or table (got "${format}")`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    io.err(`${file}: cannot read the scenario file\n`);
    return 2;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    io.err(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})\n`);
    return 2;
  }
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) {
    io.err(
      `${file}: invalid scenario\n${describeScenarioIssues(parsed.error)
        .map((l) => `  ${l}`)
        .join("\n")}\n`,
    );
    return 2;
  }
  try {
    const result = await runSimulation(parsed.data, options);
    io.out(format === "table" ? formatTable(result.events) : formatJsonLines(result.events));
    for (const refusal of result.refusals) io.err(`refused: ${refusal}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AppError && error.code === "INVALID_INPUT") {
      io.err(`${file}: invalid scenario\n  ${error.publicMessage.split("\n").join("\n  ")}\n`);
      return 2;
    }
    if (error instanceof SimulationLimitError) {
      io.err(`${file}: scenario too large: ${error.message}\n`);
      return 2;
    }
    if (error instanceof AdvanceError) {
      io.err(`simulation stopped: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
