import Constants from "expo-constants";
import { Platform } from "react-native";

/**
 * The API the app talks to: EXPO_PUBLIC_API_URL (set by `make mobile` from the platform's
 * settings), else app.json's extra.apiUrl; the web export is served by the platform itself.
 */
export function apiBaseUrl(): string {
  const env = process.env.EXPO_PUBLIC_API_URL;
  const extra = (Constants.expoConfig?.extra as { apiUrl?: string | null } | undefined)?.apiUrl;
  const url = env || extra || (Platform.OS === "web" && typeof location !== "undefined" ? location.origin : "http://127.0.0.1:8000");
  return url.replace(/\/+$/, "");
}
