import Constants from "expo-constants";
import { Platform } from "react-native";

/**
 * The API the app talks to: EXPO_PUBLIC_API_URL (set by `make mobile` from the platform's
 * settings), else app.json's extra.apiUrl; the web export is served by the platform itself.
 */
export function apiBaseUrl(): string {
  const candidates: unknown[] = [
    process.env.EXPO_PUBLIC_API_URL,
    (Constants.expoConfig?.extra as { apiUrl?: unknown } | undefined)?.apiUrl,
    Platform.OS === "web" && typeof location !== "undefined" ? location.origin : undefined,
  ];
  const url = candidates.find((c): c is string => typeof c === "string" && c.length > 0) ?? "http://127.0.0.1:8000";
  return url.replace(/\/+$/, "");
}
