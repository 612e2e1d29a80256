import createClient from "openapi-fetch";
import type { paths } from "@mamc/shared/api/schema";
import { call } from "@mamc/shared/api/errors";
import { createTokenStore, type TokenStore, type Tokens } from "./tokens";

export { call };

export const API_PREFIX = "/api/v1";
const REFRESH_PATH = `${API_PREFIX}/auth/refresh`;
/** Endpoints where a 401 means "bad credentials", never "expired access token". */
const NO_REFRESH = [`${API_PREFIX}/auth/login`, REFRESH_PATH, `${API_PREFIX}/auth/register`];

type FetchLike = (input: Request) => Promise<Response>;

export interface ApiOptions {
  baseUrl?: string;
  fetch?: FetchLike;
  tokens?: TokenStore;
  /** Called when the session can no longer be refreshed. */
  onSessionExpired?: () => void;
}

export function tokensFromPair(p: { access_token: string; expires_in?: number }): Tokens {
  return { access_token: p.access_token, expires_at: p.expires_in ? Date.now() + p.expires_in * 1000 : undefined };
}

/** Sent with every request that relies on the refresh cookie (the server's CSRF check). */
export const CSRF_HEADERS = { "X-Requested-With": "fetch" } as const;

/**
 * Build the typed API client. A fetch wrapper adds the bearer token; on 401 it refreshes the
 * access token once through the HttpOnly refresh cookie (single-flight: concurrent 401s share
 * one refresh, and tabs take turns) and retries the request once.
 */
export function createApi(opts: ApiOptions = {}) {
  const tokens = opts.tokens ?? createTokenStore();
  const baseFetch: FetchLike = opts.fetch ?? ((r) => globalThis.fetch(r));
  const baseUrl = opts.baseUrl ?? (typeof location !== "undefined" ? location.origin : "http://localhost");
  let refreshing: Promise<Tokens | null> | null = null;

  /** A new access token from the refresh cookie; `stale` is the access token that got the 401
   * (if this tab already has a newer one, that one is used instead of refreshing again). */
  async function refresh(stale?: string): Promise<Tokens | null> {
    if (!tokens.hasSession()) return null;
    if (!refreshing) {
      refreshing = withLock(async () => {
        const current = tokens.get();
        if (current && stale !== undefined && current.access_token !== stale) return current;
        try {
          const res = await baseFetch(
            new Request(new URL(REFRESH_PATH, baseUrl), { method: "POST", headers: CSRF_HEADERS, credentials: "same-origin" }),
          );
          if (!res.ok) {
            if (res.status === 401 || res.status === 403) tokens.set(null);
            return null;
          }
          const next = tokensFromPair(await res.json());
          tokens.set(next);
          return next;
        } catch {
          return null;
        }
      }).finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  function withAuth(req: Request, t: Tokens | null): Request {
    const r = req.clone();
    // Let the API localise what it writes (emails, feedback) in the UI's language.
    const lang = typeof document !== "undefined" ? document.documentElement.lang : "";
    if (lang && !r.headers.has("Accept-Language")) r.headers.set("Accept-Language", lang);
    if (t?.access_token && !r.headers.has("Authorization")) {
      r.headers.set("Authorization", `Bearer ${t.access_token}`);
    }
    return r;
  }

  const authFetch: FetchLike = async (req) => {
    const pristine = req.clone();
    const used = tokens.get();
    const first = await baseFetch(withAuth(req, used));
    const path = new URL(req.url).pathname;
    if (first.status === 403) announceUnverified(first);
    if (first.status !== 401 || NO_REFRESH.includes(path) || !tokens.hasSession()) return first;
    const next = await refresh(used?.access_token ?? "");
    if (!next) {
      tokens.set(null);
      opts.onSessionExpired?.();
      return first;
    }
    return baseFetch(withAuth(pristine, next));
  };

  const client = createClient<paths>({ baseUrl, fetch: authFetch });

  /** Fetch with auth/refresh for endpoints outside the generated schema (SSE excluded). */
  async function raw(path: string, init?: RequestInit): Promise<Response> {
    return authFetch(new Request(new URL(path, baseUrl), init));
  }

  return { client, tokens, refresh, raw, authFetch };
}

export type Api = ReturnType<typeof createApi>;

/** A 403 `email_not_verified` anywhere: the verification banner offers to resend the link. */
function announceUnverified(res: Response) {
  if (typeof window === "undefined") return;
  void res
    .clone()
    .json()
    .then((body: { error?: { code?: string } }) => {
      if (body?.error?.code === "email_not_verified") window.dispatchEvent(new CustomEvent("mamc:email-not-verified"));
    })
    .catch(() => undefined);
}

/** Serialise refreshes across tabs (Web Locks API where available). */
function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  return locks ? (locks.request("mamc-token-refresh", fn) as Promise<T>) : fn();
}

/** The app-wide client. */
export const api = createApi({
  onSessionExpired: () => window.dispatchEvent(new CustomEvent("mamc:session-expired")),
});
export const client = api.client;
