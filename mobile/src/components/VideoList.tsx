import { Image, Text, View } from "react-native";
import { router } from "expo-router";
import type { VideoCard } from "@mamc/shared/api/types";
import { useApp } from "../lib/app";
import { Card, P } from "../ui/kit";

export function priceLabel(v: Pick<VideoCard, "is_free" | "price_cents" | "currency">, t: (k: string, v?: Record<string, string>) => string, money: (m: number, c: string) => string): string {
  if (v.is_free) return t("video.free");
  return v.price_cents != null ? money(v.price_cents, v.currency) : t("video.subscribeHint");
}

export function VideoList({ items }: { items: VideoCard[] }) {
  const { t, money, colors } = useApp();
  if (!items.length) return <P muted>{t("catalog.noResults")}</P>;
  return (
    <View style={{ gap: 10 }}>
      {items.map((v) => (
        <Card key={v.id} label={v.title} onPress={() => router.push(`/videos/${v.id}`)}>
          {v.poster_url ? (
            <Image source={{ uri: v.poster_url }} accessibilityIgnoresInvertColors style={{ width: "100%", aspectRatio: 16 / 9, borderRadius: 6 }} alt="" />
          ) : null}
          <Text style={{ color: colors.text, fontSize: 17, fontWeight: "600" }}>{v.title}</Text>
          <Text style={{ color: colors.muted }}>
            {v.instructor_name ? `${t("catalog.by", { name: v.instructor_name })} · ` : ""}
            {priceLabel(v, t, money)}
          </Text>
        </Card>
      ))}
    </View>
  );
}
