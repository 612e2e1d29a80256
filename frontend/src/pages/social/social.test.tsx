import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router-dom";
import { I18nProvider } from "../../i18n/i18n";
import { ToastProvider } from "../../components/Toasts";
import { AuthProvider } from "../../auth/AuthContext";
import { createApi } from "../../api/client";
import { createTokenStore } from "../../api/tokens";
import { BASE, json, makeUser, renderApp, type Handler } from "../../test/render";
import { card } from "../../test/fixtures";
import { splitMoments } from "./timestamps";
import { CommentBody, Comments } from "./Comments";
import { FollowButton, LikeButton } from "./LikeButton";

const TOKENS = { access_token: "a", refresh_token: "r" };

function comment(id: string, over: Record<string, unknown> = {}) {
  return {
    id, video_id: "v1", parent_id: null, author_id: "u2", author_name: "Marco", is_instructor: false, body: `Body ${id}`,
    status: "visible", hidden_by: null, hidden_reason: null, pinned: false, reactions: {}, my_reactions: [],
    created_at: "2026-11-01T10:00:00Z", replies: [], ...over,
  };
}

function page(items: unknown[], over: Record<string, unknown> = {}) {
  return { items, next_cursor: null, can_post: true, cannot_post_reason: null, can_moderate: false, ...over };
}

/** Render one component with the app's providers and a stubbed backend (signed in as `user`). */
function renderWith(ui: React.ReactNode, handler: Handler, user: Record<string, unknown> | null = makeUser()) {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  const fetch = vi.fn(async (req: Request) => {
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.clone().text();
    calls.push({ method: req.method, path: url.pathname + url.search, body: text ? JSON.parse(text) : undefined });
    if (url.pathname === "/api/v1/me" && user) return json(200, user);
    return (await handler(req, url)) ?? json(404, { error: { code: "not_found", message: "no stub" } });
  });
  const store = createTokenStore(null);
  if (user) store.set(TOKENS);
  const api = createApi({ baseUrl: BASE, fetch, tokens: store });
  render(
    <I18nProvider initial="en">
      <ToastProvider>
        <AuthProvider api={api}>
          <MemoryRouter>{ui}</MemoryRouter>
        </AuthProvider>
      </ToastProvider>
    </I18nProvider>,
  );
  return { calls };
}

describe("moments in comments", () => {
  it("splits mm:ss and h:mm:ss into moments and leaves impossible times as text", () => {
    expect(splitMoments("see 1:23 and 1:02:03, not 1:75")).toEqual([
      { text: "see " },
      { text: "1:23", seconds: 83 },
      { text: " and " },
      { text: "1:02:03", seconds: 3723 },
      { text: ", not 1:75" },
    ]);
    expect(splitMoments("no moment here")).toEqual([{ text: "no moment here" }]);
  });

  it("a moment in a comment seeks the video when clicked", async () => {
    const onSeek = vi.fn();
    render(
      <I18nProvider initial="en">
        <CommentBody body="Watch the hips at 1:23!" onSeek={onSeek} />
      </I18nProvider>,
    );
    await userEvent.click(screen.getByRole("button", { name: "Go to 1:23 in the video" }));
    expect(onSeek).toHaveBeenCalledWith(83);
  });
});

describe("comments thread", () => {
  it("shows the thread with replies and posts a comment", async () => {
    let items = [comment("c1", { replies: [comment("c2", { parent_id: "c1", author_name: "Sensei Ito", is_instructor: true, body: "Good question" })] })];
    const { calls } = renderWith(<Comments videoId="v1" />, (req, url) => {
      if (url.pathname === "/api/v1/videos/v1/comments" && req.method === "GET") return json(200, page(items));
      if (url.pathname === "/api/v1/videos/v1/comments" && req.method === "POST") {
        items = [comment("c3", { body: "New one", author_name: "Kano" }), ...items];
        return json(201, items[0]);
      }
    });
    expect(await screen.findByText("Body c1")).toBeInTheDocument();
    const reply = screen.getByRole("listitem", { name: "Comment by Sensei Ito" });
    expect(within(reply).getByText("Instructor")).toBeInTheDocument();
    await userEvent.type(screen.getByRole("textbox", { name: "Write a comment…" }), "New one");
    await userEvent.click(screen.getByRole("button", { name: "Post" }));
    expect(await screen.findByText("New one")).toBeInTheDocument();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ body: "New one", parent_id: null });
  });

  it("replies to a reply go to the thread's head", async () => {
    const items = [comment("c1", { replies: [comment("c2", { parent_id: "c1", body: "A reply" })] })];
    const { calls } = renderWith(<Comments videoId="v1" />, (req, url) => {
      if (url.pathname === "/api/v1/videos/v1/comments" && req.method === "GET") return json(200, page(items));
      if (url.pathname === "/api/v1/videos/v1/comments" && req.method === "POST") return json(201, comment("c9"));
    });
    await screen.findByText("A reply");
    const rows = screen.getAllByRole("listitem", { name: "Comment by Marco" });
    await userEvent.click(within(rows[1]).getByRole("button", { name: "Reply" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Reply to Marco…" }), "Me too");
    await userEvent.click(screen.getAllByRole("button", { name: "Post" })[1]);
    await waitFor(() => expect(calls.find((c) => c.method === "POST")?.body).toEqual({ body: "Me too", parent_id: "c1" }));
  });

  it("toggles a reaction and reports a comment with a reason", async () => {
    let mine: string[] = [];
    const { calls } = renderWith(<Comments videoId="v1" />, (req, url) => {
      if (url.pathname === "/api/v1/videos/v1/comments") return json(200, page([comment("c1", { my_reactions: mine, reactions: mine.length ? { fire: 1 } : {} })]));
      if (url.pathname === "/api/v1/comments/c1/reactions/fire") {
        mine = req.method === "PUT" ? ["fire"] : [];
        return json(200, { fire: mine.length });
      }
      if (url.pathname === "/api/v1/comments/c1/reports") return new Response(null, { status: 204 });
    });
    await userEvent.click(await screen.findByRole("button", { name: "Fire", pressed: false }));
    expect(await screen.findByRole("button", { name: "Fire", pressed: true })).toHaveTextContent("🔥 1");
    await userEvent.click(screen.getByRole("button", { name: "Fire", pressed: true }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/v1/comments/c1/reactions/fire")).toBe(true));

    await userEvent.click(screen.getByRole("button", { name: /Report/ }));
    const dialog = await screen.findByRole("dialog", { name: "Report this comment" });
    await userEvent.selectOptions(within(dialog).getByLabelText("Why?"), "abuse");
    await userEvent.type(within(dialog).getByLabelText("Details (optional)"), "insults");
    await userEvent.click(within(dialog).getByRole("button", { name: "Send report" }));
    await waitFor(() => expect(calls.find((c) => c.path === "/api/v1/comments/c1/reports")?.body).toEqual({ reason: "abuse", details: "insults" }));
    expect(await screen.findByText("Thank you: a moderator will look at it.")).toBeInTheDocument();
  });

  it("the video's instructor pins and hides a comment", async () => {
    const { calls } = renderWith(<Comments videoId="v1" />, (_req, url) => {
      if (url.pathname === "/api/v1/videos/v1/comments") return json(200, page([comment("c1")], { can_moderate: true }));
      if (url.pathname.startsWith("/api/v1/comments/c1/")) return new Response(null, { status: 204 });
    }, makeUser({ id: "i1", role: "instructor" }));
    await userEvent.click(await screen.findByRole("button", { name: "Pin" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT" && c.path === "/api/v1/comments/c1/pin")).toBe(true));
    await userEvent.click(screen.getByRole("button", { name: "Hide" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT" && c.path === "/api/v1/comments/c1/hidden")).toBe(true));
  });

  it("a student without access sees why they cannot comment, and no moderation buttons", async () => {
    renderWith(<Comments videoId="v1" />, (_req, url) => {
      if (url.pathname === "/api/v1/videos/v1/comments") return json(200, page([comment("c1")], { can_post: false, cannot_post_reason: "comment_not_entitled" }));
    });
    expect(await screen.findByText("Comments are open to people who can watch this video.")).toBeInTheDocument();
    expect(screen.queryByRole("textbox")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Pin" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Reply" })).not.toBeInTheDocument();
  });

  it("in Italian", async () => {
    const fetch = vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (url.pathname === "/api/v1/videos/v1/comments") return json(200, page([], { can_post: false, cannot_post_reason: "not_authenticated" }));
      return json(404, { error: { code: "not_found", message: "" } });
    });
    const api = createApi({ baseUrl: BASE, fetch, tokens: createTokenStore(null) });
    render(
      <I18nProvider initial="it">
        <ToastProvider>
          <AuthProvider api={api}>
            <MemoryRouter><Comments videoId="v1" /></MemoryRouter>
          </AuthProvider>
        </ToastProvider>
      </I18nProvider>,
    );
    expect(await screen.findByRole("heading", { name: "Commenti" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Accedi per commentare." })).toBeInTheDocument();
  });
});

describe("likes and follows", () => {
  it("like toggles and shows the count", async () => {
    let liked = false;
    renderWith(<LikeButton videoId="v1" />, (req, url) => {
      if (url.pathname === "/api/v1/videos/v1/likes") return json(200, { count: 4, liked });
      if (url.pathname === "/api/v1/videos/v1/like") {
        liked = req.method === "PUT";
        return json(200, { count: liked ? 5 : 4, liked });
      }
    });
    await userEvent.click(await screen.findByRole("button", { name: /Like · 4/, pressed: false }));
    expect(await screen.findByRole("button", { name: /Liked · 5/, pressed: true })).toBeInTheDocument();
  });

  it("follow toggles and shows the followers", async () => {
    renderWith(<FollowButton instructorId="i1" />, (req, url) => {
      if (url.pathname === "/api/v1/instructors/i1/follow" && req.method === "GET") return json(200, { followers: 2, following: false });
      if (url.pathname === "/api/v1/instructors/i1/follow" && req.method === "PUT") return json(200, { followers: 3, following: true });
    });
    await userEvent.click(await screen.findByRole("button", { name: "Follow" }));
    expect(await screen.findByRole("button", { name: "Following", pressed: true })).toBeInTheDocument();
    expect(screen.getByText("3 followers")).toBeInTheDocument();
  });
});

describe("pages", () => {
  it("the Following page lists the feed and loads more", async () => {
    const { calls } = renderApp("/following", (_r, url) => {
      if (url.pathname === "/api/v1/me") return json(200, makeUser());
      if (url.pathname === "/api/v1/me/feed") {
        return url.searchParams.get("cursor") === "p2"
          ? json(200, { items: [card(3)], next_cursor: null })
          : json(200, { items: [card(1), card(2)], next_cursor: "p2" });
      }
    }, { tokens: TOKENS });
    expect(await screen.findByRole("heading", { name: "Following", level: 1 })).toBeInTheDocument();
    expect(await screen.findByText("Kata 2")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("Kata 3")).toBeInTheDocument();
    expect(calls.some((c) => c.path.includes("/api/v1/me/feed") && c.path.includes("cursor=p2"))).toBe(true);
  });

  it("the admin comment queue hides a reported comment with a reason", async () => {
    const { calls } = renderApp("/admin/comments", (req, url) => {
      if (url.pathname === "/api/v1/me") return json(200, makeUser({ id: "adm", role: "admin" }));
      if (url.pathname === "/api/v1/admin/comments")
        return json(200, { items: [{ comment: comment("c1", { body: "cheap pills" }), reports: [{ reason: "spam", details: "ad", created_at: "2026-11-02T10:00:00Z" }] }], next_cursor: null });
      if (url.pathname === "/api/v1/admin/comments/c1/hide" && req.method === "POST") return new Response(null, { status: 204 });
    }, { tokens: TOKENS });
    expect(await screen.findByText("cheap pills")).toBeInTheDocument();
    expect(screen.getByText("Spam or advertising")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Hide" }));
    const dialog = await screen.findByRole("dialog", { name: "Hide this comment" });
    await userEvent.type(within(dialog).getByRole("textbox"), "spam link");
    await userEvent.click(within(dialog).getByRole("button", { name: "Confirm" }));
    await waitFor(() => expect(calls.find((c) => c.path === "/api/v1/admin/comments/c1/hide")?.body).toEqual({ reason: "spam link" }));
    await waitFor(() => expect(screen.queryByText("cheap pills")).not.toBeInTheDocument());
  });

  it("the course page lists its videos in order with their offers", async () => {
    renderApp("/courses/k1", (_req, url) => {
      if (url.pathname === "/api/v1/courses/k1")
        return json(200, { id: "k1", owner_id: "i1", instructor_name: "Sensei Ito", title: "Heian series", description: "All five.", published: true, videos: [card(2), card(1, { is_free: true, price_cents: null, rental_price_cents: null })], video_ids: ["v2", "v1"] });
      if (url.pathname === "/api/v1/instructors/i1/follow") return json(200, { followers: 7, following: false });
    });
    expect(await screen.findByRole("heading", { name: "Heian series", level: 1 })).toBeInTheDocument();
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Kata 2", "Kata 1"]);
    expect(screen.getByText("2 videos", { exact: false })).toBeInTheDocument();
    expect(await screen.findByText("7 followers")).toBeInTheDocument();
  });

  it("the studio course editor creates a course, orders its videos and publishes it", async () => {
    const instructor = makeUser({ id: "i1", role: "instructor" });
    let course = { id: "k1", owner_id: "i1", instructor_name: "Kano", title: "Heian series", description: "", published: false, videos: [] as unknown[], video_ids: [] as string[] };
    const { calls } = renderApp("/studio/courses", (req, url) => {
      if (url.pathname === "/api/v1/me") return json(200, instructor);
      if (url.pathname === "/api/v1/instructors/i1/courses") return json(200, calls.some((c) => c.method === "POST") ? [course] : []);
      if (url.pathname === "/api/v1/videos/mine") return json(200, { items: [card(1, { title: "Shodan" }), card(2, { title: "Nidan" })], next_cursor: null });
      if (url.pathname === "/api/v1/courses" && req.method === "POST") return json(201, course);
      if (url.pathname === "/api/v1/courses/k1/videos" && req.method === "PUT") {
        const body = calls[calls.length - 1].body as { video_ids: string[] };
        course = { ...course, video_ids: body.video_ids };
        return json(200, course);
      }
      if (url.pathname === "/api/v1/courses/k1" && req.method === "PATCH") return json(200, (course = { ...course, published: true }));
    }, { tokens: TOKENS });
    await userEvent.type(await screen.findByRole("textbox", { name: "New course title" }), "Heian series");
    await userEvent.click(screen.getByRole("button", { name: "Create course" }));
    const panel = await screen.findByRole("generic", { name: "Heian series" });
    const add = within(panel).getByRole("combobox", { name: "Add a video" });
    await waitFor(() => expect(within(add).getAllByRole("option").length).toBe(3));
    await userEvent.selectOptions(add, "v1");
    await userEvent.selectOptions(within(panel).getByRole("combobox", { name: "Add a video" }), "v2");
    await userEvent.click(within(panel).getByRole("button", { name: "Move Nidan up" }));
    await userEvent.click(within(panel).getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ video_ids: ["v2", "v1"] }));
    await userEvent.click(within(panel).getByRole("button", { name: "Publish" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ published: true }));
    expect(await within(panel).findByRole("button", { name: "Unpublish" })).toBeInTheDocument();
  });
});

describe("course bundles", () => {
  const bundle = (over: Record<string, unknown> = {}) => ({
    id: "k1", owner_id: "i1", instructor_name: "Sensei Ito", title: "Heian series", description: "", published: true,
    videos: [card(1), card(2)], video_ids: ["v1", "v2"], price_cents: 2000, currency: "eur", videos_total_cents: 2598,
    savings_cents: 598, owned: false, owned_video_ids: ["v2"], ...over,
  });

  it("shows the bundle price, the saving and the videos already owned, and buys the course in one checkout", async () => {
    const assign = vi.fn();
    const orig = window.location;
    Object.defineProperty(window, "location", { value: { ...orig, origin: orig.origin, assign }, configurable: true });
    const { calls } = renderApp("/courses/k1", (_req, url) => {
      if (url.pathname === "/api/v1/me") return json(200, makeUser());
      if (url.pathname === "/api/v1/courses/k1") return json(200, bundle());
      if (url.pathname === "/api/v1/instructors/i1/follow") return json(200, { followers: 1, following: false });
      if (url.pathname === "/api/v1/checkout") return json(201, { checkout_session_id: "cs_1", url: "https://pay.example/cs_1", purchase_id: "p1", subscription_id: null, reused: false });
    }, { tokens: TOKENS });
    const offer = await screen.findByRole("region", { name: "Course bundle" });
    expect(within(offer).getByText(/Whole course: €20\.00/)).toBeInTheDocument();
    expect(within(offer).getByText("Bought one by one: €25.98. You save €5.98.")).toBeInTheDocument();
    expect(within(offer).getByText("You can already watch: Kata 2. The course price stays the same.")).toBeInTheDocument();
    expect(screen.getAllByText("Already yours")).toHaveLength(1);
    await userEvent.click(within(offer).getByRole("button", { name: /Buy the course/ }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://pay.example/cs_1"));
    expect(calls.find((c) => c.path === "/api/v1/checkout")?.body).toEqual({ kind: "course", course_id: "k1" });
    expect(JSON.parse(sessionStorage.getItem("mamc.checkout")!)).toMatchObject({ kind: "course", video_id: "v1", purchase_id: "p1" });
    Object.defineProperty(window, "location", { value: orig, configurable: true });
  });

  it("a bought course shows no buy button, and a visitor is sent to log in first", async () => {
    renderApp("/courses/k1", (_req, url) => {
      if (url.pathname === "/api/v1/me") return json(200, makeUser());
      if (url.pathname === "/api/v1/courses/k1") return json(200, bundle({ owned: true, owned_video_ids: ["v1", "v2"] }));
      if (url.pathname === "/api/v1/instructors/i1/follow") return json(200, { followers: 1, following: false });
    }, { tokens: TOKENS });
    expect(await screen.findByText("You own this course: every video is yours.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Buy the course/ })).not.toBeInTheDocument();
  });

  it("a visitor is asked to log in to buy the course", async () => {
    renderApp("/courses/k1", (_req, url) => {
      if (url.pathname === "/api/v1/courses/k1") return json(200, bundle({ owned_video_ids: [] }));
      if (url.pathname === "/api/v1/instructors/i1/follow") return json(200, { followers: 1, following: false });
    });
    expect(await screen.findByRole("link", { name: "Log in to buy the course" })).toHaveAttribute("href", "/login?next=%2Fcourses%2Fk1");
  });

  it("the course editor saves the bundle price in minor units with its currency, and clears it", async () => {
    const instructor = makeUser({ id: "i1", role: "instructor" });
    let course: Record<string, unknown> = bundle({ published: false, price_cents: null, currency: null, owned_video_ids: [] });
    const { calls } = renderApp("/studio/courses", (req, url) => {
      if (url.pathname === "/api/v1/me") return json(200, instructor);
      if (url.pathname === "/api/v1/instructors/i1/courses") return json(200, [course]);
      if (url.pathname === "/api/v1/videos/mine") return json(200, { items: [card(1), card(2)], next_cursor: null });
      if (url.pathname === "/api/v1/courses/k1" && req.method === "PATCH") {
        const body = calls[calls.length - 1].body as { price_cents: number | null; currency?: string };
        course = { ...course, price_cents: body.price_cents, currency: body.currency?.toLowerCase() ?? null };
        return json(200, course);
      }
    }, { tokens: TOKENS });
    await userEvent.click(await screen.findByRole("button", { name: "Heian series" }));
    const price = await screen.findByRole("textbox", { name: /Course price/ });
    await userEvent.type(price, "29.90");
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Currency" }), "USD");
    await userEvent.click(screen.getByRole("button", { name: "Save price" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ price_cents: 2990, currency: "USD" }));
    expect(await screen.findByText(/29\.90/, { selector: ".price-chip" })).toBeInTheDocument();
    await userEvent.clear(price);
    await userEvent.click(screen.getByRole("button", { name: "Save price" }));
    await waitFor(() => expect(calls.filter((c) => c.method === "PATCH").at(-1)?.body).toEqual({ price_cents: null }));
  });
});
