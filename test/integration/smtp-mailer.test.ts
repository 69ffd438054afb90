import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmtpMailer, SmtpMailer } from "../../src/providers/mailer/smtp-mailer.js";
import { renderNotice } from "../../src/views/notices/render-notice.js";

interface Received {
  from: string | null;
  to: string[];
  raw: string;
}

/** Headers are folded over several lines; a continuation line starts with white space. */
function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

function decodeQuotedPrintable(text: string, underscoreIsSpace: boolean): Buffer {
  const soft = text.replace(/=\r?\n/g, "");
  const spaced = underscoreIsSpace ? soft.replace(/_/g, " ") : soft;
  const bytes: number[] = [];
  for (let i = 0; i < spaced.length; i++) {
    const hex = spaced.slice(i + 1, i + 3);
    if (spaced[i] === "=" && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(spaced[i] ?? "", "utf8"));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded-words (UTF-8, B or Q); white space between adjacent encoded-words is dropped. */
function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, "$1$2")
    .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_, encoding: string, text: string) =>
      (encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64")
        : decodeQuotedPrintable(text, true)
      ).toString("utf8"),
    );
}

/** The decoded body of the first MIME part with this content type. */
function part(raw: string, contentType: string): string | undefined {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  if (boundary === undefined) return undefined;
  for (const chunk of raw.split(`--${boundary}`)) {
    const body = chunk.replace(/^\r?\n/, "");
    const type = header(body, "Content-Type");
    if (type === undefined || !type.toLowerCase().startsWith(contentType)) continue;
    const encoding = header(body, "Content-Transfer-Encoding")?.toLowerCase();
    const content = body.slice(body.search(/\r?\n\r?\n/)).trim();
    if (encoding === "base64") return Buffer.from(content.replace(/\s+/g, ""), "base64").toString("utf8");
    if (encoding === "quoted-printable") return decodeQuotedPrintable(content, false).toString("utf8");
    return content;
  }
  return undefined;
}

describe("SmtpMailer", () => {
  const received: Received[] = [];
  let server: SMTPServer;
  let port: number;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          received.push({
            from: session.envelope.mailFrom === false ? null : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r: SMTPServerAddress) => r.address),
            raw: Buffer.concat(chunks).toString("utf8"),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    port = (server.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
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
    const mailer = new SmtpMailer(`smtp://127.0.0.1:${port}`, "Facturation <facturation@tenure.test>");
    try {
      await mailer.send({ to: "elodie@example.com", ...notice });
    } finally {
      await mailer.close();
    }

    expect(received).toHaveLength(1);
    const mail = received[0];
    if (mail === undefined) throw new Error("no message received");
    expect(mail.to).toEqual(["elodie@example.com"]);
    expect(mail.from).toBe("facturation@tenure.test");
    expect(header(mail.raw, "To")).toBe("elodie@example.com");
    expect(header(mail.raw, "From")).toBe("Facturation <facturation@tenure.test>");
    const subject = header(mail.raw, "Subject") ?? "";
    expect(subject).toMatch(/^=\?utf-8\?[BQ]\?/i); // non-ASCII, so MIME encoded-words
    expect(decodeEncodedWords(subject)).toBe(notice.subject);
    expect(notice.subject).toBe("Échec du paiement de la facture n° 1042 (exemple.com)");

    expect(header(mail.raw, "Content-Type")).toMatch(/^multipart\/alternative/i);
    const text = part(mail.raw, "text/plain");
    const html = part(mail.raw, "text/html");
    expect(text).toContain("Bonjour Élodie Côté,");
    expect(text).toContain("20,00\u00a0$\u00a0US");
    expect(html).toContain('<html lang="fr-CA">');
    expect(text).toContain("Nous effectuerons une nouvelle tentative le 5 avril 2022.");
    expect(html).toContain("les fonds sont insuffisants");
  });

  it("is not configured without a URL", async () => {
    expect(createSmtpMailer(undefined, "a@b.test")).toBeNull();
    expect(createSmtpMailer("", "a@b.test")).toBeNull();
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, "a@b.test");
    expect(mailer).toBeInstanceOf(SmtpMailer);
    await mailer?.close?.();
  });
});
