import { useState } from "react";
import { Text, View } from "react-native";
import { Stack, router } from "expo-router";
import { useApp } from "../../lib/app";
import { call } from "../../lib/api";
import { useLoad } from "../../lib/hooks";
import { currentMonth, shiftMonth, withShares } from "../../lib/earnings";
import { Btn, Card, ErrorBox, Loading, P, ProgressBar, Screen, Title } from "../../ui/kit";

/** The instructor's earnings for a month: the payout totals per currency and each video's sales,
 * refunds, gross, fees and net, with its share of the month's net as a bar. */
export default function Earnings() {
  const { t, api, user, money, colors } = useApp();
  const now = currentMonth();
  const [month, setMonth] = useState(now);
  const totals = useLoad(() => call(api.client.GET("/api/v1/earnings/payouts", { params: { query: { month } } })), [api, month]);
  const videos = useLoad(() => call(api.client.GET("/api/v1/earnings/videos", { params: { query: { month } } })), [api, month]);
  const lines = (totals.data?.lines ?? []).filter((l) => l.instructor_id === user?.id);
  const rows = withShares(videos.data ?? []);
  const text = { color: colors.text };
  return (
    <Screen>
      <Stack.Screen options={{ title: t("mobile.earnings.title") }} />
      <Title>{`${t("studio.month")}: ${month}`}</Title>
      <View style={{ flexDirection: "row", gap: 8 }}>
        <Btn kind="secondary" label={t("mobile.earnings.previous")} onPress={() => setMonth(shiftMonth(month, -1))} />
        {month < now ? <Btn kind="secondary" label={t("mobile.earnings.next")} onPress={() => setMonth(shiftMonth(month, 1))} /> : null}
      </View>
      {totals.loading || videos.loading ? <Loading /> : null}
      <ErrorBox error={totals.error ?? videos.error} />
      {totals.data && videos.data && !lines.length && !rows.length ? <P muted>{t("studio.noEarnings")}</P> : null}
      {lines.map((l) => (
        <Card key={l.currency}>
          <Text style={[text, { fontWeight: "700" }]}>{`${t("mobile.earnings.total")} (${l.currency.toUpperCase()})`}</Text>
          <Text style={text}>{`${t("studio.sales")}: ${l.sales}`}</Text>
          <Text style={text}>{`${t("studio.gross")}: ${money(l.gross_cents, l.currency)}`}</Text>
          <Text style={text}>{`${t("studio.fees")}: ${money(l.stripe_fee_cents + l.platform_fee_cents, l.currency)}`}</Text>
          <Text style={[text, { fontWeight: "700" }]}>{`${t("studio.net")}: ${money(l.net_cents, l.currency)}`}</Text>
        </Card>
      ))}
      {rows.length ? <Title>{t("mobile.earnings.byVideo")}</Title> : null}
      {rows.map((r) => (
        <Card key={`${r.video_id ?? r.course_id}-${r.currency}`} label={r.video_title} onPress={r.video_id ? () => router.push(`/studio/videos/${r.video_id}`) : undefined}>
          <Text style={[text, { fontWeight: "600" }]}>{r.video_title}</Text>
          <Text style={text}>{`${t("studio.sales")}: ${r.sales} · ${t("mobile.earnings.refunds")}: ${r.refunds}`}</Text>
          <Text style={text}>{`${t("studio.gross")}: ${money(r.gross_cents, r.currency)} · ${t("studio.fees")}: ${money(r.fees_cents, r.currency)}`}</Text>
          <Text style={[text, { fontWeight: "700" }]}>{`${t("studio.net")}: ${money(r.net_cents, r.currency)}`}</Text>
          <ProgressBar value={r.share} label={t("mobile.earnings.share", { percent: Math.round(r.share) })} />
        </Card>
      ))}
    </Screen>
  );
}
