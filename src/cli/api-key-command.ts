/**
 * `tenure api-key create --name NAME --scopes read,billing,domains,services [--customer ID]`,
 * `tenure api-key list`, `tenure api-key revoke ID`: one line of JSON per result (docs/api.md);
 * the key itself is printed once, by `create`. Exit 2 for a mistake in the call.
 */
import type { Instant } from "../domain/time.js";
import {
  API_SCOPES,
  createApiKey,
  listApiKeys,
  newApiKeySchema,
  revokeApiKey,
} from "../modules/api-keys/api-keys.js";
import type { Deps } from "../modules/deps.js";
import { type CommandIo, InputError, UsageError } from "./command-io.js";

export const API_KEY_USAGE = `tenure api-key create --name NAME --scopes ${API_SCOPES.join(",")} [--customer ID]
tenure api-key list
tenure api-key revoke ID`;

export interface ApiKeyArgs {
  name?: string;
  scopes?: string;
  customer?: string;
}

function scopesOf(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Checks the call before any database is opened. */
export function checkApiKeyCall(rest: string[], args: ApiKeyArgs): void {
  const [action, id] = rest;
  if (action === "list") return;
  if (action === "revoke") {
    if (!id) throw new UsageError(`api-key revoke: the key's id is missing\n${API_KEY_USAGE}`);
    return;
  }
  if (action !== "create") throw new UsageError(`api-key: expected create, list or revoke\n${API_KEY_USAGE}`);
  const parsed = newApiKeySchema.safeParse({
    name: args.name ?? "",
    scopes: scopesOf(args.scopes),
    customerId: args.customer ?? null,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    if (field === "scopes")
      throw new InputError(
        `api-key create: --scopes is a comma-separated list of ${API_SCOPES.join(", ")} (got "${args.scopes ?? ""}")`,
      );
    if (field === "name") throw new InputError("api-key create: --name NAME is required");
    throw new InputError(`api-key create: ${field || "input"}: ${issue?.message ?? "invalid"}`);
  }
}

export async function apiKeyCommand(
  deps: Deps,
  rest: string[],
  args: ApiKeyArgs,
  now: Instant,
  io: CommandIo,
): Promise<number> {
  checkApiKeyCall(rest, args);
  const [action, id = ""] = rest;
  if (action === "list") {
    for (const key of await listApiKeys(deps.db)) {
      io.out(
        `${JSON.stringify({
          id: key.id,
          name: key.name,
          prefix: key.prefix,
          scopes: key.scopes,
          customer: key.customerId,
          lastUsedAt: key.lastUsedAt === null ? null : new Date(key.lastUsedAt).toISOString(),
          revoked: key.revokedAt !== null,
        })}\n`,
      );
    }
    return 0;
  }
  if (action === "revoke") {
    if (!(await revokeApiKey(deps.db, id, now)))
      throw new InputError(`api-key revoke: no live key with the id ${id}`);
    io.out(`${JSON.stringify({ id, revoked: true })}\n`);
    return 0;
  }
  const { key, record } = await createApiKey(
    deps.db,
    {
      name: args.name ?? "",
      scopes: scopesOf(args.scopes) as (typeof API_SCOPES)[number][],
      customerId: args.customer ?? null,
      createdBy: "cli",
    },
    now,
  );
  io.out(
    `${JSON.stringify({ id: record.id, name: record.name, scopes: record.scopes, customer: record.customerId, key })}\n`,
  );
  return 0;
}
