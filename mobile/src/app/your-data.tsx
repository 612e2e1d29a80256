import { useState } from "react";
import { Text, View } from "react-native";
import { Stack } from "expo-router";
import type { Resp } from "@mamc/shared/api/types";
import { useApp } from "../lib/app";
import { call } from "../lib/api";
import { useLoad, usePoll } from "../lib/hooks";
import { Btn, Card, ErrorBox, Field, Info, Loading, P, Screen, Title } from "../ui/kit";

type Export = Resp<"/api/v1/me/export", "get">["items"][number];

/** While an export is being built, its state is read this often. */
export const EXPORT_POLL_MS = 3000;

function fileSize(lang: string, bytes: number | null): string {
  const mb = (bytes ?? 0) / 1024 / 1024;
  const [value, unit] = mb >= 1 ? [mb, "megabyte"] : [Math.max(1, Math.round((bytes ?? 0) / 1024)), "kilobyte"];
  try {
    return new Intl.NumberFormat(lang, { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
  } catch {
    // An engine whose Intl has no unit style (older Hermes builds).
    return `${value.toFixed(unit === "megabyte" ? 1 : 0)} ${unit === "megabyte" ? "MB" : "kB"}`;
  }
}

/** Your data: export everything the platform holds (links open in the in-app browser), and delete
 * the account with the password, after a grace period during which it can be cancelled. */
export default function YourData() {
  const { t, api, device, date, lang, colors } = useApp();
  // GET /me/export would start an export by itself: the list is read only once one was asked for.
  const [exports, setExports] = useState<Export[] | null>(null);
  const erasure = useLoad(() => call(api.client.GET("/api/v1/me/erasure")), [api]);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(fn: () => Promise<void>) {
    setError(null);
    setNotice(null);
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const building = !!exports?.some((e) => e.status === "pending" || e.status === "running");
  usePoll(
    async () => {
      const r = await call(api.client.GET("/api/v1/me/export"));
      setExports(r.items);
      return !r.items.some((e) => e.status === "pending" || e.status === "running");
    },
    EXPORT_POLL_MS,
    building,
  );

  const pending = erasure.data?.pending;
  return (
    <Screen>
      <Stack.Screen options={{ title: t("privacy.title") }} />
      <Title>{t("privacy.title")}</Title>
      <P muted>{t("privacy.intro")}</P>
      <ErrorBox error={error ?? erasure.error} />
      {notice ? <Info>{notice}</Info> : null}

      <Btn
        label={exports?.length ? t("privacy.exportAgain") : t("privacy.export")}
        disabled={busy || building}
        onPress={() =>
          void run(async () => {
            setExports((await call(api.client.POST("/api/v1/me/export"))).items);
            setNotice(t("privacy.exportMailed"));
          })
        }
      />
      {exports?.map((x) => (
        <Card key={x.id}>
          <Text style={{ color: colors.text }}>{`${date(x.created_at)} · ${t(`privacy.exportStatus.${x.status}`)}`}</Text>
          {x.download_url ? (
            <Btn kind="secondary" label={t("privacy.download", { size: fileSize(lang, x.size_bytes) })} onPress={() => void device.browser.open(x.download_url!)} />
          ) : null}
        </Card>
      ))}

      <Title>{t("privacy.deleteTitle")}</Title>
      {erasure.loading ? <Loading /> : null}
      {pending ? (
        <View style={{ gap: 8 }}>
          <Info>{t("privacy.deleteScheduled", { date: date(pending.erase_after) })}</Info>
          <Btn
            kind="secondary"
            label={t("privacy.cancelDelete")}
            disabled={busy}
            onPress={() =>
              void run(async () => {
                await call(api.client.DELETE("/api/v1/me/erasure"));
                erasure.reload();
                setNotice(t("privacy.cancelled"));
              })
            }
          />
        </View>
      ) : erasure.data ? (
        <View style={{ gap: 8 }}>
          <P>{t("privacy.deleteIntro", { days: erasure.data.grace_days })}</P>
          <Field label={t("privacy.password")} value={password} onChangeText={setPassword} secureTextEntry autoCapitalize="none" textContentType="password" />
          <Btn
            label={t("privacy.deleteConfirm")}
            disabled={busy || !password}
            onPress={() =>
              void run(async () => {
                await call(api.client.DELETE("/api/v1/me", { body: { password } }));
                setPassword("");
                erasure.reload();
              })
            }
          />
        </View>
      ) : null}
    </Screen>
  );
}
