import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // PostgreSQL tests each get their own schema, so files may run in parallel.
    pool: "forks",
  },
});
