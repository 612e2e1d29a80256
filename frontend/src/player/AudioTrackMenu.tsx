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
    hls.on(Events.AUDIO_TRACKS_UPDATED, update);
    hls.on(Events.AUDIO_TRACK_SWITCHED, switched);
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

export function AudioTrackMenu({ tracks, current, select }: ReturnType<typeof useAudioTracks>) {
  const { t } = useI18n();
  if (tracks.length < 2) return null;
  return (
    <label className="row small">
      {t("voice.audioLanguage")}
      <select className="select lang-select" value={current} onChange={(e) => select(Number(e.target.value))}>
        {tracks.map((a) => <option key={a.index} value={a.index}>{a.name || a.lang}</option>)}
      </select>
    </label>
  );
}
