/**
 * The account in a real browser: the language is the customer's (kept across sign-out and on
 * another browser), a forgotten password is reset through the e-mailed single-use link, and
 * two-step verification is turned on with the key shown, then asked for at sign-in.
 *
 * Sign-in, the second step and the reset request share a limit of 10 attempts per address per
 * 15 minutes: this file makes 9 (keep it under 10 when adding a test).
 */
import * as OTPAuth from "otpauth";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import {
  clickAndLoad,
  DESKTOP,
  flashText,
  followMenu,
  mainText,
  newPageIn,
  PHONE,
  screenshot,
  signIn,
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

/** The code an authenticator app shows for this key at this instant. */
function totpCode(key: string, at: number): string {
  const totp = new OTPAuth.TOTP({
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(key),
  });
  return totp.generate({ timestamp: at });
}

/** Fills the sign-in form (already on it) and sends it. */
async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel(/^(E-mail address|Adresse courriel)$/).fill(email);
  await page.getByLabel(/^(Password|Mot de passe)$/).fill(password);
  await clickAndLoad(page, page.getByRole("button", { name: /^(Sign in|Se connecter)$/ }));
}

const h1 = (page: Page) => textOf(page.getByRole("heading", { level: 1 }));

describe("the account: language, forgotten password, two-step verification", () => {
  const demo = useDemo();

  it("the language chosen is the customer's: kept after signing out, and on another browser", async () => {
    const first = await newPageIn(demo.browser, DESKTOP);
    const page = first.page;
    await signIn(page, demo.server);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await followMenu(page, "Account");
    await page.waitForURL(`${demo.server.url}/account`);
    await clickAndLoad(page, page.getByRole("button", { name: "Français", exact: true }));
    await page.waitForURL(`${demo.server.url}/account`);
    expect(await page.locator("html").getAttribute("lang")).toBe("fr-CA");
    expect(await h1(page)).toBe("Compte");
    expect(await mainText(page)).toContain("Langue Français");
    await screenshot(page, "account-1-french-fr");

    await clickAndLoad(page, page.getByRole("button", { name: "Se déconnecter" }));
    await page.waitForURL(`${demo.server.url}/login`);
    expect(await page.locator("html").getAttribute("lang")).toBe("fr-CA");
    expect(await h1(page)).toBe("Connexion");
    await screenshot(page, "account-2-signed-out-fr");
    await first.context.close();

    // Another demo.browser, with no cookie: the sign-in page is in English, the client area in French.
    const second = await newPageIn(demo.browser, PHONE);
    await second.page.goto(`${demo.server.url}/login`);
    expect(await h1(second.page)).toBe("Sign in");
    await submitSignIn(second.page, demo.server.email, demo.server.password);
    await second.page.waitForURL(`${demo.server.url}/`);
    expect(await second.page.locator("html").getAttribute("lang")).toBe("fr-CA");
    expect(await h1(second.page)).toBe("Tableau de bord");
    await screenshot(second.page, "account-3-dashboard-fr-phone");
    await useLanguage(second.page, "en");
    await second.context.close();
  });

  it("a forgotten password is reset by the e-mailed single-use link, then signs in", async () => {
    const { context, page } = await newPageIn(demo.browser, PHONE);
    await page.goto(`${demo.server.url}/login`);
    await clickAndLoad(page, page.getByRole("link", { name: "Forgot your password?" }));
    await page.waitForURL(`${demo.server.url}/password/forgot`);
    const sentBefore = demo.server.mailer.sent.length;
    await page.getByLabel("E-mail address").fill(demo.server.email);
    await clickAndLoad(page, page.getByRole("button", { name: "Send the link" }));
    expect(await textOf(page.getByRole("status"))).toBe(
      "If this address belongs to an account, a link valid for one hour is on its way.",
    );
    await screenshot(page, "account-4-link-sent-phone");

    // (The demo's other pending notices go out with it: no worker runs in this demo.server.)
    const resets = demo.server.mailer.sent
      .slice(sentBefore)
      .filter((m) => m.subject === `Choose a new password for ${demo.server.email}`);
    expect(resets).toHaveLength(1);
    const mail = resets[0];
    expect(mail?.to).toBe(demo.server.email);
    const link = /http:\/\/localhost\/password\/reset\/[\w-]+/.exec(mail?.text ?? "")?.[0];
    expect(link).toBeDefined();
    const resetPath = new URL(link ?? "").pathname;

    await page.goto(`${demo.server.url}${resetPath}`);
    expect(await h1(page)).toBe("Choose a new password");
    const newPassword = "a new password for the bakery";
    await page.getByLabel("New password (12 characters or more)").fill(newPassword);
    await page.getByLabel("Confirm the new password").fill("a different password");
    await clickAndLoad(page, page.getByRole("button", { name: "Save" }));
    await page.waitForURL(`${demo.server.url}${resetPath}`);
    expect(await textOf(page.locator(".field-error"))).toBe("The two passwords differ.");
    await page.getByLabel("New password (12 characters or more)").fill(newPassword);
    await page.getByLabel("Confirm the new password").fill(newPassword);
    await clickAndLoad(page, page.getByRole("button", { name: "Save" }));
    await page.waitForURL(`${demo.server.url}/login`);
    expect(await flashText(page)).toBe("Your password was changed. You can sign in.");
    await screenshot(page, "account-5-password-changed-phone");

    // The old password no longer opens the account; the new one does.
    await submitSignIn(page, demo.server.email, demo.server.password);
    expect(await textOf(page.getByRole("alert"))).toBe("The e-mail address or the password is incorrect.");
    await submitSignIn(page, demo.server.email, newPassword);
    await page.waitForURL(`${demo.server.url}/`);
    expect(await h1(page)).toBe("Dashboard");
    demo.server.password = newPassword;

    // The link worked once.
    await page.goto(`${demo.server.url}${resetPath}`);
    expect(await textOf(page.getByRole("alert"))).toBe(
      "This link is invalid, was already used, or has expired. Ask for a new one.",
    );
    await context.close();
  });

  it("fr-CA: la vérification en deux étapes activée avec la clé affichée, puis demandée à la connexion", async () => {
    const { context, page } = await newPageIn(demo.browser, DESKTOP);
    await signIn(page, demo.server);
    await useLanguage(page, "fr-CA");
    await followMenu(page, "Compte");
    await page.waitForURL(`${demo.server.url}/account`);
    expect(await mainText(page)).toContain("La vérification en deux étapes est désactivée.");
    await clickAndLoad(page, page.getByRole("button", { name: "Activer la vérification en deux étapes" }));
    await page.waitForURL(`${demo.server.url}/account`);
    expect(await mainText(page)).toContain(
      "Ajoutez cette clé à votre application d'authentification, puis inscrivez le code affiché.",
    );
    const key = await textOf(page.locator("main code").first());
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(await textOf(page.locator("main code").nth(1))).toContain(`secret=${key}`);
    await screenshot(page, "account-6-totp-key-fr");
    const codeField = () => page.getByLabel("Code à 6 chiffres de votre application d'authentification");
    await codeField().fill(totpCode(key, demo.server.clock.now()));
    await clickAndLoad(page, page.getByRole("button", { name: "Vérifier" }));
    await page.waitForURL(`${demo.server.url}/account`);
    expect(await flashText(page)).toBe("La vérification en deux étapes est maintenant activée.");
    expect(await mainText(page)).toContain("La vérification en deux étapes est activée.");

    await clickAndLoad(page, page.getByRole("button", { name: "Se déconnecter" }));
    await page.waitForURL(`${demo.server.url}/login`);
    await submitSignIn(page, demo.server.email, demo.server.password);
    await page.waitForURL(/\/login\/totp\?next=%2F$/);
    // The second step comes right after the French sign-in page, for a French-speaking customer.
    expect.soft(await page.locator("html").getAttribute("lang")).toBe("fr-CA");
    expect.soft(await h1(page)).toBe("Vérification en deux étapes");
    await screenshot(page, "account-7-totp-step-fr");
    const stepField = page.getByLabel(
      /^(Code à 6 chiffres de votre application d'authentification|6-digit code from your authenticator app)$/,
    );
    const verify = page.getByRole("button", { name: /^(Vérifier|Verify)$/ });
    // A code from ten minutes ago is refused; the one the app shows now (30 s later) is accepted.
    const stale = totpCode(key, demo.server.clock.now() - 10 * 60_000);
    demo.server.clock.advance(30_000);
    const current = totpCode(key, demo.server.clock.now());
    expect(stale).not.toBe(current);
    await stepField.fill(stale);
    await clickAndLoad(page, verify);
    expect
      .soft(await textOf(page.getByRole("alert")))
      .toBe("Ce code n'est pas valide. Vérifiez l'heure de votre appareil et réessayez.");
    expect(await textOf(page.getByRole("alert"))).toMatch(
      /^(Ce code n'est pas valide|This code is not valid)\./,
    );
    await stepField.fill(current);
    await clickAndLoad(page, verify);
    await page.waitForURL(`${demo.server.url}/`);
    expect(await h1(page)).toBe("Tableau de bord");

    // Turned off again with a code, so the account is as it was.
    await followMenu(page, "Compte");
    await page.waitForURL(`${demo.server.url}/account`);
    // A code works once: turning it off takes the next one.
    demo.server.clock.advance(30_000);
    await codeField().fill(totpCode(key, demo.server.clock.now()));
    await clickAndLoad(page, page.getByRole("button", { name: "Désactiver la vérification en deux étapes" }));
    await page.waitForURL(`${demo.server.url}/account`);
    expect(await flashText(page)).toBe("La vérification en deux étapes est maintenant désactivée.");
    await useLanguage(page, "en");
    await context.close();
  });
});
