/** The few building blocks every screen uses; each control carries an accessibility label. */
import type { ReactNode } from "react";
import { ActivityIndicator, Pressable, ScrollView, StyleSheet, Text, TextInput, View, type TextInputProps } from "react-native";
import { useApp } from "../lib/app";

export function Screen({ children, scroll = true, offline }: { children: ReactNode; scroll?: boolean; offline?: string | null }) {
  const { colors, t } = useApp();
  const body = (
    <>
      {offline ? (
        <View accessibilityRole="alert" style={[s.notice, { backgroundColor: colors.notice }]}>
          <Text style={{ color: colors.text }}>{t("mobile.offline", { date: offline })}</Text>
        </View>
      ) : null}
      {children}
    </>
  );
  return scroll ? (
    <ScrollView style={{ backgroundColor: colors.bg }} contentContainerStyle={s.screen}>
      {body}
    </ScrollView>
  ) : (
    <View style={[s.screen, { flex: 1, backgroundColor: colors.bg }]}>{body}</View>
  );
}

export function Title({ children }: { children: ReactNode }) {
  const { colors } = useApp();
  return (
    <Text accessibilityRole="header" style={[s.title, { color: colors.text }]}>
      {children}
    </Text>
  );
}

export function P({ children, muted }: { children: ReactNode; muted?: boolean }) {
  const { colors } = useApp();
  return <Text style={[s.p, { color: muted ? colors.muted : colors.text }]}>{children}</Text>;
}

export function Btn({
  label,
  onPress,
  disabled,
  kind = "primary",
  hint,
  testID,
}: {
  label: string;
  onPress: () => void;
  disabled?: boolean;
  kind?: "primary" | "secondary";
  hint?: string;
  testID?: string;
}) {
  const { colors } = useApp();
  const primary = kind === "primary";
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={label}
      accessibilityHint={hint}
      accessibilityState={{ disabled: !!disabled }}
      disabled={disabled}
      onPress={onPress}
      testID={testID}
      style={[
        s.btn,
        { backgroundColor: primary ? colors.primary : colors.card, borderColor: colors.primary, opacity: disabled ? 0.5 : 1 },
      ]}
    >
      <Text style={{ color: primary ? colors.onPrimary : colors.primary, fontWeight: "600" }}>{label}</Text>
    </Pressable>
  );
}

export function Field({ label, ...props }: { label: string } & TextInputProps) {
  const { colors } = useApp();
  return (
    <View style={s.field}>
      <Text style={{ color: colors.text, marginBottom: 4 }}>{label}</Text>
      <TextInput
        accessibilityLabel={label}
        placeholderTextColor={colors.muted}
        style={[s.input, { color: colors.text, borderColor: colors.border, backgroundColor: colors.card }]}
        {...props}
      />
    </View>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  const { colors, errorText } = useApp();
  if (!error) return null;
  return (
    <Text accessibilityRole="alert" style={[s.p, { color: colors.danger }]}>
      {errorText(error)}
    </Text>
  );
}

export function Info({ children }: { children: ReactNode }) {
  const { colors } = useApp();
  return (
    <Text accessibilityRole="alert" style={[s.p, { color: colors.text }]}>
      {children}
    </Text>
  );
}

export function Loading() {
  const { t, colors } = useApp();
  return <ActivityIndicator accessibilityLabel={t("common.loading")} color={colors.primary} style={{ margin: 16 }} />;
}

export function Card({ children, onPress, label }: { children: ReactNode; onPress?: () => void; label?: string }) {
  const { colors } = useApp();
  const style = [s.card, { backgroundColor: colors.card, borderColor: colors.border }];
  return onPress ? (
    <Pressable accessibilityRole="button" accessibilityLabel={label} onPress={onPress} style={style}>
      {children}
    </Pressable>
  ) : (
    <View style={style}>{children}</View>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const { colors } = useApp();
  const pct = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <View
      accessibilityRole="progressbar"
      accessibilityLabel={label}
      accessibilityValue={{ min: 0, max: 100, now: pct }}
      style={[s.bar, { borderColor: colors.border }]}
    >
      <View style={{ width: `${pct}%`, height: "100%", backgroundColor: colors.primary }} />
    </View>
  );
}

const s = StyleSheet.create({
  screen: { padding: 16, gap: 12 },
  title: { fontSize: 24, fontWeight: "700", marginBottom: 4 },
  p: { fontSize: 16, lineHeight: 22 },
  btn: { paddingVertical: 12, paddingHorizontal: 16, borderRadius: 8, borderWidth: 1, alignItems: "center", minHeight: 44 },
  field: { marginBottom: 4 },
  input: { borderWidth: 1, borderRadius: 8, padding: 10, fontSize: 16, minHeight: 44 },
  notice: { padding: 10, borderRadius: 8 },
  card: { padding: 12, borderRadius: 10, borderWidth: 1, gap: 4 },
  bar: { height: 10, borderWidth: 1, borderRadius: 5, overflow: "hidden" },
});
