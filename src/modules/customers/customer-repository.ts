/** Customers: who they are, their language, currency, time zone and card on file. */
import { z } from "zod";
import { AppError } from "../../domain/app-error.js";
import { type Instant, isValidTimeZone } from "../../domain/time.js";
import { LOCALES } from "../../views/notices/notice-types.js";
import type { Db, Deps, Tx } from "../deps.js";

export const newCustomerSchema = z.strictObject({
  id: z.string().min(1).max(64),
  email: z.email(),
  name: z.string().min(1).max(200),
  locale: z.enum(LOCALES),
  currency: z.string().regex(/^[A-Z]{3}$/),
  timeZone: z.string().refine(isValidTimeZone, "unknown time zone"),
});
export type NewCustomer = z.infer<typeof newCustomerSchema>;

export interface CustomerRecord extends NewCustomer {
  cardLabel: string | null;
  hasCard: boolean;
}

export async function createCustomer(db: Db | Tx, customer: NewCustomer, at: Instant): Promise<void> {
  await db
    .insertInto("customers")
    .values({
      id: customer.id,
      email: customer.email,
      name: customer.name,
      locale: customer.locale,
      currency: customer.currency,
      time_zone: customer.timeZone,
      card_token: null,
      card_label: null,
      created_at: at,
    })
    .execute();
}

export async function findCustomer(db: Db | Tx, id: string): Promise<CustomerRecord | null> {
  const row = await db.selectFrom("customers").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    locale: row.locale === "fr-CA" ? "fr-CA" : "en",
    currency: row.currency,
    timeZone: row.time_zone,
    cardLabel: row.card_label,
    hasCard: row.card_token !== null,
  };
}

/** Replaces the card on file through the gateway (`none` removes it). */
export async function setCard(
  deps: Deps,
  customerId: string,
  card: string,
): Promise<{ label: string | null }> {
  const customer = await findCustomer(deps.db, customerId);
  if (!customer) throw new AppError("NOT_FOUND", "Customer not found.");
  if (card === "none") {
    await deps.db
      .updateTable("customers")
      .set({ card_token: null, card_label: null })
      .where("id", "=", customerId)
      .execute();
    return { label: null };
  }
  const saved = await deps.gateway.saveCard(customerId, card);
  await deps.db
    .updateTable("customers")
    .set({ card_token: saved.token, card_label: saved.label })
    .where("id", "=", customerId)
    .execute();
  return { label: saved.label };
}
