/**
 * The app's API client: the generated types from @mamc/shared through openapi-fetch, a bearer
 * token, and one refresh on 401. Apps keep the refresh token themselves (the API answers it in the
 * body when asked with `refresh_token_in: "body"`), in the device's secure store, never a cookie.
 */
import createClient from "openapi-fetch";
import type { paths } from "@mamc/shared/api/schema";
import { call } from "@mamc/shared/api/errors";
import type { SecureStore } from "../device/types";

export { call };
export const API_PREFIX = "/api/v1";
export const REFRESH_KEY = "mamc.refresh_token";
const NO_REFRESH = ["/auth/login", "/auth/refresh", "/auth/register"].map((p) => API_PREFIX + p);

type FetchLike = (input: Request) => Promise<Response>;

export interface MobileApiOptions {
  baseUrl: string;
  secure: SecureStore;
  fetch?: FetchLike;
  /** The UI language, sent as Accept-Language so the API localises what it writes. */
  lang?: () => string;
  onSessionExpired?: () => void;
}

interface TokenPair {
  access_token: string;
  refresh_token?: string | null;
}

export function createMobileApi(opts: MobileApiOptions) {
  const baseFetch: FetchLike = opts.fetch ?? ((r) => globalThis.fetch(r));
  let access: string | null = null;
  let refreshing: Promise<string | null> | null = null;

  async function adopt(pair: TokenPair): Promise<void> {
    access = pair.access_token;
    if (pair.refresh_token) await opts.secure.set(REFRESH_KEY, pair.refresh_token);
  }

  /** A new access token from the stored refresh token (single-flight); null when the session is over. */
  function refresh(): Promise<string | null> {
    refreshing ??= (async () => {
      const stored = await opts.secure.get(REFRESH_KEY);
      if (!stored) return null;
      const res = await baseFetch(
        new Request(opts.baseUrl + API_PREFIX + "/auth/refresh", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: stored }),
        }),
      );
      if (!res.ok) {
        if (res.status === 401 || res.status === 403) await clear();
        return null;
      }
      await adopt((await res.json()) as TokenPair);
      return access;
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function clear(): Promise<void> {
    access = null;
    await opts.secure.delete(REFRESH_KEY);
  }

  function withAuth(req: Request, token: string | null): Request {
    const r = req.clone();
    const lang = opts.lang?.();
    if (lang && !r.headers.has("Accept-Language")) r.headers.set("Accept-Language", lang);
    if (token && !r.headers.has("Authorization")) r.headers.set("Authorization", `Bearer ${token}`);
    return r;
  }

  /** `transport` with the bearer token and one refresh on 401 (the API's client and the coach's
   * event stream, which may need a fetch that streams bodies). */
  const authed = (transport: FetchLike): FetchLike => async (req) => {
    const pristine = req.clone();
    const first = await transport(withAuth(req, access));
    if (first.status !== 401 || NO_REFRESH.includes(new URL(req.url).pathname)) return first;
    const next = await refresh();
    if (!next) {
      opts.onSessionExpired?.();
      return first;
    }
    return transport(withAuth(pristine, next));
  };
  const authFetch = authed(baseFetch);

  const client = createClient<paths>({ baseUrl: opts.baseUrl, fetch: authFetch });

  return {
    client,
    baseUrl: opts.baseUrl,
    authFetch,
    authed,
    refresh,
    hasAccess: () => access !== null,
    async login(email: string, password: string): Promise<void> {
      const pair = await call(
        client.POST("/api/v1/auth/login", { body: { email, password, refresh_token_in: "body" } }),
      );
      await adopt(pair);
    },
    async logout(): Promise<void> {
      const stored = await opts.secure.get(REFRESH_KEY);
      try {
        await client.POST("/api/v1/auth/logout", { body: stored ? { refresh_token: stored } : null });
      } finally {
        await clear();
      }
    },
  };
}

export type MobileApi = ReturnType<typeof createMobileApi>;
