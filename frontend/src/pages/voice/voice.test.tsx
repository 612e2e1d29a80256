import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { json, makeUser, renderApp } from "../../test/render";

const TOKENS = { access_token: "a", refresh_token: "r" };
const instructor = makeUser({ role: "instructor", display_name: "Ito" });

function profile(over: Record<string, unknown> = {}) {
  return {
    id: "p1", name: "Studio voice", status: "uploading", progress: 0, stage: "samples", failure_reason: null, reasons: [],
    samples: [], checks: [], speech_s: null, f0_min_hz: null, f0_max_hz: null,
    consent_given_at: "2026-11-29T10:00:00Z", created_at: "2026-11-29T10:00:00Z", ...over,
  };
}

function segment(id: number, similarity: number, flags: string[]) {
  return { id, start: id * 4, end: id * 4 + 3, text: `Segmento ${id + 1}.`, status: "dubbed", audio: `segments/000${id}.wav`,
           quality: { similarity, wer: 0.1, timing: 0.05, flags } };
}

function dub(over: Record<string, unknown> = {}) {
  return {
    id: "d1", video_id: "v1", profile_id: "p1", language: "it", script_source: "knowledge", status: "ready", progress: 100,
    stage: "done", failure_reason: null, action: "dub", version: 1, published: false, published_at: null,
    created_at: "2026-11-29T10:00:00Z",
    report: { quality: { similarity: 0.84, wer: 0.12, loudness_lufs: -16.1, flagged: 1, segments: 2 },
              segments: [segment(0, 0.9, []), segment(1, 0.6, ["voice.flag.low_similarity"])] },
    ...over,
  };
}

describe("voice profiles", () => {
  it("a voice needs the consent box ticked; the consent text is shown and the request carries it", async () => {
    const { calls } = renderApp("/studio/voice", (req, url) => {
      if (url.pathname === "/api/v1/me") return json(200, instructor);
      if (url.pathname === "/api/v1/voice/consent") return json(200, { purpose: "dubbing", version: "1", lang: "en", text: "I agree that my voice is modelled." });
      if (url.pathname === "/api/v1/voice/profiles" && req.method === "GET") return json(200, []);
      if (url.pathname === "/api/v1/voice/profiles" && req.method === "POST") return json(201, profile());
    }, { tokens: TOKENS });
    expect(await screen.findByText("I agree that my voice is modelled.", {}, { timeout: 5000 })).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "New voice" });
    await userEvent.type(within(form).getByLabelText("Name of the voice"), "Studio voice");
    const create = within(form).getByRole("button", { name: "Create the voice" });
    expect(create).toBeDisabled();
    await userEvent.click(within(form).getByLabelText("I have read and agree to the text above"));
    await userEvent.click(create);
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/api/v1/voice/profiles")).toBe(true));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ name: "Studio voice", consent: true });
  });

  it("a refused voice shows its reasons; revoking asks first, then deletes", async () => {
    const confirm = vi.spyOn(window, "confirm").mockReturnValue(true);
    const { calls } = renderApp("/studio/voice", (req, url) => {
      if (url.pathname === "/api/v1/me") return json(200, instructor);
      if (url.pathname === "/api/v1/voice/consent") return json(200, { purpose: "dubbing", version: "1", lang: "en", text: "…" });
      if (url.pathname === "/api/v1/voice/profiles") {
        return json(200, [profile({ status: "failed", reasons: ["silence.wav: only silence, no speech"],
                                    samples: [{ id: "s1", filename: "silence.wav", content_type: "audio/wav", size_bytes: 2048, uploaded_at: "2026-11-29T10:00:00Z" }] })]);
      }
      if (url.pathname === "/api/v1/voice/profiles/p1" && req.method === "DELETE") return new Response(null, { status: 204 });
    }, { tokens: TOKENS });
    const reasons = await screen.findByRole("list", { name: "Why the recordings were refused" }, { timeout: 5000 });
    expect(within(reasons).getByText("silence.wav: only silence, no speech")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Check the recordings" })).toBeEnabled();
    await userEvent.click(screen.getByRole("button", { name: "Withdraw consent and delete" }));
    expect(confirm).toHaveBeenCalledWith(expect.stringContaining("every dub made with it"));
    await waitFor(() => expect(calls.some((c) => c.method === "DELETE" && c.path === "/api/v1/voice/profiles/p1")).toBe(true));
    confirm.mockRestore();
  });
});

describe("voice dubs", () => {
  it("shows the quality report with a chart, fixes a flagged segment with new text and publishes", async () => {
    const { calls } = renderApp("/studio/dubs", (_r, url) => {
      if (url.pathname === "/api/v1/me") return json(200, instructor);
      if (url.pathname === "/api/v1/voice/dubs") return json(200, [dub()]);
      if (url.pathname === "/api/v1/voice/profiles") return json(200, [profile({ status: "ready" })]);
      if (url.pathname === "/api/v1/videos/mine") return json(200, { items: [{ id: "v1", title: "Mae geri", status: "published" }], next_cursor: null });
      if (url.pathname === "/api/v1/voice/dubs/d1/segments/1/redo") return json(202, dub({ status: "pending", action: "redo" }));
      if (url.pathname === "/api/v1/voice/dubs/d1/publish") return json(200, dub({ published: true }));
    }, { tokens: TOKENS });
    const card = await screen.findByRole("region", { name: "Mae geri · Italiano" }, { timeout: 5000 });
    expect(within(card).getByText(/Similarity 84%, WER 12%, loudness -16.1 LUFS; 1 of 2 segments to check/)).toBeInTheDocument();
    expect(within(card).getByRole("img", { name: /Similarity \(blue/ })).toBeInTheDocument();
    const rows = within(card).getAllByRole("row");
    expect(rows).toHaveLength(3);
    expect(within(rows[2]).getByText("Does not sound enough like your voice")).toBeInTheDocument();
    expect(within(rows[2]).getByText("60%")).toBeInTheDocument();

    await userEvent.click(within(rows[2]).getByRole("button", { name: "Fix" }));
    const box = within(rows[2]).getByLabelText("Edited text");
    await userEvent.clear(box);
    await userEvent.type(box, "Alza bene il ginocchio.");
    await userEvent.click(within(rows[2]).getByRole("button", { name: "Speak again" }));
    await waitFor(() => expect(calls.some((c) => c.path === "/api/v1/voice/dubs/d1/segments/1/redo")).toBe(true));
    expect(calls.find((c) => c.path.endsWith("/redo"))?.body).toEqual({ text: "Alza bene il ginocchio." });

    await userEvent.click(within(card).getByRole("button", { name: "Publish" }));
    await waitFor(() => expect(calls.find((c) => c.path === "/api/v1/voice/dubs/d1/publish")?.body).toEqual({ publish: true }));
  });
});
