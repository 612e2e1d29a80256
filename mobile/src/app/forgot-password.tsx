import { useState } from "react";
import { Stack } from "expo-router";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { Btn, ErrorBox, Field, Info, P, Screen, Title } from "../ui/kit";

export default function ForgotPassword() {
  const { t, api } = useApp();
  const [email, setEmail] = useState("");
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function submit() {
    setError(null);
    try {
      await call(api.client.POST("/api/v1/auth/password-reset/request", { body: { email: email.trim() } }));
      setSent(true);
    } catch (e) {
      setError(e);
    }
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: t("auth.forgotTitle") }} />
      <Title>{t("auth.forgotTitle")}</Title>
      {sent ? (
        <Info>{t("auth.forgotDone")}</Info>
      ) : (
        <>
          <P muted>{t("auth.forgotBody")}</P>
          <Field label={t("auth.email")} value={email} onChangeText={setEmail} autoCapitalize="none" keyboardType="email-address" />
          <ErrorBox error={error} />
          <Btn label={t("auth.forgotSubmit")} onPress={submit} disabled={!email} />
        </>
      )}
    </Screen>
  );
}
