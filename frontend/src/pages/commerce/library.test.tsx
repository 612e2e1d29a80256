import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { json, makeUser, renderApp } from "../../test/render";
import { card } from "../../test/fixtures";

const TOKENS = { access_token: "a", refresh_token: "r" };
const ent = (over: Record<string, unknown> = {}) => ({
  id: "e1", user_id: "u1", video_id: "v1", kind: "ppv", status: "active", source_type: "purchase", granted_at: new Date().toISOString(),
  expires_at: null, rental_hours: null, first_played_at: null, revoked_reason: null, ...over,
});

describe("library and checkout return", () => {
  it("polls after checkout until the entitlement appears, then offers to watch", async () => {
    sessionStorage.setItem("mamc.checkout", JSON.stringify({ kind: "ppv", video_id: "v1", purchase_id: "p1", subscription_id: null, started_at: Date.now() }));
    let libraryCalls = 0;
    renderApp(
      "/library?checkout=success&session_id=cs_1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/me/library") {
          libraryCalls++;
          // The webhook lands after the first poll.
          return json(200, { items: libraryCalls >= 3 ? [ent()] : [], next_cursor: null });
        }
        if (url.pathname === "/api/v1/me/subscription") return json(200, null);
        if (url.pathname === "/api/v1/me/purchases") return json(200, { items: [], next_cursor: null });
        if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("Confirming your payment…")).toBeInTheDocument();
    expect(await screen.findByText("Payment confirmed. Enjoy your training!", {}, { timeout: 4000 })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Watch now" })).toHaveAttribute("href", "/videos/v1");
    expect(await screen.findByRole("heading", { name: "Kata 1" })).toBeInTheDocument();
    expect(sessionStorage.getItem("mamc.checkout")).toBeNull();
  }, 8000);

  it("lists entitlements, purchases and the subscription state", async () => {
    renderApp(
      "/library",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/me/library") return json(200, { items: [ent(), ent({ id: "e2", video_id: "v2", kind: "rental", rental_hours: 48 })], next_cursor: null });
        if (url.pathname === "/api/v1/me/subscription") return json(200, { id: "s1", interval: "month", status: "active", amount_cents: 999, currency: "EUR", current_period_end: "2030-01-01T00:00:00Z", cancel_at_period_end: false, canceled_at: null });
        if (url.pathname === "/api/v1/me/purchases")
          return json(200, { items: [{ id: "p1", video_id: "v1", video_title: "Kata 1", kind: "ppv", status: "paid", amount_cents: 1299, currency: "EUR", rental_hours: null, amount_refunded_cents: 0, paid_at: "2024-06-01T00:00:00Z", refunded_at: null, created_at: "2024-06-01T00:00:00Z" }], next_cursor: null });
        if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
        if (url.pathname === "/api/v1/videos/v2") return json(200, card(2));
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByRole("heading", { name: "Kata 2" })).toBeInTheDocument();
    expect(screen.getByText("48 h from the first play")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Manage billing" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Kata 1" })).toBeInTheDocument();
    expect(screen.getByText("Paid")).toBeInTheDocument();
  });

  it("purchase history: each row's status is the purchase's own state (no 'Purchased · Failed')", async () => {
    const row = (over: Record<string, unknown>) => ({ id: "p1", video_id: "v1", video_title: "Kata 1", kind: "ppv", status: "paid", amount_cents: 1299, currency: "EUR", rental_hours: null, amount_refunded_cents: 0, paid_at: null, refunded_at: null, created_at: "2024-06-01T00:00:00Z", ...over });
    renderApp(
      "/library",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/me/library") return json(200, { items: [], next_cursor: null });
        if (url.pathname === "/api/v1/me/subscription") return json(200, null);
        if (url.pathname === "/api/v1/me/purchases")
          return json(200, { items: [
            row({ id: "a", status: "failed", video_title: "Failed one" }),
            row({ id: "b", status: "expired", video_title: "Expired one" }),
            row({ id: "c", status: "partially_refunded", amount_refunded_cents: 300, paid_at: "2024-06-01T00:00:00Z", kind: "rental", video_title: "Part refund" }),
          ], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows[0]).toHaveTextContent("Failed one · PurchasePayment failed");
    expect(rows[1]).toHaveTextContent("Checkout expired, not charged");
    expect(rows[2]).toHaveTextContent("Part refund · RentalPartly refunded€12.99€3.00 refunded");
    expect(table).not.toHaveTextContent("Purchased");
  });

  it("redirects anonymous visitors to log in", async () => {
    const { router } = renderApp("/library", () => undefined);
    await screen.findByRole("heading", { name: "Log in" });
    expect(router.state.location.search).toBe("?next=%2Flibrary");
  });
});
