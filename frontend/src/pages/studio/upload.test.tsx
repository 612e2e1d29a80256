import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";
import { ownerVideo } from "../../test/fixtures";

const TOKENS = { access_token: "a", refresh_token: "r" };

/** XMLHttpRequest stand-in for the presigned part PUTs: reports progress, answers an ETag. */
class FakeXHR {
  static puts: { url: string; size: number }[] = [];
  static failFirst = 0;
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  ontimeout: (() => void) | null = null;
  status = 0;
  private url = "";
  open(_m: string, url: string) { this.url = url; }
  getResponseHeader(h: string) { return h.toLowerCase() === "etag" ? `"etag-${this.url.match(/part=(\d+)/)?.[1]}"` : null; }
  abort() {}
  send(body: Blob) {
    setTimeout(() => {
      if (FakeXHR.failFirst > 0) {
        FakeXHR.failFirst--;
        this.onerror?.();
        return;
      }
      FakeXHR.puts.push({ url: this.url, size: body.size });
      this.upload.onprogress?.({ loaded: body.size / 2 });
      this.upload.onprogress?.({ loaded: body.size });
      this.status = 200;
      this.onload?.();
    }, 1);
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeXHR.puts = [];
});

describe("studio upload page", () => {
  it("creates the video, PUTs every part (retrying a network error), completes and opens the video", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXHR);
    FakeXHR.failFirst = 1;
    const { calls, router } = renderApp(
      "/studio/upload",
      (req, url) => {
        const p = url.pathname;
        if (p === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
        if (p === "/api/v1/videos" && req.method === "POST") return json(201, ownerVideo(7, { id: "v7", status: "draft" }));
        if (p === "/api/v1/videos/v7/upload" && req.method === "POST")
          return json(201, {
            video_id: "v7", upload_id: "up", part_size: 4, part_count: 3, size_bytes: 10, expires_in: 3600, uploaded_parts: [],
            parts: [1, 2, 3].map((n) => ({ part_number: n, url: `http://store/parts?part=${n}&sig=1` })),
          });
        if (p === "/api/v1/videos/v7/upload/parts") return json(200, { parts: [{ part_number: 1, url: "http://store/parts?part=1&sig=2" }], expires_in: 3600 });
        if (p === "/api/v1/videos/v7/upload/complete") return json(202, ownerVideo(7, { id: "v7", status: "processing" }));
        if (p === "/api/v1/videos/v7") return json(200, ownerVideo(7, { id: "v7" }));
      },
      { tokens: TOKENS },
    );
    const file = new File([new Uint8Array(10)], "heian.mp4", { type: "video/mp4", lastModified: 1 });
    await userEvent.upload(await screen.findByLabelText("Video file"), file);
    await userEvent.type(screen.getByLabelText("Title"), "Heian Shodan");
    await userEvent.type(screen.getByLabelText("Discipline"), "Karate");
    // The price and the trailer are chosen in the upload form (the video is submitted with them).
    await userEvent.type(screen.getByLabelText("Purchase price"), "12.50");
    await userEvent.selectOptions(screen.getByLabelText("Trailer"), "range");
    await userEvent.type(screen.getByLabelText("Trailer starts at (s)"), "3");
    await userEvent.type(screen.getByLabelText("Trailer ends at (s)"), "9.5");
    await userEvent.click(screen.getByRole("button", { name: "Start upload" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/studio/videos/v7"), { timeout: 4000 });
    expect(calls.find((c) => c.path === "/api/v1/videos" && c.method === "POST")!.body).toMatchObject({
      title: "Heian Shodan", discipline: "karate", level: "all_levels", price_cents: 1250, rental_price_cents: null,
      trailer_mode: "range", trailer_start_s: 3, trailer_end_s: 9.5,
    });
    expect(FakeXHR.puts.map((p) => p.size).reduce((a, b) => a + b, 0)).toBe(10);
    expect(FakeXHR.puts.find((p) => p.url.includes("part=1"))!.url).toContain("sig=2"); // retried with a fresh URL
    expect(calls.find((c) => c.path.endsWith("/complete"))!.body).toEqual({
      parts: [1, 2, 3].map((n) => ({ part_number: n, etag: `"etag-${n}"` })),
    });
    expect(localStorage.getItem("mamc.uploads")).toBe("{}");
  }, 15_000);

  it("in Italian: the language defaults to Italian and '9,90' is 9.90", async () => {
    const { calls } = renderApp(
      "/studio/upload",
      (req, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser({ role: "instructor" }));
        if (url.pathname === "/api/v1/videos" && req.method === "POST") return json(422, { error: { code: "validation_error", message: "stop here" } });
      },
      { tokens: TOKENS, lang: "it" },
    );
    await userEvent.upload(await screen.findByLabelText("File video"), new File([new Uint8Array(4)], "a.mp4", { type: "video/mp4" }));
    const form = within(screen.getByRole("button", { name: "Avvia caricamento" }).closest("form")!);
    expect(form.getByLabelText("Lingua")).toHaveValue("it");
    await userEvent.type(screen.getByLabelText("Titolo"), "Heian");
    await userEvent.type(screen.getByLabelText("Disciplina"), "karate");
    await userEvent.type(screen.getByLabelText("Prezzo di acquisto"), "9,90");
    await userEvent.type(screen.getByLabelText("Prezzo di noleggio"), "1.234,50");
    await userEvent.click(screen.getByRole("button", { name: "Avvia caricamento" }));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/v1/videos" && c.method === "POST")).toBe(true));
    expect(calls.find((c) => c.path === "/api/v1/videos" && c.method === "POST")!.body).toMatchObject({ language: "it", price_cents: 990, rental_price_cents: 123450 });
  });

  it("in English: the language defaults to English and '9,90' gets a clear message, not a guess", async () => {
    const { calls } = renderApp(
      "/studio/upload",
      (_req, url) => (url.pathname === "/api/v1/me" ? json(200, makeUser({ role: "instructor" })) : undefined),
      { tokens: TOKENS },
    );
    await userEvent.upload(await screen.findByLabelText("Video file"), new File([new Uint8Array(4)], "a.mp4", { type: "video/mp4" }));
    const form = within(screen.getByRole("button", { name: "Start upload" }).closest("form")!);
    expect(form.getByLabelText("Language")).toHaveValue("en");
    await userEvent.type(screen.getByLabelText("Title"), "Heian");
    await userEvent.type(screen.getByLabelText("Discipline"), "karate");
    await userEvent.type(screen.getByLabelText("Purchase price"), "9,90");
    await userEvent.click(screen.getByRole("button", { name: "Start upload" }));
    expect(await screen.findByText("Write the amount like 9.90 (a dot before the cents).")).toBeInTheDocument();
    expect(calls.some((c) => c.path === "/api/v1/videos" && c.method === "POST")).toBe(false);
  });
});
