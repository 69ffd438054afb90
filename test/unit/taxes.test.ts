/** The pure tax rules (src/domain/taxes.ts): rounding, allocation, VAT numbers, which taxes apply. */
import { describe, expect, it } from "vitest";
import {
  billingAddressSchema,
  computeTaxes,
  DEFAULT_TAXES,
  decideTaxes,
  formatRate,
  isValidVatNumber,
  mergeTaxPolicy,
  rateAt,
  roundedTax,
} from "../../src/domain/taxes.js";
import { parseInstant } from "../../src/domain/time.js";

const at = (s: string) => parseInstant(s) as number;
const address = (fields: Record<string, unknown>) => billingAddressSchema.parse(fields);

describe("rounding", () => {
  it("rounds half up on integer minor units, half away from zero for a credit", () => {
    expect(roundedTax(19200, 9975)).toBe(1915); // 1915.2
    expect(roundedTax(10, 5000)).toBe(1); // 0.5 → 1
    expect(roundedTax(9, 5000)).toBe(0); // 0.45 → 0
    expect(roundedTax(-10, 5000)).toBe(-1);
    expect(roundedTax(0, 9975)).toBe(0);
    // Exact where a float product would not be: 90 trillion minor units at 9.975 %.
    expect(roundedTax(90_000_000_000_000, 9975)).toBe(8_977_500_000_000);
  });

  it("per line: each line rounded, the invoice the sum; per invoice: once on the subtotal, shared out exactly", () => {
    const taxes = [{ code: "QST" as const, rate: 9975, jurisdiction: "CA-QC" }];
    const perLine = computeTaxes([101, 101, 101], taxes, "perLine");
    expect(perLine.lines.map((l) => l.taxes[0]?.amount)).toEqual([10, 10, 10]); // 10.07 each
    expect(perLine.taxTotal).toBe(30);
    const perInvoice = computeTaxes([101, 101, 101], taxes, "perInvoice");
    expect(perInvoice.taxTotal).toBe(30); // 30.22
    expect(perInvoice.lines.reduce((s, l) => s + (l.taxes[0]?.amount ?? 0), 0)).toBe(30);
    const differs = computeTaxes([5, 5, 5], [{ code: "GST", rate: 5000, jurisdiction: "CA" }], "perInvoice");
    expect(differs.taxTotal).toBe(1); // 0.75 → 1, where per line gives 0.25 → 0 three times
    expect(
      computeTaxes([5, 5, 5], [{ code: "GST", rate: 5000, jurisdiction: "CA" }], "perLine").taxTotal,
    ).toBe(0);
    expect(differs.total).toBe(16);
  });
});

describe("VAT numbers", () => {
  it("checks the country prefix and the member state's pattern", () => {
    expect(isValidVatNumber("DE123456789", "DE")).toBe(true);
    expect(isValidVatNumber("de 123 456 789", "DE")).toBe(true);
    expect(isValidVatNumber("DE12345678", "DE")).toBe(false);
    expect(isValidVatNumber("FR40303265045", "DE")).toBe(false);
    expect(isValidVatNumber("EL123456789", "GR")).toBe(true);
    expect(isValidVatNumber("GR123456789", "GR")).toBe(false);
    expect(isValidVatNumber("NL123456789B01", "NL")).toBe(true);
    expect(isValidVatNumber("US123456789", "US")).toBe(false);
  });

  it("a billing address refuses a bad postal code, province or VAT number, naming the field", () => {
    const fail = (fields: Record<string, unknown>) =>
      billingAddressSchema.safeParse(fields).error?.issues.map((i) => i.path.join("."));
    expect(fail({ country: "CA", province: "XX", postalCode: "H2X 1Y4" })).toEqual(["province"]);
    expect(fail({ country: "CA", province: "QC", postalCode: "12345" })).toEqual(["postalCode"]);
    expect(fail({ country: "DE", postalCode: "10115", vatNumber: "DE1" })).toEqual(["vatNumber"]);
    expect(fail({ country: "US", postalCode: "10001", vatNumber: "DE123456789" })).toEqual(["vatNumber"]);
    expect(address({ country: "CA", province: "QC", postalCode: "h2x1y4" }).postalCode).toBe("H2X 1Y4");
  });
});

describe("which taxes apply", () => {
  const quebec = { country: "CA", province: "QC" };
  it("a Quebec seller: GST and QST in Quebec, HST in Ontario, GST alone in Alberta, none abroad", () => {
    const codes = (a: Record<string, unknown> | null) =>
      decideTaxes(DEFAULT_TAXES, quebec, a ? address(a) : null, at("2026-01-01")).taxes.map(
        (t) => `${t.code}:${t.rate}`,
      );
    expect(codes({ country: "CA", province: "QC", postalCode: "G1R 1S2" })).toEqual(["GST:5000", "QST:9975"]);
    expect(codes({ country: "CA", province: "ON", postalCode: "M5V 2T6" })).toEqual(["HST:13000"]);
    expect(codes({ country: "CA", province: "AB", postalCode: "T2P 1J9" })).toEqual(["GST:5000"]);
    expect(codes({ country: "FR", postalCode: "75001" })).toEqual([]);
    expect(codes(null)).toEqual([]); // no address: none by default
    const local = mergeTaxPolicy({ withoutAddress: "seller-location" });
    expect(decideTaxes(local, quebec, null, at("2026-01-01")).taxes.map((t) => t.code)).toEqual([
      "GST",
      "QST",
    ]);
  });

  it("an Ontario seller collects no QST unless registered for it; a configured PST applies", () => {
    const qc = address({ country: "CA", province: "QC", postalCode: "G1R 1S2" });
    const on = { country: "CA", province: "ON" };
    expect(decideTaxes(DEFAULT_TAXES, on, qc, at("2026-01-01")).taxes.map((t) => t.code)).toEqual(["GST"]);
    const registered = mergeTaxPolicy({
      qstRegisteredOutsideQuebec: true,
      pst: { BC: [{ from: "2013-04-01", rate: 7000 }] },
    });
    expect(decideTaxes(registered, on, qc, at("2026-01-01")).taxes.map((t) => t.code)).toEqual([
      "GST",
      "QST",
    ]);
    const bc = address({ country: "CA", province: "BC", postalCode: "V6B 1A1" });
    expect(decideTaxes(registered, on, bc, at("2026-01-01")).taxes.map((t) => `${t.code}:${t.rate}`)).toEqual(
      ["GST:5000", "PST:7000"],
    );
    expect(registered.vat.FR).toEqual(DEFAULT_TAXES.vat.FR); // merged per key, the rest kept
  });

  it("a rate applies from its effective instant", () => {
    const ns = DEFAULT_TAXES.hst.NS ?? [];
    expect(rateAt(ns, at("2025-04-01T02:59:59Z"))).toBe(15000);
    expect(rateAt(ns, at("2025-04-01T03:00:00Z"))).toBe(14000);
    expect(rateAt(ns, at("2000-01-01"))).toBeNull();
  });

  it("prints rates for people in both languages", () => {
    expect(formatRate(9975)).toBe("9.975%");
    expect(formatRate(5000, "fr-CA")).toBe("5\u00a0%");
    expect(formatRate(9975, "fr-CA")).toBe("9,975\u00a0%");
    expect(formatRate(25500)).toBe("25.5%");
  });
});
