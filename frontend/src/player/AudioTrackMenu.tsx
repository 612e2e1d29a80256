import { useEffect, useState } from "react";
import type HlsType from "hls.js";
import { useI18n } from "../i18n/i18n";

export interface AudioTrack { index: number; name: string; lang: string }

/** The master playlist's AUDIO renditions (the original and the published dubs) and a switch. */
export function useAudioTracks(hls: HlsType | null) {
  const [tracks, setTracks] = useState<AudioTrack[]>([]);
  const [current, setCurrent] = useState(-1);
  useEffect(() => {
    setTracks([]);
    setCurrent(-1);
    if (!hls) return;
    // The class (with its Events) comes with the instance: hls.js stays a lazily loaded chunk.
    const { Events } = hls.constructor as typeof HlsType;
    const update = () => {
      setTracks(hls.audioTracks.map((a, index) => ({ index, name: a.name, lang: a.lang ?? "" })));
      setCurrent(hls.audioTrack);
    };
    const switched = () => setCurrent(hls.audioTrack);
    // hls.js lists the renditions (AUDIO_TRACKS_UPDATED, on the first level's loading) within
    // milliseconds of loadSource, before this effect runs (the Player hands the instance over with
    // a state update, then loads at once): read what it already knows, then listen for changes.
    // (At MANIFEST_PARSED hls.audioTracks is still empty in hls.js 1.7: no use listening to it.)
    hls.on(Events.AUDIO_TRACKS_UPDATED, update);
    hls.on(Events.AUDIO_TRACK_SWITCHED, switched);
    update();
    return () => {
      hls.off(Events.AUDIO_TRACKS_UPDATED, update);
      hls.off(Events.AUDIO_TRACK_SWITCHED, switched);
    };
  }, [hls]);
  const select = (i: number) => {
    setCurrent(i);
    if (hls) hls.audioTrack = i;
  };
  return { tracks, current, select };
}

/** A rendition's label: its language named in the UI's language, else the playlist's NAME. */
export function trackLabel(track: AudioTrack, uiLang: string): string {
  if (track.lang && track.lang !== "und") {
    try {
      const named = new Intl.DisplayNames([uiLang], { type: "language" }).of(track.lang);
      if (named && named !== track.lang) return named;
    } catch {
      // not a BCP 47 tag: keep the playlist's NAME
    }
  }
  return track.name || track.lang;
}

export function AudioTrackMenu({ tracks, current, select }: ReturnType<typeof useAudioTracks>) {
  const { t, lang } = useI18n();
  if (tracks.length < 2) return null;
  return (
    <label className="row small">
      {t("voice.audioLanguage")}
      <select className="select lang-select" value={current} onChange={(e) => select(Number(e.target.value))}>
        {tracks.map((a) => <option key={a.index} value={a.index}>{trackLabel(a, lang)}</option>)}
      </select>
    </label>
  );
}
