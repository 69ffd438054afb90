/**
 * The SMTP adapter of the `Mailer` port, through nodemailer. The URL carries the server and the
 * credentials: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { Mailer, OutgoingMail } from "./mailer.js";

export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(url: string, from: string) {
    this.#transport = nodemailer.createTransport(url);
    this.#from = from;
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.#transport.sendMail({
      from: this.#from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
    });
  }

  async close(): Promise<void> {
    this.#transport.close();
  }
}

/** The configured mailer, or null when no SMTP URL is set (notices are then not e-mailed). */
export function createSmtpMailer(url: string | undefined, from: string): Mailer | null {
  if (url === undefined || url.trim() === "") return null;
  return new SmtpMailer(url, from);
}
