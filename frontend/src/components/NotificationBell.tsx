import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../auth/AuthContext";
import { useI18n } from "../i18n/i18n";
import { openEventStream } from "../lib/sse";

/** The header's bell: the unread count, live over SSE (polling GET /unread when streaming fails). */
export function NotificationBell() {
  const { t } = useI18n();
  const { api } = useAuth();
  const [unread, setUnread] = useState(0);

  useEffect(() => {
    const poll = async () => {
      const res = await api.raw("/api/v1/notifications/unread");
      if (res.ok) setUnread(((await res.json()) as { unread: number }).unread);
    };
    return openEventStream({
      fetch: (p, init) => api.raw(p, init),
      path: "/api/v1/notifications/stream",
      poll,
      pollMs: 30_000,
      onEvent: (e) => {
        if (e.event !== "progress") return;
        try {
          const data = JSON.parse(e.data) as { unread?: number };
          if (typeof data.unread === "number") setUnread(data.unread);
        } catch {
          /* a malformed event: the next one carries the whole count again */
        }
      },
    });
  }, [api]);

  const label = unread ? `${t("notifications.bell")} — ${t("notifications.unread", { count: unread })}` : t("notifications.bell");
  return (
    <Link to="/notifications" className="btn btn-ghost btn-sm bell" aria-label={label} title={label}>
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="currentColor">
        <path d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3a1.5 1.5 0 0 0-3 0v1.2A7 7 0 0 0 5 11v5l-2 2v1h18v-1z" />
      </svg>
      {unread > 0 && <span className="bell-count" data-testid="bell-count">{unread > 99 ? "99+" : unread}</span>}
    </Link>
  );
}
