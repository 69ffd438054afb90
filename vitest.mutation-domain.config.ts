/**
 * The fast suites StrykerJS runs against the mutants of src/domain/ (pure functions): the unit
 * tests and the in-memory scenarios. The integration and HTTP suites also reach src/domain/, but
 * every one of them calls money and time helpers, so with them each domain mutant ran the whole
 * slow set. Used only for the src/domain/ row of docs/testing.md:
 *   npx stryker run --mutate "src/domain/**\/*.ts" --vitest.configFile vitest.mutation-domain.config.ts
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/scenarios/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
