import { afterEach, describe, expect, it, vi } from "vitest";
import { act, render, screen } from "@testing-library/react";
import { I18nProvider } from "../../i18n/i18n";
import { json, makeUser, renderApp } from "../../test/render";
import { CountdownRecorder, COUNTDOWN_S } from "./PracticeCoach";

const TOKENS = { access_token: "a", refresh_token: "r" };

class FakeRecorder {
  static last: FakeRecorder | null = null;
  state = "inactive";
  mimeType = "video/webm";
  ondataavailable: ((e: { data: Blob }) => void) | null = null;
  onstop: (() => void) | null = null;
  constructor() { FakeRecorder.last = this; }
  start() { this.state = "recording"; }
  stop() {
    this.state = "inactive";
    this.ondataavailable?.({ data: new Blob(["frames"], { type: "video/webm" }) });
    this.onstop?.();
  }
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("practice page", () => {
  it("shows the reference clip and the filming tips (framing, front view, distance)", async () => {
    renderApp(
      "/practice/ref1",
      (_r, url) => {
        if (url.pathname === "/api/v1/me") return json(200, makeUser());
        if (url.pathname === "/api/v1/studio/references/ref1")
          return json(200, { id: "ref1", instructor_id: "i1", video_id: "v1", name: "Mae geri", t_start: 10, t_end: 14, joints: [], technique: "kick", status: "ready", progress: 100, stage: "done", failure_reason: null, created_at: "2024-06-01T00:00:00Z", finished_at: null, clip_url: "http://test.local/clip.mp4" });
      },
      { tokens: TOKENS, lang: "it" },
    );
    const clip = await screen.findByLabelText("Il riferimento: copia questo movimento", { selector: "video" });
    expect(clip).toHaveAttribute("src", "http://test.local/clip.mp4");
    const tips = screen.getByRole("heading", { name: "Come riprenderti" }).closest("section")!;
    expect(tips).toHaveTextContent("dalla testa ai piedi");
    expect(tips).toHaveTextContent("di fronte");
    expect(tips).toHaveTextContent("2-3 metri");
  });

  it("counts down, records for the reference's length and hands over the file", async () => {
    vi.useFakeTimers();
    const track = { stop: vi.fn() };
    vi.stubGlobal("MediaRecorder", FakeRecorder);
    Object.defineProperty(navigator, "mediaDevices", { configurable: true, value: { getUserMedia: vi.fn(async () => ({ getTracks: () => [track] })) } });
    const got: File[] = [];
    render(<I18nProvider initial="en"><CountdownRecorder seconds={4} onRecorded={(f) => got.push(f)} /></I18nProvider>);
    await act(async () => { screen.getByRole("button", { name: "Record with a 3 s countdown" }).click(); });
    expect(screen.getByRole("timer")).toHaveTextContent(String(COUNTDOWN_S));
    await act(async () => { vi.advanceTimersByTime(1000); });
    expect(screen.getByRole("timer")).toHaveTextContent("2");
    await act(async () => { vi.advanceTimersByTime(2000); });
    expect(screen.getByRole("status")).toHaveTextContent("Recording (6 s)");
    expect(FakeRecorder.last?.state).toBe("recording");
    await act(async () => { vi.advanceTimersByTime(6000); });
    expect(got).toHaveLength(1);
    expect(got[0].type).toBe("video/webm");
    expect(track.stop).toHaveBeenCalled();
  });
});
