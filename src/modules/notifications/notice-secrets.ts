/**
 * Secrets carried by a notice (the token of a password reset link) never sit in the outbox in
 * clear: the notice is rendered with the secret sealed (AES-256-GCM, a fresh IV each time) between
 * markers, and the sealed parts are opened only in the e-mail handed to the mailer, at delivery.
 * The database thus holds the token's hash (`password_resets`) and this ciphertext, nothing usable.
 *
 * The key is derived (HKDF-SHA256) from the session secret, so every web node and worker sharing
 * TENURE_SESSION_SECRET opens what another sealed; a notice sealed under another secret cannot be
 * opened and its delivery fails (retried, then marked failed; a reset link lasts an hour anyway).
 *
 * Interim by design: notice storage is about to be reworked; whatever replaces it must keep the
 * rule "no usable secret in the outbox", and then this file (and `unsealingMailer`) can go.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { Mailer } from "../../providers/mailer/mailer.js";

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Marker chars survive the notice's HTML escaping and stay inside a URL path segment. */
const SEALED = /sealed\.v1\.([A-Za-z0-9_-]+)\.end/g;

export interface NoticeSecrets {
  /** What to put into a notice instead of `secret`. */
  seal(secret: string): string;
  /** The text with every sealed part opened; throws if one was sealed under another key. */
  unseal(text: string): string;
  /** A mailer that opens the sealed parts of each e-mail just before `mailer` sends it. */
  unsealingMailer(mailer: Mailer): Mailer;
}

export function noticeSecrets(sessionSecret: string): NoticeSecrets {
  const key = Buffer.from(hkdfSync("sha256", sessionSecret, "tenure", "notice secrets v1", 32));
  const seal = (secret: string): string => {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const sealed = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
    return `sealed.v1.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")}.end`;
  };
  const open = (encoded: string): string => {
    const bytes = Buffer.from(encoded, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    } catch {
      throw new Error("a sealed secret in this notice cannot be opened (was TENURE_SESSION_SECRET changed?)");
    }
  };
  const unseal = (text: string): string => text.replace(SEALED, (_, encoded: string) => open(encoded));
  return {
    seal,
    unseal,
    unsealingMailer: (mailer) => ({
      ...(mailer.close ? { close: () => mailer.close?.() ?? Promise.resolve() } : {}),
      send: (mail) =>
        mailer.send({
          ...mail,
          subject: unseal(mail.subject),
          text: unseal(mail.text),
          html: unseal(mail.html),
        }),
    }),
  };
}
