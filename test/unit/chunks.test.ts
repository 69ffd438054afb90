/** Reads split into IN lists under the databases' parameter caps, and nothing lost at the edges. */
import { describe, expect, it } from "vitest";
import { chunks, KEYS_PER_STATEMENT, readInChunks } from "../../src/db/chunks.js";

describe("chunks and readInChunks", () => {
  it("splits keys into lists of at most the size, in order, the last one shorter", () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });

  it("reads once per list of keys and returns every row", async () => {
    const keys = Array.from({ length: KEYS_PER_STATEMENT * 2 + 1 }, (_, i) => i);
    const lists: number[] = [];
    const rows = await readInChunks(keys, async (list) => {
      lists.push(list.length);
      return list.map((k) => k * 10);
    });
    expect(lists).toEqual([KEYS_PER_STATEMENT, KEYS_PER_STATEMENT, 1]);
    expect(rows).toEqual(keys.map((k) => k * 10));
    expect(await readInChunks([], async () => [1])).toEqual([]);
  });
});
