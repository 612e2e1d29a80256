import { useEffect, useState } from "react";
import type { Resp, VideoCard } from "@mamc/shared/api/types";
import { call } from "../api/client";
import { useAuth } from "../auth/AuthContext";

export type Plans = Resp<"/api/v1/plans", "get">;
type Priced = Pick<VideoCard, "is_free" | "price_cents" | "rental_price_cents" | "currency" | "subscription_included">;
type T = (k: string, vars?: Record<string, string | number>) => string;
type Money = (minor: number, currency: string) => string;

export interface Way {
  kind: "ppv" | "rental" | "subscription";
  label: string;
}

/** Every way to buy a video, each with its price in the locale's money format. The subscription
 * shows its monthly price once the (public) plans are known. */
export function waysToBuy(v: Priced, plans: Plans | null, t: T, money: Money): Way[] {
  if (v.is_free) return [];
  const ways: Way[] = [];
  if (v.price_cents != null) ways.push({ kind: "ppv", label: t("web.prices.buy", { price: money(v.price_cents, v.currency) }) });
  if (v.rental_price_cents != null) ways.push({ kind: "rental", label: t("web.prices.rent", { price: money(v.rental_price_cents, v.currency) }) });
  if (v.subscription_included) {
    ways.push({
      kind: "subscription",
      label: plans ? t("web.prices.subscription", { price: money(plans.monthly_cents, plans.currency) }) : t("video.subscribeHint"),
    });
  }
  return ways;
}

let cached: Promise<Plans | null> | null = null;

/** The subscription's prices: one request per page load, shared by every card. */
export function usePlans(): Plans | null {
  const { api } = useAuth();
  const [plans, setPlans] = useState<Plans | null>(null);
  useEffect(() => {
    let live = true;
    cached ??= call(api.client.GET("/api/v1/plans")).catch(() => {
      cached = null; // try again on the next page
      return null;
    });
    void cached.then((p) => live && setPlans(p));
    return () => {
      live = false;
    };
  }, [api]);
  return plans;
}

/** Tests start from a clean cache. */
export function forgetPlans(): void {
  cached = null;
}
