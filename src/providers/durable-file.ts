/**
 * A small JSON state file written atomically (temp file + rename), for the test adapters that must
 * keep their state across restarts the way a real gateway or registry does.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export class DurableFile<T> {
  constructor(
    private readonly path: string,
    private readonly empty: () => T,
  ) {}

  load(): T {
    if (!existsSync(this.path)) return this.empty();
    return JSON.parse(readFileSync(this.path, "utf8")) as T;
  }

  save(state: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(state));
    renameSync(temp, this.path);
  }
}
