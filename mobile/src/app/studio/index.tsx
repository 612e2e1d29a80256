import { Text, View } from "react-native";
import { Stack, router } from "expo-router";
import { useApp } from "../../lib/app";
import { call } from "../../lib/api";
import { useLoad } from "../../lib/hooks";
import { Btn, Card, ErrorBox, Loading, P, Screen, Title } from "../../ui/kit";

function thisMonth(): string {
  return new Date().toISOString().slice(0, 7);
}

/** The instructor's videos with their processing state, and this month's earnings. */
export default function Studio() {
  const { t, api, user, money, colors } = useApp();
  const mine = useLoad(() => call(api.client.GET("/api/v1/videos/mine", { params: { query: { limit: 50 } } })), [api]);
  const month = thisMonth();
  const earnings = useLoad(() => call(api.client.GET("/api/v1/earnings/payouts", { params: { query: { month } } })), [api, month]);
  const lines = (earnings.data?.lines ?? []).filter((l) => l.instructor_id === user?.id);
  return (
    <Screen>
      <Stack.Screen options={{ title: t("studio.title") }} />
      <Title>{t("studio.earnings")}</Title>
      {earnings.loading ? <Loading /> : null}
      <ErrorBox error={earnings.error} />
      {earnings.data && !lines.length ? <P muted>{t("studio.noEarnings")}</P> : null}
      {lines.map((l) => (
        <Card key={l.currency}>
          <Text style={{ color: colors.text }}>{`${t("studio.month")}: ${earnings.data!.month}`}</Text>
          <Text style={{ color: colors.text }}>{`${t("studio.sales")}: ${l.sales}`}</Text>
          <Text style={{ color: colors.text }}>{`${t("studio.gross")}: ${money(l.gross_cents, l.currency)}`}</Text>
          <Text style={{ color: colors.text }}>{`${t("studio.fees")}: ${money(l.stripe_fee_cents + l.platform_fee_cents, l.currency)}`}</Text>
          <Text style={{ color: colors.text, fontWeight: "700" }}>{`${t("studio.net")}: ${money(l.net_cents, l.currency)}`}</Text>
        </Card>
      ))}
      <Btn kind="secondary" label={t("mobile.earnings.open")} onPress={() => router.push("/studio/earnings")} />
      <Btn label={t("studio.upload")} onPress={() => router.push("/studio/upload")} />
      <Title>{t("studio.myVideos")}</Title>
      {mine.loading ? <Loading /> : null}
      <ErrorBox error={mine.error} />
      {mine.data && !mine.data.items.length ? <P muted>{t("studio.noVideos")}</P> : null}
      <View style={{ gap: 8 }}>
        {(mine.data?.items ?? []).map((v) => (
          <Card key={v.id} label={v.title} onPress={() => router.push(`/studio/videos/${v.id}`)}>
            <Text style={{ color: colors.text, fontWeight: "600" }}>{v.title}</Text>
            <Text style={{ color: colors.muted }}>{`${t(`status.${v.status}`)} · ${v.progress.percent}%`}</Text>
          </Card>
        ))}
      </View>
    </Screen>
  );
}
