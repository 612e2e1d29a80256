import { useEffect, useRef, useState } from "react";
import { StyleSheet, Text, View } from "react-native";
import { Stack, router, useLocalSearchParams } from "expo-router";
import type { LocalFile, RecorderHandle } from "../../device/types";
import { useApp } from "../../lib/app";
import { call } from "../../lib/api";
import { useLoad } from "../../lib/hooks";
import { attemptProtocol, uploadJournal, type JournalEntry } from "../../lib/upload";
import { useResumableUpload } from "../../lib/useUpload";
import { Btn, ErrorBox, Info, Loading, P, ProgressBar, Screen, Title } from "../../ui/kit";

const MAX_SECONDS = 30;

/** Record an attempt with the camera against a reference, upload it, then open its report. */
export default function Practice() {
  const { referenceId } = useLocalSearchParams<{ referenceId: string }>();
  const { t, api, device, lang, colors } = useApp();
  const ref = useLoad(() => call(api.client.GET("/api/v1/studio/references/{reference_id}", { params: { path: { reference_id: referenceId } } })), [api, referenceId]);
  const [allowed, setAllowed] = useState<boolean | null>(null);
  const [facing, setFacing] = useState<"front" | "back">("front");
  const [recording, setRecording] = useState(false);
  const [clip, setClip] = useState<LocalFile | null>(null);
  const [pending, setPending] = useState<JournalEntry | null>(null);
  const [error, setError] = useState<unknown>(null);
  const recorder = useRef<RecorderHandle>(null);
  const upload = useResumableUpload();
  const Preview = device.camera.Preview;

  useEffect(() => {
    void device.camera.requestPermissions().then(setAllowed, () => setAllowed(false));
    void uploadJournal.load(device.storage).then((e) => setPending(e?.kind === "attempt" && e.referenceId === referenceId ? e : null));
  }, [device, referenceId]);

  async function record() {
    setError(null);
    setRecording(true);
    try {
      setClip(await recorder.current!.record(MAX_SECONDS));
    } catch (e) {
      setError(e);
    } finally {
      setRecording(false);
    }
  }

  async function send(file: LocalFile) {
    setError(null);
    try {
      const created = await call(
        api.client.POST("/api/v1/studio/references/{reference_id}/attempts", {
          params: { path: { reference_id: referenceId } },
          body: { filename: file.name, content_type: file.mimeType, size_bytes: file.size, lang },
        }),
      );
      const id = created.attempt.id;
      await upload.start(attemptProtocol(api, id, created.upload), file, { kind: "attempt", id, file, referenceId }, () => router.replace(`/attempts/${id}`));
    } catch (e) {
      setError(e);
    }
  }

  function resumePending(e: JournalEntry) {
    setPending(null);
    void upload.start(attemptProtocol(api, e.id), e.file, e, () => router.replace(`/attempts/${e.id}`), true);
  }

  const p = upload.progress;
  return (
    <Screen>
      <Stack.Screen options={{ title: t("pose.practiceTitle") }} />
      <Title>{ref.data?.name ?? t("pose.practiceTitle")}</Title>
      <ErrorBox error={ref.error} />
      {pending && upload.phase === "idle" ? (
        <>
          <Info>{t("mobile.practice.pendingUpload")}</Info>
          <Btn label={t("mobile.upload.resume")} onPress={() => resumePending(pending)} />
        </>
      ) : null}
      {allowed === null ? <Loading /> : null}
      {allowed === false ? <Info>{t("mobile.practice.noCamera")}</Info> : null}
      {allowed && !clip && upload.phase === "idle" ? (
        <>
          <P muted>{t("mobile.practice.frontHint")}</P>
          <View style={styles.stage}>
            <Preview ref={recorder} facing={facing} style={StyleSheet.absoluteFill} />
            <View pointerEvents="none" accessibilityLabel={t("mobile.practice.guide")} style={[styles.guide, { borderColor: colors.primary }]}>
              <View style={[styles.head, { borderColor: colors.primary }]} />
              <Text style={[styles.guideText, { color: "#fff" }]}>{t("mobile.practice.guideText")}</Text>
            </View>
          </View>
          {recording ? (
            <Btn label={t("mobile.practice.stop")} onPress={() => recorder.current?.stop()} />
          ) : (
            <>
              <Btn label={t("mobile.practice.record")} onPress={() => void record()} />
              <Btn kind="secondary" label={t("mobile.practice.flip")} onPress={() => setFacing(facing === "front" ? "back" : "front")} />
            </>
          )}
        </>
      ) : null}
      {clip && upload.phase === "idle" ? (
        <>
          <Info>{t("mobile.practice.recorded")}</Info>
          <Btn label={t("pose.sendAttempt")} onPress={() => void send(clip)} />
          <Btn kind="secondary" label={t("mobile.practice.again")} onPress={() => setClip(null)} />
        </>
      ) : null}
      {p && upload.phase !== "idle" ? (
        <>
          <ProgressBar value={(100 * p.sentBytes) / Math.max(1, p.totalBytes)} label={t("studio.progressLabel")} />
          <P>{t("studio.uploaded", { done: p.partsDone, total: p.partCount })}</P>
        </>
      ) : null}
      {upload.phase === "interrupted" ? (
        <>
          <ErrorBox error={upload.error} />
          <Btn label={t("mobile.upload.resume")} onPress={() => void upload.resume()} />
        </>
      ) : null}
      <ErrorBox error={error} />
    </Screen>
  );
}

const styles = StyleSheet.create({
  stage: { width: "100%", aspectRatio: 9 / 16, maxHeight: 520, backgroundColor: "#000", borderRadius: 8, overflow: "hidden" },
  guide: { position: "absolute", top: "8%", bottom: "6%", left: "22%", right: "22%", borderWidth: 3, borderStyle: "dashed", borderRadius: 40, alignItems: "center" },
  head: { width: 56, height: 56, borderRadius: 28, borderWidth: 3, marginTop: 12 },
  guideText: { position: "absolute", bottom: 8, fontWeight: "600", textAlign: "center", paddingHorizontal: 4 },
});
