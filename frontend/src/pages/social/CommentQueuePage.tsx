import { useState } from "react";
import { Link } from "react-router-dom";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, usePaged } from "../../lib/hooks";
import { ErrorState, SkeletonLines } from "../../components/ui";
import { ReasonDialog } from "../../components/ReasonDialog";
import { useToast } from "../../components/Toasts";
import { CommentBody } from "./Comments";

type Action = "hide" | "restore" | "dismiss";

/** Moderators: reported comments (hide or dismiss) and hidden ones (restore), each decision
 * with a reason that goes to the audit log. */
export default function CommentQueuePage() {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  useDocumentTitle(t("social.queueTitle"));
  const [state, setState] = useState<"reported" | "hidden">("reported");
  const queue = usePaged(
    (cursor) => call(api.client.GET("/api/v1/admin/comments", { params: { query: { state, limit: 20, cursor: cursor ?? undefined } } })),
    [api, state],
  );
  const [deciding, setDeciding] = useState<{ id: string; action: Action } | null>(null);
  const decide = useAction(async (reason: string) => {
    if (!deciding) return;
    const { id, action } = deciding;
    await call(api.client.POST("/api/v1/admin/comments/{comment_id}/{action}", { params: { path: { comment_id: id, action } }, body: { reason } }));
    setDeciding(null);
    queue.setItems((xs) => xs.filter((x) => x.comment.id !== id));
    toast.push(t(`social.decided.${action}`), "success");
  });
  return (
    <section className="stack">
      <h1>{t("social.queueTitle")}</h1>
      <div className="row" role="tablist">
        {(["reported", "hidden"] as const).map((s) => (
          <button key={s} role="tab" aria-selected={state === s} className={`btn btn-sm ${state === s ? "btn-primary" : ""}`} onClick={() => setState(s)}>
            {t(`social.queueState.${s}`)}
          </button>
        ))}
      </div>
      {queue.error && <ErrorState message={queue.error} onRetry={queue.reload} />}
      {queue.loading ? (
        <SkeletonLines lines={4} />
      ) : queue.items.length === 0 ? (
        <p className="muted">{t("social.queueEmpty")}</p>
      ) : (
        <ul className="stack" style={{ listStyle: "none", padding: 0 }}>
          {queue.items.map(({ comment: c, reports }) => (
            <li key={c.id} className="panel stack">
              <p className="row small" style={{ margin: 0 }}>
                <strong>{c.author_name ?? t("social.deletedAuthor")}</strong>
                <span className="muted">{fmtDate(c.created_at)}</span>
                <Link to={`/videos/${c.video_id}`}>{t("social.openVideo")}</Link>
                {c.status === "hidden" && <span className="badge">{c.hidden_by === "moderator" ? t("social.hiddenByModerator") : t("social.hiddenByInstructor")}</span>}
              </p>
              <CommentBody body={c.body} />
              {reports.length > 0 && (
                <ul className="small" aria-label={t("social.reportsLabel")}>
                  {reports.map((r, i) => (
                    <li key={i}>
                      <strong>{t(`social.reportReasons.${r.reason}`)}</strong>
                      {r.details ? ` — ${r.details}` : ""} <span className="muted">({fmtDate(r.created_at)})</span>
                    </li>
                  ))}
                </ul>
              )}
              <div className="row">
                {c.status === "hidden" ? (
                  <>
                    {reports.length > 0 && (
                      <button className="btn btn-sm btn-danger" onClick={() => setDeciding({ id: c.id, action: "hide" })}>{t("social.keepHidden")}</button>
                    )}
                    <button className="btn btn-sm" onClick={() => setDeciding({ id: c.id, action: "restore" })}>{t("social.restore")}</button>
                  </>
                ) : (
                  <>
                    <button className="btn btn-sm btn-danger" onClick={() => setDeciding({ id: c.id, action: "hide" })}>{t("social.hide")}</button>
                    <button className="btn btn-sm" onClick={() => setDeciding({ id: c.id, action: "dismiss" })}>{t("social.dismiss")}</button>
                  </>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {queue.hasMore && <button className="btn" disabled={queue.loadingMore} onClick={queue.loadMore}>{t("common.loadMore")}</button>}
      {deciding && (
        <ReasonDialog
          title={t(`social.decideTitle.${deciding.action}`)}
          label={t("admin.reason")}
          hint={t("admin.reasonHint")}
          busy={decide.busy}
          error={decide.error}
          danger={deciding.action === "hide"}
          onConfirm={(r) => decide.run(r)}
          onClose={() => setDeciding(null)}
        />
      )}
    </section>
  );
}
