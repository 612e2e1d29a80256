import { useState } from "react";
import { Stack, router } from "expo-router";
import { useApp } from "../lib/app";
import { Btn, ErrorBox, Field, Screen, Title } from "../ui/kit";

export default function Login() {
  const { t, login } = useApp();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit() {
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password);
      router.replace("/");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: t("auth.loginTitle") }} />
      <Title>{t("auth.loginTitle")}</Title>
      <Field label={t("auth.email")} value={email} onChangeText={setEmail} autoCapitalize="none" keyboardType="email-address" autoComplete="email" />
      <Field label={t("auth.password")} value={password} onChangeText={setPassword} secureTextEntry autoComplete="password" />
      <ErrorBox error={error} />
      <Btn label={t("auth.loginSubmit")} onPress={submit} disabled={busy || !email || !password} />
      <Btn label={t("auth.forgot")} kind="secondary" onPress={() => router.push("/forgot-password")} />
      <Btn label={t("nav.signup")} kind="secondary" onPress={() => router.push("/signup")} />
    </Screen>
  );
}
