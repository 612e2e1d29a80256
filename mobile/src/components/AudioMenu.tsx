/** The audio language menu under the player: one button naming the track playing; pressed, the
 * tracks to choose from (the original and the published dubs). Hidden with fewer than two. */
import { useState } from "react";
import { View } from "react-native";
import { useApp } from "../lib/app";
import { audioLabel, useAudioTracks, type AudioTracks } from "../lib/audioTracks";
import { Btn } from "../ui/kit";

export function AudioMenu({ source }: { source: AudioTracks | null }) {
  const { t } = useApp();
  const { tracks, current, select } = useAudioTracks(source);
  const [open, setOpen] = useState(false);
  if (tracks.length < 2) return null;
  const playing = tracks.find((a) => a.key === current);
  const title = t("voice.audioLanguage");
  return (
    <View style={{ gap: 6 }}>
      <Btn
        kind="secondary"
        label={playing ? `${title}: ${audioLabel(playing, t)}` : title}
        hint={t("mobile.player.chooseAudio")}
        onPress={() => setOpen((o) => !o)}
      />
      {open ? (
        <View accessibilityRole="menu" accessibilityLabel={title} style={{ flexDirection: "row", flexWrap: "wrap", gap: 6 }}>
          {tracks.map((a) => (
            <Btn
              key={a.key}
              label={audioLabel(a, t)}
              kind={a.key === current ? "primary" : "secondary"}
              onPress={() => {
                select(a.key);
                setOpen(false);
              }}
            />
          ))}
        </View>
      ) : null}
    </View>
  );
}
