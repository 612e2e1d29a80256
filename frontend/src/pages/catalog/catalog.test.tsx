import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { card, playback } from "../../test/fixtures";

const TOKENS = { access_token: "a", refresh_token: "r" };

describe("catalog", () => {
  it("home shows featured and new shelves", async () => {
    renderApp("/", (_r, url) =>
      url.pathname === "/api/v1/videos"
        ? json(200, url.searchParams.get("price_type") === "free" ? { items: [card(1, { is_free: true })], next_cursor: null } : { items: [card(2), card(3)], next_cursor: null })
        : undefined,
    );
    expect(await screen.findByRole("heading", { name: "Free to watch" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "New releases" })).toBeInTheDocument();
    expect(screen.getByText("Kata 1")).toBeInTheDocument();
    expect(screen.getByText("Kata 3")).toBeInTheDocument();
  });

  it("search sends filters and loads more with the cursor", async () => {
    const { calls } = renderApp("/browse?level=beginner", (_r, url) => {
      if (url.pathname === "/api/v1/videos") {
        const c = url.searchParams.get("cursor");
        return c === "p2" ? json(200, { items: [card(3)], next_cursor: null }) : json(200, { items: [card(1), card(2)], next_cursor: "p2" });
      }
    });
    expect(await screen.findByText("Kata 2")).toBeInTheDocument();
    await userEvent.type(screen.getByRole("searchbox", { name: "Search videos" }), "heian");
    await userEvent.click(screen.getByRole("button", { name: "Search" }));
    await waitFor(() => expect(calls.some((c) => c.path.includes("q=heian") && c.path.includes("level=beginner"))).toBe(true));
    await userEvent.click(await screen.findByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Kata 3")).toBeInTheDocument();
    expect(calls.some((c) => c.path.includes("cursor=p2") && c.path.includes("q=heian"))).toBe(true);
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("video page without access shows the poster and buy/rent/subscribe, never a playable URL", async () => {
    const { container } = renderApp(
      "/videos/v1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
        if (url.pathname === "/api/v1/videos/v1/playback") return json(403, { error: { code: "not_entitled", message: "Buy first" } });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByRole("heading", { name: "Kata 1" })).toBeInTheDocument();
    expect(await screen.findByRole("button", { name: /Buy for/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Rent for/ })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /^Subscribe/ })).toBeInTheDocument();
    expect(container.querySelector("video")).toBeNull();
    expect(container.innerHTML).not.toContain(".m3u8");
  });

  it("an empty catalog says so, and only a search with no hits says 'no videos match'", async () => {
    const empty = () => json(200, { items: [], next_cursor: null });
    renderApp("/browse", (_r, url) => (url.pathname === "/api/v1/videos" ? empty() : undefined));
    expect(await screen.findByText("No videos have been published yet. Come back soon.")).toBeInTheDocument();
    expect(screen.queryByText("No videos match your search.")).not.toBeInTheDocument();
  });

  it("a search with no hits says no video matches", async () => {
    renderApp("/browse?q=squat", (_r, url) => (url.pathname === "/api/v1/videos" ? json(200, { items: [], next_cursor: null }) : undefined));
    expect(await screen.findByText("No videos match your search.")).toBeInTheDocument();
  });

  it("logged-out visitors see every way to buy, in the locale's money format, on cards and the video page", async () => {
    const handler = (_r: Request, url: URL) => {
      if (url.pathname === "/api/v1/plans") return json(200, { currency: "eur", monthly_cents: 1500, yearly_cents: 15000 });
      if (url.pathname === "/api/v1/videos") return json(200, { items: [card(1)], next_cursor: null });
      if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
      return undefined;
    };
    const first = renderApp("/browse", handler);
    const link = await screen.findByRole("link", { name: /Kata 1/ });
    await waitFor(() => expect(link).toHaveTextContent("Subscription €15.00/month"));
    expect(link).toHaveTextContent("Buy €12.99");
    expect(link).toHaveTextContent("Rent €3.99");
    first.unmount();
    renderApp("/videos/v1", handler);
    const ways = await screen.findByRole("list", { name: "Ways to watch" });
    await waitFor(() => expect(ways).toHaveTextContent("Subscription €15.00/month"));
    expect(ways).toHaveTextContent("Buy €12.99");
    expect(ways).toHaveTextContent("Rent €3.99");
    expect(ways).toHaveTextContent("48 h rental");
    expect(screen.getByRole("link", { name: "Log in to watch" })).toBeInTheDocument();
  });

  it("video page with a playback grant shows the player", async () => {
    const { container } = renderApp(
      "/videos/v1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
        if (url.pathname === "/api/v1/videos/v1/playback") return json(200, playback());
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("You have access to this video.")).toBeInTheDocument();
    expect(container.querySelector("video")).not.toBeNull();
    expect(screen.queryByRole("button", { name: /Buy for/ })).not.toBeInTheDocument();
  });

  it("buying creates a checkout session and redirects to it", async () => {
    const assign = vi.fn();
    const orig = window.location;
    Object.defineProperty(window, "location", { value: { ...orig, origin: orig.origin, assign }, configurable: true });
    const { calls } = renderApp(
      "/videos/v1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
        if (url.pathname === "/api/v1/videos/v1/playback") return json(403, {});
        if (url.pathname === "/api/v1/checkout") return json(201, { checkout_session_id: "cs_1", url: "https://pay.example/cs_1", purchase_id: "p1", subscription_id: null, reused: false });
      },
      { tokens: TOKENS },
    );
    await userEvent.click(await screen.findByRole("button", { name: /Buy for/ }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://pay.example/cs_1"));
    expect(calls.find((c) => c.path === "/api/v1/checkout")?.body).toEqual({ kind: "ppv", video_id: "v1" });
    expect(JSON.parse(sessionStorage.getItem("mamc.checkout")!)).toMatchObject({ kind: "ppv", video_id: "v1", purchase_id: "p1" });
    Object.defineProperty(window, "location", { value: orig, configurable: true });
  });

  it("anonymous visitors are asked to log in", async () => {
    renderApp("/videos/v1", (_r, url) => {
      if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
      if (url.pathname === "/api/v1/videos/v1/playback") return json(401, { error: { code: "not_authenticated", message: "x" } });
    });
    expect(await screen.findByRole("link", { name: "Log in to watch" })).toHaveAttribute("href", "/login?next=%2Fvideos%2Fv1");
  });

  it("a viewer reports a video to the moderators", async () => {
    const { calls } = renderApp(
      "/videos/v1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ id: "u9" }));
        if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
        if (url.pathname === "/api/v1/videos/v1/playback") return json(403, {});
        if (url.pathname === "/api/v1/videos/v1/reports") return json(201, { id: "r1" });
      },
      { tokens: TOKENS },
    );
    await userEvent.click(await screen.findByRole("button", { name: /Report this video/ }));
    await userEvent.selectOptions(screen.getByLabelText("Reason"), "spam");
    await userEvent.type(screen.getByLabelText("Details (optional)"), "Advert");
    await userEvent.click(screen.getByRole("button", { name: "Send report" }));
    expect(await screen.findByText("Thank you. The moderators will review it.")).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith("/reports"))!.body).toEqual({ reason: "spam", details: "Advert" });
  });

  it("an unstarted rental waits for 'Start watching' before asking for playback (that starts the clock)", async () => {
    const rentalEnt = { id: "e1", user_id: "u1", video_id: "v1", kind: "rental", status: "active", source_type: "purchase", granted_at: "2024-06-01T00:00:00Z", expires_at: null, rental_hours: 48, first_played_at: null, revoked_reason: null };
    const { calls, container } = renderApp(
      "/videos/v1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
        if (url.pathname === "/api/v1/me/library") return json(200, { items: [rentalEnt], next_cursor: null });
        if (url.pathname === "/api/v1/videos/v1/playback") return json(200, playback({ access: "rental" }));
      },
      { tokens: TOKENS },
    );
    const start = await screen.findByRole("button", { name: /Start watching/ });
    expect(screen.getByText("Your 48 h rental starts when you press play.")).toBeInTheDocument();
    expect(calls.some((c) => c.path.endsWith("/playback"))).toBe(false);
    expect(screen.queryByRole("button", { name: /Buy for/ })).not.toBeInTheDocument();
    await userEvent.click(start);
    expect(await screen.findByText("You have access to this video.")).toBeInTheDocument();
    expect(container.querySelector("video")).not.toBeNull();
    expect(calls.filter((c) => c.path.endsWith("/playback"))).toHaveLength(1);
  });
});
