#!/usr/bin/env node
// Runs the compiled CLI (built by `npm ci` through the `prepare` script, or `npm run build`).
import { existsSync } from "node:fs";

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("tenure: not built yet; run `npm run build` (npm ci does it for you)\n");
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
