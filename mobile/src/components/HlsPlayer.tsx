/**
 * HLS playback (expo-video: AVPlayer / ExoPlayer / the browser) with a quality choice read from the
 * master playlist and a resume position kept on the device (the API keeps no playback position).
 */
import { useEffect, useRef, useState } from "react";
import { View } from "react-native";
import { useVideoPlayer, VideoView } from "expo-video";
import { useApp } from "../lib/app";
import { parseMaster, type Variant } from "../lib/hls";
import { loadResume, saveResume } from "../lib/resume";
import { Btn, P } from "../ui/kit";


/** `startAt` (seconds, e.g. a moment a coach reply cites) wins over the stored resume position. */
export function HlsPlayer({ url, resumeKey, label, autoPlay, startAt }: { url: string; resumeKey?: string; label: string; autoPlay?: boolean; startAt?: number }) {
  const { t, device, duration } = useApp();
  const [variants, setVariants] = useState<Variant[]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const player = useVideoPlayer({ uri: url, contentType: "hls" }, (p) => {
    p.timeUpdateEventInterval = 5;
    if (autoPlay) p.play();
  });
  const keyRef = useRef(resumeKey);
  keyRef.current = resumeKey;

  useEffect(() => {
    let live = true;
    fetch(url)
      .then((r) => (r.ok ? r.text() : ""))
      .then((text) => live && setVariants(parseMaster(text, url)))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [url]);

  /** Switch rendition where playback is. */
  async function choose(next: string | null) {
    setChosen(next);
    const at = player.currentTime;
    await player.replaceAsync({ uri: next ?? url, contentType: "hls" });
    player.currentTime = at;
    player.play();
  }

  useEffect(() => {
    if (!resumeKey) return;
    void (startAt != null ? Promise.resolve(startAt) : loadResume(device.storage, resumeKey)).then((s) => {
      if (s == null) return;
      player.currentTime = s;
      setResumedAt(s);
    });
    const sub = player.addListener("timeUpdate", ({ currentTime }) => {
      if (keyRef.current) void saveResume(device.storage, keyRef.current, currentTime);
    });
    return () => sub.remove();
  }, [device, player, resumeKey, startAt]);

  return (
    <View style={{ gap: 8 }}>
      <VideoView player={player} accessibilityLabel={label} style={{ width: "100%", aspectRatio: 16 / 9, backgroundColor: "#000" }} nativeControls allowsPictureInPicture />
      {resumedAt != null ? <P muted>{t("player.resumed", { time: duration(resumedAt) })}</P> : null}
      {variants.length > 1 ? (
        <View style={{ flexDirection: "row", flexWrap: "wrap", gap: 6 }} accessibilityLabel={t("player.quality")}>
          <Btn label={`${t("player.quality")}: ${t("player.auto")}`} kind={chosen ? "secondary" : "primary"} onPress={() => void choose(null)} />
          {variants.map((v) => (
            <Btn key={v.url} label={`${v.height}p`} kind={chosen === v.url ? "primary" : "secondary"} onPress={() => void choose(v.url)} />
          ))}
        </View>
      ) : null}
    </View>
  );
}
