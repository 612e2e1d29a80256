/**
 * The web export's player: browsers other than Safari have no native HLS, so the same library the
 * web client uses (hls.js) feeds a <video>; quality choice from its levels, the audio language
 * menu from its audio tracks (expo-video's web player cannot switch audio), resume synced with the
 * server (lib/progress) like on phones.
 */
import { createElement, useEffect, useRef, useState } from "react";
import { View } from "react-native";
import Hls from "hls.js";
import { useApp } from "../lib/app";
import { createProgressSync } from "../lib/progress";
import { Btn, P } from "../ui/kit";
import { hlsJsAudioTracks, type AudioTracks } from "../lib/audioTracks";
import { AudioMenu } from "./AudioMenu";


/** `startAt` (seconds, e.g. a moment a coach reply cites) wins over the stored resume position. */
export function HlsPlayer({ url, resumeKey, label, autoPlay, startAt }: { url: string; resumeKey?: string; label: string; autoPlay?: boolean; startAt?: number }) {
  const { t, api, device, duration } = useApp();
  const video = useRef<HTMLVideoElement | null>(null);
  const hls = useRef<Hls | null>(null);
  const [levels, setLevels] = useState<{ index: number; height: number }[]>([]);
  const [level, setLevel] = useState(-1);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const [audio, setAudio] = useState<AudioTracks | null>(null);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    if (Hls.isSupported()) {
      const h = new Hls();
      hls.current = h;
      h.on(Hls.Events.MANIFEST_PARSED, (_e, data) => setLevels(data.levels.map((l, index) => ({ index, height: l.height }))));
      setAudio(hlsJsAudioTracks(h));
      h.loadSource(url);
      h.attachMedia(el);
    } else el.src = url;
    let live = true;
    const sync = resumeKey ? createProgressSync(api, device.storage, resumeKey) : null;
    const flush = () => void sync?.flush(el.currentTime, el.duration);
    const tick = () => void sync?.tick(el.currentTime, el.duration);
    const onVisibility = () => {
      if (document.visibilityState === "hidden") flush();
    };
    void (startAt != null ? Promise.resolve(startAt) : (sync?.load() ?? Promise.resolve(null))).then((s) => {
      if (!live) return;
      if (s != null) {
        el.currentTime = s;
        setResumedAt(s);
      }
      if (autoPlay) void el.play().catch(() => undefined);
    });
    el.addEventListener("pause", flush);
    el.addEventListener("timeupdate", tick);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      live = false;
      flush();
      el.removeEventListener("pause", flush);
      el.removeEventListener("timeupdate", tick);
      document.removeEventListener("visibilitychange", onVisibility);
      hls.current?.destroy();
      hls.current = null;
      setAudio(null);
    };
  }, [url, resumeKey, autoPlay, api, device, startAt]);

  function choose(i: number) {
    setLevel(i);
    if (hls.current) hls.current.currentLevel = i;
  }

  return (
    <View style={{ gap: 8 }}>
      {createElement("video", {
        ref: video,
        controls: true,
        playsInline: true,
        "aria-label": label,
        style: { width: "100%", aspectRatio: "16 / 9", background: "#000" },
      })}
      {resumedAt != null ? <P muted>{t("player.resumed", { time: duration(resumedAt) })}</P> : null}
      <AudioMenu source={audio} />
      {levels.length > 1 ? (
        <View style={{ flexDirection: "row", flexWrap: "wrap", gap: 6 }}>
          <Btn label={`${t("player.quality")}: ${t("player.auto")}`} kind={level === -1 ? "primary" : "secondary"} onPress={() => choose(-1)} />
          {levels.map((l) => (
            <Btn key={l.index} label={`${l.height}p`} kind={level === l.index ? "primary" : "secondary"} onPress={() => choose(l.index)} />
          ))}
        </View>
      ) : null}
    </View>
  );
}
