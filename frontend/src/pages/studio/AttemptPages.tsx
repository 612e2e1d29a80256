import { useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { errorMessage } from "../../lib/errors";
import { useAction, useDocumentTitle, useLoad, usePaged } from "../../lib/hooks";
import { ErrorState, Progress, SkeletonLines, StatusBadge } from "../../components/ui";
import { uploadAttemptFile } from "../../upload/videoUpload";
import { jointLabel } from "./pose";
import type { Resp } from "../../api/types";

type Report = Resp<"/api/v1/studio/attempts/{attempt_id}/report", "get">;
type Feedback = Report["feedback"][number];
export const ATTEMPT_POLL_MS = import.meta.env.MODE === "test" ? 50 : 2000;

/** Upload an attempt at a reference technique. */
export function PracticePage() {
  const { referenceId = "" } = useParams();
  const { t } = useI18n();
  const { api } = useAuth();
  const nav = useNavigate();
  const ref = useLoad(() => call(api.client.GET("/api/v1/studio/references/{reference_id}", { params: { path: { reference_id: referenceId } } })), [api, referenceId]);
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useDocumentTitle(ref.data ? t("pose.practiceTitle", { name: ref.data.name }) : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const attempt = await uploadAttemptFile({ api, referenceId, file, onProgress: (d, total) => setProgress((d / Math.max(1, total)) * 100) });
      nav(`/attempts/${attempt.id}`);
    } catch (err) {
      setError(t("studio.uploadFailed", { msg: errorMessage(t, err) }));
    } finally {
      setBusy(false);
    }
  }

  if (ref.error) return <ErrorState message={ref.error} onRetry={ref.reload} />;
  if (!ref.data) return <SkeletonLines lines={4} />;
  return (
    <div className="card stack" style={{ maxWidth: 640 }}>
      <h1>{t("pose.practiceTitle", { name: ref.data.name })}</h1>
      <p className="muted">{t("pose.practiceBody")}</p>
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="attempt-file">{t("pose.attemptFile")}</label>
          <input id="attempt-file" type="file" accept="video/*" capture="user" className="input" disabled={busy} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        {busy && <div style={{ marginBottom: 12 }}><Progress value={progress} label={t("studio.progressLabel")} /></div>}
        <button className="btn btn-primary" disabled={!file || busy}>{busy ? t("studio.uploading", { pct: Math.floor(progress) }) : t("pose.sendAttempt")}</button>
      </form>
    </div>
  );
}

/** The student's attempts. */
export function MyAttemptsPage() {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("pose.myAttempts"));
  const page = usePaged((cursor) => call(api.client.GET("/api/v1/studio/attempts", { params: { query: { limit: 20, cursor } } })), [api]);
  return (
    <div className="stack">
      <h1>{t("pose.myAttempts")}</h1>
      {page.loading && <SkeletonLines lines={4} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {!page.loading && page.items.length === 0 && <p className="muted">{t("pose.noAttempts")}</p>}
      <AttemptTable rows={page.items.map((a) => ({ ...a, student: null }))} fmtDate={fmtDate} />
      {page.hasMore && <button className="btn" onClick={page.loadMore}>{t("common.loadMore")}</button>}
    </div>
  );
}

/** Students' attempts on the instructor's references. */
export function InstructorAttemptsPage() {
  const { t, fmtDate } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("pose.studentAttempts"));
  const page = usePaged((cursor) => call(api.client.GET("/api/v1/studio/instructor/attempts", { params: { query: { limit: 20, cursor } } })), [api]);
  return (
    <div className="stack">
      <h1>{t("pose.studentAttempts")}</h1>
      {page.loading && <SkeletonLines lines={4} />}
      {page.error && <ErrorState message={page.error} onRetry={page.reload} />}
      {!page.loading && page.items.length === 0 && <p className="muted">{t("pose.noAttempts")}</p>}
      <AttemptTable rows={page.items} fmtDate={fmtDate} showStudent />
      {page.hasMore && <button className="btn" onClick={page.loadMore}>{t("common.loadMore")}</button>}
    </div>
  );
}

interface Row { id: string; filename: string; status: string; score: number | null; created_at: string; student?: { display_name: string } | null }
function AttemptTable({ rows, fmtDate, showStudent }: { rows: Row[]; fmtDate: (d: string) => string; showStudent?: boolean }) {
  const { t } = useI18n();
  if (!rows.length) return null;
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t("pose.attempt")}</th>
            {showStudent && <th scope="col">{t("pose.student")}</th>}
            <th scope="col">{t("studio.status")}</th><th scope="col">{t("pose.score")}</th><th scope="col">{t("studio.created")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.id}>
              <td><Link to={`/attempts/${a.id}`}>{a.filename}</Link></td>
              {showStudent && <td>{a.student?.display_name ?? "—"}</td>}
              <td><StatusBadge status={a.status} /></td>
              <td>{a.score != null ? Math.round(a.score) : "—"}</td>
              <td className="small muted">{fmtDate(a.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One attempt: analysis progress, then the report. */
export function AttemptPage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const { api } = useAuth();
  const path = { attempt_id: id };
  const attempt = useLoad(() => call(api.client.GET("/api/v1/studio/attempts/{attempt_id}", { params: { path } })), [api, id]);
  const a = attempt.data;
  const report = useLoad(
    () => (a?.status === "ready" ? call(api.client.GET("/api/v1/studio/attempts/{attempt_id}/report", { params: { path } })) : Promise.resolve(null)),
    [api, id, a?.status],
  );
  const retry = useAction(async () => {
    const out = await call(api.client.POST("/api/v1/studio/attempts/{attempt_id}/retry", { params: { path } }));
    attempt.setData(out);
    return out;
  });
  useDocumentTitle(t("pose.attempt"));

  // Poll while the analysis runs.
  useEffect(() => {
    if (!a || !["pending", "running", "uploading"].includes(a.status)) return;
    const timer = setTimeout(async () => {
      try {
        attempt.setData(await call(api.client.GET("/api/v1/studio/attempts/{attempt_id}", { params: { path } })));
      } catch {
        /* next tick */
      }
    }, ATTEMPT_POLL_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [a, api, id]);

  if (attempt.error) return <ErrorState message={attempt.error} onRetry={attempt.reload} />;
  if (!a) return <SkeletonLines lines={6} />;
  if (a.status === "failed") {
    return (
      <div className="stack">
        <h1>{a.filename}</h1>
        <div className="alert alert-error" role="alert">{t("pose.failed", { reason: a.failure_reason ?? "" })}</div>
        {retry.error && <div className="alert alert-error">{retry.error}</div>}
        <button className="btn" onClick={() => retry.run()} disabled={retry.busy}>{t("pose.retry")}</button>
      </div>
    );
  }
  if (a.status !== "ready") {
    return (
      <div className="card stack" aria-live="polite">
        <h1>{t("pose.analysing")}</h1>
        <Progress value={a.progress} label={t("studio.processingLabel")} />
        <p className="small muted">{a.progress}% · {t("studio.stage", { stage: a.stage })}</p>
      </div>
    );
  }
  if (report.error) return <ErrorState message={report.error} onRetry={report.reload} />;
  if (!report.data) return <SkeletonLines lines={6} />;
  return <ReportView report={report.data} onComment={(c) => report.setData({ ...report.data!, comments: [...report.data!.comments, c] })} />;
}

export function ReportView({ report, onComment }: { report: Report; onComment: (c: Report["comments"][number]) => void }) {
  const { t, fmtDuration, fmtDate } = useI18n();
  const { api, user } = useAuth();
  const video = useRef<HTMLVideoElement>(null);
  const [active, setActive] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const send = useAction((body: string) =>
    call(api.client.POST("/api/v1/studio/attempts/{attempt_id}/comments", { params: { path: { attempt_id: report.attempt_id } }, body: { body } })),
  );
  const canComment = !!user && (user.id === report.reference.instructor_id || user.role === "admin");

  function seek(f: Feedback, i: number) {
    setActive(i);
    const v = video.current;
    if (v) {
      v.currentTime = f.t_start;
      void v.play?.()?.catch(() => undefined);
    }
  }

  async function submitComment(e: FormEvent) {
    e.preventDefault();
    if (!comment.trim()) return;
    const c = await send.run(comment.trim());
    if (c) {
      onComment(c);
      setComment("");
    }
  }

  const score = Math.round(report.score);
  return (
    <div className="stack">
      <h1>{report.reference.name}</h1>
      <div className="two-col">
        <div className="stack">
          {report.overlay_url ? (
            <div className="player">
              <video ref={video} src={report.overlay_url} controls playsInline preload="metadata" aria-label={t("pose.overlay")} />
            </div>
          ) : (
            <p className="muted">{t("pose.noOverlay")}</p>
          )}
          {report.phases.length > 0 && (
            <section aria-labelledby="phases-h">
              <h2 id="phases-h">{t("pose.phases")}</h2>
              <ul className="row" style={{ listStyle: "none", padding: 0 }}>
                {report.phases.map((p) => (
                  <li key={p.name}>
                    <button className="btn btn-sm" onClick={() => { if (video.current) video.current.currentTime = p.attempt_t_start; }}>
                      {p.name} · {fmtDuration(p.attempt_t_start)}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {report.plots.length > 0 && (
            <section aria-labelledby="plots-h">
              <h2 id="plots-h">{t("pose.plots")}</h2>
              <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(260px, 1fr))" }}>
                {report.plots.map((p) => (
                  <figure key={p.joint} className="panel" style={{ margin: 0 }}>
                    <img src={p.url} alt={t("pose.plotAlt", { joint: jointLabel(t, p.joint) })} loading="lazy" style={{ background: "#fff", borderRadius: 4 }} />
                    <figcaption className="small muted">{jointLabel(t, p.joint)}</figcaption>
                  </figure>
                ))}
              </div>
            </section>
          )}
        </div>
        <aside className="stack">
          <section className="panel" aria-labelledby="score-h">
            <h2 id="score-h" className="label">{t("pose.score")}</h2>
            <p className="score" style={{ color: score >= 80 ? "var(--ok)" : score >= 50 ? "var(--warn)" : "var(--danger)" }}>{t("pose.scoreOf", { score })}</p>
            {report.mean_abs_error_deg != null && <p className="small muted">{t("pose.meanError", { deg: report.mean_abs_error_deg.toFixed(1) })}</p>}
            {report.mirrored && <p className="small">{t("pose.mirrored")}</p>}
            {report.notes.map((n) => <p key={n} className="small muted">{n}</p>)}
          </section>
          <section aria-labelledby="fb-h">
            <h2 id="fb-h">{t("pose.feedback")}</h2>
            {report.feedback.length === 0 ? (
              <p>{t("pose.noFeedback")}</p>
            ) : (
              <>
                <p className="small muted">{t("pose.feedbackHint")}</p>
                <ul className="feedback-list">
                  {report.feedback.map((f, i) => (
                    <li key={i}>
                      <button aria-current={active === i ? "true" : undefined} onClick={() => seek(f, i)}>
                        <strong>{jointLabel(t, f.joint)}</strong> · {f.phase} · <span className="mono">{fmtDuration(f.t_start)}</span>
                        <div>{f.message}</div>
                        <div className="small muted">{t("pose.measured", { m: Math.round(f.measured_deg), r: Math.round(f.reference_deg) })}</div>
                      </button>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <section aria-labelledby="cm-h">
            <h2 id="cm-h">{t("pose.comments")}</h2>
            {report.comments.map((c) => (
              <div key={c.id} className="panel" style={{ marginBottom: 8 }}>
                <p style={{ whiteSpace: "pre-line", margin: 0 }}>{c.body}</p>
                <p className="small muted" style={{ margin: 0 }}>{c.author_name ?? "—"} · {fmtDate(c.created_at)}</p>
              </div>
            ))}
            {canComment && (
              <form onSubmit={submitComment}>
                <label htmlFor="comment" className="label">{t("pose.addComment")}</label>
                <textarea id="comment" className="textarea" value={comment} onChange={(e) => setComment(e.target.value)} maxLength={4000} />
                {send.error && <div className="field-error">{send.error}</div>}
                <button className="btn btn-sm" style={{ marginTop: 8 }} disabled={send.busy || !comment.trim()}>{t("pose.send")}</button>
              </form>
            )}
          </section>
        </aside>
      </div>
    </div>
  );
}
