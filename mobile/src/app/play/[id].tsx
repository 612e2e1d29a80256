import { Stack, useLocalSearchParams } from "expo-router";
import { useApp } from "../../lib/app";
import { call } from "../../lib/api";
import { useLoad } from "../../lib/hooks";
import { ErrorBox, Loading, Screen } from "../../ui/kit";
import { HlsPlayer } from "../../components/HlsPlayer";

export default function Play() {
  const { id, t: at } = useLocalSearchParams<{ id: string; t?: string }>();
  const { t, api } = useApp();
  const pb = useLoad(() => call(api.client.GET("/api/v1/videos/{video_id}/playback", { params: { path: { video_id: id } } })), [api, id]);
  return (
    <Screen>
      <Stack.Screen options={{ title: t("library.watchNow") }} />
      {pb.loading ? <Loading /> : null}
      <ErrorBox error={pb.error} />
      {pb.data ? <HlsPlayer url={pb.data.url} resumeKey={id} label={t("library.watchNow")} autoPlay startAt={at ? Number(at) : undefined} /> : null}
    </Screen>
  );
}
