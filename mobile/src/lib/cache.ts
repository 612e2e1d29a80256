/**
 * Offline reading for the catalog and the library: every successful answer is kept in device
 * storage; when the network fails the last kept answer is shown, flagged as offline.
 */
import { ApiError } from "@mamc/shared/api/errors";
import type { KeyValueStore } from "../device/types";

export interface Cached<T> {
  data: T;
  offline: boolean;
  savedAt: string;
}

const PREFIX = "mamc.cache.";

export async function cachedFetch<T>(store: KeyValueStore, key: string, fetcher: () => Promise<T>): Promise<Cached<T>> {
  try {
    const data = await fetcher();
    const savedAt = new Date().toISOString();
    await store.set(PREFIX + key, JSON.stringify({ data, savedAt }));
    return { data, offline: false, savedAt };
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 0) throw e;
    const raw = await store.get(PREFIX + key);
    if (!raw) throw e;
    const kept = JSON.parse(raw) as { data: T; savedAt: string };
    return { data: kept.data, offline: true, savedAt: kept.savedAt };
  }
}
