/**
 * HLS playback (expo-video: AVPlayer / ExoPlayer / the browser) with a quality choice read from the
 * master playlist, an audio language menu (the dubs: lib/audioTracks) and the resume position synced with the server (lib/progress): loaded before
 * playing, saved while playing, on pause, when the app goes to the background and on leaving.
 */
import { useEffect, useMemo, useState } from "react";
import { AppState, View } from "react-native";
import { useVideoPlayer, VideoView } from "expo-video";
import { useApp } from "../lib/app";
import { parseMaster, type Variant } from "../lib/hls";
import { createProgressSync } from "../lib/progress";
import { Btn, P } from "../ui/kit";
import { expoVideoAudioTracks } from "../lib/audioTracks";
import { AudioMenu } from "./AudioMenu";


/** `startAt` (seconds, e.g. a moment a coach reply cites) wins over the stored resume position. */
export function HlsPlayer({ url, resumeKey, label, autoPlay, startAt }: { url: string; resumeKey?: string; label: string; autoPlay?: boolean; startAt?: number }) {
  const { t, api, device, duration } = useApp();
  const [variants, setVariants] = useState<Variant[]>([]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const player = useVideoPlayer({ uri: url, contentType: "hls" }, (p) => {
    p.timeUpdateEventInterval = 5;
  });
  const audio = useMemo(() => expoVideoAudioTracks(player), [player]);

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
    if (!resumeKey) {
      if (autoPlay) player.play();
      return;
    }
    let live = true;
    const sync = createProgressSync(api, device.storage, resumeKey);
    // On leaving, expo-video may already have released the native player: the last known values then.
    const last = { time: 0, duration: 0 };
    const read = () => {
      try {
        last.time = player.currentTime;
        last.duration = player.duration;
      } catch {
        /* released */
      }
      return last;
    };
    const flush = () => {
      const { time, duration } = read();
      void sync.flush(time, duration);
    };
    // The position is known before playing starts, so the first frames are the right ones.
    void (startAt != null ? Promise.resolve(startAt) : sync.load()).then((s) => {
      if (!live) return;
      if (s != null) {
        player.currentTime = s;
        setResumedAt(s);
      }
      if (autoPlay) player.play();
    });
    const subs = [
      player.addListener("timeUpdate", ({ currentTime }) => {
        const { duration } = read();
        last.time = currentTime;
        void sync.tick(currentTime, duration);
      }),
      player.addListener("playingChange", ({ isPlaying }) => {
        if (!isPlaying) flush();
      }),
      AppState.addEventListener("change", (state) => {
        if (state !== "active") flush();
      }),
    ];
    return () => {
      live = false;
      subs.forEach((s) => s.remove());
      flush();
    };
  }, [api, autoPlay, device, player, resumeKey, startAt]);

  return (
    <View style={{ gap: 8 }}>
      <VideoView player={player} accessibilityLabel={label} style={{ width: "100%", aspectRatio: 16 / 9, backgroundColor: "#000" }} nativeControls allowsPictureInPicture />
      {resumedAt != null ? <P muted>{t("player.resumed", { time: duration(resumedAt) })}</P> : null}
      <AudioMenu source={audio} />
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
