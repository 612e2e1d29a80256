import { Stack, router } from "expo-router";
import { Text, View } from "react-native";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { cachedFetch } from "../lib/cache";
import { useLoad } from "../lib/hooks";
import { Btn, Card, ErrorBox, Loading, P, Screen, Title } from "../ui/kit";

export default function Library() {
  const { t, api, device, date, colors } = useApp();
  const lib = useLoad(
    () =>
      cachedFetch(device.storage, "library", async () => {
        const page = await call(api.client.GET("/api/v1/me/library", { params: { query: { limit: 100 } } }));
        const titles: Record<string, string> = {};
        await Promise.all(
          page.items
            .filter((e) => e.video_id)
            .map(async (e) => {
              const v = await call(api.client.GET("/api/v1/videos/{video_id}", { params: { path: { video_id: e.video_id! } } })).catch(() => null);
              titles[e.video_id!] = v?.title ?? t("library.unavailable");
            }),
        );
        return { items: page.items, titles };
      }),
    [api],
  );
  const items = lib.data?.data.items ?? [];
  return (
    <Screen offline={lib.data?.offline ? date(lib.data.savedAt) : null}>
      <Stack.Screen options={{ title: t("library.title") }} />
      <Title>{t("library.title")}</Title>
      {lib.loading && !lib.data ? <Loading /> : null}
      <ErrorBox error={lib.error} />
      {lib.data && !items.length ? (
        <>
          <P muted>{t("library.empty")}</P>
          <Btn label={t("library.browse")} onPress={() => router.push("/catalog")} />
        </>
      ) : null}
      <View style={{ gap: 8 }}>
        {items.map((e) => (
          <Card key={e.id} label={e.video_id ? lib.data!.data.titles[e.video_id] : t("library.subscription")} onPress={e.video_id ? () => router.push(`/videos/${e.video_id}`) : undefined}>
            <Text style={{ color: colors.text, fontWeight: "600", fontSize: 16 }}>{e.video_id ? lib.data!.data.titles[e.video_id] : t("library.subscription")}</Text>
            <Text style={{ color: colors.muted }}>
              {t(`library.kind.${e.kind}`)} · {t(`library.entStatus.${e.status}`)}
              {e.expires_at ? ` · ${t("library.expires", { date: date(e.expires_at) })}` : ""}
            </Text>
          </Card>
        ))}
      </View>
    </Screen>
  );
}
