import { useEffect, useState } from "react";
import { Text } from "react-native";
import { Stack, router } from "expo-router";
import { useApp } from "../lib/app";
import { useLoad } from "../lib/hooks";
import { appRoute, disablePush, enablePush, loadFeed, markAllRead, markRead, newestFirst, olderPage, pushToken, type FeedItem } from "../lib/notifications";
import { NotificationPreferences } from "../components/NotificationPreferences";
import { Btn, Card, ErrorBox, Info, Loading, P, Screen, Title } from "../ui/kit";

/** The in-app list (read marks, mark all read), push to this phone (on only when the user allows) and
 * what is sent through which channel. */
export default function Notifications() {
  const { t, api, device, date, colors } = useApp();
  const feed = useLoad(() => loadFeed(api, device.storage, t), [api, device]);
  // Older pages of the platform's feed, read on request ("Older notifications").
  const [older, setOlder] = useState<{ items: FeedItem[]; nextBefore: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  // undefined: not known yet; null: off; "denied": the user (or the build) did not allow it.
  const [push, setPush] = useState<string | null | "denied" | undefined>(undefined);
  useEffect(() => {
    void pushToken(device.storage).then(setPush);
  }, [device]);

  async function run(fn: () => Promise<unknown>) {
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
  }
  const open = (n: FeedItem) =>
    run(async () => {
      if (!n.read) await markRead(api, device.storage, n);
      setOlder(null);
      feed.reload();
      // Only the app's own screens; any other link stays here, read.
      const route = appRoute(n.link, n.kind, api.baseUrl);
      if (route) router.push(route);
    });

  const data = feed.data;
  const items = data ? newestFirst([...data.items, ...(older?.items ?? [])]) : [];
  const nextBefore = older ? older.nextBefore : data?.nextBefore;
  const loadOlder = () =>
    run(async () => {
      const page = await olderPage(api, nextBefore!);
      setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], nextBefore: page.nextBefore }));
    });
  return (
    <Screen>
      <Stack.Screen options={{ title: t("notifications.title") }} />
      <Title>{t("notifications.title")}</Title>
      {feed.loading && !data ? <Loading /> : null}
      <ErrorBox error={feed.error ?? error} />
      {data ? <P muted>{t("notifications.unread", { count: data.unread })}</P> : null}
      {data && !items.length ? <P muted>{t("notifications.empty")}</P> : null}
      {data?.unread ? <Btn kind="secondary" label={t("notifications.markAllRead")} onPress={() => void run(async () => (await markAllRead(api, device.storage), setOlder(null), feed.reload()))} /> : null}
      {items.map((n) => (
        <Card key={`${n.source}-${n.id}`} label={`${n.read ? "" : t("mobile.notifications.unreadMark") + " "}${n.title}`} onPress={() => void open(n)}>
          <Text style={{ color: colors.text, fontWeight: n.read ? "400" : "700" }}>{n.title}</Text>
          {n.body ? <Text style={{ color: colors.text }}>{n.body}</Text> : null}
          <Text style={{ color: colors.muted }}>{date(n.at)}</Text>
        </Card>
      ))}
      {nextBefore ? <Btn kind="secondary" label={t("notifications.loadMore")} onPress={() => void loadOlder()} /> : null}
      {typeof push === "string" && push !== "denied" ? (
        <>
          <Info>{t("mobile.notifications.pushOn")}</Info>
          <Btn kind="secondary" label={t("mobile.notifications.disablePush")} onPress={() => void run(async () => (await disablePush(api, device.storage), setPush(null)))} />
        </>
      ) : (
        <Btn kind="secondary" label={t("mobile.notifications.enablePush")} onPress={() => void run(async () => setPush((await enablePush(api, device.storage, device.push)) ?? "denied"))} />
      )}
      {push === "denied" ? <Info>{t("mobile.notifications.pushNotAllowed")}</Info> : null}
      <NotificationPreferences />
    </Screen>
  );
}
