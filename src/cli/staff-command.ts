/**
 * `tenure staff add EMAIL --role admin|billing|support [--name NAME]`, `tenure staff list`,
 * `tenure staff disable EMAIL`: one line of JSON per result, exit 2 for a mistake in the call.
 */
import { STAFF_ROLES } from "../domain/staff-roles.js";
import type { Instant } from "../domain/time.js";
import type { Deps } from "../modules/deps.js";
import { addStaff, disableStaff, listStaff, newStaffSchema } from "../modules/staff/staff-repository.js";
import { type CommandIo, InputError, UsageError } from "./command-io.js";

export const STAFF_USAGE = `tenure staff add EMAIL --role ${STAFF_ROLES.join("|")} [--name NAME]
tenure staff list
tenure staff disable EMAIL`;

export interface StaffArgs {
  role?: string;
  name?: string;
}

/** Checks the call before any database is opened: a bad role or address is exit 2 at once. */
export function checkStaffCall(rest: string[], args: StaffArgs): void {
  const [action, email] = rest;
  if (action === "list") return;
  if (action !== "add" && action !== "disable")
    throw new UsageError(`staff: expected add, list or disable\n${STAFF_USAGE}`);
  if (!email) throw new UsageError(`staff ${action}: the staff member's e-mail is missing\n${STAFF_USAGE}`);
  if (action === "disable") return;
  const parsed = newStaffSchema.safeParse({
    email,
    role: args.role,
    ...(args.name ? { name: args.name } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "");
    if (field === "role")
      throw new InputError(
        `staff add: --role must be one of ${STAFF_ROLES.join(", ")} (got "${args.role ?? ""}")`,
      );
    if (field === "email") throw new InputError(`staff add: "${email}" is not a valid e-mail address`);
    throw new InputError(`staff add: ${field || "input"}: ${issue?.message ?? "invalid"}`);
  }
}

export async function staffCommand(
  deps: Deps,
  rest: string[],
  args: StaffArgs,
  now: Instant,
  io: CommandIo,
): Promise<number> {
  checkStaffCall(rest, args);
  const [action, email = ""] = rest;
  if (action === "list") {
    for (const staff of await listStaff(deps.db)) {
      io.out(
        `${JSON.stringify({
          email: staff.email,
          name: staff.name,
          role: staff.role,
          totp: staff.totpEnabled,
          disabled: staff.disabledAt !== null,
          lastSignInAt: staff.lastSignInAt === null ? null : new Date(staff.lastSignInAt).toISOString(),
        })}\n`,
      );
    }
    return 0;
  }
  if (action === "disable") {
    const disabled = await disableStaff(deps.db, email, now);
    if (!disabled) throw new InputError(`staff disable: no active staff member with the e-mail ${email}`);
    io.out(`${JSON.stringify({ email: disabled.email, role: disabled.role, disabled: true })}\n`);
    return 0;
  }
  const input = newStaffSchema.parse({ email, role: args.role, ...(args.name ? { name: args.name } : {}) });
  const existing = await listStaff(deps.db);
  if (existing.some((s) => s.email === input.email.toLowerCase()))
    throw new InputError(
      `staff add: a staff member with the e-mail ${input.email.toLowerCase()} already exists`,
    );
  const { staff, oneTimePassword } = await addStaff(deps.db, input, now);
  io.out(`${JSON.stringify({ email: staff.email, name: staff.name, role: staff.role, oneTimePassword })}\n`);
  return 0;
}
