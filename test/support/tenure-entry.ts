/** The `tenure` command run from the sources (tsx), for tests that spawn it as a person would. */
import { main } from "../../src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
