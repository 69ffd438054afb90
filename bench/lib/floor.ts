/**
 * The floor of the peak day: the row writes the engine makes for each peak service (claim, invoice
 * and its line, invoice notice, pending payment then succeeded, invoice paid, receipt notice, six
 * events, term renewed, next due instant), done with plain batched SQL and no logic, 1,000
 * services per transaction. The engine's speed over this one says what its logic costs.
 */
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { Database } from "../../src/db/schema.js";
import { termEnd } from "../../src/domain/subscription-lifecycle.js";
import { formatInstant, type Instant } from "../../src/domain/time.js";

const BATCH = 1000;
// Bodies as long as the rendered ones (about 300 characters of text, 1,700 of HTML).
const TEXT_BODY = "Your invoice is ready. ".repeat(13);
const HTML_BODY = `<p>${"Your invoice is ready. ".repeat(72)}</p>`;

interface PeakRow {
  service_id: string;
  customer_id: string;
  label: string;
  price: number;
  currency: string;
  anchor_at: number;
  terms_since_anchor: number;
  term_ends_at: number;
  email: string;
  locale: string;
}

/** `UPDATE … FROM (VALUES …)`, written so SQLite (3.33+) and PostgreSQL both accept it. */
function valuesTable(rows: RawBuilder<unknown>[], columns: string[]) {
  const named = columns.map((c, i) => sql.raw(`column${i + 1} AS ${c}`));
  return sql`(SELECT ${sql.join(named)} FROM (VALUES ${sql.join(rows)}) AS x) AS v`;
}

async function writeBatch(db: Kysely<Database>, batch: PeakRow[], now: Instant): Promise<void> {
  const ids = batch.map((r) => r.service_id);
  await db.transaction().execute(async (tx) => {
    await tx
      .updateTable("services")
      .set({ lease_owner: "floor", lease_until: now + 600_000 })
      .where("id", "in", ids)
      .execute();
    const invoices = await tx
      .insertInto("invoices")
      .values(
        batch.map((r) => ({
          customer_id: r.customer_id,
          issue_key: `renew:${r.service_id}:${formatInstant(r.term_ends_at)}:1`,
          service_id: r.service_id,
          purpose: "renewal",
          period_start_at: r.term_ends_at,
          currency: r.currency,
          total: r.price,
          amount_paid: 0,
          status: "open",
          issued_at: now,
          due_at: r.term_ends_at,
          paid_at: null,
          voided_at: null,
        })),
      )
      .returning(["id", "service_id"])
      .execute();
    const invoiceOf = new Map(invoices.map((i) => [i.service_id, i.id]));
    const nextTermEnd = batch.map((r) => termEnd(r.anchor_at, r.terms_since_anchor + 1, "monthly"));
    await tx
      .insertInto("invoice_lines")
      .values(
        batch.map((r, i) => ({
          invoice_id: invoiceOf.get(r.service_id)!,
          service_id: r.service_id,
          description: `${r.label} — monthly`,
          amount: r.price,
          period_start_at: r.term_ends_at,
          period_end_at: nextTermEnd[i]!,
        })),
      )
      .execute();
    const notice = (r: PeakRow, template: string, marker: string) => ({
      notice_key: `${template}@${marker}:${r.service_id}`,
      customer_id: r.customer_id,
      service_id: r.service_id,
      template,
      locale: r.locale,
      to_address: r.email,
      subject: `${r.label}: ${template}`,
      text_body: TEXT_BODY,
      html_body: HTML_BODY,
      status: "pending",
      attempts: 0,
      created_at: now,
      sent_at: null,
      last_error: null,
    });
    const issueKey = (r: PeakRow) => `renew:${r.service_id}:${formatInstant(r.term_ends_at)}:1`;
    await tx
      .insertInto("notices")
      .values(batch.map((r) => notice(r, "invoice-issued", issueKey(r))))
      .execute();
    const payments = await tx
      .insertInto("payments")
      .values(
        batch.map((r) => ({
          invoice_id: invoiceOf.get(r.service_id)!,
          customer_id: r.customer_id,
          attempt: 1,
          idempotency_key: `charge:${issueKey(r)}:1`,
          amount: r.price,
          currency: r.currency,
          status: "pending",
          gateway_ref: null,
          failure_code: null,
          created_at: now,
          resolved_at: null,
        })),
      )
      .returning("id")
      .execute();
    await tx
      .updateTable("payments")
      .set({ status: "succeeded", gateway_ref: "ch_floor", resolved_at: now })
      .where(
        "id",
        "in",
        payments.map((p) => p.id),
      )
      .execute();
    await tx
      .updateTable("invoices")
      .set((eb) => ({ amount_paid: eb.ref("total"), status: "paid", paid_at: now }))
      .where("id", "in", [...invoiceOf.values()])
      .execute();
    await tx
      .insertInto("notices")
      .values(batch.map((r) => notice(r, "payment-receipt", issueKey(r))))
      .execute();
    const event = (r: PeakRow, type: string) => ({
      at: now,
      type,
      customer_id: r.customer_id,
      service_id: r.service_id,
      details: JSON.stringify({ invoice: invoiceOf.get(r.service_id), amount: r.price }),
    });
    const types = [
      "invoice.issued",
      "notice.sent",
      "payment.succeeded",
      "invoice.paid",
      "notice.sent",
      "service.renewed",
    ];
    const events = batch.flatMap((r) => types.map((t) => event(r, t)));
    for (let i = 0; i < events.length; i += 4000) {
      await tx
        .insertInto("events")
        .values(events.slice(i, i + 4000))
        .execute();
    }
    await sql`UPDATE subscriptions SET term_ends_at = v.t, terms_since_anchor = v.n
      FROM ${valuesTable(
        batch.map(
          (r, i) =>
            sql`(${r.service_id}, CAST(${nextTermEnd[i]} AS bigint), CAST(${r.terms_since_anchor + 1} AS integer))`,
        ),
        ["id", "t", "n"],
      )}
      WHERE subscriptions.service_id = v.id`.execute(tx);
    await sql`UPDATE services SET next_due_at = v.t, lease_owner = NULL, lease_until = NULL
      FROM ${valuesTable(
        batch.map((r, i) => sql`(${r.service_id}, CAST(${nextTermEnd[i]} AS bigint))`),
        ["id", "t"],
      )}
      WHERE services.id = v.id`.execute(tx);
  });
}

/** Writes the peak day's rows for every service due by `now`; returns how many services. */
export async function runFloor(db: Kysely<Database>, now: Instant): Promise<number> {
  let after = "";
  let done = 0;
  for (;;) {
    const batch = await db
      .selectFrom("services")
      .innerJoin("subscriptions", "subscriptions.service_id", "services.id")
      .innerJoin("customers", "customers.id", "services.customer_id")
      .select([
        "subscriptions.service_id",
        "services.customer_id",
        "services.label",
        "subscriptions.price",
        "subscriptions.currency",
        "subscriptions.anchor_at",
        "subscriptions.terms_since_anchor",
        "subscriptions.term_ends_at",
        "customers.email",
        "customers.locale",
      ])
      .where("services.next_due_at", "<=", now)
      .where("services.id", ">", after)
      .orderBy("services.id")
      .limit(BATCH)
      .execute();
    if (batch.length === 0) return done;
    await writeBatch(db, batch, now);
    done += batch.length;
    after = batch.at(-1)!.service_id;
  }
}
