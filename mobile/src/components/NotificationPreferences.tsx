/** What the platform tells the user, and how (in the app, by email, on the phone): one switch per
 * kind and channel, saved as soon as it is flipped. */
import { useEffect, useState } from "react";
import { Switch, Text, View } from "react-native";
import type { Resp } from "@mamc/shared/api/types";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { ErrorBox, Info, P, Title } from "../ui/kit";

type Pref = Resp<"/api/v1/notifications/preferences", "get">["items"][number];
const CHANNELS = [
  ["in_app", "notifications.inApp"],
  ["email", "notifications.email"],
  ["push", "notifications.push"],
] as const;

export function NotificationPreferences() {
  const { t, api, colors } = useApp();
  const [prefs, setPrefs] = useState<Pref[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    call(api.client.GET("/api/v1/notifications/preferences")).then((r) => setPrefs(r.items), setError);
  }, [api]);

  async function flip(kind: string, channel: (typeof CHANNELS)[number][0], on: boolean) {
    if (!prefs) return;
    const before = prefs;
    const next = prefs.map((p) => (p.kind === kind ? { ...p, [channel]: on } : p));
    setPrefs(next);
    setSaved(false);
    setError(null);
    try {
      setPrefs((await call(api.client.PUT("/api/v1/notifications/preferences", { body: { items: next } }))).items);
      setSaved(true);
    } catch (e) {
      setPrefs(before);
      setError(e);
    }
  }

  if (!prefs) return <ErrorBox error={error} />;
  return (
    <View style={{ gap: 8 }}>
      <Title>{t("notifications.preferences")}</Title>
      <ErrorBox error={error} />
      {saved ? <Info>{t("notifications.saved")}</Info> : null}
      {prefs.map((p) => {
        const kind = t(`notifications.kinds.${p.kind}`);
        return (
          <View key={p.kind} style={{ gap: 4 }}>
            <Text style={{ color: colors.text, fontWeight: "600" }}>{kind}</Text>
            <View style={{ flexDirection: "row", flexWrap: "wrap", gap: 12 }}>
              {CHANNELS.map(([channel, label]) => (
                <View key={channel} style={{ flexDirection: "row", alignItems: "center", gap: 4 }}>
                  <Switch accessibilityLabel={`${kind}: ${t(label)}`} value={p[channel]} onValueChange={(on) => void flip(p.kind, channel, on)} />
                  <Text style={{ color: colors.text }}>{t(label)}</Text>
                </View>
              ))}
            </View>
          </View>
        );
      })}
      <P muted>{t("notifications.digestNote")}</P>
    </View>
  );
}
