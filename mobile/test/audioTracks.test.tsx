import { act, fireEvent, screen, waitFor } from "@testing-library/react-native";
import type Hls from "hls.js";
import { translate } from "@mamc/shared/i18n";
import { mockPlayers, renderScreen } from "./setup";
import { FakePlatform } from "./fakePlatform";
import { HlsPlayer } from "../src/components/HlsPlayer";
import { AudioMenu } from "../src/components/AudioMenu";
import { audioLabel, hlsJsAudioTracks } from "../src/lib/audioTracks";

const tracks = [
  { id: "a0", language: "it", label: "italiano", name: "Italiano" },
  { id: "a1", language: "en", label: "inglese", name: "English" },
];

describe("audio language (the published dubs)", () => {
  it("offers expo-video's audio tracks by language and switches the player's track", async () => {
    renderScreen(<HlsPlayer url="http://api.test/media/t/tok/v1/master.m3u8" label="Video" />, new FakePlatform());
    await waitFor(() => expect(mockPlayers).toHaveLength(1));
    const p = mockPlayers[0];
    expect(screen.queryByRole("button", { name: /^Audio/ })).toBeNull(); // no dubs: no menu
    act(() => {
      p.availableAudioTracks = tracks;
      p.audioTrack = tracks[0];
      p.emit("availableAudioTracksChange", { availableAudioTracks: tracks });
    });
    fireEvent.press(await screen.findByRole("button", { name: "Audio: Italian" }));
    fireEvent.press(screen.getByRole("button", { name: "English" }));
    expect(p.audioTrack).toBe(tracks[1]);
    expect(await screen.findByRole("button", { name: "Audio: English" })).toBeTruthy();
    // The player's own switch (e.g. the system's preferred language) is shown too.
    act(() => {
      p.audioTrack = tracks[0];
      p.emit("audioTrackChange", { audioTrack: tracks[0] });
    });
    expect(await screen.findByRole("button", { name: "Audio: Italian" })).toBeTruthy();
  });

  it("switches hls.js's audio track on the web export", async () => {
    class FakeHls {
      static Events = { AUDIO_TRACKS_UPDATED: "updated", AUDIO_TRACK_SWITCHED: "switched" };
      audioTracks = [{ lang: "it", name: "Italiano" }, { lang: "en", name: "English" }];
      audioTrack = 0;
      handlers = new Map<string, Set<() => void>>();
      on(e: string, f: () => void) {
        this.handlers.set(e, (this.handlers.get(e) ?? new Set()).add(f));
      }
      off(e: string, f: () => void) {
        this.handlers.get(e)?.delete(f);
      }
    }
    const hls = new FakeHls();
    const r = renderScreen(<AudioMenu source={hlsJsAudioTracks(hls as unknown as Hls)} />, new FakePlatform());
    fireEvent.press(await screen.findByRole("button", { name: "Audio: Italian" }));
    fireEvent.press(screen.getByRole("button", { name: "English" }));
    expect(hls.audioTrack).toBe(1);
    r.unmount();
    expect([...hls.handlers.values()].every((s) => s.size === 0)).toBe(true);
  });

  it("labels a track by its language in the UI's language, else by the playlist's NAME", () => {
    const it_ = (k: string) => translate("it", k);
    expect(audioLabel({ key: "0", language: "en-US", name: "English" }, it_)).toBe("Inglese");
    expect(audioLabel({ key: "0", language: "it", name: "" }, (k) => translate("en", k))).toBe("Italian");
    expect(audioLabel({ key: "0", language: "sw", name: "Kiswahili" }, it_)).toBe("Kiswahili");
    expect(audioLabel({ key: "0", language: "", name: "" }, it_)).toBe("Audio originale");
  });
});
