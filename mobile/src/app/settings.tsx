import { View } from "react-native";
import { Stack, router } from "expo-router";
import { LANGS } from "@mamc/shared/i18n";
import { useApp } from "../lib/app";
import type { ThemeChoice } from "../ui/theme";
import { Btn, P, Screen, Title } from "../ui/kit";
import { ReminderSetting } from "../components/ReminderSetting";

const THEMES: ThemeChoice[] = ["system", "light", "dark"];

/** Language, theme, the daily practice reminder, account (your data: export and account deletion on their own screen). */
export default function Settings() {
  const { t, lang, setLang, theme, setTheme, user, logout } = useApp();
  return (
    <Screen>
      <Stack.Screen options={{ title: t("mobile.settings.title") }} />
      <Title>{t("nav.language")}</Title>
      <View style={{ flexDirection: "row", gap: 8 }}>
        {LANGS.map((l) => (
          <Btn key={l} kind={l === lang ? "primary" : "secondary"} label={t(`account.langNames.${l}`)} onPress={() => setLang(l)} />
        ))}
      </View>
      <Title>{t("mobile.settings.theme")}</Title>
      <View style={{ flexDirection: "row", gap: 8 }}>
        {THEMES.map((m) => (
          <Btn key={m} kind={m === theme ? "primary" : "secondary"} label={t(`mobile.settings.themes.${m}`)} onPress={() => setTheme(m)} />
        ))}
      </View>
      {user ? (
        <>
          <Title>{t("account.title")}</Title>
          <P>{`${user.display_name} · ${user.email}`}</P>
          <ReminderSetting />
          <Btn kind="secondary" label={t("privacy.title")} onPress={() => router.push("/your-data")} />
          <Btn
            kind="secondary"
            label={t("nav.logout")}
            onPress={() => {
              void logout().then(() => router.replace("/"));
            }}
          />
        </>
      ) : null}
    </Screen>
  );
}
