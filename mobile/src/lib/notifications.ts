/**
 * Notifications: the platform's in-app feed (`/notifications`: titles in the account's language,
 * read marks, the unread count) plus a few things only this device saw happen (a payment confirmed
 * here, an upload processed), kept on the device and shown in the same list.
 * Push: the device's Expo push token is registered with the API only after the user turns push on.
 */
import type { Resp } from "@mamc/shared/api/types";
import type { KeyValueStore, PushData, PushDevice } from "../device/types";
import { API_PREFIX, call, type MobileApi } from "./api";
import { followLiveStream, type LiveStreamOptions, type StreamFetch } from "./liveStream";

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

/** Marks the device's notifications read: all of them, or the one with `id`. */
export async function markLocalRead(store: KeyValueStore, id?: string): Promise<void> {
  const all = await listNotifications(store);
  await store.set(KEY, JSON.stringify(all.map((n) => (id === undefined || n.id === id ? { ...n, read: true } : n))));
}

/** One row of the list, from the platform or from this device. */
export interface FeedItem {
  id: string;
  source: "platform" | "device";
  title: string;
  body: string;
  at: string;
  link: string | null;
  read: boolean;
  /** The platform's kind of notification (none for the device's own). */
  kind?: string;
}

type NotificationOut = Resp<"/api/v1/notifications", "get">["items"][number];

const fromPlatform = (n: NotificationOut): FeedItem => ({ id: n.id, source: "platform", title: n.title, body: n.body, at: n.created_at, link: n.link, read: n.read, kind: n.kind });
export const newestFirst = (items: FeedItem[]) => [...items].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
const PAGE = 30;

/** The platform's feed (first page) and the device's notifications, newest first, how many are
 * unread, and where the next (older) page of the platform's starts. */
export async function loadFeed(api: MobileApi, store: KeyValueStore, t: (key: string, vars?: Record<string, string | number>) => string): Promise<{ items: FeedItem[]; unread: number; nextBefore: string | null }> {
  const [page, local] = await Promise.all([call(api.client.GET("/api/v1/notifications", { params: { query: { limit: PAGE } } })), listNotifications(store)]);
  const items = newestFirst([
    ...page.items.map(fromPlatform),
    ...local.map((n) => ({ id: n.id, source: "device" as const, title: t(n.key, n.vars), body: "", at: n.at, link: n.href ?? null, read: n.read })),
  ]);
  return { items, unread: page.unread + local.filter((n) => !n.read).length, nextBefore: page.next_before };
}

/** An older page of the platform's feed. */
export async function olderPage(api: MobileApi, before: string): Promise<{ items: FeedItem[]; nextBefore: string | null }> {
  const page = await call(api.client.GET("/api/v1/notifications", { params: { query: { limit: PAGE, before } } }));
  return { items: page.items.map(fromPlatform), nextBefore: page.next_before };
}

export async function markRead(api: MobileApi, store: KeyValueStore, item: FeedItem): Promise<void> {
  if (item.source === "device") await markLocalRead(store, item.id);
  else await call(api.client.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: item.id } } }));
}

export async function markAllRead(api: MobileApi, store: KeyValueStore): Promise<void> {
  await call(api.client.POST("/api/v1/notifications/read-all"));
  await markLocalRead(store);
}

/** The unread count for the badge (platform + device). */
export async function unreadCount(api: MobileApi, store: KeyValueStore): Promise<number> {
  const [{ unread }, local] = await Promise.all([call(api.client.GET("/api/v1/notifications/unread")), listNotifications(store)]);
  return unread + local.filter((n) => !n.read).length;
}

const localUnread = async (store: KeyValueStore) => (await listNotifications(store)).filter((n) => !n.read).length;

/**
 * The badge, live: the platform's bell stream (`GET /notifications/stream`, the web bell's:
 * `event: progress` with `{"status": "live", "unread": n}` on connect and on every change) plus the
 * device's own unread ones. `stream` must add the bearer and stream bodies; when the stream cannot
 * be had (429, no streamed body, keeps failing) the count is polled (`GET /notifications/unread`).
 * Answers the function that stops following.
 */
export function followUnread(
  api: MobileApi,
  store: KeyValueStore,
  stream: StreamFetch,
  onCount: (n: number) => void,
  tuning: Partial<Pick<LiveStreamOptions, "pollMs" | "backoffMs" | "maxBackoffMs" | "maxFailures" | "sleep" | "onPolling">> = {},
): () => void {
  return followLiveStream({
    ...tuning,
    fetch: stream,
    url: `${api.baseUrl}${API_PREFIX}/notifications/stream`,
    onEvent(e) {
      if (e.event !== "progress") return;
      const { unread } = JSON.parse(e.data) as { unread?: unknown };
      if (typeof unread === "number") void localUnread(store).then((l) => onCount(unread + l), () => onCount(unread));
    },
    poll: async () => onCount(await unreadCount(api, store)),
  });
}

const PUSH_KEY = "mamc.push_token";

/** The token registered from this device, if push is on. */
export const pushToken = (store: KeyValueStore) => store.get(PUSH_KEY);

/** Asks the user; when allowed, registers the device's token with the API. Null when not allowed
 * or push is not set up for this build. */
export async function enablePush(api: MobileApi, store: KeyValueStore, push: PushDevice): Promise<string | null> {
  const token = await push.register();
  if (!token) return null;
  await call(api.client.POST("/api/v1/notifications/push-tokens", { body: { token, platform: push.platform } }));
  await store.set(PUSH_KEY, token);
  return token;
}

/** Stops push to this device (turned off, or signing out). */
export async function disablePush(api: MobileApi, store: KeyValueStore): Promise<void> {
  const token = await store.get(PUSH_KEY);
  if (!token) return;
  await call(api.client.DELETE("/api/v1/notifications/push-tokens", { params: { query: { token } } }));
  await store.delete(PUSH_KEY);
}

/** After sign-in or on start, when push was turned on here: the token is read again (Expo may
 * rotate it; no prompt, the permission is already given) and registered again; if the user has
 * since withdrawn the permission in the system settings, the token is removed from the account. */
export async function syncPush(api: MobileApi, store: KeyValueStore, push: PushDevice): Promise<void> {
  const stored = await store.get(PUSH_KEY);
  if (!stored) return;
  const token = await push.register();
  if (token !== stored) await disablePush(api, store);
  if (token) await enablePush(api, store, { ...push, register: async () => token });
}

/** The app's routes a notification link may open (the platform's links are web paths). */
const APP_ROUTES = [
  /^\/videos\/[\w-]+$/,
  /^\/play\/[\w-]+$/,
  /^\/attempts\/[\w-]+$/,
  /^\/studio\/videos\/[\w-]+$/,
  /^\/(library|catalog|search|coach|studio|studio\/earnings|notifications|settings|your-data)$/,
];

/** Kinds whose web link names a page the app has elsewhere: the practice reminder's "/studio" is the
 * web's practice area; in the app practice starts from a video of the library. */
const KIND_ROUTES: Record<string, string> = { practice_reminder: "/library" };

/**
 * The app screen a notification's link opens, or null when the app has none. Links are the
 * platform's paths (an absolute link counts only on `origin`, the platform's own); a `t=` seconds
 * query is kept. Another site, a scheme, a path the app lacks: null, never opened.
 */
export function appRoute(link: string | null | undefined, kind?: string, origin?: string): string | null {
  if (kind && KIND_ROUTES[kind]) return KIND_ROUTES[kind];
  if (!link) return null;
  let path = link;
  if (origin && link.startsWith(`${origin}/`)) path = link.slice(origin.length);
  const [pathname, query = ""] = path.split("?", 2);
  if (!APP_ROUTES.some((r) => r.test(pathname))) return null;
  const t = new URLSearchParams(query).get("t");
  return t && /^\d+(\.\d+)?$/.test(t) ? `${pathname}?t=${t}` : pathname;
}

/** Where tapping a push goes: its link's screen when the app has it, else the notifications list. */
export function pushRoute(link: string | null | undefined, kind?: string, origin?: string): string {
  return appRoute(link, kind, origin) ?? "/notifications";
}

/** A tapped push: marks the platform's notification read (best effort) and answers the route. */
export async function openPush(api: MobileApi, data: PushData): Promise<string> {
  if (data.id) await call(api.client.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: data.id } } })).catch(() => undefined);
  return pushRoute(data.link, data.kind, api.baseUrl);
}
