/**
 * The audio renditions of an HLS video — the original and the published dubs, announced in the
 * master playlist as `#EXT-X-MEDIA:TYPE=AUDIO` (LANGUAGE, NAME) — behind one small interface, so the
 * menu is the same on phones (expo-video's `availableAudioTracks` / `audioTrack`) and on the web
 * export (hls.js's `audioTracks` / `audioTrack`: expo-video's web player cannot switch audio, its
 * `audioTrack` is a placeholder there, which is why the web export plays through hls.js).
 */
import { useEffect, useState } from "react";
import type { AudioTrack, VideoPlayer } from "expo-video";
import type Hls from "hls.js";

export interface AudioChoice {
  /** Stable within one player. */
  key: string;
  /** BCP-47 code from the playlist's LANGUAGE ("" when it names none). */
  language: string;
  /** The playlist's NAME ("" when none). */
  name: string;
}

export interface AudioTracks {
  list(): AudioChoice[];
  /** The key of the track playing, null when unknown. */
  current(): string | null;
  select(key: string): void;
  /** Calls `fn` whenever the list or the playing track changes; answers the unsubscribe. */
  subscribe(fn: () => void): () => void;
}

/** The track's language in the UI's language ("Italian"/"Italiano"), else its NAME, else its code. */
export function audioLabel(track: AudioChoice, t: (key: string) => string): string {
  const code = track.language.toLowerCase().split(/[-_]/)[0] ?? "";
  if (code) {
    const key = `mobile.player.languages.${code}`;
    const named = t(key);
    if (named !== key) return named;
  }
  return track.name || code.toUpperCase() || t("mobile.player.originalAudio");
}

type ExpoAudioPlayer = Pick<VideoPlayer, "availableAudioTracks" | "audioTrack" | "addListener">;

/** expo-video's player (AVPlayer's media selection / ExoPlayer's track selection). */
export function expoVideoAudioTracks(player: ExpoAudioPlayer): AudioTracks {
  const keyOf = (a: AudioTrack) => a.id ?? `${a.language}|${a.name ?? a.label}`;
  const read = (): AudioTrack[] => {
    try {
      return player.availableAudioTracks ?? [];
    } catch {
      return []; // the native player was released
    }
  };
  return {
    list: () => read().map((a) => ({ key: keyOf(a), language: a.language ?? "", name: a.name ?? a.label ?? "" })),
    current() {
      try {
        return player.audioTrack ? keyOf(player.audioTrack) : null;
      } catch {
        return null;
      }
    },
    select(key) {
      const track = read().find((a) => keyOf(a) === key);
      if (track) player.audioTrack = track;
    },
    subscribe(fn) {
      const subs = [player.addListener("availableAudioTracksChange", fn), player.addListener("audioTrackChange", fn)];
      return () => subs.forEach((s) => s.remove());
    },
  };
}

/** hls.js (the web export's player). */
export function hlsJsAudioTracks(hls: Hls): AudioTracks {
  // The class (with its Events) comes with the instance: this module stays free of hls.js on phones.
  const { Events } = hls.constructor as typeof Hls;
  return {
    list: () => hls.audioTracks.map((a, i) => ({ key: String(i), language: a.lang ?? "", name: a.name ?? "" })),
    current: () => (hls.audioTrack >= 0 ? String(hls.audioTrack) : null),
    select(key) {
      hls.audioTrack = Number(key);
    },
    subscribe(fn) {
      hls.on(Events.AUDIO_TRACKS_UPDATED, fn);
      hls.on(Events.AUDIO_TRACK_SWITCHED, fn);
      return () => {
        hls.off(Events.AUDIO_TRACKS_UPDATED, fn);
        hls.off(Events.AUDIO_TRACK_SWITCHED, fn);
      };
    },
  };
}

/** The tracks and the playing one, kept current; `select` switches (shown at once, confirmed by the player). */
export function useAudioTracks(source: AudioTracks | null): { tracks: AudioChoice[]; current: string | null; select: (key: string) => void } {
  const [state, setState] = useState<{ tracks: AudioChoice[]; current: string | null }>({ tracks: [], current: null });
  useEffect(() => {
    if (!source) return setState({ tracks: [], current: null });
    const update = () => setState({ tracks: source.list(), current: source.current() });
    update();
    return source.subscribe(update);
  }, [source]);
  const select = (key: string) => {
    setState((s) => ({ ...s, current: key }));
    source?.select(key);
  };
  return { ...state, select };
}
