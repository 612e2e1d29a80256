/** The home screen's "Continue watching" row: videos started and not finished, from any device. */
import { ScrollView, Text, View } from "react-native";
import { router } from "expo-router";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { useLoad } from "../lib/hooks";
import { Card, ProgressBar, Title } from "../ui/kit";

export function ContinueWatching() {
  const { t, api, colors, duration } = useApp();
  const list = useLoad(() => call(api.client.GET("/api/v1/me/continue-watching")), [api]);
  const items = list.data?.items ?? [];
  if (!items.length) return null;
  return (
    <View style={{ gap: 8 }}>
      <Title>{t("analytics.continueWatching")}</Title>
      <ScrollView horizontal contentContainerStyle={{ gap: 8 }}>
        {items.map((v) => {
          const resume = t("analytics.resumeAt", { time: duration(v.position_s) });
          return (
            <View key={v.video_id} style={{ width: 220 }}>
              <Card label={`${v.title}. ${resume}`} onPress={() => router.push(`/play/${v.video_id}`)}>
                <Text style={{ color: colors.text, fontWeight: "600" }} numberOfLines={2}>
                  {v.title}
                </Text>
                <ProgressBar value={v.percent} label={t("analytics.watched", { percent: v.percent })} />
                <Text style={{ color: colors.muted }}>{resume}</Text>
              </Card>
            </View>
          );
        })}
      </ScrollView>
    </View>
  );
}
