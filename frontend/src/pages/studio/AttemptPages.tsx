import { forwardRef, useEffect, useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { reasonLabel, stageLabel } from "../../lib/serverWords";
import { errorMessage } from "../../lib/errors";
import { useAction, useDocumentTitle, useLoad, usePaged } from "../../lib/hooks";
import { ErrorState, Progress, SkeletonLines, StatusBadge } from "../../components/ui";
import { uploadAttemptFile } from "../../upload/videoUpload";
import { jointLabel, SPEEDS } from "./pose";
import { CountdownRecorder, PracticeGuide } from "./PracticeCoach";
import type { Resp } from "@mamc/shared/api/types";

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
      <Link className="small" to={`/leaderboards?reference=${referenceId}`}>{t("learning.referenceBoard")}</Link>
      <PracticeGuide clipUrl={ref.data.clip_url} />
      <CountdownRecorder seconds={Math.ceil(ref.data.t_end - ref.data.t_start)} onRecorded={setFile} />
      {file && <p className="small" role="status">{t("web.practice.ready", { name: file.name })}</p>}
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
  const { t, lang } = useI18n();
  const { api } = useAuth();
  const path = { attempt_id: id };
  const attempt = useLoad(() => call(api.client.GET("/api/v1/studio/attempts/{attempt_id}", { params: { path } })), [api, id]);
  const a = attempt.data;
  const report = useLoad(
    () => (a?.status === "ready" ? call(api.client.GET("/api/v1/studio/attempts/{attempt_id}/report", { params: { path, query: { lang } } })) : Promise.resolve(null)),
    [api, id, a?.status, lang],
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
        <div className="alert alert-error" role="alert">{t("pose.failed", { reason: reasonLabel(t, a.failure_reason ?? "") })}</div>
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
        <p className="small muted">{a.progress}% · {t("studio.stage", { stage: a.stage ? stageLabel(t, a.stage) : "" })}</p>
      </div>
    );
  }
  if (report.error) return <ErrorState message={report.error} onRetry={report.reload} />;
  if (!report.data) return <SkeletonLines lines={6} />;
  return <ReportView report={report.data} onComment={(c) => report.setData({ ...report.data!, comments: [...report.data!.comments, c] })} />;
}

type Cue = Report["top_cues"][number];

export function ReportView({ report, onComment }: { report: Report; onComment: (c: Report["comments"][number]) => void }) {
  const { t, fmtDuration, fmtDate } = useI18n();
  const { api, user } = useAuth();
  const video = useRef<HTMLVideoElement>(null);
  const [active, setActive] = useState<string | null>(null);
  const [comment, setComment] = useState("");
  const send = useAction((body: string) =>
    call(api.client.POST("/api/v1/studio/attempts/{attempt_id}/comments", { params: { path: { attempt_id: report.attempt_id } }, body: { body } })),
  );
  const canComment = !!user && (user.id === report.reference.instructor_id || user.role === "admin");
  const scored = report.score != null;
  const score = scored ? Math.round(report.score as number) : null;
  const top = report.top_cues;
  const rest = report.feedback.filter((f) => !top.some((c) => c.rank === f.rank && c.joint === f.joint && c.phase === f.phase));
  const notMovement = report.match != null && !report.match.same_movement;

  function seek(f: Feedback | Cue, key: string) {
    setActive(key);
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

  const cueList = (items: (Feedback | Cue)[], prefix: string) => (
    <ul className="feedback-list">
      {items.map((f, i) => {
        const key = `${prefix}${i}`;
        return (
          <li key={key}>
            <button aria-current={active === key ? "true" : undefined} onClick={() => seek(f, key)}>
              <div><strong>{f.message}</strong></div>
              <div className="small muted">
                {jointLabel(t, f.joint)} · {f.phase_label} · <span className="mono">{fmtDuration(f.t_start)}</span>
                {report.reps && report.reps.items.length > 1 && (f.reps ?? []).length > 0 && <> · {t("pose.inReps", { reps: (f.reps ?? []).join(", ") })}</>}
              </div>
              <div className="small muted">{t("pose.measured", { m: Math.round(f.measured_deg), r: Math.round(f.reference_deg) })}</div>
            </button>
          </li>
        );
      })}
    </ul>
  );

  return (
    <div className="stack">
      <div>
        <h1 style={{ marginBottom: 4 }}>{report.reference.name}</h1>
        <p className="small muted" style={{ margin: 0 }}>{report.technique_label}</p>
      </div>
      <div style={{ display: "grid", gap: "var(--space-5)", gridTemplateColumns: "repeat(auto-fit, minmax(min(100%, 420px), 1fr))" }}>
        {/* Phone first: score, what to work on, warnings, match, tempo, repetitions; then the player. */}
        <div className="stack">
          <section className="panel" aria-labelledby="score-h">
            <h2 id="score-h" className="label">{t("pose.score")}</h2>
            {score != null ? (
              <p className="score" style={{ color: score >= 80 ? "var(--ok)" : score >= 50 ? "var(--warn)" : "var(--danger)" }}>{t("pose.scoreOf", { score })}</p>
            ) : (
              <p className="score muted">{t("pose.notScored")}</p>
            )}
            {notMovement && report.match && <div className="alert alert-warn" role="alert">{report.match.message}</div>}
          </section>
          {top.length > 0 && (
            <section aria-labelledby="cues-h">
              <h2 id="cues-h">{t("pose.topCues")}</h2>
              <p className="small muted">{t("pose.feedbackHint")}</p>
              {cueList(top, "top")}
            </section>
          )}
          {scored && report.feedback.length === 0 && <p>{t("pose.noFeedback")}</p>}
          {report.warnings.length > 0 && (
            <section aria-labelledby="warn-h">
              <h2 id="warn-h">{t("pose.warnings")}</h2>
              <ul className="stack" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {report.warnings.map((w) => <li key={w.code + w.message} className="alert alert-warn small">{w.message}</li>)}
              </ul>
            </section>
          )}
          {report.match && (
            <section className="panel" aria-labelledby="match-h">
              <h2 id="match-h" className="label">{t("pose.matchTitle")}</h2>
              <p style={{ margin: 0 }}>{report.match.same_movement ? report.match.message : t("pose.notTheMovement")}</p>
              <p className="small muted" style={{ margin: 0 }}>{t("pose.confidence", { pct: Math.round(report.match.confidence * 100) })}</p>
            </section>
          )}
          {report.tempo && (
            <section className="panel" aria-labelledby="tempo-h">
              <h2 id="tempo-h" className="label">{t("pose.tempo")}</h2>
              <p style={{ margin: 0 }}>{report.tempo.message}</p>
            </section>
          )}
          {report.reps && report.reps.items.length > 0 && (report.reps.items.length > 1 || report.reps.reference > 1) && (
            <section aria-labelledby="reps-h">
              <h2 id="reps-h">{t("pose.reps")}</h2>
              <p className="small muted">{t("pose.repsSummary", { reference: report.reps.reference, attempt: report.reps.attempt })}</p>
              <div className="table-wrap">
                <table className="table">
                  <thead><tr><th scope="col">{t("pose.rep")}</th><th scope="col">{t("pose.score")}</th><th scope="col">{t("pose.when")}</th></tr></thead>
                  <tbody>
                    {report.reps.items.map((r) => (
                      <tr key={r.index}>
                        <td>{r.index}</td>
                        <td>{Math.round(r.score)}</td>
                        <td><button className="btn btn-sm" onClick={() => { if (video.current) video.current.currentTime = r.t_start; }}>{fmtDuration(r.t_start)}</button></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          )}
          {(report.mirrored || report.notes.length > 0) && (
            <section aria-label={t("pose.notes")}>
              {report.mirrored && !report.notes.some((n) => n.code === "mirrored") && <p className="small">{t("pose.mirrored")}</p>}
              {report.notes.map((n) => <p key={n.code + n.message} className="small muted">{n.message}</p>)}
              {report.mean_abs_error_deg != null && scored && <p className="small muted">{t("pose.meanError", { deg: report.mean_abs_error_deg.toFixed(1) })}</p>}
            </section>
          )}
        </div>
        <div className="stack">
          {report.overlay_url ? <SideBySidePlayer ref={video} src={report.overlay_url} /> : <p className="muted">{t("pose.noOverlay")}</p>}
          {rest.length > 0 && (
            <details className="panel">
              <summary>{t("pose.moreCues", { count: rest.length })}</summary>
              {cueList(rest, "more")}
            </details>
          )}
          {report.phases.length > 0 && (
            <section aria-labelledby="phases-h">
              <h2 id="phases-h">{t("pose.phases")}</h2>
              <ul className="row" style={{ listStyle: "none", padding: 0 }}>
                {report.phases.map((p) => (
                  <li key={p.name}>
                    <button className="btn btn-sm" onClick={() => { if (video.current) video.current.currentTime = p.attempt_t_start; }}>
                      {p.label} · {fmtDuration(p.attempt_t_start)}
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          )}
          {report.plots.length > 0 && (
            <section aria-labelledby="plots-h">
              <h2 id="plots-h">{t("pose.plots")}</h2>
              <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(min(100%, 280px), 1fr))" }}>
                {report.plots.map((p) => (
                  <figure key={p.joint} className="panel" style={{ margin: 0 }}>
                    <img src={p.url} alt={t("pose.plotAlt", { joint: jointLabel(t, p.joint) })} loading="lazy" style={{ width: "100%", background: "#fff", borderRadius: 4 }} />
                    <figcaption className="small muted">{jointLabel(t, p.joint)}</figcaption>
                  </figure>
                ))}
              </div>
            </section>
          )}
        </div>
      </div>
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
    </div>
  );
}

/** The side-by-side video (reference | attempt) with slow motion, loop and mirror. */
const SideBySidePlayer = forwardRef<HTMLVideoElement, { src: string }>(function SideBySidePlayer({ src }, ref) {
  const { t } = useI18n();
  const inner = useRef<HTMLVideoElement | null>(null);
  const [speed, setSpeed] = useState<number>(1);
  const [loop, setLoop] = useState(false);
  const [mirror, setMirror] = useState(false);
  const setRefs = (el: HTMLVideoElement | null) => {
    inner.current = el;
    if (typeof ref === "function") ref(el);
    else if (ref) ref.current = el;
  };
  useEffect(() => {
    if (inner.current) inner.current.playbackRate = speed;
  }, [speed]);
  return (
    <section aria-labelledby="player-h" className="stack">
      <h2 id="player-h" className="label">{t("pose.sideBySide")}</h2>
      <div className="player">
        <video
          ref={setRefs}
          src={src}
          controls
          playsInline
          preload="metadata"
          loop={loop}
          aria-label={t("pose.overlay")}
          style={{ width: "100%", transform: mirror ? "scaleX(-1)" : undefined }}
        />
      </div>
      <div className="row" role="group" aria-label={t("pose.playerControls")}>
        <label className="small" htmlFor="speed">{t("pose.speed")}</label>
        <select id="speed" className="input" style={{ width: "auto" }} value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
          {SPEEDS.map((s) => <option key={s} value={s}>{s === 1 ? t("pose.normalSpeed") : `${s}×`}</option>)}
        </select>
        <label className="checkbox small"><input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} /> {t("pose.loop")}</label>
        <label className="checkbox small"><input type="checkbox" checked={mirror} onChange={(e) => setMirror(e.target.checked)} /> {t("pose.mirror")}</label>
      </div>
    </section>
  );
});
