/**
 * Notices go through the outbox: written with the change that causes them, then delivered over
 * real SMTP, once. A server that refuses keeps them in the outbox for the next pass.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_SELLER } from "../../src/domain/seller.js";
import { runEngine } from "../../src/engine/run-engine.js";
import { deliverPendingNotices } from "../../src/modules/notifications/deliver-notices.js";
import { SmtpMailer } from "../../src/providers/mailer/smtp-mailer.js";
import { renderNotice } from "../../src/views/notices/render-notice.js";
import { at, createFixture, type Fixture } from "../support/engine-fixture.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";
import { DIALECTS } from "../support/stores.js";

describe.each(DIALECTS)("notice delivery over SMTP (%s)", (dialect) => {
  let f: Fixture;
  let smtp: TestSmtpServer;
  let mailer: SmtpMailer;
  beforeEach(async () => {
    f = await createFixture(dialect);
    smtp = await startSmtpServer();
    mailer = new SmtpMailer(smtp.url, "Facturation <billing@host.example>");
  });
  afterEach(async () => {
    await mailer.close();
    await smtp.close();
    await f.dispose();
  });

  it("the renewal notice reaches the customer in French, once, 15 days before the charge", async () => {
    await f.addCustomer("c1", "ok", "fr-CA");
    await f.addDomain("d1", "c1", "boulangerie.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-03-16T14:00:00Z"));
    const first = await deliverPendingNotices(f.deps.db, mailer, at("2022-03-16T14:01:00Z"));
    const second = await deliverPendingNotices(f.deps.db, mailer, at("2022-03-16T14:02:00Z"));
    expect(first).toEqual({ sent: 1, failed: 0 });
    expect(second).toEqual({ sent: 0, failed: 0 });
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : "").toBe("c1@example.test");
    expect(mail.from?.text).toContain("billing@host.example");
    expect(mail.subject).toContain("boulangerie.example");
    expect(mail.text).toContain("31 mars 2022");
    expect(mail.html).toContain('lang="fr-CA"');
    const notice = await f.deps.db.selectFrom("notices").selectAll().executeTakeFirstOrThrow();
    expect(notice.status).toBe("sent");
    expect(notice.sent_at).toBe(at("2022-03-16T14:01:00Z"));
  });

  it("a refusing server leaves the notice in the outbox, and the next pass delivers it", async () => {
    await f.addCustomer("c1", "ok", "en");
    await f.addDomain("d1", "c1", "bakery.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-03-16T14:00:00Z"));
    smtp.refuseAll = true;
    expect(await deliverPendingNotices(f.deps.db, mailer, at("2022-03-16T14:01:00Z"))).toEqual({
      sent: 0,
      failed: 1,
    });
    const waiting = await f.deps.db.selectFrom("notices").selectAll().executeTakeFirstOrThrow();
    expect(waiting).toEqual(expect.objectContaining({ status: "pending", attempts: 1 }));
    expect(waiting.last_error).toContain("try again later");
    smtp.refuseAll = false;
    expect(await deliverPendingNotices(f.deps.db, mailer, at("2022-03-16T14:05:00Z"))).toEqual({
      sent: 1,
      failed: 0,
    });
    expect(smtp.messages.map((m) => m.subject)).toEqual([expect.stringContaining("bakery.example")]);
  });

  it("gives up after the last attempt and marks the notice failed, visible to staff", async () => {
    await f.addCustomer("c1", "ok", "en");
    await f.addDomain("d1", "c1", "bakery.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-03-16T14:00:00Z"));
    smtp.refuseAll = true;
    for (let i = 0; i < 3; i += 1) {
      await deliverPendingNotices(f.deps.db, mailer, at("2022-03-16T15:00:00Z"), { maxAttempts: 3 });
    }
    const notice = await f.deps.db.selectFrom("notices").selectAll().executeTakeFirstOrThrow();
    expect(notice).toEqual(expect.objectContaining({ status: "failed", attempts: 3 }));
    expect(
      await deliverPendingNotices(f.deps.db, mailer, at("2022-03-16T16:00:00Z"), { maxAttempts: 3 }),
    ).toEqual({
      sent: 0,
      failed: 0,
    });
  });

  it("the outbox row is template + params; delivered later, it says what was decided when it was queued (issue 14)", async () => {
    await f.addCustomer("c1", "ok", "fr-CA");
    await f.addDomain("d1", "c1", "boulangerie.example", "2021-04-15T14:00:00Z");
    await runEngine(f.deps, at("2022-03-16T14:00:00Z"));
    const row = await f.deps.db.selectFrom("notices").selectAll().executeTakeFirstOrThrow();
    expect(row).toEqual(
      expect.objectContaining({
        template: "renewal-upcoming",
        locale: "fr-CA",
        subject: null,
        text_body: null,
      }),
    );
    expect(row.html_body).toBeNull();
    const params = JSON.parse(row.params ?? "null");
    expect(params).toEqual({
      customerName: "c1",
      timeZone: "UTC",
      subject: "boulangerie.example",
      chargeAt: at("2022-03-31T14:00:00Z"),
      expiresAt: at("2022-04-15T14:00:00Z"),
      autoRenewDeadline: at("2022-03-30T14:00:00Z"),
      price: { amount: 2000, currency: "USD" },
      cardLabel: expect.any(String),
    });
    // What it would have said if rendered at once, with the facts of that moment.
    const decided = renderNotice("renewal-upcoming", "fr-CA", params, { seller: DEMO_SELLER });

    // Then everything the renderer could read changes: the customer is renamed and switches to
    // English and another zone, the domain is renamed, the registrar's policy and the price change.
    await f.deps.db
      .updateTable("customers")
      .set({ name: "Someone else", locale: "en", time_zone: "Pacific/Auckland", card_label: "Amex 0005" })
      .execute();
    await f.deps.db.updateTable("domains").set({ name: "renamed.example", recorded_price: 9900 }).execute();
    await f.deps.db.updateTable("tld_prices").set({ renew_amount: 9900 }).execute();
    const registrar = f.deps.policies.registrars["squarespace-domains"];
    if (registrar) registrar.chargeLeadDays = 3;

    expect(
      await deliverPendingNotices(f.deps.db, mailer, at("2022-03-17T09:00:00Z"), { seller: DEMO_SELLER }),
    ).toEqual({
      sent: 1,
      failed: 0,
    });
    const mail = smtp.messages[0]!;
    expect(mail.subject).toBe(decided.subject);
    expect(mail.text?.replace(/\r\n/g, "\n")).toBe(decided.text);
    expect(mail.html).toBe(decided.html);
    expect(mail.text).toContain("c1");
    expect(mail.text).toContain("31 mars 2022");
    expect(mail.text).not.toContain("renamed.example");
    expect(mail.text).not.toContain("Someone else");
    expect(mail.text).toContain("TPS/GST 812345678 RT0001");
  });

  it("a row written before migration 0010 (rendered text, no params) is delivered as it was stored", async () => {
    await f.addCustomer("c1", "ok", "en");
    await f.deps.db
      .insertInto("notices")
      .values({
        notice_key: "invoice-issued@old:-",
        customer_id: "c1",
        service_id: null,
        template: "invoice-issued",
        locale: "en",
        to_address: "c1@example.test",
        subject: "Invoice #3 for Hosting",
        text_body: "Hello c1,\n\nThe old text.\n",
        html_body: "<p>The old text.</p>",
        status: "pending",
        attempts: 0,
        created_at: at("2022-01-01"),
        sent_at: null,
        last_error: null,
      })
      .execute();
    expect(await deliverPendingNotices(f.deps.db, mailer, at("2022-03-17T09:00:00Z"))).toEqual({
      sent: 1,
      failed: 0,
    });
    expect(smtp.messages[0]?.subject).toBe("Invoice #3 for Hosting");
    expect(smtp.messages[0]?.text).toContain("The old text.");
  });
});
