import { forwardRef, useEffect, useImperativeHandle, useRef, useState, type ReactNode } from "react";
import type HlsType from "hls.js";
import { useI18n } from "../i18n/i18n";
import { pickMode } from "./hlsSupport";
import { loadResume, saveResumeEverywhere as saveResume, clearResume, qualityEverywhere, shouldSave } from "./resume";
import { AudioTrackMenu, useAudioTracks } from "./AudioTrackMenu";

export interface PlayerHandle {
  seek: (t: number) => void;
  play: () => Promise<void> | undefined;
  pause: () => void;
  video: () => HTMLVideoElement | null;
}

interface Props {
  src: string;
  poster?: string | null;
  /** When set, the position is remembered under this id and restored on load. */
  resumeId?: string;
  title?: string;
  autoPlay?: boolean;
  /** Seconds to start at (a link to a moment); wins over the remembered position. */
  startAt?: number | null;
  onTime?: (t: number) => void;
  /** Rendered absolutely over the video (e.g. pose overlay canvas). */
  overlay?: ReactNode;
  /** Extra controls appended to the bar. */
  children?: ReactNode;
}

interface Level { index: number; height: number; bitrate: number }
interface Caption { index: number; name: string; lang: string }

export const Player = forwardRef<PlayerHandle, Props>(function Player(
  { src, poster, resumeId, title, autoPlay, startAt, onTime, overlay, children },
  ref,
) {
  const { t, fmtDuration } = useI18n();
  const videoRef = useRef<HTMLVideoElement>(null);
  const hlsRef = useRef<HlsType | null>(null);
  const lastSaved = useRef(0);
  const [levels, setLevels] = useState<Level[]>([]);
  const [level, setLevel] = useState(-1);
  const [captions, setCaptions] = useState<Caption[]>([]);
  const [caption, setCaption] = useState(-1);
  const [status, setStatus] = useState<string | null>(null);
  const [fatal, setFatal] = useState(false);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const [hlsInstance, setHlsInstance] = useState<HlsType | null>(null);
  const audio = useAudioTracks(hlsInstance);

  useImperativeHandle(ref, () => ({
    seek: (s) => {
      const v = videoRef.current;
      if (v) v.currentTime = Math.max(0, s);
    },
    play: () => videoRef.current?.play(),
    pause: () => videoRef.current?.pause(),
    video: () => videoRef.current,
  }));

  const carry = useRef<{ time: number; playing: boolean } | null>(null);
  const resumeIdRef = useRef(resumeId);
  resumeIdRef.current = resumeId;

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let cancelled = false;
    setFatal(false);
    setStatus(null);
    setLevels([]);
    setLevel(-1);
    setCaptions([]);
    (async () => {
      const { default: Hls } = await import("hls.js");
      if (cancelled) return;
      const mode = pickMode(src, video, Hls.isSupported());
      if (mode === "none") {
        setFatal(true);
        setStatus(t("player.unsupported"));
        return;
      }
      if (mode !== "hlsjs") {
        video.src = src;
        return;
      }
      const hls = new Hls({ enableWorker: true, capLevelToPlayerSize: true });
      hlsRef.current = hls;
      setHlsInstance(hls);
      hls.on(Hls.Events.MANIFEST_PARSED, (_e, data) => {
        setLevels(data.levels.map((l, index) => ({ index, height: l.height, bitrate: l.bitrate })));
      });
      // The rendition playing (the first one, then every switch, automatic or chosen) goes with
      // the playback beacons: the dashboard's watch time by rendition.
      hls.on(Hls.Events.LEVEL_SWITCHED, (_e, data) => {
        const l = hls.levels[data.level];
        const id = resumeIdRef.current;
        if (l && id) qualityEverywhere(id, video.currentTime, video.duration, { height: l.height, bitrate: l.bitrate });
      });
      // Captions: the master's SUBTITLES renditions (approved by the instructor).
      hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, (_e, data) => {
        setCaptions(data.subtitleTracks.map((s, index) => ({ index, name: s.name, lang: s.lang ?? "" })));
        setCaption(hls.subtitleTrack);
      });
      let recoveries = 0;
      hls.on(Hls.Events.ERROR, (_e, data) => {
        if (!data.fatal) return;
        if (recoveries++ < 3 && data.type === Hls.ErrorTypes.NETWORK_ERROR) {
          setStatus(t("player.error"));
          hls.startLoad();
        } else if (recoveries < 4 && data.type === Hls.ErrorTypes.MEDIA_ERROR) {
          setStatus(t("player.error"));
          hls.recoverMediaError();
        } else {
          setFatal(true);
          setStatus(t("player.fatal"));
          hls.destroy();
        }
      });
      hls.on(Hls.Events.FRAG_LOADED, () => setStatus(null));
      hls.loadSource(src);
      hls.attachMedia(video);
    })();
    return () => {
      cancelled = true;
      // A new src for the same media (renewed signature): continue where we were.
      if (video.currentTime > 0) carry.current = { time: video.currentTime, playing: !video.paused };
      hlsRef.current?.destroy();
      hlsRef.current = null;
      setHlsInstance(null);
    };
  }, [src, t]);

  function onLoadedMetadata() {
    const v = videoRef.current;
    if (v && carry.current) {
      const c = carry.current;
      carry.current = null;
      v.currentTime = c.time;
      if (c.playing) void v.play().catch(() => undefined);
      return;
    }
    if (v && startAt != null) {
      v.currentTime = Math.max(0, startAt);
      return;
    }
    if (!v || !resumeId) return;
    const pos = loadResume(resumeId, v.duration);
    if (pos != null) {
      v.currentTime = pos;
      lastSaved.current = pos;
      setResumedAt(pos);
    }
  }

  function onTimeUpdate() {
    const v = videoRef.current;
    if (!v) return;
    onTime?.(v.currentTime);
    if (resumeId && shouldSave(lastSaved.current, v.currentTime)) {
      lastSaved.current = v.currentTime;
      saveResume(resumeId, v.currentTime, v.duration);
    }
  }

  function onPause() {
    const v = videoRef.current;
    if (v && resumeId) saveResume(resumeId, v.currentTime, v.duration);
  }

  function changeCaption(i: number) {
    setCaption(i);
    const hls = hlsRef.current;
    if (hls) {
      hls.subtitleTrack = i;
      hls.subtitleDisplay = i >= 0;
    }
  }

  function changeLevel(i: number) {
    setLevel(i);
    if (hlsRef.current) hlsRef.current.currentLevel = i;
  }

  return (
    <div className="player">
      <div style={{ position: "relative" }}>
        <video
          ref={videoRef}
          controls
          playsInline
          preload="metadata"
          poster={poster ?? undefined}
          autoPlay={autoPlay}
          aria-label={title}
          onLoadedMetadata={onLoadedMetadata}
          onTimeUpdate={onTimeUpdate}
          onPause={onPause}
          onEnded={() => resumeId && clearResume(resumeId)}
        />
        {overlay}
      </div>
      {(levels.length > 1 || captions.length > 0 || audio.tracks.length > 1 || resumedAt != null || status || children) && (
        <div className="player-bar">
          {captions.length > 0 && (
            <label className="row small">
              {t("knowledge.captions")}
              <select className="select lang-select" value={caption} onChange={(e) => changeCaption(Number(e.target.value))}>
                <option value={-1}>{t("knowledge.captionsOff")}</option>
                {captions.map((c) => <option key={c.index} value={c.index}>{c.name || c.lang}</option>)}
              </select>
            </label>
          )}
          <AudioTrackMenu {...audio} />
          {levels.length > 1 && (
            <label className="row small">
              {t("player.quality")}
              <select className="select lang-select" value={level} onChange={(e) => changeLevel(Number(e.target.value))}>
                <option value={-1}>{t("player.auto")}</option>
                {levels
                  .slice()
                  .sort((a, b) => b.height - a.height)
                  .map((l) => (
                    <option key={l.index} value={l.index}>{l.height ? `${l.height}p` : `${Math.round(l.bitrate / 1000)} kbps`}</option>
                  ))}
              </select>
            </label>
          )}
          {resumedAt != null && (
            <span className="small muted row">
              {t("player.resumed", { time: fmtDuration(resumedAt) })}
              <button
                className="btn btn-sm"
                onClick={() => {
                  if (videoRef.current) videoRef.current.currentTime = 0;
                  setResumedAt(null);
                  if (resumeId) clearResume(resumeId);
                }}
              >
                {t("player.startOver")}
              </button>
            </span>
          )}
          {status && <span className={`small ${fatal ? "field-error" : "muted"}`} role="status">{status}</span>}
          <span className="spacer" />
          {children}
        </div>
      )}
    </div>
  );
});
