import { useEffect, useState } from "react";
import { Stack, router, useLocalSearchParams } from "expo-router";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { Btn, ErrorBox, Info, Loading, Screen, Title } from "../ui/kit";

/** Opened by the link in the verification email (mamc://verify-email?token=…, or the https link
 * when the app is registered for the platform's domain). */
export default function VerifyEmail() {
  const { t, api, user, reloadUser } = useApp();
  const { token } = useLocalSearchParams<{ token?: string }>();
  const [state, setState] = useState<"busy" | "done" | "failed">("busy");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!token) {
      setState("failed");
      return;
    }
    call(api.client.POST("/api/v1/auth/verify-email", { body: { token } }))
      .then(() => {
        setState("done");
        if (user) void reloadUser();
      })
      .catch((e: unknown) => {
        setError(e);
        setState("failed");
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, token]);
  return (
    <Screen>
      <Stack.Screen options={{ title: t("auth.verifyTitle") }} />
      <Title>{t("auth.verifyTitle")}</Title>
      {state === "busy" ? <Loading /> : null}
      {state === "done" ? <Info>{t("auth.verified")}</Info> : null}
      {state === "failed" && !token ? <Info>{t("auth.verifyMissing")}</Info> : null}
      <ErrorBox error={error} />
      <Btn label={user ? t("common.goHome") : t("nav.login")} onPress={() => router.replace(user ? "/" : "/login")} />
    </Screen>
  );
}
