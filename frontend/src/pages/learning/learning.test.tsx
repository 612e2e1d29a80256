import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { json, makeUser, renderApp } from "../../test/render";
import { LineChart, layout } from "../../components/charts/LineChart";
import { isoWeek } from "./learning";

const TOKENS = { access_token: "a", refresh_token: "r" };
const summary = {
  xp: 245,
  level: 2,
  streak: { days: 4, alive: true, at_risk: true, grace_days: ["2026-11-28"] },
  weekly_goal: 3,
  week_days: 2,
  week_xp: 80,
  timezone: "Europe/Rome",
  leaderboard_opt_out: false,
  badges: [
    { badge: "first_attempt", earned_at: "2026-11-20T10:00:00Z" },
    { badge: "path:kick", earned_at: "2026-11-25T10:00:00Z" },
  ],
  techniques: ["kick"],
};
const kick = {
  technique: "kick",
  belts: [
    { belt: "white", min_score: 0, attempts: 1, earned_at: "2026-11-20T10:00:00Z" },
    { belt: "yellow", min_score: 60, attempts: 1, earned_at: "2026-11-21T10:00:00Z" },
    { belt: "orange", min_score: 70, attempts: 2, earned_at: null },
    { belt: "green", min_score: 80, attempts: 3, earned_at: null },
    { belt: "black", min_score: 90, attempts: 3, earned_at: null },
  ],
  next_belt: "orange",
  next_needs: 1,
  best: 72,
  history: [
    { at: "2026-11-20T10:00:00Z", score: 55 },
    { at: "2026-11-21T10:00:00Z", score: 72 },
  ],
};

describe("my progress", () => {
  it("shows XP, the streak at risk, the goal, badges in words and the score chart", async () => {
    const { calls } = renderApp(
      "/learning",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/learning/me" && req.method === "GET") return json(200, summary);
        if (url.pathname === "/api/v1/learning/me" && req.method === "PATCH") return json(200, { ...summary, weekly_goal: 5 });
        if (url.pathname === "/api/v1/learning/me/techniques/kick") return json(200, kick);
        if (url.pathname === "/api/v1/learning/me/rewards")
          return json(200, [{ grant_id: "g1", instructor_name: "Sensei", technique: "kick", belt: "yellow", percent_off: 20, code: null, unlocked_at: "2026-11-21T10:00:00Z" }]);
        if (url.pathname === "/api/v1/learning/me/rewards/g1/claim")
          return json(200, { grant_id: "g1", instructor_name: "Sensei", technique: "kick", belt: "yellow", percent_off: 20, code: "MAMC-ABC", unlocked_at: "2026-11-21T10:00:00Z" });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByTestId("xp")).toHaveTextContent("245 XP");
    expect(screen.getByText("🔥 4-day streak")).toBeInTheDocument();
    expect(screen.getByText(/Yesterday was your grace day/)).toBeInTheDocument();
    expect(screen.getByText("2 of 3 practice days this week")).toBeInTheDocument();
    expect(screen.getByText(/First attempt/)).toBeInTheDocument();
    expect(screen.getByText(/Belt path completed: Kick/)).toBeInTheDocument();
    const chart = await screen.findByRole("img", { name: "Scores for Kick over time, 2 attempts" });
    expect(chart.querySelectorAll("circle")).toHaveLength(2);
    expect(screen.getByText(/Next: Orange belt, 1 more attempt/)).toBeInTheDocument();

    fireEvent.change(screen.getByLabelText("Weekly goal", { selector: "select" }), { target: { value: "5" } });
    fireEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("2 of 5 practice days this week")).toBeInTheDocument();
    expect(calls.find((c) => c.method === "PATCH")!.body).toEqual({ weekly_goal: 5, timezone: "Europe/Rome" });

    fireEvent.click(await screen.findByRole("button", { name: "Get the code" }));
    expect(await screen.findByText("Your code: MAMC-ABC")).toBeInTheDocument();
  });
});

describe("leaderboards", () => {
  it("shows display names, marks me, and lets me opt out", async () => {
    let optedOut = false;
    const { calls } = renderApp(
      "/leaderboards",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname.startsWith("/api/v1/learning/leaderboards/weeks/"))
          return json(200, {
            board: "week",
            opted_out: optedOut,
            rows: optedOut
              ? [{ rank: 1, display_name: "Bruno", value: 90, is_me: false }]
              : [
                  { rank: 1, display_name: "Bruno", value: 90, is_me: false },
                  { rank: 2, display_name: "Kano", value: 40, is_me: true },
                ],
          });
        if (url.pathname === "/api/v1/learning/me" && req.method === "PATCH") {
          optedOut = true;
          return json(200, { ...summary, leaderboard_opt_out: true });
        }
      },
      { tokens: TOKENS },
    );
    const table = await screen.findByRole("table");
    expect(within(table).getByText("Bruno")).toBeInTheDocument();
    expect(within(table).getByText("(you)")).toBeInTheDocument();
    expect(calls.find((c) => c.path.includes("/leaderboards/weeks/"))!.path).toMatch(/weeks\/\d{4}-W\d{2}$/);
    fireEvent.click(screen.getByLabelText("Hide me from leaderboards"));
    expect(screen.getByLabelText("Hide me from leaderboards")).toBeChecked(); // at once, before the server answers
    expect(await screen.findByText(/You are hidden from leaderboards/)).toBeInTheDocument();
    await waitFor(() => expect(within(screen.getByRole("table")).queryByText("(you)")).toBeNull());
    expect(calls.find((c) => c.method === "PATCH")!.body).toEqual({ leaderboard_opt_out: true });
  });
});

describe("line chart", () => {
  it("places points by time and value", () => {
    const xy = layout(
      [
        { at: "2026-11-01T00:00:00Z", value: 0 },
        { at: "2026-11-03T00:00:00Z", value: 50 },
        { at: "2026-11-11T00:00:00Z", value: 100 },
      ],
      560,
      220,
      0,
      100,
    );
    expect(xy[0].x).toBeLessThan(xy[1].x);
    expect(xy[1].x - xy[0].x).toBeCloseTo((xy[2].x - xy[0].x) / 5, 5); // 2 of 10 days
    expect(xy[0].y).toBeGreaterThan(xy[1].y);
    expect(xy[1].y).toBeCloseTo((xy[0].y + xy[2].y) / 2, 5);
  });

  it("draws guides and lists the points for screen readers", () => {
    render(<LineChart points={[{ at: "2026-11-01T00:00:00Z", value: 64 }]} label="scores" guides={[{ value: 90, label: "Black" }]} formatX={() => "1 Nov"} />);
    expect(screen.getByRole("img", { name: "scores" }).querySelector("[data-guide='Black']")).not.toBeNull();
    expect(screen.getByRole("table")).toHaveTextContent("64");
  });
});

describe("iso weeks", () => {
  it("follows ISO 8601 across the year end", () => {
    expect(isoWeek(new Date("2026-11-29T12:00:00Z"))).toBe("2026-W48");
    expect(isoWeek(new Date("2027-01-01T12:00:00Z"))).toBe("2026-W53");
    expect(isoWeek(new Date("2026-11-29T12:00:00Z"), -1)).toBe("2026-W47");
  });
});
