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
        if (url.pathname === "/api/v1/earnings/ledger")
          return json(200, { items: [{ id: "l1", purchase_id: "p1", entry_type: "sale", currency: "EUR", gross_cents: 1000, stripe_fee_cents: 59, platform_fee_cents: 200, net_cents: 741, occurred_at: "2024-06-01T00:00:00Z" }], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("€22.23")).toBeInTheDocument();
    expect(await screen.findByText("€7.41")).toBeInTheDocument();
    expect(calls.find((c) => c.path.startsWith("/api/v1/earnings/payouts"))!.path).toMatch(/month=\d{4}-\d{2}/);
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
