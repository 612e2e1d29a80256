import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { card, ownerVideo } from "../../test/fixtures";
import { nextJobState } from "./ExtractionProgress";

const TOKENS = { access_token: "a", refresh_token: "r" };

function sseOnce(events: string[]) {
  const enc = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(c) {
        for (const e of events) c.enqueue(enc.encode(e));
        c.close();
      },
    }),
    { status: 200, headers: { "Content-Type": "text/event-stream" } },
  );
}

function version(over: Record<string, unknown> = {}) {
  return {
    id: "ver1", lang: "en", number: 1, title: "Reverse punch drill", body: "", source: "extracted",
    review_state: "approved", author_id: null, reviewed_at: null, created_at: "2026-01-01T00:00:00Z", ...over,
  };
}

function item(over: Record<string, unknown> = {}) {
  return {
    id: "i1", kind: "technique", key: "gyaku_zuki", owner_id: "u1", confidence: 0.82, evidence: null,
    versions: [version()], links: [{ video_id: "v1", document_id: null, start_s: 12.5, end_s: 18, page: null }],
    updated_at: "2026-01-01T00:00:00Z", ...over,
  };
}

describe("knowledge", () => {
  it("search sends the query and its language and links each hit to its video moment", async () => {
    const { calls } = renderApp("/knowledge?q=pugno%20opposto&lang=it", (_r, url) => {
      if (url.pathname === "/api/v1/knowledge/search") {
        return json(200, {
          query: "pugno opposto", lang: "it",
          expansions: { it: ["pugno opposto"], en: ["reverse punch"], ja: ["gyaku zuki"] },
          items: [{ item_id: "i1", kind: "technique", lang: "en", title: "Reverse punch drill", snippet: "Drive the rear hand.",
                    score: 0.4, matched_lang: "en", moments: [{ video_id: "v1", document_id: null, start_s: 12.5, end_s: 18, page: null }] }],
        });
      }
    });
    expect(await screen.findByRole("link", { name: "Reverse punch drill" }, { timeout: 5000 })).toHaveAttribute("href", "/knowledge/items/i1");
    expect(screen.getByRole("link", { name: /0:12/ })).toHaveAttribute("href", "/videos/v1?t=12");
    expect(screen.getByText(/en: reverse punch/)).toBeInTheDocument();
    expect(screen.getByText("found in en")).toBeInTheDocument();
    expect(calls.some((c) => c.path.startsWith("/api/v1/knowledge/search") && c.path.includes("lang=it"))).toBe(true);
  });

  it("the video page shows what the video teaches, chapters first", async () => {
    renderApp("/videos/v1", (_r, url) => {
      if (url.pathname === "/api/v1/videos/v1") return json(200, card(1));
      if (url.pathname === "/api/v1/knowledge/videos/v1") {
        return json(200, {
          video_id: "v1",
          chapters: [item({ id: "c1", kind: "chapter", key: "0", confidence: null, versions: [version({ id: "cv", title: "Technique: Gyaku zuki" })],
                            links: [{ video_id: "v1", document_id: null, start_s: 0, end_s: 20, page: null }] })],
          techniques: [item()],
          captions: [],
        });
      }
    });
    const panel = await screen.findByRole("region", { name: "What this video teaches" }, { timeout: 5000 });
    expect(within(panel).getByRole("button", { name: /Technique: Gyaku zuki/ })).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Reverse punch drill" })).toBeInTheDocument();
    expect(within(panel).getByText("82% sure")).toBeInTheDocument();
  });

  it("review approves an unreviewed version and offline translation says only the memory is used", async () => {
    const unreviewed = item({ versions: [version({ lang: "it", title: "Gyaku zuki (pugno opposto)", review_state: "unreviewed" })] });
    const { calls } = renderApp(
      "/studio/knowledge",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
        if (url.pathname === "/api/v1/knowledge/items") return json(200, { items: [unreviewed], next_cursor: null });
        if (url.pathname === "/api/v1/knowledge/items/i1/versions/ver1/review" && req.method === "POST") {
          return json(200, version({ lang: "it", review_state: "approved" }));
        }
        if (url.pathname === "/api/v1/knowledge/items/i1/translate") {
          return json(200, { version: null, offline: true, message: "Offline: only translation-memory matches are shown.", suggestions: [] });
        }
      },
      { tokens: TOKENS },
    );
    await userEvent.click(await screen.findByRole("button", { name: "Approve" }, { timeout: 5000 }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/review") && (c.body as { approve: boolean }).approve)).toBe(true));
    await userEvent.click(screen.getByRole("tab", { name: "EN" }));
    await userEvent.click(screen.getByRole("button", { name: "Translate" }));
    expect(await screen.findByText(/only translation-memory matches/)).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith("/translate"))?.body).toEqual({ source: "it", target: "en" });
  });

  it("review opens an English-only item on its English tab, ready to approve", async () => {
    const english = item({ versions: [version({ lang: "en", title: "Front kick (mae geri)", review_state: "unreviewed" })] });
    const { calls } = renderApp(
      "/studio/knowledge",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
        if (url.pathname === "/api/v1/knowledge/items") return json(200, { items: [english], next_cursor: null });
        if (url.pathname === "/api/v1/knowledge/items/i1/versions/ver1/review" && req.method === "POST") {
          return json(200, version({ lang: "en", review_state: "approved" }));
        }
      },
      { tokens: TOKENS },
    );
    const card = await screen.findByRole("region", { name: "Front kick (mae geri)" }, { timeout: 5000 });
    expect(within(card).getByRole("tab", { name: "EN" })).toHaveAttribute("aria-selected", "true");
    expect(within(card).getByLabelText("Title")).toHaveValue("Front kick (mae geri)");
    await userEvent.click(within(card).getByRole("button", { name: "Approve" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path.endsWith("/versions/ver1/review"))).toBe(true));
  });

  it("review shows each running extraction's progress live and reloads the queue when it ends", async () => {
    const job = { id: "j1", video_id: "v1", document_id: null, status: "running", progress: 10, stage: "downloading",
                  failure_reason: null, language: null, chapters: [], warnings: [], finished_at: null };
    let queueLoads = 0;
    let streamAuth: string | null = null;
    let streams = 0;
    renderApp(
      "/studio/knowledge",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
        if (url.pathname === "/api/v1/knowledge/items") {
          queueLoads++;
          return json(200, { items: [], next_cursor: null });
        }
        if (url.pathname === "/api/v1/knowledge/jobs") return json(200, url.searchParams.get("active") === "true" ? [job] : []);
        if (url.pathname === "/api/v1/knowledge/jobs/j1/events") {
          streamAuth = req.headers.get("Authorization");
          streams++;
          return sseOnce([
            streams === 1
              ? 'event: progress\ndata: {"status": "running", "percent": 48, "stage": "transcribe", "failure_reason": null}\n\n'
              : 'event: end\ndata: {"status": "ready", "percent": 100, "stage": "done", "failure_reason": null}\n\n',
          ]);
        }
      },
      { tokens: TOKENS },
    );
    const bar = await screen.findByRole("progressbar", { name: "Extraction progress: Video" }, { timeout: 5000 });
    await waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "48"));
    expect(screen.getByText("transcribing speech")).toBeInTheDocument();
    expect(streamAuth).toBe("Bearer a");
    expect(nextJobState({ status: "running", percent: 48, stage: "ocr", failure_reason: null }, "not json").percent).toBe(48);
    const ended = nextJobState({ status: "running", percent: 48, stage: "ocr", failure_reason: null },
      '{"status": "failed", "percent": 0, "stage": "failed", "failure_reason": "silent"}');
    expect(ended).toEqual({ status: "failed", percent: 0, stage: "failed", failure_reason: "silent" });
    // the stream reconnects and gets the end: the bar is full and the queue reloads
    await waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "100"), { timeout: 8000 });
    await waitFor(() => expect(queueLoads).toBeGreaterThan(1));
  }, 15_000);

  it("the instructor corrects the extracted captions and approves them into the player", async () => {
    const vtt = "WEBVTT\n\n00:00:00.500 --> 00:00:03.000\nOggi alleniamo mae geri.\n";
    const track = { id: "t1", video_id: "v1", lang: "it", number: 1, source: "extracted", review_state: "unreviewed", created_at: "2026-01-01T00:00:00Z" };
    const { calls } = renderApp(
      "/studio/videos/v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { status: "published" }));
        if (url.pathname === "/api/v1/knowledge/videos/v1") return json(200, { video_id: "v1", chapters: [], techniques: [], captions: [track] });
        if (url.pathname === "/api/v1/knowledge/captions/t1") return new Response(vtt, { status: 200, headers: { "Content-Type": "text/vtt" } });
        if (url.pathname === "/api/v1/knowledge/videos/v1/captions" && req.method === "POST") return json(201, { ...track, id: "t2", number: 2, source: "human", review_state: "approved" });
      },
      { tokens: TOKENS },
    );
    const box = await screen.findByRole("textbox", { name: "WebVTT" }, { timeout: 5000 });
    await waitFor(() => expect(box).toHaveValue(vtt));
    await userEvent.clear(box);
    await userEvent.type(box, "WEBVTT{enter}{enter}00:00:00.500 --> 00:00:03.000{enter}Today: mae geri.");
    await userEvent.click(screen.getByRole("button", { name: "Save and approve" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/api/v1/knowledge/videos/v1/captions")).toBe(true));
    const sent = calls.find((c) => c.method === "POST" && c.path.endsWith("/captions"))?.body as { lang: string; vtt: string; approve: boolean };
    expect(sent).toEqual({ lang: "it", vtt: "WEBVTT\n\n00:00:00.500 --> 00:00:03.000\nToday: mae geri.", approve: true });
  });

  it("captions in another language are translated from the memory, and offline the editor says so", async () => {
    const track = { id: "t1", video_id: "v1", lang: "it", number: 1, source: "extracted", review_state: "approved", created_at: "2026-01-01T00:00:00Z" };
    const { calls } = renderApp(
      "/studio/videos/v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { status: "published" }));
        if (url.pathname === "/api/v1/knowledge/videos/v1") return json(200, { video_id: "v1", chapters: [], techniques: [], captions: [track] });
        if (url.pathname === "/api/v1/knowledge/captions/t1") return new Response("WEBVTT\n", { status: 200, headers: { "Content-Type": "text/vtt" } });
        if (url.pathname === "/api/v1/knowledge/captions/t1/translate" && req.method === "POST") {
          return json(201, { track: { ...track, id: "t2", lang: "en", source: "tm", review_state: "unreviewed" }, offline: true, translated: 1, total: 2,
                             message: "Offline: only translation-memory matches are used (1 of 2 cues translated; the others are left out until a person translates them)." });
        }
      },
      { tokens: TOKENS },
    );
    await screen.findByRole("textbox", { name: "WebVTT" }, { timeout: 5000 });
    await userEvent.click(screen.getByRole("tab", { name: "EN" }));
    await userEvent.click(screen.getByRole("button", { name: "Translate from IT" }));
    expect(await screen.findByText(/only translation-memory matches are used \(1 of 2 cues/)).toBeInTheDocument();
    expect(calls.find((c) => c.path.endsWith("/t1/translate"))?.body).toEqual({ target: "en" });
  });
});
