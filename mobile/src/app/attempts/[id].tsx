import { reasonLabel } from "@mamc/shared/i18n";
import { useState } from "react";
import { Text, View } from "react-native";
import { Stack, useLocalSearchParams } from "expo-router";
import { useVideoPlayer, VideoView } from "expo-video";
import type { Resp } from "@mamc/shared/api/types";
import { useApp } from "../../lib/app";
import { call } from "../../lib/api";
import { usePoll } from "../../lib/hooks";
import { Card, ErrorBox, Info, P, ProgressBar, Screen, Title } from "../../ui/kit";

type Attempt = Resp<"/api/v1/studio/attempts/{attempt_id}", "get">;
type Report = Resp<"/api/v1/studio/attempts/{attempt_id}/report", "get">;

function Overlay({ url, label }: { url: string; label: string }) {
  const player = useVideoPlayer({ uri: url });
  return <VideoView player={player} accessibilityLabel={label} nativeControls style={{ width: "100%", aspectRatio: 16 / 9, backgroundColor: "#000" }} />;
}

/** The attempt's analysis progress, then its pose report: score, overlay video and cues. */
export default function AttemptReport() {
  const { id } = useLocalSearchParams<{ id: string }>();
  const { t, api, lang, colors } = useApp();
  const [attempt, setAttempt] = useState<Attempt | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<unknown>(null);
  const path = { path: { attempt_id: id } };

  usePoll(
    async () => {
      try {
        const a = await call(api.client.GET("/api/v1/studio/attempts/{attempt_id}", { params: path }));
        setAttempt(a);
        if (a.status === "failed") return true;
        if (a.status !== "ready") return false;
        setReport(await call(api.client.GET("/api/v1/studio/attempts/{attempt_id}/report", { params: { ...path, query: { lang } } })));
        return true;
      } catch (e) {
        setError(e);
        return true;
      }
    },
    2000,
    !!id,
  );

  return (
    <Screen>
      <Stack.Screen options={{ title: t("pose.attempt") }} />
      <Title>{t("pose.feedback")}</Title>
      <ErrorBox error={error} />
      {attempt && !report && attempt.status !== "failed" ? (
        <>
          <Info>{t("pose.analysing")}</Info>
          <ProgressBar value={attempt.progress} label={t("studio.processingLabel")} />
        </>
      ) : null}
      {attempt?.status === "failed" ? <Info>{t("pose.failed", { reason: reasonLabel(t, attempt.failure_reason ?? "") })}</Info> : null}
      {report ? (
        <View style={{ gap: 10 }}>
          <P>{report.technique_label}</P>
          {report.score != null ? (
            <Text accessibilityRole="summary" style={{ color: colors.text, fontSize: 32, fontWeight: "700" }}>
              {t("pose.scoreOf", { score: Math.round(report.score) })}
            </Text>
          ) : (
            <P>{report.match?.message ?? t("pose.notScored")}</P>
          )}
          {report.overlay_url ? <Overlay url={report.overlay_url} label={t("pose.overlay")} /> : <P muted>{t("pose.noOverlay")}</P>}
          {report.warnings.map((w) => (
            <Info key={w.code}>{w.message}</Info>
          ))}
          <Title>{t("pose.topCues")}</Title>
          {report.top_cues.length ? (
            report.top_cues.map((c) => (
              <Card key={`${c.joint}-${c.phase}-${c.rank}`}>
                <Text style={{ color: colors.text }}>{c.message}</Text>
              </Card>
            ))
          ) : (
            <P muted>{t("pose.noFeedback")}</P>
          )}
          {report.tempo ? <P muted>{report.tempo.message}</P> : null}
        </View>
      ) : null}
    </Screen>
  );
}
