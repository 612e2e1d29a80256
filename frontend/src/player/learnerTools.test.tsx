import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { I18nProvider } from "../i18n/i18n";
import { LearnerTools, SHORTCUTS, loopJump, stepSpeed } from "./LearnerTools";
import type { PlayerHandle } from "./Player";

/** Stands in for the <video>: jsdom does not play media. */
class FakeVideo extends EventTarget {
  currentTime = 0;
  playbackRate = 1;
  paused = false;
  style = { transform: "" };
  pause() { this.paused = true; }
  play() { this.paused = false; return Promise.resolve(); }
}

function setup(lang: "en" | "it" = "en") {
  const video = new FakeVideo();
  const handle = { current: { video: () => video as unknown as HTMLVideoElement, seek: () => {}, play: () => undefined, pause: () => {} } as PlayerHandle };
  render(<I18nProvider initial={lang}><LearnerTools player={handle} /></I18nProvider>);
  return video;
}

describe("learner tools", () => {
  it("slow motion goes from 0.25× to 1×", async () => {
    const video = setup();
    await userEvent.selectOptions(screen.getByLabelText("Speed"), "0.25");
    expect(video.playbackRate).toBe(0.25);
    expect(stepSpeed(1, 1)).toBe(1);
    expect(stepSpeed(0.25, -1)).toBe(0.25);
    expect(stepSpeed(0.5, 1)).toBe(0.75);
  });

  it("loops A–B: reaching B jumps back to A", async () => {
    const video = setup();
    video.currentTime = 3;
    await userEvent.click(screen.getByRole("button", { name: /Loop from/ }));
    video.currentTime = 5;
    await userEvent.click(screen.getByRole("button", { name: /Loop to/ }));
    video.currentTime = 5.1;
    video.dispatchEvent(new Event("timeupdate"));
    expect(video.currentTime).toBe(3);
    video.currentTime = 4;
    video.dispatchEvent(new Event("timeupdate"));
    expect(video.currentTime).toBe(4);
    await userEvent.click(screen.getByRole("button", { name: "Stop looping" }));
    video.currentTime = 9;
    video.dispatchEvent(new Event("timeupdate"));
    expect(video.currentTime).toBe(9);
    expect(loopJump(1, { a: 3, b: 5 })).toBe(3);
    expect(loopJump(1, { a: 5, b: 3 })).toBeNull();
  });

  it("mirrors, steps one frame and answers the keyboard", async () => {
    const video = setup();
    await userEvent.click(screen.getByRole("button", { name: "Mirror" }));
    expect(video.style.transform).toBe("scaleX(-1)");
    video.currentTime = 2;
    await userEvent.click(screen.getByRole("button", { name: "One frame forward" }));
    expect(video.paused).toBe(true);
    expect(video.currentTime).toBeCloseTo(2 + 1 / 30);
    fireEvent.keyDown(document.body, { key: "," });
    expect(video.currentTime).toBeCloseTo(2);
    fireEvent.keyDown(document.body, { key: "-" });
    expect(video.playbackRate).toBe(0.75);
    fireEvent.keyDown(document.body, { key: "m" });
    expect(video.style.transform).toBe("");
  });

  it("'?' opens the shortcut overlay listing every key, in Italian too", () => {
    setup("it");
    fireEvent.keyDown(document.body, { key: "?" });
    const overlay = screen.getByRole("dialog", { name: "Scorciatoie da tastiera" });
    expect(overlay.querySelectorAll("tbody tr")).toHaveLength(SHORTCUTS.length);
    expect(overlay).toHaveTextContent("Un fotogramma indietro");
    fireEvent.keyDown(document.body, { key: "Escape" });
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});
