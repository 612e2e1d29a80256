import { describe, expect, it, vi } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";

const TOKENS = { access_token: "a", refresh_token: "r" };
const checkout = {
  checkout_session_id: "cs_test_sandbox_1", kind: "ppv", title: "Kata 1", amount_cents: 1299, currency: "eur",
  rental_hours: null, interval: null, status: "open", cancel_url: "http://x/library?checkout=cancelled",
};

describe("sandbox checkout (development only)", () => {
  it("pays with the buyer's own session and goes where Stripe would send them", async () => {
    let auth: string | null = null;
    const assign = vi.fn();
    const orig = window.location;
    Object.defineProperty(window, "location", { value: { ...orig, origin: orig.origin, assign }, configurable: true });
    const { calls } = renderApp(
      "/sandbox/checkout/cs_test_sandbox_1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname.endsWith("/pay") && req.method === "POST") {
          auth = req.headers.get("Authorization");
          return json(200, { redirect_url: "http://x/library?checkout=success&session_id=cs_test_sandbox_1" });
        }
        if (url.pathname === "/api/v1/sandbox/checkout/cs_test_sandbox_1") return json(200, checkout);
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByRole("heading", { name: "Buy “Kata 1” — watch forever" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Pay €12.99" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("http://x/library?checkout=success&session_id=cs_test_sandbox_1"));
    expect(auth).toBe("Bearer a");
    expect(calls.filter((c) => c.path.endsWith("/pay"))).toHaveLength(1);
    Object.defineProperty(window, "location", { value: orig, configurable: true });
  });

  it("sends an anonymous visitor to log in first", async () => {
    const { router } = renderApp("/sandbox/checkout/cs_test_sandbox_1", () => undefined);
    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
  });

  it("an expired checkout offers no Pay button", async () => {
    renderApp(
      "/sandbox/checkout/cs_test_sandbox_1",
      (_req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/sandbox/checkout/cs_test_sandbox_1") return json(200, { ...checkout, status: "expired" });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("This checkout has expired. Start again from the video.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Pay/ })).not.toBeInTheDocument();
  });
});
