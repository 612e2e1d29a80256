/**
 * Everything a screen needs, in one context: the device (behind its interfaces), the API client,
 * the signed-in user, the language and the theme. Tests render screens inside <AppProvider> with
 * a fake device and a fetch that speaks the API's protocol.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useColorScheme } from "react-native";
import { getLocales } from "expo-localization";
import { ApiError } from "@mamc/shared/api/errors";
import type { User } from "@mamc/shared/api/types";
import { isLang, langFromLocale, translate, formatDate, formatDuration, formatMoney, type Lang, type Vars } from "@mamc/shared/i18n";
import type { Device } from "../device/types";
import { call, createMobileApi, type MobileApi } from "./api";
import { disablePush, syncPush } from "./notifications";
import { createApiCoach, type ApiCoachOptions, type CoachClient } from "./coach";
import type { StreamFetch } from "./liveStream";
import { palettes, type Palette, type ThemeChoice } from "../ui/theme";

interface AppCtx {
  device: Device;
  api: MobileApi;
  coach: CoachClient;
  /** fetch for live event streams: the bearer (one refresh on 401) over a transport that streams bodies. */
  streamFetch: StreamFetch;
  user: User | null;
  /** True until the stored session has been tried. */
  restoring: boolean;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  reloadUser(): Promise<void>;
  lang: Lang;
  setLang(l: Lang): void;
  t(key: string, vars?: Vars): string;
  money(minor: number, currency: string): string;
  date(d: string): string;
  duration(s: number): string;
  /** The message to show for any error: the API's own message, a translated one for network loss. */
  errorText(e: unknown): string;
  theme: ThemeChoice;
  setTheme(t: ThemeChoice): void;
  colors: Palette;
}

const Ctx = createContext<AppCtx | null>(null);
const LANG_KEY = "mamc.lang";
const THEME_KEY = "mamc.theme";

export interface AppProviderProps {
  device: Device;
  baseUrl: string;
  fetch?: (r: Request) => Promise<Response>;
  /** A coach other than the platform's (tests); `coachOptions` tune the platform's one. */
  coach?: CoachClient;
  coachOptions?: ApiCoachOptions;
  /** A fetch whose responses stream their body (`expo/fetch` on phones) for live event streams;
   * the API's fetch when not given (the browser's streams on the web export). */
  streamFetch?: StreamFetch;
  initialLang?: Lang;
  children: ReactNode;
}

function deviceLang(): Lang {
  try {
    return langFromLocale(getLocales()[0]?.languageTag);
  } catch {
    return "en";
  }
}

export function AppProvider({ device, baseUrl, fetch, coach, coachOptions, streamFetch, initialLang, children }: AppProviderProps) {
  const [lang, setLangState] = useState<Lang>(initialLang ?? deviceLang());
  const [theme, setThemeState] = useState<ThemeChoice>("system");
  const [user, setUser] = useState<User | null>(null);
  const [restoring, setRestoring] = useState(true);
  const scheme = useColorScheme();
  const langRef = useRef(lang);
  langRef.current = lang;

  const api = useMemo(
    () =>
      createMobileApi({
        baseUrl,
        secure: device.secure,
        fetch,
        lang: () => langRef.current,
        onSessionExpired: () => setUser(null),
      }),
    [baseUrl, device, fetch, langRef],
  );

  const apiCoach = useMemo(
    () => coach ?? createApiCoach(api, { language: () => langRef.current, streamFetch, ...coachOptions }),
    [api, coach, coachOptions, streamFetch],
  );
  const authedStream = useMemo(() => (streamFetch ? api.authed(streamFetch) : api.authFetch), [api, streamFetch]);

  const reloadUser = useCallback(async () => {
    setUser(await call(api.client.GET("/api/v1/me")));
  }, [api]);

  /** Signed in (login or a restored session): keep this phone's push token current, if push is on. */
  const signedIn = useCallback(async () => {
    await reloadUser();
    void syncPush(api, device.storage, device.push).catch(() => undefined);
  }, [api, device, reloadUser]);

  useEffect(() => {
    let live = true;
    void (async () => {
      const [savedLang, savedTheme] = await Promise.all([device.storage.get(LANG_KEY), device.storage.get(THEME_KEY)]);
      if (!live) return;
      if (!initialLang && isLang(savedLang)) setLangState(savedLang);
      if (savedTheme === "light" || savedTheme === "dark" || savedTheme === "system") setThemeState(savedTheme);
      try {
        if (await api.refresh()) await signedIn();
      } catch {
        /* offline or signed out: stay anonymous */
      } finally {
        if (live) setRestoring(false);
      }
    })();
    return () => {
      live = false;
    };
  }, [api, device, initialLang, signedIn]);

  const value = useMemo<AppCtx>(() => {
    const t = (k: string, v?: Vars) => translate(lang, k, v);
    return {
      device,
      api,
      coach: apiCoach,
      streamFetch: authedStream,
      user,
      restoring,
      async login(email, password) {
        await api.login(email, password);
        await signedIn();
      },
      async logout() {
        // This phone stops receiving the account's push notifications.
        await disablePush(api, device.storage).catch(() => undefined);
        await api.logout().catch(() => undefined);
        setUser(null);
      },
      reloadUser,
      lang,
      setLang(l) {
        setLangState(l);
        void device.storage.set(LANG_KEY, l);
        if (user) void api.client.PATCH("/api/v1/me", { body: { language: l } });
      },
      t,
      money: (m, c) => formatMoney(lang, m, c),
      date: (d) => formatDate(lang, d),
      duration: formatDuration,
      errorText(e) {
        if (e instanceof ApiError) {
          if (e.status === 0 && e.code === "network_error") return t("errors.network_error");
          // Errors the app raises itself are translated here; the API's arrive in the user's language.
          const own = `mobile.errors.${e.code}`;
          const text = t(own);
          return text !== own ? text : e.message;
        }
        return e instanceof Error ? e.message : t("common.error");
      },
      theme,
      setTheme(next) {
        setThemeState(next);
        void device.storage.set(THEME_KEY, next);
      },
      colors: palettes[theme === "system" ? (scheme === "dark" ? "dark" : "light") : theme],
    };
  }, [api, apiCoach, authedStream, device, lang, reloadUser, restoring, scheme, signedIn, theme, user]);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useApp(): AppCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error("useApp outside AppProvider");
  return c;
}
