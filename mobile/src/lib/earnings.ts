/** Instructor earnings: months are UTC `YYYY-MM` (as the API takes them). */
import type { Resp } from "@mamc/shared/api/types";

export type VideoEarnings = Resp<"/api/v1/earnings/videos", "get">[number];

export const currentMonth = (now: Date = new Date()): string => now.toISOString().slice(0, 7);

/** `month` moved by `delta` months (UTC calendar). */
export function shiftMonth(month: string, delta: number): string {
  const [y, m] = month.split("-").map(Number);
  const d = new Date(Date.UTC(y, m - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}

/** Each video's share (0–100) of its currency's net for the month; biggest earners first. */
export function withShares(rows: VideoEarnings[]): (VideoEarnings & { share: number })[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + Math.max(0, r.net_cents));
  return rows
    .map((r) => {
      const total = totals.get(r.currency) ?? 0;
      return { ...r, share: total > 0 ? (Math.max(0, r.net_cents) * 100) / total : 0 };
    })
    .sort((a, b) => b.net_cents - a.net_cents || a.video_title.localeCompare(b.video_title));
}
