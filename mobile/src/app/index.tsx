import { useEffect, useState } from "react";
import { Stack, router } from "expo-router";
import { View } from "react-native";
import type { VideoCard } from "@mamc/shared/api/types";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { cachedFetch } from "../lib/cache";
import { useLoad } from "../lib/hooks";
import { followUnread } from "../lib/notifications";
import { Btn, ErrorBox, Loading, P, Screen, Title } from "../ui/kit";
import { VideoList } from "../components/VideoList";
import { ContinueWatching } from "../components/ContinueWatching";

export default function Home() {
  const { t, api, device, user, restoring, date, streamFetch } = useApp();
  const latest = useLoad(
    () => cachedFetch(device.storage, "home", () => call(api.client.GET("/api/v1/videos", { params: { query: { limit: 6 } } }))),
    [api],
  );
  const go = (href: string) => () => router.push(href);
  // The unread badge, live from the platform's bell stream while signed in (polled when it cannot be had).
  const [unread, setUnread] = useState(0);
  const signedIn = !!user;
  useEffect(() => (signedIn ? followUnread(api, device.storage, streamFetch, setUnread) : undefined), [api, device, streamFetch, signedIn]);
  return (
    <Screen offline={latest.data?.offline ? date(latest.data.savedAt) : null}>
      <Stack.Screen options={{ title: t("nav.home") }} />
      <Title>{t("catalog.heroTitle")}</Title>
      <P muted>{t("catalog.heroBody")}</P>
      {restoring ? <Loading /> : null}
      {user ? <P>{t("mobile.signedInAs", { name: user.display_name })}</P> : null}
      <View style={{ gap: 8 }}>
        <Btn label={t("nav.browse")} onPress={go("/catalog")} />
        <Btn label={t("common.search")} kind="secondary" onPress={go("/search")} />
        {user ? (
          <>
            <Btn label={t("nav.library")} kind="secondary" onPress={go("/library")} />
            <Btn label={t("mobile.coach.title")} kind="secondary" onPress={go("/coach")} />
            {user.role !== "student" ? <Btn label={t("nav.studio")} kind="secondary" onPress={go("/studio")} /> : null}
            <Btn
              label={unread ? `${t("notifications.title")} · ${t("notifications.unread", { count: unread })}` : t("notifications.title")}
              kind={unread ? "primary" : "secondary"}
              onPress={go("/notifications")}
            />
          </>
        ) : (
          <>
            <Btn label={t("nav.login")} kind="secondary" onPress={go("/login")} />
            <Btn label={t("nav.signup")} kind="secondary" onPress={go("/signup")} />
          </>
        )}
        <Btn label={t("mobile.settings.title")} kind="secondary" onPress={go("/settings")} />
      </View>
      {user ? <ContinueWatching /> : null}
      <Title>{t("catalog.new")}</Title>
      {latest.loading ? <Loading /> : null}
      <ErrorBox error={latest.error} />
      {latest.data ? <VideoList items={latest.data.data.items as VideoCard[]} /> : null}
    </Screen>
  );
}
