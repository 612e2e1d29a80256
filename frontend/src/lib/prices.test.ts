import { describe, expect, it } from "vitest";
import { formatMoney, translate } from "@mamc/shared/i18n";
import { card } from "../test/fixtures";
import { waysToBuy } from "./prices";

const PLANS = { currency: "eur", monthly_cents: 1500, yearly_cents: 15000 };

describe("waysToBuy", () => {
  it("lists purchase, rental and subscription with locale money (it: '12,99 €')", () => {
    const it_ = waysToBuy(card(1), PLANS, (k, v) => translate("it", k, v), (m, c) => formatMoney("it", m, c));
    expect(it_.map((w) => w.label.replace(/\u00a0/g, " "))).toEqual(["Acquista 12,99 €", "Noleggia 3,99 €", "Abbonamento 15,00 €/mese"]);
  });

  it("free videos have nothing to buy; without plans the subscription says 'included'", () => {
    const en = (k: string, v?: Record<string, string | number>) => translate("en", k, v);
    const money = (m: number, c: string) => formatMoney("en", m, c);
    expect(waysToBuy(card(1, { is_free: true }), PLANS, en, money)).toEqual([]);
    expect(waysToBuy(card(1, { price_cents: null, rental_price_cents: null }), null, en, money)).toEqual([
      { kind: "subscription", label: "Included in the subscription" },
    ]);
  });
});
