import { useMemo } from "react";
import { Stack } from "expo-router";
import { StatusBar } from "expo-status-bar";
import { createExpoDevice, streamingFetch } from "../device/expo";
import { AppProvider, useApp } from "../lib/app";
import { apiBaseUrl } from "../lib/config";
import { PushOpener } from "../components/PushOpener";

function Nav() {
  const { colors, t } = useApp();
  return (
    <>
      <PushOpener />
      <StatusBar style={colors.bg === "#0B1020" ? "light" : "dark"} />
      <Stack
        screenOptions={{
          headerStyle: { backgroundColor: colors.card },
          headerTintColor: colors.text,
          contentStyle: { backgroundColor: colors.bg },
          headerBackButtonDisplayMode: "minimal",
          title: t("app.short"),
        }}
      />
    </>
  );
}

export default function Root() {
  const device = useMemo(createExpoDevice, []);
  return (
    <AppProvider device={device} baseUrl={apiBaseUrl()} streamFetch={streamingFetch}>
      <Nav />
    </AppProvider>
  );
}
