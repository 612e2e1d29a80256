import { useState } from "react";
import { Stack, router, useLocalSearchParams } from "expo-router";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { Btn, ErrorBox, Field, Info, Screen, Title } from "../ui/kit";

/** Opened by the link in the reset email (mamc://reset-password?token=…). */
export default function ResetPassword() {
  const { t, api } = useApp();
  const { token } = useLocalSearchParams<{ token?: string }>();
  const [password, setPassword] = useState("");
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit() {
    setError(null);
    try {
      await call(api.client.POST("/api/v1/auth/password-reset/confirm", { body: { token: token ?? "", new_password: password } }));
      setDone(true);
    } catch (e) {
      setError(e);
    }
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: t("auth.resetTitle") }} />
      <Title>{t("auth.resetTitle")}</Title>
      {!token ? <Info>{t("auth.verifyMissing")}</Info> : null}
      {done ? (
        <>
          <Info>{t("auth.resetDone")}</Info>
          <Btn label={t("nav.login")} onPress={() => router.replace("/login")} />
        </>
      ) : (
        <>
          <Field label={t("auth.newPassword")} value={password} onChangeText={setPassword} secureTextEntry />
          <ErrorBox error={error} />
          <Btn label={t("auth.resetSubmit")} onPress={submit} disabled={!token || !password} />
        </>
      )}
    </Screen>
  );
}
