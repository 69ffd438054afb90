/**
 * The back office's door in a real browser, in both languages: a new staff member signs in with
 * the one-time password `tenure staff add` printed, must choose their own, is offered two-step
 * verification, turns it on with the key shown, and from then on signs in with a code.
 */
import * as OTPAuth from "otpauth";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { addStaff } from "../../src/modules/staff/staff-repository.js";
import {
  clickAndLoad,
  flashText,
  type Language,
  mainText,
  NARROW_PHONE,
  newPageIn,
  screenshot,
  textOf,
  useDemo,
  useLanguage,
} from "../support/browser.js";

const totpCode = (key: string, at: number) =>
  new OTPAuth.TOTP({
    algorithm: "SHA1",
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(key),
  }).generate({
    timestamp: at,
  });

const h1 = (page: Page) => textOf(page.getByRole("heading", { level: 1 }));

const TEXT = {
  en: {
    signInTitle: "Staff sign-in",
    email: "E-mail",
    password: "Password",
    signIn: "Sign in",
    changeTitle: "Choose your password",
    newPassword: /^New password/,
    confirm: "Confirm the new password",
    save: "Save",
    changed: "Password changed.",
    account: "My account",
    turnOn: "Turn on",
    code: "6-digit code from your authenticator app",
    enabled: "Two-step verification is on.",
    signOut: "Sign out",
    totpTitle: "Two-step verification",
    verify: "Verify",
    overview: "Overview",
    who: "Signed in as",
  },
  "fr-CA": {
    signInTitle: "Connexion du personnel",
    email: "Courriel",
    password: "Mot de passe",
    signIn: "Se connecter",
    changeTitle: "Choisissez votre mot de passe",
    newPassword: /^Nouveau mot de passe/,
    confirm: "Confirmez le nouveau mot de passe",
    save: "Enregistrer",
    changed: "Mot de passe modifié.",
    account: "Mon compte",
    turnOn: "Activer",
    code: "Code à 6 chiffres de votre application d'authentification",
    enabled: "La vérification en deux étapes est activée.",
    signOut: "Se déconnecter",
    totpTitle: "Vérification en deux étapes",
    verify: "Vérifier",
    overview: "Vue d'ensemble",
    who: "Connecté en tant que",
  },
} as const;

describe("staff sign-in with two-step verification", () => {
  const demo = useDemo();

  it.each(["en", "fr-CA"] as Language[])(
    "first sign-in, own password, TOTP turned on, then asked for (%s)",
    async (locale) => {
      const t = TEXT[locale];
      const { server, browser } = demo;
      const email = `new-admin-${locale}@staff.test`;
      const { oneTimePassword } = await addStaff(
        server.deps.db,
        { email, role: "admin", name: "Alex Morin" },
        server.clock.now(),
      );
      const { context, page } = await newPageIn(browser, NARROW_PHONE);
      try {
        await page.goto(`${server.url}/admin/login`);
        await useLanguage(page, locale);
        expect(await h1(page)).toBe(t.signInTitle);
        await page.getByLabel(t.email, { exact: true }).fill(email);
        await page.getByLabel(t.password, { exact: true }).fill(oneTimePassword);
        await clickAndLoad(page, page.getByRole("button", { name: t.signIn }));
        expect(page.url()).toBe(`${server.url}/admin/password`);
        expect(await h1(page)).toBe(t.changeTitle);
        await screenshot(page, `admin-sign-in-1-password-${locale}-360`);
        await page.getByLabel(t.newPassword).fill("my own admin password");
        await page.getByLabel(t.confirm).fill("my own admin password");
        await clickAndLoad(page, page.getByRole("button", { name: t.save }));
        expect(page.url()).toBe(`${server.url}/admin/account`);
        expect(await flashText(page)).toBe(t.changed);
        await clickAndLoad(page, page.getByRole("button", { name: t.turnOn }));
        const key = (await page.locator("main code").first().innerText()).trim();
        expect(key).toMatch(/^[A-Z2-7]{32}$/);
        await screenshot(page, `admin-sign-in-2-totp-key-${locale}-360`);
        await page.getByLabel(t.code).fill(totpCode(key, server.clock.now()));
        await clickAndLoad(page, page.getByRole("button", { name: t.turnOn }));
        expect(await flashText(page)).toBe(t.enabled);

        // Sign out (the phone menu opens first), then back in: now a code is asked for.
        await page.goto(`${server.url}/admin#menu`);
        await clickAndLoad(page, page.getByRole("button", { name: t.signOut }));
        expect(page.url()).toBe(`${server.url}/admin/login`);
        server.clock.advance(30_000);
        await page.getByLabel(t.email, { exact: true }).fill(email);
        await page.getByLabel(t.password, { exact: true }).fill("my own admin password");
        await clickAndLoad(page, page.getByRole("button", { name: t.signIn }));
        expect(await h1(page)).toBe(t.totpTitle);
        await screenshot(page, `admin-sign-in-3-code-${locale}-360`);
        await page.getByLabel(t.code).fill(totpCode(key, server.clock.now()));
        await clickAndLoad(page, page.getByRole("button", { name: t.verify }));
        expect(page.url()).toBe(`${server.url}/admin`);
        expect(await h1(page)).toBe(t.overview);
        expect(await textOf(page.locator("header"))).toContain(`${t.who} Alex Morin`);
        expect(await mainText(page)).not.toContain("Camille");
        await screenshot(page, `admin-sign-in-4-overview-${locale}-360`);
        // No page wider than the phone.
        expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
          NARROW_PHONE.width,
        );
      } finally {
        await context.close();
      }
    },
  );
});
