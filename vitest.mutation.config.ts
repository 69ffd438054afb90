/**
 * The tests StrykerJS runs against each mutant (npm run test:mutation): the in-process suites that
 * exercise the money paths on SQLite. Left out: browser tests, spawned-process crash tests and CLI
 * tests (seconds per run, and they test the same code through a process boundary), benchmarks.
 */

import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files run fastest first. Vitest's own order is the slowest (or largest) first, so every mutant
 * paid for interrupted-runs (two tests, 24 s) before the second-long test that kills it; Stryker
 * stops at the first failing test, so cheap tests first make a killed mutant cheap.
 */
const SLOW_LAST = ["test/http/", "test/integration/interrupted-runs.test.ts"];
class FastFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const i = SLOW_LAST.findIndex((slow) => file.moduleId.includes(slow));
      return i === -1 ? -1 : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: [
      "test/unit/**/*.test.ts",
      "test/scenarios/**/*.test.ts",
      "test/integration/engine*.test.ts",
      "test/integration/money-in-flight.test.ts",
      "test/integration/unknown-outcomes.test.ts",
      "test/integration/interrupted-runs.test.ts",
      // The tests written to kill surviving mutants (docs/testing.md, triage).
      "test/integration/mutation-kills-*.test.ts",
      "test/http/billing.test.ts",
      "test/http/services.test.ts",
      "test/http/domains.test.ts",
    ],
    sequence: { sequencer: FastFirst },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
