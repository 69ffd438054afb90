/** French typography (issue 12 item 15, issue 11): format.ts's helpers, used by pages, e-mails and PDFs. */
import { describe, expect, it } from "vitest";
import { formatMoney, money } from "../../src/domain/money.js";
import { formatLongDate, frenchTypography, withFrenchTypography } from "../../src/views/format.js";
import { messagesFor } from "../../src/views/i18n/index.js";

const NBSP = "\u00a0";
const NNBSP = "\u202f";

describe("frenchTypography", () => {
  it("puts a no-break space before a colon, replacing a plain one or adding a missing one", () => {
    expect(frenchTypography("Motif : refusé")).toBe(`Motif${NBSP}: refusé`);
    expect(frenchTypography("Motif: refusé")).toBe(`Motif${NBSP}: refusé`);
    expect(frenchTypography("Total :")).toBe(`Total${NBSP}:`);
  });

  it("puts a narrow no-break space before ; ! ?", () => {
    expect(frenchTypography("Merci!")).toBe(`Merci${NNBSP}!`);
    expect(frenchTypography("Vous avez changé d’avis? Retirez-la")).toBe(
      `Vous avez changé d’avis${NNBSP}? Retirez-la`,
    );
    expect(frenchTypography("payée; il expire")).toBe(`payée${NNBSP}; il expire`);
    expect(frenchTypography("Vraiment ?!")).toBe(`Vraiment${NNBSP}?!`);
  });

  it("leaves times, URLs and query strings alone", () => {
    for (const text of ["à 10:30", "https://clients.example/password/reset?token=abc", "a:b"]) {
      expect(frenchTypography(text)).toBe(text);
    }
  });

  it("puts no-break spaces inside « »", () => {
    expect(frenchTypography("« Je déménage »")).toBe(`«${NBSP}Je déménage${NBSP}»`);
    expect(frenchTypography("«Je déménage»")).toBe(`«${NBSP}Je déménage${NBSP}»`);
  });

  it("writes every number mark nº followed by a no-break space", () => {
    expect(frenchTypography("facture no 2, nº 2, n° 5, #6 (no 7)")).toBe(
      `facture nº${NBSP}2, nº${NBSP}2, nº${NBSP}5, nº${NBSP}6 (nº${NBSP}7)`,
    );
    expect(frenchTypography("no comment")).toBe("no comment");
  });

  it("is idempotent", () => {
    const once = frenchTypography("Facture no 2 : « payée »! Merci? Oui; 10:30");
    expect(frenchTypography(once)).toBe(once);
  });
});

describe("withFrenchTypography", () => {
  it("applies to strings and to what functions return, at any depth, keeping the shape", () => {
    const catalog = withFrenchTypography({
      title: "Facture n° 3",
      nested: { say: (n: number) => `Demande #${n} : fermée` },
      list: ["Merci!"],
      count: 3,
    });
    expect(catalog.title).toBe(`Facture nº${NBSP}3`);
    expect(catalog.nested.say(4)).toBe(`Demande nº${NBSP}4${NBSP}: fermée`);
    expect(catalog.list).toEqual([`Merci${NNBSP}!`]);
    expect(catalog.count).toBe(3);
  });

  it("the French page catalogs use one number mark, nº", () => {
    const fr = messagesFor("fr-CA");
    expect(fr.billing.invoiceNumber(2)).toMatch(/nº\u00a02/);
    expect(messagesFor("en").billing.invoiceNumber(2)).not.toContain("nº");
  });
});

describe("dates and amounts", () => {
  it("the first of the month is 1er in French, 1 in English", () => {
    const first = Date.UTC(2022, 11, 1, 12);
    expect(formatLongDate(first, "fr-CA", "America/Toronto")).toBe("1er décembre 2022");
    expect(formatLongDate(first, "en", "America/Toronto")).toBe("December 1, 2022");
    expect(formatLongDate(Date.UTC(2022, 11, 2, 12), "fr-CA", "America/Toronto")).toBe("2 décembre 2022");
  });

  it("amounts are 20,00 $ in fr-CA and $20.00 in English", () => {
    expect(formatMoney(money(2000, "CAD"), "fr-CA")).toBe(`20,00${NBSP}$`);
    expect(formatMoney(money(2000, "CAD"), "en")).toBe("$20.00");
    expect(formatMoney(money(123456, "CAD"), "fr-CA")).toBe(`1${NBSP}234,56${NBSP}$`);
  });
});
