import { useState } from "react";
import { Stack } from "expo-router";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { Btn, ErrorBox, Field, Info, P, Screen, Title } from "../ui/kit";

export default function Signup() {
  const { t, api, lang } = useApp();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit() {
    setBusy(true);
    setError(null);
    try {
      const u = await call(
        api.client.POST("/api/v1/auth/register", { body: { email: email.trim(), password, display_name: name.trim(), language: lang } }),
      );
      setDone(u.email);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: t("auth.signupTitle") }} />
      <Title>{t("auth.signupTitle")}</Title>
      {done ? (
        <Info>{t("auth.signupDone", { email: done })}</Info>
      ) : (
        <>
          <Field label={t("auth.displayName")} value={name} onChangeText={setName} autoComplete="name" />
          <Field label={t("auth.email")} value={email} onChangeText={setEmail} autoCapitalize="none" keyboardType="email-address" />
          <Field label={t("auth.password")} value={password} onChangeText={setPassword} secureTextEntry />
          <P muted>{t("auth.passwordHint")}</P>
          <ErrorBox error={error} />
          <Btn label={t("auth.signupSubmit")} onPress={submit} disabled={busy || !email || !password || !name} />
        </>
      )}
    </Screen>
  );
}
