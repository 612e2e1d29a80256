import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useToast } from "../../components/Toasts";
import { useI18n } from "../../i18n/i18n";
import { domainError } from "../../lib/domainErrors";
import { useDocumentTitle } from "../../lib/hooks";
import type { components } from "@mamc/shared/api/schema";

type Item = components["schemas"]["NotificationOut"];
type Pref = components["schemas"]["PreferenceIO"];

export default function NotificationsPage() {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  useDocumentTitle(t("notifications.title"));
  const [items, setItems] = useState<Item[]>([]);
  const [unread, setUnread] = useState(0);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (before?: string) => {
      try {
        const page = await call(api.client.GET("/api/v1/notifications", { params: { query: { limit: 20, before } } }));
        setItems((list) => (before ? [...list, ...page.items] : page.items));
        setUnread(page.unread);
        setNext(page.next_before ?? null);
      } catch (e) {
        setError(domainError(t, "notifications", e));
      }
    },
    [api, t],
  );
  useEffect(() => void load(), [load]);

  async function markRead(item: Item) {
    if (item.read) return;
    try {
      const path = { notification_id: item.id };
      const out = await call(api.client.POST("/api/v1/notifications/{notification_id}/read", { params: { path } }));
      setItems((list) => list.map((n) => (n.id === item.id ? { ...n, read: true } : n)));
      setUnread(out.unread);
    } catch (e) {
      toast.push(domainError(t, "notifications", e), "error");
    }
  }

  async function markAll() {
    try {
      const out = await call(api.client.POST("/api/v1/notifications/read-all"));
      setItems((list) => list.map((n) => ({ ...n, read: true })));
      setUnread(out.unread);
    } catch (e) {
      toast.push(domainError(t, "notifications", e), "error");
    }
  }

  return (
    <div className="container stack">
      <h1>{t("notifications.title")}</h1>
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <div>
        <span className="muted">{t("notifications.unread", { count: unread })}</span>{" "}
        <button className="btn btn-sm" onClick={() => void markAll()} disabled={!unread}>{t("notifications.markAllRead")}</button>
      </div>
      {items.length === 0 && !error && <p className="muted">{t("notifications.empty")}</p>}
      <ul className="notification-list">
        {items.map((n) => (
          <li key={n.id} className={n.read ? "" : "unread"}>
            <div className="grow">
              <div>{n.link ? <Link to={n.link} onClick={() => void markRead(n)}>{n.title}</Link> : n.title}</div>
              <div className="small">{n.body}</div>
              <div className="small muted">{fmtDate(n.created_at)}</div>
            </div>
            {!n.read && <button className="btn btn-ghost btn-sm" onClick={() => void markRead(n)}>{t("notifications.markRead")}</button>}
          </li>
        ))}
      </ul>
      {next && <button className="btn" onClick={() => void load(next)}>{t("notifications.loadMore")}</button>}
      <Preferences />
      <Reminder />
    </div>
  );
}

function Preferences() {
  const { t } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const [prefs, setPrefs] = useState<Pref[]>([]);
  useEffect(() => {
    void call(api.client.GET("/api/v1/notifications/preferences")).then((p) => setPrefs(p.items), () => undefined);
  }, [api]);

  function toggle(kind: string, channel: "in_app" | "email" | "push") {
    setPrefs((list) => list.map((p) => (p.kind === kind ? { ...p, [channel]: !p[channel] } : p)));
  }
  async function save() {
    try {
      const out = await call(api.client.PUT("/api/v1/notifications/preferences", { body: { items: prefs } }));
      setPrefs(out.items);
      toast.push(t("notifications.saved"), "success");
    } catch (e) {
      toast.push(domainError(t, "notifications", e), "error");
    }
  }
  const channels = [["in_app", "notifications.inApp"], ["email", "notifications.email"], ["push", "notifications.push"]] as const;
  return (
    <section className="card">
      <h2>{t("notifications.preferences")}</h2>
      <table className="pref-table">
        <thead>
          <tr>
            <th>{t("notifications.kind")}</th>
            {channels.map(([, label]) => <th key={label}>{t(label)}</th>)}
          </tr>
        </thead>
        <tbody>
          {prefs.map((p) => (
            <tr key={p.kind}>
              <td>{t(`notifications.kinds.${p.kind}`)}</td>
              {channels.map(([channel, label]) => (
                <td key={channel}>
                  <input
                    type="checkbox"
                    aria-label={`${t(`notifications.kinds.${p.kind}`)} — ${t(label)}`}
                    checked={p[channel]}
                    onChange={() => toggle(p.kind, channel)}
                  />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="small muted">{t("notifications.digestNote")}</p>
      <button className="btn btn-primary" onClick={() => void save()}>{t("common.save")}</button>
    </section>
  );
}

function Reminder() {
  const { t } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const [time, setTime] = useState("");
  useEffect(() => {
    void call(api.client.GET("/api/v1/notifications/reminder")).then((r) => setTime(r.local_time ?? ""), () => undefined);
  }, [api]);
  async function save() {
    try {
      await call(api.client.PUT("/api/v1/notifications/reminder", { body: { local_time: time || null, timezone: zone } }));
      toast.push(t("notifications.reminderSaved"), "success");
    } catch (e) {
      toast.push(domainError(t, "notifications", e), "error");
    }
  }
  return (
    <section className="card">
      <h2>{t("notifications.reminder")}</h2>
      <div className="field">
        <label htmlFor="reminder-time">{t("notifications.reminderTime")}</label>
        <input id="reminder-time" className="input" type="time" value={time} onChange={(e) => setTime(e.target.value)} />
        <p className="small muted">{time ? t("notifications.reminderTimezone", { zone }) : t("notifications.reminderOff")}</p>
      </div>
      <button className="btn btn-primary" onClick={() => void save()}>{t("common.save")}</button>
    </section>
  );
}
