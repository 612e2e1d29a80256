import type { components } from "@mamc/shared/api/schema";

export type Summary = components["schemas"]["SummaryOut"];
export type TechniqueProgress = components["schemas"]["TechniqueProgressOut"];
export type Board = components["schemas"]["BoardOut"];
export type Reward = components["schemas"]["RewardOut"];
export type Offer = components["schemas"]["OfferOut"];

export const TECHNIQUES = ["kick", "strike", "block", "stance", "kata", "throw", "general"] as const;
export const BELTS = ["white", "yellow", "orange", "green", "black"] as const;

type T = (key: string, vars?: Record<string, string | number>) => string;

/** A badge id from the API ("first_attempt", "path:kick") in words, with the rule that earns it. */
export function badgeText(t: T, badge: string): { name: string; rule: string } {
  if (badge.startsWith("path:")) {
    const technique = techniqueName(t, badge.slice(5));
    return { name: t("learning.badge.path", { technique }), rule: t("learning.badgeRule.path") };
  }
  return { name: t(`learning.badge.${badge}`), rule: t(`learning.badgeRule.${badge}`) };
}

export function techniqueName(t: T, technique: string): string {
  const key = `learning.technique_${technique}`;
  const name = t(key);
  return name === key ? technique : name;
}

/** ISO week "2026-W48" of a date (UTC), and the week `offset` weeks away. */
export function isoWeek(date: Date, offset = 0): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + offset * 7));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day); // the week's Thursday decides its year
  const yearStart = new Date(Date.UTC(d.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((d.getTime() - yearStart.getTime()) / 86400000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** IANA zones the browser knows (the student's own first), for the time-zone picker. */
export function timeZones(current: string): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const known = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return Array.from(new Set([current, local, "UTC", ...known].filter(Boolean)));
}
