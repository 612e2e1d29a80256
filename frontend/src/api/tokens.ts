/**
 * The access token lives in memory only. The refresh token is an HttpOnly cookie the server sets
 * (page scripts never see it), so all this module keeps in localStorage is a non-secret marker
 * that a session exists: it tells a fresh page to try a refresh, and tells other tabs that this
 * one logged in or out.
 */
export interface Tokens {
  access_token: string;
  /** epoch ms when the access token expires (informational). */
  expires_at?: number;
}

export interface TokenStore {
  get(): Tokens | null;
  set(t: Tokens | null): void;
  /** Whether a refresh cookie is believed to exist (set at login, cleared at logout/expiry). */
  hasSession(): boolean;
  subscribe(fn: (t: Tokens | null) => void): () => void;
}

export const SESSION_MARKER = "mamc.session";

export function createTokenStore(storage: Storage | null = safeStorage()): TokenStore {
  let current: Tokens | null = null;
  let memoryMarker = false;
  const subs = new Set<(t: Tokens | null) => void>();
  function mark(on: boolean) {
    memoryMarker = on;
    try {
      if (on) storage?.setItem(SESSION_MARKER, "1");
      else storage?.removeItem(SESSION_MARKER);
    } catch {
      /* storage disabled: the in-memory marker still works for this tab */
    }
  }
  return {
    get: () => current,
    set(t) {
      current = t;
      mark(!!t);
      subs.forEach((fn) => fn(t));
    },
    hasSession() {
      try {
        if (storage) return storage.getItem(SESSION_MARKER) === "1";
      } catch {
        /* fall through */
      }
      return memoryMarker;
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage !== "undefined" ? localStorage : null;
  } catch {
    return null;
  }
}
