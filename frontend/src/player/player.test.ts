import { describe, expect, it } from "vitest";
import { loadResume, saveResume, clearResume, shouldSave } from "./resume";
import { pickMode, isSafari } from "./hlsSupport";

const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";
const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const video = (native: boolean) => ({ canPlayType: (t: string) => (native && t.includes("mpegurl") ? "maybe" : "") });

describe("resume position", () => {
  it("saves and restores a mid-video position", () => {
    saveResume("v1", 42.7, 600);
    expect(loadResume("v1", 600)).toBe(42);
  });
  it("ignores positions near the start or end and clears at the end", () => {
    saveResume("v2", 3, 600);
    expect(loadResume("v2", 600)).toBeNull();
    saveResume("v3", 100, 600);
    saveResume("v3", 595, 600);
    expect(loadResume("v3", 600)).toBeNull();
    saveResume("v4", 100, 600);
    clearResume("v4");
    expect(loadResume("v4")).toBeNull();
  });
  it("throttles saves", () => {
    expect(shouldSave(10, 12)).toBe(false);
    expect(shouldSave(10, 15)).toBe(true);
    expect(shouldSave(100, 20)).toBe(true); // seeking back
  });
});

describe("HLS mode", () => {
  it("uses native HLS on Safari even when hls.js would work", () => {
    expect(isSafari(SAFARI)).toBe(true);
    expect(pickMode("https://x/master.m3u8?sig=1", video(true), true, SAFARI)).toBe("native");
  });
  it("uses hls.js on Chrome", () => {
    expect(isSafari(CHROME)).toBe(false);
    expect(pickMode("/media/v/master.m3u8", video(false), true, CHROME)).toBe("hlsjs");
    expect(pickMode("/media/v/master.m3u8", video(true), true, CHROME)).toBe("hlsjs");
  });
  it("plays plain files directly and reports unsupported HLS", () => {
    expect(pickMode("/trailer.mp4", video(false), false, CHROME)).toBe("file");
    expect(pickMode("/a.m3u8", video(false), false, CHROME)).toBe("none");
  });
});
