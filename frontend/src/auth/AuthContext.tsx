import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api as defaultApi, call, tokensFromPair, type Api } from "../api/client";
import { SESSION_MARKER } from "../api/tokens";
import type { User as ApiUser } from "@mamc/shared/api/types";

export type User = ApiUser;
export type Role = User["role"];
type Status = "loading" | "anon" | "authed";

interface AuthCtx {
  user: User | null;
  status: Status;
  api: Api;
  login: (email: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
  reload: () => Promise<void>;
  hasRole: (...roles: Role[]) => boolean;
}

const Ctx = createContext<AuthCtx | null>(null);

export function AuthProvider({ children, api = defaultApi }: { children: ReactNode; api?: Api }) {
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<Status>(() => (api.tokens.get() || api.tokens.hasSession() ? "loading" : "anon"));

  const reload = useCallback(async () => {
    // A fresh page has no access token: the HttpOnly refresh cookie gets one, if we are signed in.
    if (!api.tokens.get() && api.tokens.hasSession()) await api.refresh();
    if (!api.tokens.get()) {
      setUser(null);
      setStatus("anon");
      return;
    }
    try {
      const me = await call(api.client.GET("/api/v1/me"));
      setUser(me);
      setStatus("authed");
    } catch {
      setUser(null);
      setStatus("anon");
    }
  }, [api]);

  useEffect(() => {
    void reload();
    // Keep tabs in sync and react to a refresh failure anywhere.
    const unsub = api.tokens.subscribe((tk) => {
      if (!tk) {
        setUser(null);
        setStatus("anon");
      }
    });
    // Another tab logged in or out: follow it.
    const onStorage = (e: StorageEvent) => {
      if (e.key !== SESSION_MARKER || !e.oldValue === !e.newValue) return;
      if (!e.newValue) api.tokens.set(null);
      void reload();
    };
    window.addEventListener("storage", onStorage);
    return () => {
      unsub();
      window.removeEventListener("storage", onStorage);
    };
  }, [api, reload]);

  const login = useCallback(
    async (email: string, password: string) => {
      // The refresh token comes back as an HttpOnly cookie; the body carries the access token.
      const pair = await call(
        api.client.POST("/api/v1/auth/login", { body: { email, password, refresh_token_in: "cookie" } }),
      );
      api.tokens.set(tokensFromPair(pair));
      const me = await call(api.client.GET("/api/v1/me"));
      setUser(me);
      setStatus("authed");
      return me;
    },
    [api],
  );

  const logout = useCallback(async () => {
    // Ends this session on the server (named by the access token) and clears the cookie.
    if (api.tokens.get()) {
      try {
        await api.client.POST("/api/v1/auth/logout", {});
      } catch {
        /* best effort */
      }
    }
    api.tokens.set(null);
  }, [api]);

  const value = useMemo<AuthCtx>(
    () => ({
      user,
      status,
      api,
      login,
      logout,
      reload,
      hasRole: (...roles) => !!user && roles.includes(user.role),
    }),
    [user, status, api, login, logout, reload],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): AuthCtx {
  const c = useContext(Ctx);
  if (!c) throw new Error("useAuth outside AuthProvider");
  return c;
}
