import { useState } from "react";
import { Pressable, Text, View } from "react-native";
import { Stack, router } from "expo-router";
import type { ChatMessage, CoachReply, CoachSource } from "../lib/coach";
import { useApp } from "../lib/app";
import { Btn, ErrorBox, Field, P, Screen, Title } from "../ui/kit";

/** Chat with the coach; hold the mic button to ask by voice, edit the transcript, send. */
export default function Coach() {
  const { t, coach, device, colors, duration } = useApp();

  /** A cited source: a catalog video at its moment, one of the student's reports, a knowledge item. */
  function openSource(s: CoachSource) {
    const [kind, id] = [s.kind, s.ref.slice(s.ref.indexOf(":") + 1)];
    if (kind === "video") return router.push(s.start_s != null ? `/videos/${id}?t=${Math.floor(s.start_s)}` : `/videos/${id}`);
    if (kind === "pose_report") return router.push(`/attempts/${id}`);
    if (s.url) void device.browser.open(s.url);
  }
  const voice = device.useVoice();
  const [history, setHistory] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState("");
  const [listening, setListening] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function send() {
    const text = draft.trim();
    if (!text) return;
    const next: ChatMessage[] = [...history, { role: "user", text }];
    setHistory(next);
    setDraft("");
    setBusy(true);
    setError(null);
    const show = (r: CoachReply) => setHistory([...next, { role: "coach", text: r.text, sources: r.sources, status: r.status }]);
    setHistory([...next, { role: "coach", text: "", status: "pending" }]);
    try {
      const answer = await coach.reply(text, show);
      show(answer);
      if (answer.status === "failed") setError(new Error(answer.error ?? t("common.error")));
    } catch (e) {
      setHistory(next);
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function holdStart() {
    setError(null);
    if (!(await voice.requestPermissions())) return setError(new Error(t("mobile.coach.noMic")));
    await voice.start();
    setListening(true);
  }

  async function holdEnd() {
    if (!listening) return;
    setListening(false);
    try {
      const audio = await voice.stop();
      if (audio) setDraft(await coach.transcribe(audio));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: t("mobile.coach.title") }} />
      <Title>{t("mobile.coach.title")}</Title>
      <P muted>{t("mobile.coach.intro")}</P>
      <View style={{ gap: 6 }} accessibilityLabel={t("mobile.coach.conversation")}>
        {history.map((m, i) => (
          <View key={i} style={{ gap: 4, alignSelf: m.role === "user" ? "flex-end" : "flex-start" }}>
            <Text style={{ color: colors.text, backgroundColor: m.role === "user" ? colors.notice : colors.card, padding: 8, borderRadius: 8 }}>
              {`${m.role === "user" ? t("mobile.coach.you") : t("mobile.coach.coach")}: ${m.text || (m.status === "pending" ? t("mobile.coach.thinking") : "")}`}
            </Text>
            {(m.sources ?? []).map((s, k) => {
              const label = `[${k + 1}] ${s.title}${s.kind === "video" && s.start_s != null ? ` (${duration(s.start_s)})` : ""}`;
              return (
                <Pressable key={s.ref} accessibilityRole="link" accessibilityLabel={`${t("mobile.coach.source")} ${label}`} onPress={() => openSource(s)}>
                  <Text style={{ color: colors.primary, textDecorationLine: "underline" }}>{label}</Text>
                </Pressable>
              );
            })}
          </View>
        ))}
      </View>
      <Field label={t("mobile.coach.message")} value={draft} onChangeText={setDraft} multiline />
      {draft && !busy ? <P muted>{t("mobile.coach.previewHint")}</P> : null}
      <Pressable
        accessibilityRole="button"
        accessibilityLabel={t("mobile.coach.hold")}
        accessibilityState={{ busy: listening }}
        onPressIn={() => void holdStart()}
        onPressOut={() => void holdEnd()}
        style={{ padding: 14, borderRadius: 30, alignItems: "center", backgroundColor: listening ? colors.primary : colors.card, borderWidth: 1, borderColor: colors.primary }}
      >
        <Text style={{ color: listening ? colors.onPrimary : colors.primary, fontWeight: "600" }}>{listening ? t("mobile.coach.listening") : t("mobile.coach.hold")}</Text>
      </Pressable>
      <Btn label={t("mobile.coach.send")} onPress={() => void send()} disabled={busy || !draft.trim()} />
      <ErrorBox error={error} />
    </Screen>
  );
}
