import { useEffect, useState } from "react";
import { Text } from "react-native";
import { Stack, router } from "expo-router";
import { useApp } from "../lib/app";
import { listNotifications, markAllRead, type AppNotification } from "../lib/notifications";
import { Btn, Card, Info, P, Screen, Title } from "../ui/kit";

/** The in-app list; with push configured (an EAS project id) the device's Expo push token too. */
export default function Notifications() {
  const { t, device, date, colors } = useApp();
  const [items, setItems] = useState<AppNotification[]>([]);
  const [push, setPush] = useState<string | null | undefined>(undefined);
  useEffect(() => {
    void listNotifications(device.storage).then((n) => {
      setItems(n);
      void markAllRead(device.storage);
    });
  }, [device]);
  async function enablePush() {
    setPush(await device.push.register().catch(() => null));
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: t("mobile.notifications.title") }} />
      <Title>{t("mobile.notifications.title")}</Title>
      {!items.length ? <P muted>{t("mobile.notifications.empty")}</P> : null}
      {items.map((n) => (
        <Card key={n.id} label={t(n.key, n.vars)} onPress={n.href ? () => router.push(n.href!) : undefined}>
          <Text style={{ color: colors.text, fontWeight: n.read ? "400" : "700" }}>{t(n.key, n.vars)}</Text>
          <Text style={{ color: colors.muted }}>{date(n.at)}</Text>
        </Card>
      ))}
      <Btn kind="secondary" label={t("mobile.notifications.enablePush")} onPress={() => void enablePush()} />
      {push === null ? <Info>{t("mobile.notifications.pushUnavailable")}</Info> : null}
      {push ? <Info>{t("mobile.notifications.pushOn")}</Info> : null}
    </Screen>
  );
}
