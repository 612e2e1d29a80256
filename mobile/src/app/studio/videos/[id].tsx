import { useState } from "react";
import { Stack, useLocalSearchParams } from "expo-router";
import type { OwnerVideo } from "@mamc/shared/api/types";
import { isOwnerView } from "@mamc/shared/api/types";
import { reasonLabel } from "@mamc/shared/i18n";
import { useApp } from "../../../lib/app";
import { call } from "../../../lib/api";
import { usePoll } from "../../../lib/hooks";
import { notify } from "../../../lib/notifications";
import { Btn, ErrorBox, Info, Loading, P, ProgressBar, Screen, Title } from "../../../ui/kit";

const BUSY = new Set(["uploading", "processing"]);

/** Processing progress of an uploaded video (polled), then submit it for review. */
export default function StudioVideo() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const { t, api, device } = useApp();
  const [video, setVideo] = useState<OwnerVideo | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [submitted, setSubmitted] = useState(false);
  const path = { path: { video_id: id } };

  usePoll(
    async () => {
      const v = await call(api.client.GET("/api/v1/videos/{video_id}", { params: path }));
      if (!isOwnerView(v)) return true;
      const wasBusy = video ? BUSY.has(video.status) : false;
      setVideo(v);
      if (wasBusy && !BUSY.has(v.status)) await notify(device.storage, { key: "mobile.notifications.processed", vars: { title: v.title }, href: `/studio/videos/${id}` });
      return !BUSY.has(v.status);
    },
    2000,
    !!id,
  );

  async function submit() {
    setError(null);
    try {
      setVideo(await call(api.client.POST("/api/v1/videos/{video_id}/submit", { params: path })));
      setSubmitted(true);
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: video?.title ?? t("studio.title") }} />
      {!video ? <Loading /> : null}
      {video ? (
        <>
          <Title>{video.title}</Title>
          <P>{`${t("studio.status")}: ${t(`status.${video.status}`)}`}</P>
          {BUSY.has(video.status) ? (
            <>
              <ProgressBar value={video.progress.percent} label={t("studio.processingLabel")} />
              {video.progress.stage ? <P muted>{t("studio.stage", { stage: video.progress.stage })}</P> : null}
            </>
          ) : null}
          {video.failure_reason ? <Info>{reasonLabel(t, video.failure_reason)}</Info> : null}
          {video.status === "draft" || video.status === "ready" ? <Btn label={t("studio.submit")} onPress={() => void submit()} /> : null}
          {submitted ? <Info>{t("studio.submitted")}</Info> : null}
        </>
      ) : null}
      <ErrorBox error={error} />
    </Screen>
  );
}
