import { useState } from "react";
import { Stack } from "expo-router";
import type { VideoCard } from "@mamc/shared/api/types";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { Btn, ErrorBox, Field, Loading, Screen, Title } from "../ui/kit";
import { VideoList } from "../components/VideoList";

export default function Search() {
  const { t, api } = useApp();
  const [q, setQ] = useState("");
  const [items, setItems] = useState<VideoCard[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run() {
    setBusy(true);
    setError(null);
    try {
      const page = await call(api.client.GET("/api/v1/videos", { params: { query: { q: q.trim(), limit: 50 } } }));
      setItems(page.items);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: t("common.search") }} />
      <Title>{t("catalog.searchLabel")}</Title>
      <Field label={t("catalog.searchLabel")} placeholder={t("catalog.searchPlaceholder")} value={q} onChangeText={setQ} onSubmitEditing={run} returnKeyType="search" />
      <Btn label={t("common.search")} onPress={run} disabled={busy || !q.trim()} />
      {busy ? <Loading /> : null}
      <ErrorBox error={error} />
      {items ? <VideoList items={items} /> : null}
    </Screen>
  );
}
