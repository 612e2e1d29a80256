import { Stack } from "expo-router";
import type { VideoCard } from "@mamc/shared/api/types";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { cachedFetch } from "../lib/cache";
import { useLoad } from "../lib/hooks";
import { ErrorBox, Loading, Screen, Title } from "../ui/kit";
import { VideoList } from "../components/VideoList";

export default function Catalog() {
  const { t, api, device, date } = useApp();
  const page = useLoad(
    () => cachedFetch(device.storage, "catalog", () => call(api.client.GET("/api/v1/videos", { params: { query: { limit: 50 } } }))),
    [api],
  );
  return (
    <Screen offline={page.data?.offline ? date(page.data.savedAt) : null}>
      <Stack.Screen options={{ title: t("catalog.browseTitle") }} />
      <Title>{t("catalog.browseTitle")}</Title>
      {page.loading && !page.data ? <Loading /> : null}
      <ErrorBox error={page.error} />
      {page.data ? <VideoList items={page.data.data.items as VideoCard[]} /> : null}
    </Screen>
  );
}
