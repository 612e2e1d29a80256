import { useState } from "react";
import { Stack, router } from "expo-router";
import type { LocalFile } from "../../device/types";
import { useApp } from "../../lib/app";
import { call } from "../../lib/api";
import { videoProtocol } from "../../lib/upload";
import { useResumableUpload } from "../../lib/useUpload";
import { Btn, ErrorBox, Field, Info, P, ProgressBar, Screen, Title } from "../../ui/kit";

/** Pick a video from the gallery, describe it, upload it (resumable), then follow processing. */
export default function StudioUpload() {
  const { t, api, device, lang } = useApp();
  const [file, setFile] = useState<LocalFile | null>(null);
  const [title, setTitle] = useState("");
  const [discipline, setDiscipline] = useState("");
  const [error, setError] = useState<unknown>(null);
  const upload = useResumableUpload();

  async function pick() {
    setError(null);
    try {
      const f = await device.gallery.pickVideo();
      if (f) {
        setFile(f);
        if (!title) setTitle(f.name.replace(/\.[^.]+$/, ""));
      }
    } catch (e) {
      setError(e);
    }
  }

  async function start() {
    if (!file) return;
    setError(null);
    try {
      const v = await call(
        api.client.POST("/api/v1/videos", {
          body: {
            title: title.trim(),
            discipline: discipline.trim(),
            description: "",
            level: "all_levels",
            language: lang,
            currency: "EUR",
            subscription_included: false,
            trailer_mode: "auto",
          },
        }),
      );
      await upload.start(videoProtocol(api, v.id, file), file, { kind: "video", id: v.id, file }, () => router.replace(`/studio/videos/${v.id}`));
    } catch (e) {
      setError(e);
    }
  }

  const p = upload.progress;
  return (
    <Screen>
      <Stack.Screen options={{ title: t("studio.uploadTitle") }} />
      <Title>{t("studio.uploadTitle")}</Title>
      <Btn kind="secondary" label={t("mobile.upload.pickGallery")} onPress={() => void pick()} disabled={upload.phase !== "idle"} />
      {file ? <P>{`${file.name} · ${(file.size / 1e6).toFixed(1)} MB`}</P> : null}
      <Field label={t("studio.videoTitle")} value={title} onChangeText={setTitle} />
      <Field label={t("studio.discipline")} value={discipline} onChangeText={setDiscipline} />
      <P muted>{t("studio.fileHint")}</P>
      <Btn label={t("studio.start")} onPress={() => void start()} disabled={!file || !title.trim() || !discipline.trim() || upload.phase !== "idle"} />
      {p ? (
        <>
          <ProgressBar value={(100 * p.sentBytes) / Math.max(1, p.totalBytes)} label={t("studio.progressLabel")} />
          <P>{t("studio.uploading", { pct: Math.round((100 * p.sentBytes) / Math.max(1, p.totalBytes)) })}</P>
        </>
      ) : null}
      {upload.phase === "interrupted" ? (
        <>
          <ErrorBox error={upload.error} />
          <Btn label={t("mobile.upload.resume")} onPress={() => void upload.resume()} />
        </>
      ) : null}
      {upload.phase === "done" ? <Info>{t("studio.uploadDone")}</Info> : null}
      <ErrorBox error={error} />
    </Screen>
  );
}
