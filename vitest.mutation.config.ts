/**
 * The tests StrykerJS runs against each mutant (npm run test:mutation): the in-process suites that
 * exercise the money paths on SQLite. Left out: browser tests, spawned-process crash tests and CLI
 * tests (seconds per run, and they test the same code through a process boundary), benchmarks.
 */
import { defineConfig } from "vitest/config";

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
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
