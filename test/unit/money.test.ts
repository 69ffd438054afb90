import { describe, expect, it } from "vitest";
import { addMoney, divideRounded, formatMoney, isZero, money } from "../../src/domain/money.js";

const NBSP = "\u00a0";

describe("amounts are integers of minor units", () => {
  it("20 USD is 2000 cents", () => {
    expect(money(2000, "USD")).toEqual({ amount: 2000, currency: "USD" });
  });

  it.each([
    ["a fraction of a cent", 19.99],
    ["not a number", Number.NaN],
    ["infinity", Number.POSITIVE_INFINITY],
    ["an integer too large to be exact", 2 ** 53],
  ])("refuses %s", (_label, amount) => {
    expect(() => money(amount, "USD")).toThrow(RangeError);
  });

  it("negative amounts (credits) are allowed", () => {
    expect(money(-500, "USD").amount).toBe(-500);
  });

  it("zero is zero, any other amount is not", () => {
    expect(isZero(money(0, "CAD"))).toBe(true);
    expect(isZero(money(1, "CAD"))).toBe(false);
  });
});

describe("adding amounts", () => {
  it("adds two amounts in the same currency", () => {
    expect(addMoney(money(2000, "USD"), money(8000, "USD"))).toEqual({ amount: 10000, currency: "USD" });
  });

  it("refuses to add USD and CAD", () => {
    expect(() => addMoney(money(2000, "USD"), money(2700, "CAD"))).toThrow("cannot add USD and CAD");
  });
});

describe("the one rounding rule: half away from zero", () => {
  it("a yearly price of 192.00 is 16.00 a month", () => {
    expect(divideRounded(19200, 12)).toBe(1600);
  });

  it("half a cent rounds up to one cent", () => {
    expect(divideRounded(1, 2)).toBe(1);
  });

  it("minus half a cent rounds to minus one cent", () => {
    expect(divideRounded(-1, 2)).toBe(-1);
  });

  it("5 cents over 3 is 2 cents", () => {
    expect(divideRounded(5, 3)).toBe(2);
  });

  it("4 cents over 3 is 1 cent", () => {
    expect(divideRounded(4, 3)).toBe(1);
  });

  it("2.5 rounds to 3 and -2.5 to -3 (not to the even neighbour)", () => {
    expect(divideRounded(5, 2)).toBe(3);
    expect(divideRounded(-5, 2)).toBe(-3);
  });

  it("a yearly price of 20.00 is 1.67 a month", () => {
    expect(divideRounded(2000, 12)).toBe(167);
  });
});

describe("rounding never yields negative zero", () => {
  it("rounds -1/3 to 0, not -0, so no amount is shown as -$0.00", () => {
    expect(Object.is(divideRounded(-1, 3), 0)).toBe(true);
    expect(formatMoney({ amount: divideRounded(-1, 3), currency: "USD" }, "en")).toBe("$0.00");
  });
});

describe("showing amounts to customers", () => {
  it("20 USD in English is $20.00", () => {
    expect(formatMoney(money(2000, "USD"), "en")).toBe("$20.00");
  });

  it("20 USD in Canadian French is 20,00 $ US with non-breaking spaces", () => {
    expect(formatMoney(money(2000, "USD"), "fr-CA")).toBe(`20,00${NBSP}$${NBSP}US`);
  });

  it("27 CAD in Canadian French is 27,00 $", () => {
    expect(formatMoney(money(2700, "CAD"), "fr-CA")).toBe(`27,00${NBSP}$`);
  });

  it("27 CAD in English is $27.00, as Canadians write it (not Intl's CA$27.00)", () => {
    expect(formatMoney(money(2700, "CAD"), "en")).toBe("$27.00");
  });

  it("yen have no minor unit: 2000 JPY is ¥2,000", () => {
    expect(formatMoney(money(2000, "JPY"), "en")).toBe("¥2,000");
  });
});
