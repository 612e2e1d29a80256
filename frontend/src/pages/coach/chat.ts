/** The coach conversation as the page holds it, and how stream events change it (pure). */
export interface Source { ref: string; kind: string; title: string; url: string | null; start_s?: number | null }
export interface ChatMessage {
  id: string;
  role: "user" | "assistant";
  text: string;
  status: string;
  sources: Source[];
  error?: string | null;
}

export type CoachEvent =
  | { event: "token"; data: { message_id: string; text: string; offset: number } }
  | { event: "done"; data: { message_id: string; status: string; sources: Source[]; error: { message: string } | null } }
  | { event: string; data: unknown };

function upsert(list: ChatMessage[], id: string, change: (m: ChatMessage) => ChatMessage): ChatMessage[] {
  const i = list.findIndex((m) => m.id === id);
  if (i < 0) return [...list, change({ id, role: "assistant", text: "", status: "streaming", sources: [] })];
  const next = list.slice();
  next[i] = change(next[i]);
  return next;
}

/** Apply one stream event. Token events carry their offset: text past it replaces what is held
 * from there, so an event seen twice (or a reply restarted at 0) never doubles text. */
export function applyEvent(list: ChatMessage[], e: CoachEvent): ChatMessage[] {
  if (e.event === "token") {
    const d = (e as Extract<CoachEvent, { event: "token" }>).data;
    return upsert(list, d.message_id, (m) => ({
      ...m,
      text: m.text.slice(0, d.offset) + d.text,
      status: m.status === "pending" ? "streaming" : m.status,
    }));
  }
  if (e.event === "done") {
    const d = (e as Extract<CoachEvent, { event: "done" }>).data;
    return upsert(list, d.message_id, (m) => ({ ...m, status: d.status, sources: d.sources ?? [], error: d.error?.message ?? null }));
  }
  return list;
}

/** Where a source opens: the video page (at the moment, if any) or the pose report. */
export function sourceHref(s: Source): string | null {
  if (!s.url) return null;
  // A knowledge item's start_s is its video moment; its url is the item page, which has no seek.
  return s.kind === "video" && s.start_s != null ? `${s.url}?t=${Math.floor(s.start_s)}` : s.url;
}
