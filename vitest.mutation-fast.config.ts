/**
 * The suites StrykerJS ran against the mutants of src/modules/invoices/, src/modules/payments/ and
 * the engine's charge and renewal steps for docs/testing.md: vitest.mutation.config.ts without
 * interrupted-runs (two tests, 24 s) and the three HTTP suites (24 s). On the shared two-core
 * machine a surviving mutant ran every covering test, a minute or more each; these suites reach
 * the same code through the calls the scenario and integration suites make. The scores are a
 * lower bound: a mutant only the left-out suites kill counts as survived. For example:
 *   npx stryker run --mutate "src/modules/payments/**\/*.ts" --vitest.configFile vitest.mutation-fast.config.ts
 */
import base from "./vitest.mutation.config.js";

export default {
  ...base,
  test: {
    ...base.test,
    include: [
      "test/unit/**/*.test.ts",
      "test/scenarios/**/*.test.ts",
      "test/integration/engine*.test.ts",
      "test/integration/money-in-flight.test.ts",
      "test/integration/unknown-outcomes.test.ts",
      "test/integration/mutation-kills-*.test.ts",
    ],
  },
};
