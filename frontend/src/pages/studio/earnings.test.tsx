import { describe, expect, it } from "vitest";
import { screen } from "@testing-library/react";
import { json, makeUser, renderApp } from "../../test/render";

const TOKENS = { access_token: "a", refresh_token: "r" };
const line = { instructor_id: "i1", instructor_name: "Ito", instructor_email: "ito@example.com", currency: "EUR", sales: 3, gross_cents: 3000, stripe_fee_cents: 177, platform_fee_cents: 600, net_cents: 2223 };

describe("earnings", () => {
  it("instructor sees the month's net and ledger", async () => {
    const { calls } = renderApp(
      "/studio/earnings",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ id: "i1", role: "instructor" }));
        if (url.pathname === "/api/v1/earnings/payouts") return json(200, { month: url.searchParams.get("month"), lines: [line] });
        if (url.pathname === "/api/v1/earnings/videos") return json(200, []);
        if (url.pathname === "/api/v1/earnings/ledger")
          return json(200, { items: [{ id: "l1", purchase_id: "p1", entry_type: "sale", currency: "EUR", gross_cents: 1000, stripe_fee_cents: 59, platform_fee_cents: 200, net_cents: 741, occurred_at: "2024-06-01T00:00:00Z" }], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("€22.23")).toBeInTheDocument();
    expect(await screen.findByText("€7.41")).toBeInTheDocument();
    expect(calls.find((c) => c.path.startsWith("/api/v1/earnings/payouts"))!.path).toMatch(/month=\d{4}-\d{2}/);
  });

  it("labels ledger entries in words and charts the month per video (Italian)", async () => {
    renderApp(
      "/studio/earnings",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ id: "i1", role: "instructor", language: "it" }));
        if (url.pathname === "/api/v1/earnings/payouts") return json(200, { month: "2024-06", lines: [line] });
        if (url.pathname === "/api/v1/earnings/videos")
          return json(200, [
            { video_id: "v1", video_title: "Heian Shodan", currency: "EUR", sales: 1, refunds: 0, gross_cents: 2000, fees_cents: 488, net_cents: 1512 },
            { video_id: "v2", video_title: "Tekki", currency: "EUR", sales: 2, refunds: 1, gross_cents: 1000, fees_cents: 289, net_cents: 711 },
          ]);
        if (url.pathname === "/api/v1/earnings/ledger")
          return json(200, { items: [
            { id: "l1", purchase_id: "p1", entry_type: "sale", currency: "EUR", gross_cents: 1000, stripe_fee_cents: 0, platform_fee_cents: 200, net_cents: 800, occurred_at: "2024-06-01T00:00:00Z" },
            { id: "l2", purchase_id: "p1", entry_type: "stripe_fee", currency: "EUR", gross_cents: 0, stripe_fee_cents: 59, platform_fee_cents: 0, net_cents: -59, occurred_at: "2024-06-01T00:00:00Z" },
          ], next_cursor: null });
      },
      { tokens: TOKENS, lang: "it" },
    );
    const table = await screen.findByRole("table");
    expect(table).toHaveTextContent("Vendita");
    expect(table).toHaveTextContent("Commissione sul pagamento con carta");
    expect(table).not.toHaveTextContent("stripe_fee");
    const chart = screen.getByRole("list", { name: "Guadagni netti per video questo mese" });
    const bars = chart.querySelectorAll(".bar-fill");
    expect([...bars].map((b) => (b as HTMLElement).style.width)).toEqual(["100%", "47%"]);
    expect(chart).toHaveTextContent("1 vendita");
    expect(chart).toHaveTextContent("2 vendite · 1 rimborso");
  });

  it("admin sees every instructor's payout line", async () => {
    renderApp(
      "/admin/payouts",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "admin" }));
        if (url.pathname === "/api/v1/admin/payouts") return json(200, { month: "2024-06", lines: [line, { ...line, instructor_id: "i2", instructor_name: "Funakoshi", net_cents: 100 }] });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("Funakoshi")).toBeInTheDocument();
    expect(screen.getByText("Ito")).toBeInTheDocument();
  });
});
