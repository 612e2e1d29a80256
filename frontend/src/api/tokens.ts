/** Access/refresh token storage (localStorage) with change notifications. */
export interface Tokens {
  access_token: string;
  refresh_token: string;
  /** epoch ms when the access token expires (informational). */
  expires_at?: number;
}

export interface TokenStore {
  get(): Tokens | null;
  set(t: Tokens | null): void;
  subscribe(fn: (t: Tokens | null) => void): () => void;
}

const KEY = "mamc.tokens";

/**
 * Storage is the source of truth (read on every get), so every tab sees the pair another tab
 * just rotated: refresh tokens are single-use and a stale one would be treated as reuse.
 */
export function createTokenStore(storage: Storage | null = safeStorage()): TokenStore {
  let current: Tokens | null = null;
  current = read();
  function read(): Tokens | null {
    if (!storage) return current;
    try {
      const raw = storage.getItem(KEY);
      return raw ? (JSON.parse(raw) as Tokens) : null;
    } catch {
      return current;
    }
  }
  const subs = new Set<(t: Tokens | null) => void>();
  return {
    get: () => (current = read()),
    set(t) {
      current = t;
      try {
        if (t) storage?.setItem(KEY, JSON.stringify(t));
        else storage?.removeItem(KEY);
      } catch {
        /* storage full / disabled: keep in memory */
      }
      subs.forEach((fn) => fn(t));
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
