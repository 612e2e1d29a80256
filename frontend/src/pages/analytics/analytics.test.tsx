import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { json, makeUser, renderApp } from "../../test/render";
import { dayToTs, joinForecast, toColumns } from "./chartData";

const TOKENS = { access_token: "a", refresh_token: "r" };
const days = (n: number, value: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({ day: `2026-03-${String(i + 1).padStart(2, "0")}`, value: value(i) }));

describe("chart data", () => {
  it("aligns lines on one day axis with gaps, joins the forecast to the last actual day, scales money", () => {
    const actual = days(3, (i) => i * 100);
    const forecast = [{ day: "2026-03-04", value: 500 }];
    const [x, a, f] = toColumns([{ label: "a", points: actual, scale: 100 }, { label: "f", points: joinForecast(actual, forecast), scale: 100 }]);
    expect(x).toEqual(["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"].map(dayToTs));
    expect(a).toEqual([0, 1, 2, null]);
    expect(f).toEqual([null, null, 2, 5]);
  });
});

describe("analytics pages", () => {
  it("instructor dashboard: live viewers, per-video table, forecast labelled with method and backtest error", async () => {
    const series = (name: string) => ({ name, points: days(14, (i) => i) });
    const dashboard = {
      start: "2026-03-01", end: "2026-03-14",
      views: series("views"), watch_hours: series("watch_hours"), revenue: [], revenue_totals: [{ currency: "eur", sales: 2, gross_cents: 2000, net_cents: 1500 }],
      videos: [{ video_id: "v1", title: "Heian shodan", views: 12, unique_viewers: 9, watch_seconds: 3600, trailer_viewers: 4, trailer_converted: 1, conversion_pct: 25 }],
      renditions: [{ rendition: "1080p", watch_seconds: 5400 }, { rendition: "480p", watch_seconds: 600 }],
      references: [{ reference_id: "r1", name: "Front kick", attempts: 5, average_score: 81.5 }],
      forecasts: [{ name: "views", method: "seasonal-naive (weekly)", horizon_days: 30, points: days(3, () => 7), backtest_mae: 1.25, backtest_mape_pct: 12.4, backtest_days: 7 }],
    };
    const { calls } = renderApp(
      "/studio/analytics",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ id: "i1", role: "instructor" }));
        if (url.pathname === "/api/v1/analytics/instructor") return json(200, dashboard);
        if (url.pathname === "/api/v1/analytics/live") return json(200, { window_seconds: 30, viewers: 3, by_video: { v1: 3 } });
        if (url.pathname === "/api/v1/analytics/instructor/videos/v1/retention")
          return json(200, { video_id: "v1", total_sessions: 4, points: [{ pct: 0, share: 1 }, { pct: 50, share: 0.5 }] });
      },
      { tokens: TOKENS },
    );
    const row = (await screen.findByText("Heian shodan")).closest("tr")!;
    expect(within(row).getByText("25% (1/4)")).toBeInTheDocument();
    expect(await screen.findByText("3")).toBeInTheDocument();
    expect(screen.getByText(/seasonal-naive \(weekly\).*last 7 days: mean absolute error 1\.3, mean percentage error 12%/)).toBeInTheDocument();
    expect(screen.getByText("Front kick")).toBeInTheDocument();
    const byQuality = screen.getByRole("heading", { name: "Watch time by quality" }).closest("section")!;
    expect(within(byQuality).getAllByRole("row").map((r) => r.textContent)).toEqual(["QualityWatch time", "1080p1:30:00", "480p10:00"]);
    expect(await screen.findByText(/4 playbacks/)).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith("/api/v1/analytics/instructor?start="))).toBe(true);
  });

  it("home shows continue watching with how far along", async () => {
    renderApp(
      "/",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/me/continue-watching")
          return json(200, { items: [{ video_id: "v9", title: "Armbar drill", poster_url: null, position_s: 90, duration_s: 300, percent: 30, updated_at: "2026-03-01T00:00:00Z" }] });
        if (url.pathname === "/api/v1/videos") return json(200, { items: [], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByRole("heading", { name: "Continue watching" })).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "30% watched" })).toBeInTheDocument();
    expect(screen.getByText("Armbar drill").closest("a")).toHaveAttribute("href", "/videos/v9");
  });
});
