import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import axe from "axe-core";
import { formatMoney } from "@mamc/shared/i18n";
import { json, renderApp } from "../../test/render";
import { card } from "../../test/fixtures";

function course(i: number, over: Record<string, unknown> = {}) {
  return {
    id: `c${i}`, owner_id: "i1", instructor_name: "Sensei Ito", title: `Heian series ${i}`, video_count: 3, duration_s: 905,
    cover_url: `/api/v1/videos/v${i}/poster?v=abc`, published_at: "2024-05-02T10:00:00Z",
    price_cents: 2500, currency: "eur", videos_total_cents: 3897, savings_cents: 1397, ...over,
  };
}

const videos = () => json(200, { items: [card(1)], next_cursor: null });

describe("catalog courses", () => {
  it("browse shows a Courses row whose cards link to the course page with the bundle price and saving", async () => {
    const { calls } = renderApp("/browse", (_r, url) => {
      if (url.pathname === "/api/v1/videos") return videos();
      if (url.pathname === "/api/v1/courses") return json(200, { items: [course(1), course(2, { video_count: 1, price_cents: null, currency: null, videos_total_cents: null, savings_cents: null })], next_cursor: null });
    });
    const row = (await screen.findByRole("heading", { name: "Courses" })).closest("section")!;
    const bundle = within(row).getByRole("link", { name: /Heian series 1/ });
    expect(bundle).toHaveAttribute("href", "/courses/c1");
    expect(bundle).toHaveTextContent(`Whole course: ${formatMoney("en", 2500, "eur")}`);
    expect(bundle).toHaveTextContent(`Save ${formatMoney("en", 1397, "eur")}`);
    expect(bundle).toHaveTextContent("3 videos");
    expect(bundle.querySelector("img")).toHaveAttribute("src", "/api/v1/videos/v1/poster?v=abc");
    const perVideo = within(row).getByRole("link", { name: /Heian series 2/ });
    expect(perVideo).toHaveTextContent("Priced per video");
    expect(perVideo).not.toHaveTextContent("Save");
    expect(perVideo).toHaveTextContent(/1 video(?!s)/);
    expect(calls.some((c) => c.path === "/api/v1/courses?limit=8")).toBe(true);
    const results = await axe.run(row, { rules: { "color-contrast": { enabled: false } } });
    expect(results.violations.map((v) => v.id)).toEqual([]);
  });

  it("home shows the row too, with prices in the locale's format (Italian)", async () => {
    renderApp("/", (_r, url) => {
      if (url.pathname === "/api/v1/videos") return videos();
      if (url.pathname === "/api/v1/courses") return json(200, { items: [course(1)], next_cursor: null });
    }, { lang: "it" });
    const row = (await screen.findByRole("heading", { name: "Corsi" })).closest("section")!;
    expect(within(row).getByRole("link", { name: /Heian series 1/ })).toHaveTextContent(`Risparmi ${formatMoney("it", 1397, "eur")}`.replace(/\s/g, " "));
  });

  it("a filtered search does not ask for courses (they are not filtered)", async () => {
    const filtered = renderApp("/browse?q=heian", (_r, url) => (url.pathname === "/api/v1/videos" ? videos() : undefined));
    expect(await screen.findByText("Kata 1")).toBeInTheDocument();
    expect(filtered.calls.some((c) => c.path.startsWith("/api/v1/courses"))).toBe(false);
  });

  it("no published courses: no empty Courses row", async () => {
    renderApp("/browse", (_r, url) => {
      if (url.pathname === "/api/v1/videos") return videos();
      if (url.pathname === "/api/v1/courses") return json(200, { items: [], next_cursor: null });
    });
    expect(await screen.findByText("Kata 1")).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Courses" })).not.toBeInTheDocument();
  });
});
