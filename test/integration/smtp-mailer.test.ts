/** The SMTP adapter against a real SMTP server: envelope, encoded French subject, text and HTML parts. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmtpMailer, SmtpMailer } from "../../src/providers/mailer/smtp-mailer.js";
import { renderNotice } from "../../src/views/notices/render-notice.js";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp.js";

describe("SmtpMailer", () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it("sends a rendered French notice with text and HTML parts", async () => {
    const notice = renderNotice("payment-failed", "fr-CA", {
      customerName: "Élodie Côté",
      timeZone: "America/Toronto",
      subject: "exemple.com",
      invoiceNumber: 1042,
      amount: { amount: 2000, currency: "USD" },
      attempt: 1,
      reason: "insufficient-funds",
      nextAttemptAt: Date.UTC(2022, 3, 5, 12),
    });
    const mailer = new SmtpMailer(smtp.url, "Facturation <facturation@tenure.test>");
    try {
      await mailer.send({ to: "elodie@example.com", ...notice });
    } finally {
      await mailer.close();
    }
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : "").toBe("elodie@example.com");
    expect(mail.from?.value[0]).toEqual({ address: "facturation@tenure.test", name: "Facturation" });
    expect(mail.subject).toBe("Échec du paiement de la facture nº\u00a01042 (exemple.com)");
    expect(mail.text).toContain("Bonjour Élodie Côté,");
    expect(mail.text).toContain("20,00\u00a0$\u00a0US");
    expect(mail.text).toContain("Nous effectuerons une nouvelle tentative le 5 avril 2022.");
    expect(mail.html).toContain('<html lang="fr-CA">');
    expect(mail.html).toContain("les fonds sont insuffisants");
  });

  it("is not configured without a URL", async () => {
    expect(createSmtpMailer(undefined, "a@b.test")).toBeNull();
    expect(createSmtpMailer("", "a@b.test")).toBeNull();
    const mailer = createSmtpMailer(smtp.url, "a@b.test");
    expect(mailer).toBeInstanceOf(SmtpMailer);
    await mailer?.close?.();
  });
});
