import { describe, expect, it } from "vitest";
import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type HlsType from "hls.js";
import { I18nProvider } from "../i18n/i18n";
import { AudioTrackMenu, useAudioTracks } from "./AudioTrackMenu";

const EVENTS = {
  AUDIO_TRACKS_UPDATED: "hlsAudioTracksUpdated",
  AUDIO_TRACK_SWITCHED: "hlsAudioTrackSwitched",
};

/** Stands in for hls.js: the instance's class carries Events, like the real one. `tracks` are
 * the master's AUDIO renditions the fake already knows (as hls.js does once the manifest is parsed). */
function fakeHls(tracks: { name: string; lang?: string }[] = []) {
  const handlers = new Map<string, Set<() => void>>();
  class FakeHls {
    static Events = EVENTS;
    audioTracks = tracks;
    audioTrack = tracks.length ? 0 : -1;
    on(name: string, fn: () => void) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name)!.add(fn);
    }
    off(name: string, fn: () => void) { handlers.get(name)?.delete(fn); }
  }
  const hls = new FakeHls();
  const emit = (name: string) => handlers.get(name)?.forEach((fn) => fn());
  return { hls, emit, listeners: () => [...handlers.values()].reduce((n, s) => n + s.size, 0) };
}

function Menu({ hls }: { hls: HlsType }) {
  return <AudioTrackMenu {...useAudioTracks(hls)} />;
}

const show = (hls: unknown, lang: "en" | "it") =>
  render(<I18nProvider initial={lang}><Menu hls={hls as HlsType} /></I18nProvider>);
const labels = () => within(screen.getByRole("combobox", { name: "Audio" })).getAllByRole("option").map((o) => o.textContent);

describe("audio language menu", () => {
  it("appears when hls.js listed the renditions before the hook subscribed (#15)", () => {
    // hls.js fired AUDIO_TRACKS_UPDATED while the manifest was parsed, before React's effect ran:
    // nothing is emitted after the render.
    const { hls } = fakeHls([{ name: "English", lang: "en" }, { name: "Italiano", lang: "it" }]);
    show(hls, "en");
    expect(labels()).toEqual(["English", "Italian"]);
  });

  it("appears on an AUDIO_TRACKS_UPDATED fired after subscribing, and unsubscribes on unmount", () => {
    const a = fakeHls();
    const { unmount } = show(a.hls, "en");
    expect(screen.queryByRole("combobox")).toBeNull();
    a.hls.audioTracks = [{ name: "English", lang: "en" }, { name: "Italiano", lang: "it" }];
    act(() => a.emit(EVENTS.AUDIO_TRACKS_UPDATED));
    expect(labels()).toEqual(["English", "Italian"]);
    unmount();
    expect(a.listeners()).toBe(0);
  });

  it("labels the renditions by language in the Italian UI and switches hls.audioTrack", async () => {
    const { hls, emit } = fakeHls([{ name: "English", lang: "en" }, { name: "Italiano", lang: "it" }]);
    show(hls, "it");
    const select = screen.getByRole("combobox", { name: "Audio" });
    expect(labels()).toEqual(["inglese", "italiano"]);
    expect((select as HTMLSelectElement).value).toBe("0");
    await userEvent.selectOptions(select, "italiano");
    expect(hls.audioTrack).toBe(1);
    // hls.js confirms the switch; an automatic switch back is reflected too.
    hls.audioTrack = 0;
    act(() => emit(EVENTS.AUDIO_TRACK_SWITCHED));
    expect((select as HTMLSelectElement).value).toBe("0");
  });

  it("falls back to the rendition's NAME when its language is unknown, and hides a single track", () => {
    const one = fakeHls([{ name: "English", lang: "en" }]);
    const { unmount } = show(one.hls, "en");
    expect(screen.queryByRole("combobox")).toBeNull();
    unmount();
    show(fakeHls([{ name: "Original", lang: "und" }, { name: "Italiano", lang: "it" }]).hls, "en");
    expect(labels()).toEqual(["Original", "Italian"]);
  });
});
