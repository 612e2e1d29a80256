import { describe, expect, it } from "vitest";
import { moneyInput, parseMoney } from "./money";

describe("parseMoney", () => {
  it("reads Italian amounts: '9,90' is 9.90, '1.234,50' is 1234.50, '9.90' is 9.90", () => {
    expect(parseMoney("it", "9,90")).toBe(990);
    expect(parseMoney("it", "1.234,50")).toBe(123450);
    expect(parseMoney("it", "9.90")).toBe(990);
    expect(parseMoney("it", "12")).toBe(1200);
    expect(parseMoney("it", " 9,9 € ")).toBe(990);
    expect(parseMoney("it", "")).toBeNull();
    expect(parseMoney("it", "9,999")).toBe("invalid");
    expect(parseMoney("it", "nove")).toBe("invalid");
  });

  it("reads English amounts and refuses a decimal comma instead of guessing", () => {
    expect(parseMoney("en", "9.90")).toBe(990);
    expect(parseMoney("en", "1,234.50")).toBe(123450);
    expect(parseMoney("en", "9,90")).toBe("invalid");
    expect(parseMoney("en", "-5")).toBe("invalid");
  });

  it("writes amounts back the way each locale types them", () => {
    expect(moneyInput("it", 990)).toBe("9,90");
    expect(moneyInput("en", 990)).toBe("9.90");
    expect(moneyInput("en", null)).toBe("");
  });
});
