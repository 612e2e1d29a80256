/**
 * The web export's player: browsers other than Safari have no native HLS, so the same library the
 * web client uses (hls.js) feeds a <video>; quality choice from its levels, resume kept locally.
 */
import { createElement, useEffect, useRef, useState } from "react";
import { View } from "react-native";
import Hls from "hls.js";
import { useApp } from "../lib/app";
import { loadResume, saveResume } from "../lib/resume";
import { Btn, P } from "../ui/kit";


/** `startAt` (seconds, e.g. a moment a coach reply cites) wins over the stored resume position. */
export function HlsPlayer({ url, resumeKey, label, autoPlay, startAt }: { url: string; resumeKey?: string; label: string; autoPlay?: boolean; startAt?: number }) {
  const { t, device, duration } = useApp();
  const video = useRef<HTMLVideoElement | null>(null);
  const hls = useRef<Hls | null>(null);
  const [levels, setLevels] = useState<{ index: number; height: number }[]>([]);
  const [level, setLevel] = useState(-1);
  const [resumedAt, setResumedAt] = useState<number | null>(null);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    if (Hls.isSupported()) {
      const h = new Hls();
      hls.current = h;
      h.on(Hls.Events.MANIFEST_PARSED, (_e, data) => setLevels(data.levels.map((l, index) => ({ index, height: l.height }))));
      h.loadSource(url);
      h.attachMedia(el);
    } else el.src = url;
    if (resumeKey)
      void (startAt != null ? Promise.resolve(startAt) : loadResume(device.storage, resumeKey)).then((s) => {
        if (s == null) return;
        el.currentTime = s;
        setResumedAt(s);
      });
    if (autoPlay) void el.play().catch(() => undefined);
    const onTime = () => {
      if (resumeKey) void saveResume(device.storage, resumeKey, el.currentTime);
    };
    el.addEventListener("pause", onTime);
    const timer = setInterval(onTime, 5000);
    return () => {
      clearInterval(timer);
      el.removeEventListener("pause", onTime);
      hls.current?.destroy();
      hls.current = null;
    };
  }, [url, resumeKey, autoPlay, device, startAt]);

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
