/** Port: sends one rendered e-mail. Real adapter: SMTP through nodemailer (smtp-mailer.ts). */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close?(): Promise<void>;
}
