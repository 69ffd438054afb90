/**
 * Notices go through the outbox: written with the change that causes them, then delivered over
 * real SMTP, once. A server that refuses keeps them in the outbox for the next pass.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runEngine } from "../../src/engine/run-engine.js";
import { deliverPendingNotices } from "../../src/modules/notifications/deliver-notices.js";
import { SmtpMailer } from "../../src/providers/mailer/smtp-mailer.js";
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
});
