import { useState } from "react";
import { Pressable, Text, View } from "react-native";
import { Stack } from "expo-router";
import type { ChatMessage } from "../lib/coach";
import { useApp } from "../lib/app";
import { Btn, ErrorBox, Field, P, Screen, Title } from "../ui/kit";

/** Chat with the coach; hold the mic button to ask by voice, edit the transcript, send. */
export default function Coach() {
  const { t, coach, device, colors } = useApp();
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
    try {
      const answer = await coach.reply(next);
      setHistory([...next, { role: "coach", text: answer }]);
    } catch (e) {
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
          <Text key={i} style={{ color: colors.text, alignSelf: m.role === "user" ? "flex-end" : "flex-start", backgroundColor: m.role === "user" ? colors.notice : colors.card, padding: 8, borderRadius: 8 }}>
            {`${m.role === "user" ? t("mobile.coach.you") : t("mobile.coach.coach")}: ${m.text}`}
          </Text>
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
