import { useState } from "react";
import { View } from "react-native";
import { Stack, router, useLocalSearchParams } from "expo-router";
import type { Item, Resp } from "@mamc/shared/api/types";
import { useApp } from "../../lib/app";
import { call } from "../../lib/api";
import { useLoad } from "../../lib/hooks";
import { notify } from "../../lib/notifications";
import { checkoutVideo } from "../../lib/checkout";
import { Btn, ErrorBox, Info, Loading, P, Screen, Title } from "../../ui/kit";
import { HlsPlayer } from "../../components/HlsPlayer";

type Reference = Item<Resp<"/api/v1/studio/references", "get">>;
const OUTCOME_TEXT = { cancelled: "mobile.checkout.cancelled", failed: "mobile.checkout.failed", timeout: "library.slow" } as const;

export default function VideoPage() {
  const { id, t: at } = useLocalSearchParams<{ id: string; t?: string }>();
  const playPath = at ? `/play/${id}?t=${at}` : `/play/${id}`;
  const { t, api, user, money, duration, device } = useApp();
  const video = useLoad(() => call(api.client.GET("/api/v1/videos/{video_id}", { params: { path: { video_id: id } } })), [api, id]);
  const trailer = useLoad(
    async () => (video.data?.has_trailer ? call(api.client.GET("/api/v1/videos/{video_id}/trailer", { params: { path: { video_id: id } } })) : null),
    [api, id, video.data?.has_trailer],
  );
  const access = useLoad(
    async () => (user ? call(api.client.GET("/api/v1/videos/{video_id}/playback", { params: { path: { video_id: id } } })).then(() => true, () => false) : false),
    [api, id, user],
  );
  const refs = useLoad(
    async (): Promise<Reference[]> => {
      if (!user || !video.data) return [];
      const page = await call(api.client.GET("/api/v1/studio/references", { params: { query: { instructor_id: video.data.owner_id } } }));
      return page.items.filter((r) => r.video_id === id && r.status === "ready");
    },
    [api, id, user, video.data?.owner_id],
  );
  const [buying, setBuying] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  /** Web checkout in the in-app browser; the purchase is polled until the payment lands. */
  async function buy(kind: "ppv" | "rental") {
    if (!user) return router.push("/login");
    setError(null);
    setBuying(t("video.redirecting"));
    try {
      const outcome = await checkoutVideo({ api, browser: device.browser, videoId: id, kind, onConfirming: () => setBuying(t("library.confirming")) });
      if (outcome === "paid") {
        await notify(device.storage, { key: "library.confirmed", href: `/videos/${id}` });
        setBuying(t("library.confirmed"));
        access.reload();
      } else setBuying(t(OUTCOME_TEXT[outcome]));
    } catch (e) {
      setError(e);
      setBuying(null);
    }
  }

  const v = video.data;
  return (
    <Screen>
      <Stack.Screen options={{ title: v?.title ?? "" }} />
      {video.loading ? <Loading /> : null}
      <ErrorBox error={video.error} />
      {v ? (
        <View style={{ gap: 10 }}>
          <Title>{v.title}</Title>
          {v.instructor_name ? <P muted>{t("catalog.by", { name: v.instructor_name })}</P> : null}
          {v.duration_s ? <P muted>{`${t("video.duration")}: ${duration(v.duration_s)}`}</P> : null}
          {trailer.data ? (
            <>
              <P>{t("video.trailer")}</P>
              <HlsPlayer url={trailer.data.url} label={t("video.watchTrailer")} />
            </>
          ) : null}
          <P>{v.description}</P>
          {access.data ? (
            <>
              <Info>{t("video.owned")}</Info>
              <Btn label={t("library.watchNow")} onPress={() => router.push(playPath)} />
            </>
          ) : v.is_free ? (
            <Btn label={user ? t("library.watchNow") : t("video.loginToWatch")} onPress={() => router.push(user ? playPath : "/login")} />
          ) : (
            <>
              <P muted>{t("video.locked")}</P>
              {v.price_cents != null ? <Btn label={t("video.buy", { price: money(v.price_cents, v.currency) })} onPress={() => void buy("ppv")} /> : null}
              {v.rental_price_cents != null ? (
                <Btn kind="secondary" label={`${t("video.rent", { price: money(v.rental_price_cents, v.currency) })} · ${t("video.rentFor", { hours: v.rental_hours ?? 0 })}`} onPress={() => void buy("rental")} />
              ) : null}
              {v.subscription_included ? <P muted>{t("video.subscribeHint")}</P> : null}
            </>
          )}
          {buying ? <Info>{buying}</Info> : null}
          <ErrorBox error={error} />
          {(refs.data ?? []).map((r) => (
            <Btn key={r.id} kind="secondary" label={`${t("pose.practice")}: ${r.name}`} onPress={() => router.push(`/practice/${r.id}`)} />
          ))}
        </View>
      ) : null}
    </Screen>
  );
}
