import { describe, expect, it } from "vitest";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { ownerVideo } from "../../test/fixtures";

const TOKENS = { access_token: "a", refresh_token: "r" };
const instructor = makeUser({ role: "instructor", display_name: "Ito" });

function sse(events: string[]) {
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

describe("studio", () => {
  it("students cannot open the studio", async () => {
    renderApp("/studio", (_r, url) => (url.pathname === "/api/v1/me" ? json(200, makeUser()) : undefined), { tokens: TOKENS });
    expect(await screen.findByText("You do not have access to this page.")).toBeInTheDocument();
  });

  it("lists my videos with status", async () => {
    renderApp(
      "/studio",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/mine") return json(200, { items: [ownerVideo(1), ownerVideo(2, { status: "published" })], next_cursor: null });
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByRole("link", { name: "Kata 1" })).toHaveAttribute("href", "/studio/videos/v1");
    expect(screen.getByText("Published")).toBeInTheDocument();
    expect(screen.getByRole("progressbar", { name: "Processing progress" })).toHaveAttribute("aria-valuenow", "30");
  });

  it("follows processing progress over SSE with the bearer token", async () => {
    let auth: string | null = null;
    renderApp(
      "/studio/videos/v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1));
        if (url.pathname === "/api/v1/videos/v1/events") {
          auth = req.headers.get("Authorization");
          return sse([
            "retry: 2000\n\n",
            'event: progress\ndata: {"status": "processing", "percent": 75, "stage": "thumbnails", "failure_reason": null}\n\n',
          ]);
        }
      },
      { tokens: TOKENS },
    );
    await waitFor(() => expect(screen.getByRole("progressbar", { name: "Processing progress" })).toHaveAttribute("aria-valuenow", "75"));
    expect(screen.getByText(/thumbnails/)).toBeInTheDocument();
    expect(auth).toBe("Bearer a");
  });

  it("Italian UI: the processing phase is a catalogue word, not the server's code", async () => {
    renderApp(
      "/studio/videos/v1",
      (_req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { progress: { percent: 30, stage: "transcode" } }));
        if (url.pathname === "/api/v1/videos/v1/events") return sse(['event: progress\ndata: {"status": "processing", "percent": 40, "stage": "download"}\n\n']);
      },
      { tokens: TOKENS, lang: "it" },
    );
    expect(await screen.findByText(/Fase: recupero del file caricato/)).toBeInTheDocument();
    expect(screen.queryByText(/download/)).not.toBeInTheDocument();
  });

  it("Italian UI: a failed video's server-made reason is Italian, not the server's code", async () => {
    renderApp(
      "/studio/videos/v1",
      (_req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { status: "failed", failure_reason: "processing_failed" }));
      },
      { tokens: TOKENS, lang: "it" },
    );
    expect(await screen.findByText(/Elaborazione non riuscita: Qualcosa è andato storto da parte nostra/)).toBeInTheDocument();
    expect(screen.queryByText(/processing_failed/)).not.toBeInTheDocument();
  });

  it("the instructor previews the unpublished video and its cover before publishing", async () => {
    const cover = "/media/t/tok/videos/v1/poster.png";
    renderApp(
      "/studio/videos/v1",
      (_req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/v1/history") return json(200, []);
        if (url.pathname === "/api/v1/videos/v1/playback") return json(200, { video_id: "v1", kind: "full", signer: "embedded", url: "/media/t/tok/v1/master.m3u8", expires_at: "2030-01-01T00:00:00Z", token: "tok", cookies: [], thumbnails_url: null, poster_url: cover, duration_s: 301, access: "owner", access_expires_at: null });
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { status: "in_review", poster_url: cover, progress: { percent: 100, stage: "done" } }));
      },
      { tokens: TOKENS },
    );
    const card = await screen.findByRole("group", { name: "Your video as students will see it in the catalogue" });
    expect(card.querySelector("img")).toHaveAttribute("src", cover);
    expect(card).toHaveTextContent("Buy €12.99");
    await userEvent.click(screen.getByRole("button", { name: /Play my video/ }));
    await waitFor(() => expect(document.querySelector("video")).not.toBeNull());
  });

  it("a processed video is submitted for review by its instructor", async () => {
    const { calls } = renderApp(
      "/studio/videos/v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/v1/submit" && req.method === "POST") return json(200, ownerVideo(1, { status: "in_review" }));
        if (url.pathname === "/api/v1/videos/v1/history") return json(200, []);
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { status: "ready", progress: { percent: 100, stage: "done" } }));
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText(/Processing is done/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Submit for review" }));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/v1/videos/v1/submit")).toBe(true));
    expect(await screen.findByText("Submitted for review.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Submit for review" })).not.toBeInTheDocument();
  });

  it("a published video's edit waits for review and can be withdrawn", async () => {
    const pending = { title: "Heian Nidan", changed: ["title"], submitted_at: "2024-06-02T00:00:00Z" };
    const { calls } = renderApp(
      "/studio/videos/v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/v1/pending-edit" && req.method === "DELETE") return json(200, ownerVideo(1, { status: "published" }));
        if (url.pathname === "/api/v1/videos/v1/history") return json(200, []);
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { status: "published", pending_edit: pending }));
      },
      { tokens: TOKENS },
    );
    expect(await screen.findByText("Changes waiting for review")).toBeInTheDocument();
    expect(screen.getByText(/Your changes to Title wait for a moderator/)).toBeInTheDocument();
    expect(screen.getByLabelText("Title")).toHaveValue("Heian Nidan"); // the form edits the pending version
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Kata 1"); // the live one stays
    await userEvent.click(screen.getByRole("button", { name: "Withdraw the changes" }));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE")).toBe(true));
    expect(await screen.findByText("Changes withdrawn.")).toBeInTheDocument();
    expect(screen.queryByText("Changes waiting for review")).not.toBeInTheDocument();
  });

  it("saves edited metadata with PATCH", async () => {
    const { calls } = renderApp(
      "/studio/videos/v1",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, instructor);
        if (url.pathname === "/api/v1/videos/v1" && req.method === "PATCH") return json(200, ownerVideo(1, { status: "unpublished", title: "Heian Nidan" }));
        if (url.pathname === "/api/v1/videos/v1") return json(200, ownerVideo(1, { status: "unpublished" }));
      },
      { tokens: TOKENS },
    );
    const title = await screen.findByLabelText("Title");
    await userEvent.clear(title);
    await userEvent.type(title, "Heian Nidan");
    await userEvent.clear(screen.getByLabelText("Purchase price"));
    await userEvent.type(screen.getByLabelText("Purchase price"), "9.50");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const body = calls.find((c) => c.method === "PATCH")!.body as Record<string, unknown>;
    expect(body).toMatchObject({ title: "Heian Nidan", price_cents: 950, rental_price_cents: 399, rental_hours: 48, currency: "EUR", trailer_mode: "auto" });
    expect(await screen.findByRole("heading", { name: "Heian Nidan", level: 1 })).toBeInTheDocument();
  });
});
