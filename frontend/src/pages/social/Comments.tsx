import { useState, type FormEvent } from "react";
import { Link, useLocation } from "react-router-dom";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useAction, useLoad } from "../../lib/hooks";
import { ReasonDialog } from "../../components/ReasonDialog";
import { useToast } from "../../components/Toasts";
import type { Resp } from "@mamc/shared/api/types";
import { splitMoments } from "./timestamps";

type Page = Resp<"/api/v1/videos/{video_id}/comments", "get">;
export type CommentRow = Page["items"][number];

export const REACTIONS = { like: "👍", bow: "🙇", fire: "🔥", insightful: "💡" } as const;
type ReactionKind = keyof typeof REACTIONS;
const REPORT_REASONS = ["spam", "abuse", "inappropriate", "misinformation", "other"] as const;
type ReportReason = (typeof REPORT_REASONS)[number];

/** A comment's text with its moments ("at 1:23") as buttons that seek the player. */
export function CommentBody({ body, onSeek }: { body: string; onSeek?: (seconds: number) => void }) {
  const { t } = useI18n();
  return (
    <p style={{ whiteSpace: "pre-line", margin: 0 }}>
      {splitMoments(body).map((s, i) =>
        "seconds" in s && onSeek ? (
          <button key={i} type="button" className="btn-link" aria-label={t("social.seekTo", { at: s.text })} onClick={() => onSeek(s.seconds)}>
            {s.text}
          </button>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </p>
  );
}

function Composer({ onPost, placeholder, busy, error, autoFocus }: {
  onPost: (body: string) => Promise<boolean>;
  placeholder: string;
  busy: boolean;
  error: string | null;
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  const [body, setBody] = useState("");
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!body.trim()) return;
    if (await onPost(body.trim())) setBody("");
  }
  return (
    <form className="stack" onSubmit={submit}>
      <textarea className="textarea" aria-label={placeholder} placeholder={placeholder} value={body} onChange={(e) => setBody(e.target.value)} maxLength={2000} rows={2} autoFocus={autoFocus} />
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <div className="row">
        <span className="small muted">{t("social.momentHint")}</span>
        <span className="spacer" />
        <button className="btn btn-primary btn-sm" disabled={busy || !body.trim()}>{t("social.post")}</button>
      </div>
    </form>
  );
}

/** The comment thread under a video: post, reply (two levels), react, report; the video's
 * instructor pins and hides. */
export function Comments({ videoId, onSeek }: { videoId: string; onSeek?: (seconds: number) => void }) {
  const { t, fmtDate } = useI18n();
  const { api, user } = useAuth();
  const loc = useLocation();
  const toast = useToast();
  const path = { video_id: videoId };
  const [more, setMore] = useState<CommentRow[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const page = useLoad(async () => {
    const p = await call(api.client.GET("/api/v1/videos/{video_id}/comments", { params: { path, query: { limit: 20 } } }));
    setMore([]);
    setCursor(p.next_cursor ?? null);
    return p;
  }, [api, videoId, user?.id]);
  const [replyTo, setReplyTo] = useState<string | null>(null);
  const [reporting, setReporting] = useState<string | null>(null);
  const [reportReason, setReportReason] = useState<ReportReason>("spam");

  const post = useAction(async (body: string, parentId?: string) => {
    await call(api.client.POST("/api/v1/videos/{video_id}/comments", { params: { path }, body: { body, parent_id: parentId ?? null } }));
    setReplyTo(null);
    page.reload();
    return true;
  });
  const loadMore = useAction(async () => {
    if (!cursor) return;
    const p = await call(api.client.GET("/api/v1/videos/{video_id}/comments", { params: { path, query: { limit: 20, cursor } } }));
    setMore((xs) => [...xs, ...p.items]);
    setCursor(p.next_cursor ?? null);
  });
  const act = useAction(async (fn: () => Promise<unknown>, done?: string) => {
    await fn();
    if (done) toast.push(done, "success");
    page.reload();
  });
  const report = useAction(async (details: string) => {
    if (!reporting) return;
    await call(api.client.POST("/api/v1/comments/{comment_id}/reports", { params: { path: { comment_id: reporting } }, body: { reason: reportReason, details } }));
    setReporting(null);
    toast.push(t("social.reportSent"), "success");
  });

  if (page.error && !page.data) return <p className="small muted">{t("social.unavailable")}</p>;
  const data = page.data;
  if (!data) return null;
  const items = [...data.items, ...more];
  const { can_post: canPost, can_moderate: canModerate } = data;

  function react(c: CommentRow, kind: ReactionKind) {
    const comment_id = c.id;
    const mine = c.my_reactions.includes(kind);
    void act.run(() =>
      call(
        mine
          ? api.client.DELETE("/api/v1/comments/{comment_id}/reactions/{kind}", { params: { path: { comment_id, kind } } })
          : api.client.PUT("/api/v1/comments/{comment_id}/reactions/{kind}", { params: { path: { comment_id, kind } } }),
      ),
    );
  }

  function row(c: CommentRow, isReply: boolean) {
    const comment_id = c.id;
    const own = !!user && c.author_id === user.id;
    const deleted = c.status === "deleted";
    return (
      <li key={c.id} className="stack" style={{ gap: 4, marginLeft: isReply ? 24 : 0 }} aria-label={t("social.commentBy", { name: c.author_name ?? t("social.deletedAuthor") })}>
        <p className="row small" style={{ margin: 0 }}>
          <strong>{c.author_name ?? t("social.deletedAuthor")}</strong>
          {c.is_instructor && <span className="badge">{t("social.instructor")}</span>}
          {c.pinned && <span className="badge">📌 {t("social.pinned")}</span>}
          {c.status === "hidden" && <span className="badge">{c.hidden_by === "moderator" ? t("social.hiddenByModerator") : t("social.hiddenByInstructor")}</span>}
          <span className="muted">{fmtDate(c.created_at)}</span>
        </p>
        {deleted ? <p className="small muted" style={{ margin: 0 }}>{t("social.deleted")}</p> : <CommentBody body={c.body} onSeek={onSeek} />}
        {c.hidden_reason && <p className="small muted" style={{ margin: 0 }}>{t("social.hiddenReason", { reason: c.hidden_reason })}</p>}
        {c.status === "visible" && (
          <div className="row small">
            {(Object.keys(REACTIONS) as ReactionKind[]).map((k) => {
              const n = c.reactions[k] ?? 0;
              const mine = c.my_reactions.includes(k);
              return user ? (
                <button key={k} type="button" className={`btn btn-sm ${mine ? "btn-primary" : "btn-ghost"}`} aria-pressed={mine} aria-label={t(`social.reaction.${k}`)} disabled={act.busy} onClick={() => react(c, k)}>
                  {REACTIONS[k]} {n > 0 ? n : ""}
                </button>
              ) : n > 0 ? (
                <span key={k} aria-label={t(`social.reaction.${k}`)}>{REACTIONS[k]} {n}</span>
              ) : null;
            })}
            {canPost && !isReply && <button type="button" className="btn btn-ghost btn-sm" onClick={() => setReplyTo(replyTo === c.id ? null : c.id)}>{t("social.reply")}</button>}
            {canPost && isReply && c.parent_id && <button type="button" className="btn btn-ghost btn-sm" onClick={() => setReplyTo(c.parent_id!)}>{t("social.reply")}</button>}
            {user && !own && <button type="button" className="btn btn-ghost btn-sm" onClick={() => setReporting(c.id)}>⚑ {t("social.report")}</button>}
            {canModerate && !isReply && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => act.run(() => call(c.pinned ? api.client.DELETE("/api/v1/comments/{comment_id}/pin", { params: { path: { comment_id } } }) : api.client.PUT("/api/v1/comments/{comment_id}/pin", { params: { path: { comment_id } } })))}>
                {c.pinned ? t("social.unpin") : t("social.pin")}
              </button>
            )}
            {canModerate && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => act.run(() => call(api.client.PUT("/api/v1/comments/{comment_id}/hidden", { params: { path: { comment_id } }, body: {} })), t("social.hiddenDone"))}>
                {t("social.hide")}
              </button>
            )}
            {own && <button type="button" className="btn btn-ghost btn-sm" onClick={() => act.run(() => call(api.client.DELETE("/api/v1/comments/{comment_id}", { params: { path: { comment_id } } })))}>{t("social.delete")}</button>}
          </div>
        )}
        {c.status === "hidden" && canModerate && (
          <div className="row small">
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => act.run(() => call(api.client.DELETE("/api/v1/comments/{comment_id}/hidden", { params: { path: { comment_id } } })))}>{t("social.unhide")}</button>
          </div>
        )}
      </li>
    );
  }

  return (
    <section className="stack" aria-labelledby="comments-h">
      <h2 id="comments-h">{t("social.comments")}</h2>
      {data.can_post ? (
        <Composer placeholder={t("social.writeComment")} busy={post.busy} error={replyTo ? null : post.error} onPost={async (b) => !!(await post.run(b))} />
      ) : (
        <p className="small muted">
          {data.cannot_post_reason === "not_authenticated" ? (
            <Link to={`/login?next=${encodeURIComponent(loc.pathname)}`}>{t("social.loginToComment")}</Link>
          ) : (
            t(`social.cannotPost.${data.cannot_post_reason ?? "other"}`)
          )}
        </p>
      )}
      {act.error && <div className="alert alert-error" role="alert">{act.error}</div>}
      {items.length === 0 ? (
        <p className="muted">{t("social.noComments")}</p>
      ) : (
        <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
          {items.map((c) => (
            <li key={c.id} style={{ listStyle: "none" }}>
              <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
                {row(c, false)}
                {c.replies?.map((r) => row(r, true))}
              </ul>
              {replyTo === c.id && (
                <div style={{ marginLeft: 24 }}>
                  <Composer placeholder={t("social.writeReply", { name: c.author_name ?? "" })} busy={post.busy} error={post.error} autoFocus onPost={async (b) => !!(await post.run(b, c.id))} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {cursor && <button className="btn" disabled={loadMore.busy} onClick={() => loadMore.run()}>{t("common.loadMore")}</button>}
      {reporting && (
        <ReasonDialog
          title={t("social.reportTitle")}
          label={t("social.reportDetails")}
          optional
          busy={report.busy}
          error={report.error}
          confirmLabel={t("video.send")}
          onConfirm={(d) => report.run(d)}
          onClose={() => setReporting(null)}
        >
          <div className="field">
            <label htmlFor="comment-report-reason">{t("social.reportReason")}</label>
            <select id="comment-report-reason" className="select" value={reportReason} onChange={(e) => setReportReason(e.target.value as ReportReason)}>
              {REPORT_REASONS.map((r) => <option key={r} value={r}>{t(`social.reportReasons.${r}`)}</option>)}
            </select>
          </div>
        </ReasonDialog>
      )}
    </section>
  );
}
