/**
 * The in-app notification list: things the app saw happen (a payment confirmed, a report ready, an
 * upload processed), newest first, kept on the device. The API has no notification feed yet.
 */
import type { KeyValueStore } from "../device/types";

export interface AppNotification {
  id: string;
  key: string;
  vars?: Record<string, string | number>;
  at: string;
  href?: string;
  read: boolean;
}

const KEY = "mamc.notifications";
const MAX = 50;

export async function listNotifications(store: KeyValueStore): Promise<AppNotification[]> {
  const raw = await store.get(KEY);
  return raw ? (JSON.parse(raw) as AppNotification[]) : [];
}

export async function notify(store: KeyValueStore, n: Omit<AppNotification, "id" | "at" | "read">): Promise<void> {
  const all = await listNotifications(store);
  const at = new Date().toISOString();
  all.unshift({ ...n, id: `${at}-${all.length}`, at, read: false });
  await store.set(KEY, JSON.stringify(all.slice(0, MAX)));
}

export async function markAllRead(store: KeyValueStore): Promise<void> {
  const all = await listNotifications(store);
  await store.set(KEY, JSON.stringify(all.map((n) => ({ ...n, read: true }))));
}
