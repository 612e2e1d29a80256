import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { Link } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { toApiError } from "@mamc/shared/api/errors";
import { useI18n } from "../../i18n/i18n";
import { errorMessage } from "../../lib/errors";
import { useDocumentTitle } from "../../lib/hooks";
import { openEventStream } from "../../lib/sse";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { applyEvent, sourceHref, type ChatMessage, type CoachEvent } from "./chat";
import { VoiceInput } from "./VoiceInput";

interface Transcript {
  transcription_id: string;
  status: string;
  text: string;
  error: { message: string } | null;
}

/** The AI coach: type a question (the main path) or say it (the mic fills the box, you check it
 * and send); replies stream in with their sources; optionally read aloud. */
export default function CoachPage() {
  const { t, lang } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("coach.title"));
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [speak, setSpeak] = useState(false);
  const waiting = useRef(new Map<string, (tr: Transcript) => void>());
  const spoken = useRef(new Set<string>());
  const input = useRef<HTMLTextAreaElement>(null);
  const bottom = useRef<HTMLDivElement>(null);

  const start = useCallback(
    async (fresh: boolean) => {
      setLoadError(null);
      try {
        if (!fresh) {
          const page = await call(api.client.GET("/api/v1/coach/conversations", { params: { query: { limit: 1 } } }));
          const latest = page.items[0];
          if (latest) {
            const history = await call(
              api.client.GET("/api/v1/coach/conversations/{conversation_id}/messages", {
                params: { path: { conversation_id: latest.id }, query: { limit: 50 } },
              }),
            );
            setMessages(history.items.slice().reverse().map((m) => ({ ...m, role: m.role as ChatMessage["role"], error: m.failure_reason })));
            setConversationId(latest.id);
            return;
          }
        }
        const created = await call(api.client.POST("/api/v1/coach/conversations", { body: { language: lang } }));
        setMessages([]);
        setConversationId(created.id);
      } catch (e) {
        setLoadError(errorMessage(t, e));
      }
    },
    [api, lang, t],
  );

  useEffect(() => {
    void start(false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  useEffect(() => {
    if (!conversationId) return;
    return openEventStream({
      fetch: (p, init) => api.raw(p, init),
      path: `/api/v1/coach/conversations/${conversationId}/events`,
      onEvent: (e) => {
        let data: unknown;
        try {
          data = JSON.parse(e.data);
        } catch {
          return;
        }
        if (e.event === "speech") {
          const sp = data as { message_id: string; url: string };
          if (!spoken.current.has(sp.message_id)) {
            spoken.current.add(sp.message_id);
            void new Audio(sp.url).play().catch(() => undefined);
          }
          return;
        }
        if (e.event === "transcript") {
          const tr = data as Transcript;
          waiting.current.get(tr.transcription_id)?.(tr);
          return;
        }
        setMessages((list) => applyEvent(list, { event: e.event, data } as CoachEvent));
      },
    });
  }, [api, conversationId]);

  useEffect(() => {
    bottom.current?.scrollIntoView?.({ block: "end" });
  }, [messages]);

  async function send(e?: FormEvent) {
    e?.preventDefault();
    const text = draft.trim();
    if (!text || !conversationId || sending) return;
    setSending(true);
    setError(null);
    try {
      const accepted = await call(
        api.client.POST("/api/v1/coach/conversations/{conversation_id}/messages", {
          params: { path: { conversation_id: conversationId } },
          body: { text, language: lang, speak },
        }),
      );
      setMessages((list) => [
        ...list.filter((m) => m.id !== accepted.message_id),
        { id: `q-${accepted.message_id}`, role: "user", text, status: "done", sources: [] },
        list.find((m) => m.id === accepted.message_id) ?? { id: accepted.message_id, role: "assistant", text: "", status: "pending", sources: [] },
      ]);
      setDraft("");
      setNote(null);
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setSending(false);
      input.current?.focus();
    }
  }

  async function transcribe(audio: Blob, fileName: string) {
    if (!conversationId) return;
    setError(null);
    const form = new FormData();
    form.append("conversation_id", conversationId);
    form.append("language", lang);
    form.append("audio", audio, fileName);
    let result: Transcript;
    try {
      const res = await api.raw("/api/v1/coach/transcribe", { method: "POST", body: form });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw toApiError(res.status, body);
      result = body as Transcript;
      if (result.status === "pending") {
        result = await new Promise<Transcript>((resolve) => waiting.current.set(result.transcription_id, resolve));
      }
    } catch (err) {
      setError(errorMessage(t, err));
      return;
    }
    if (result.status !== "done") {
      setError(result.error?.message ?? t("coach.voice.failed"));
      return;
    }
    setDraft((old) => (old.trim() ? `${old.trim()} ${result.text}` : result.text));
    setNote(t("coach.voice.checkTranscript"));
    input.current?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === "Enter" && !e.shiftKey) {
      e.preventDefault();
      void send();
    }
  }

  if (loadError) return <ErrorState message={loadError} onRetry={() => void start(false)} />;
  if (!conversationId) return <SkeletonLines lines={4} />;

  return (
    <section className="coach-page">
      <header className="coach-head">
        <h1>{t("coach.title")}</h1>
        <p className="hint">{t("coach.intro")}</p>
        <div className="coach-tools">
          <label className="checkbox">
            <input type="checkbox" checked={speak} onChange={(e) => setSpeak(e.target.checked)} /> {t("coach.speakReplies")}
          </label>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void start(true)}>
            {t("coach.newConversation")}
          </button>
        </div>
      </header>
      <ol className="coach-messages" aria-label={t("coach.messages")} aria-live="polite">
        {messages.length === 0 && <li className="hint">{t("coach.empty")}</li>}
        {messages.map((m) => (
          <li key={m.id} className={`coach-message coach-${m.role}`} data-status={m.status}>
            <span className="visually-hidden">{m.role === "user" ? t("coach.you") : t("coach.coach")}: </span>
            <div className="coach-text">{m.text || (m.status === "pending" || m.status === "streaming" ? t("coach.thinking") : "")}</div>
            {m.error && <p className="field-error">{m.error}</p>}
            {m.sources.length > 0 && (
              <ol className="coach-sources" aria-label={t("coach.sources")}>
                {m.sources.map((s, i) => {
                  const href = sourceHref(s);
                  return (
                    <li key={s.ref}>
                      [{i + 1}] {href ? <Link to={href}>{s.title}</Link> : s.title} <span className="hint">({t(`coach.kind.${s.kind}`)})</span>
                    </li>
                  );
                })}
              </ol>
            )}
          </li>
        ))}
      </ol>
      <div ref={bottom} />
      <form className="coach-form" onSubmit={send}>
        <label htmlFor="coach-question">{t("coach.question")}</label>
        <textarea
          id="coach-question"
          ref={input}
          value={draft}
          maxLength={4000}
          rows={3}
          placeholder={t("coach.placeholder")}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {note && <p className="hint">{note}</p>}
        {error && <p className="field-error" role="alert">{error}</p>}
        <div className="coach-actions">
          <button type="submit" className="btn btn-primary" disabled={sending || !draft.trim()}>
            {t("coach.send")}
          </button>
          <VoiceInput onRecording={transcribe} onText={(text) => { setDraft((old) => (old ? `${old} ${text}` : text)); setNote(t("coach.voice.checkTranscript")); }} disabled={sending} />
        </div>
      </form>
    </section>
  );
}
