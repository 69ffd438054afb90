/** Splits rows for multi-row statements, which both databases cap by their number of parameters. */
export function chunks<T>(rows: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < rows.length; i += size) result.push(rows.slice(i, i + size));
  return result;
}

/** Keys per IN list (reads and updates): well under SQLite's and PostgreSQL's caps on parameters per statement. */
export const KEYS_PER_STATEMENT = 500;

/** Runs `read` once per chunk of `keys` (an IN list each) and returns all the rows. */
export async function readInChunks<K, R>(keys: K[], read: (chunk: K[]) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = [];
  for (const chunk of chunks(keys, KEYS_PER_STATEMENT)) rows.push(...(await read(chunk)));
  return rows;
}
