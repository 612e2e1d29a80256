import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { CaptionsEditor } from "../knowledge/CaptionsEditor";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { reasonLabel, stageLabel } from "../../lib/serverWords";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, Progress, SkeletonLines, StatusBadge } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import { MetadataForm, type VideoMeta } from "./MetadataForm";
import { OwnerPreview } from "./OwnerPreview";
import { openEventStream } from "../../lib/sse";
import { ApiError, toApiError } from "@mamc/shared/api/errors";
import { isOwnerView, type OwnerVideo } from "@mamc/shared/api/types";

const TERMINAL = new Set(["failed", "ready", "in_review", "published", "rejected", "unpublished", "archived", "draft"]);
const SUBMITTABLE = ["ready", "rejected", "unpublished"];

export default function StudioVideoPage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const loadOwned = async (): Promise<OwnerVideo> => {
    const got = await call(api.client.GET("/api/v1/videos/{video_id}", { params: { path: { video_id: id } } }));
    if (!isOwnerView(got)) throw new ApiError(403, "forbidden", "Not your video");
    return got;
  };
  const video = useLoad(loadOwned, [api, id]);
  const v = video.data;
  const [live, setLive] = useState<{ status?: string; percent?: number; stage?: string | null } | null>(null);
  useDocumentTitle(v?.title);

  const status = live?.status ?? v?.status;
  const watching = !!status && !TERMINAL.has(status);

  // Processing progress over SSE; polling the video while the stream is down.
  useEffect(() => {
    if (!watching) return;
    let st = status;
    return openEventStream({
      fetch: (p, init) => api.raw(p, init),
      path: `/api/v1/videos/${id}/events`,
      onEvent: (e) => {
        try {
          const d = JSON.parse(e.data) as { status?: string; percent?: number; progress_percent?: number; stage?: string | null; progress_stage?: string | null };
          const next = { status: d.status, percent: d.percent ?? d.progress_percent, stage: d.stage ?? d.progress_stage };
          if (next.status) st = next.status;
          setLive((old) => ({ ...old, ...Object.fromEntries(Object.entries(next).filter(([, x]) => x !== undefined)) }));
          if (next.status && TERMINAL.has(next.status)) video.reload();
        } catch {
          /* ignore keep-alives / non-JSON */
        }
      },
      poll: async () => {
        const fresh = await loadOwned();
        st = fresh.status;
        setLive({ status: fresh.status, percent: fresh.progress.percent, stage: fresh.progress.stage });
        if (TERMINAL.has(fresh.status)) video.setData(fresh);
      },
      done: () => !!st && TERMINAL.has(st),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [watching, api, id]);

  const nav = useNavigate();
  const history = useLoad(() => call(api.client.GET("/api/v1/videos/{video_id}/history", { params: { path: { video_id: id } } })), [api, id, status]);
  const act = useAction(async (kind: "submit" | "unpublish" | "delete" | "abort" | "withdraw") => {
    const path = { params: { path: { video_id: id } } };
    if (kind === "delete") {
      if (!window.confirm(t("studio.deleteConfirm", { title: video.data?.title ?? "" }))) return null;
      await call(api.client.DELETE("/api/v1/videos/{video_id}", path));
      toast.push(t("studio.deleted"), "success");
      nav("/studio");
      return null;
    }
    const out =
      kind === "submit"
        ? await call(api.client.POST("/api/v1/videos/{video_id}/submit", path))
        : kind === "unpublish"
          ? await call(api.client.POST("/api/v1/videos/{video_id}/unpublish", { ...path, body: null }))
          : kind === "withdraw"
            ? await call(api.client.DELETE("/api/v1/videos/{video_id}/pending-edit", path))
            : await call(api.client.DELETE("/api/v1/videos/{video_id}/upload", path));
    video.setData(out);
    setLive(null);
    if (kind === "submit") toast.push(t("studio.submitted"), "success");
    if (kind === "unpublish") toast.push(t("studio.unpublishedOk"), "success");
    if (kind === "withdraw") toast.push(t("studio.editWithdrawn"), "success");
    return out;
  });
  const poster = useAction(async (file: File) => {
    const res = await api.raw(`/api/v1/videos/${id}/poster`, { method: "PUT", headers: { "Content-Type": file.type }, body: file });
    if (!res.ok) throw toApiError(res.status, await res.json().catch(() => null));
    const out = (await res.json()) as OwnerVideo;
    video.setData(out);
    toast.push(t(out.pending_edit?.poster_url ? "studio.editPending" : "studio.posterSaved"), "success");
    return true;
  });

  const save = useAction(async (m: VideoMeta) => {
    const out = await call(api.client.PATCH("/api/v1/videos/{video_id}", { params: { path: { video_id: id } }, body: m }));
    video.setData(out);
    toast.push(t(out.pending_edit ? "studio.editPending" : "studio.savedMeta"), "success");
    return out;
  });

  if (video.error) return <ErrorState message={video.error} onRetry={video.reload} />;
  if (!v) return <SkeletonLines lines={8} />;
  const percent = live?.percent ?? v.progress.percent;
  const stage = live?.stage ?? v.progress.stage;
  const pending = v.pending_edit;
  // The form edits the version waiting for review when there is one.
  const editable = pending
    ? { ...v, ...Object.fromEntries(pending.changed.filter((k) => k !== "poster").map((k) => [k, pending[k as keyof typeof pending]])) }
    : v;

  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>{v.title}</h1>
        <StatusBadge status={status ?? v.status} />
        <span className="spacer" />
        {status === "published" && <Link to={`/videos/${v.id}`}>{t("studio.view")}</Link>}
      </div>
      {(status === "processing" || status === "uploading") && (
        <section className="panel stack" aria-labelledby="proc-h" aria-live="polite">
          <h2 id="proc-h" className="label">{t("studio.processing")}</h2>
          <Progress value={percent ?? 0} label={t("studio.processingLabel")} />
          <p className="small muted" style={{ margin: 0 }}>
            {percent ?? 0}% {stage ? `· ${t("studio.stage", { stage: stageLabel(t, stage) })}` : ""}
          </p>
        </section>
      )}
      {status === "uploading" && <Link className="btn" to={`/studio/upload?video=${v.id}`}>{t("studio.upload")}</Link>}
      {status === "draft" && <Link className="btn btn-primary" to={`/studio/upload?video=${v.id}`}>{t("studio.upload")}</Link>}
      {status === "failed" && v.failure_reason && <div className="alert alert-error">{t("studio.failure", { reason: reasonLabel(t, v.failure_reason) })}</div>}
      {status === "rejected" && v.rejection_reason && <div className="alert alert-error">{t("studio.rejected", { reason: v.rejection_reason })}</div>}
      {status === "ready" && <div className="alert alert-ok" role="status">{t("studio.readyHint")}</div>}
      {pending && (
        <section className="alert alert-warn stack" aria-labelledby="pending-h">
          <h2 id="pending-h" className="label" style={{ margin: 0 }}>{t("studio.editPendingTitle")}</h2>
          <p style={{ margin: 0 }}>{t("studio.editPendingBody", { fields: pending.changed.map((k) => t(`studio.fields.${k}`)).join(", ") })}</p>
          <div><button className="btn btn-sm" disabled={act.busy} onClick={() => act.run("withdraw")}>{t("studio.withdrawEdit")}</button></div>
        </section>
      )}
      <OwnerPreview video={{ ...v, status: status ?? v.status }} />
      {!pending && v.edit_rejection_reason && <div className="alert alert-error">{t("studio.editRejected", { reason: v.edit_rejection_reason })}</div>}
      <section className="panel stack" aria-labelledby="act-h">
        <h2 id="act-h" className="label">{t("studio.actions")}</h2>
        {act.error && <div className="alert alert-error" role="alert">{act.error}</div>}
        <div className="row">
          {SUBMITTABLE.includes(status ?? "") && <button className="btn btn-primary" disabled={act.busy} onClick={() => act.run("submit")}>{t("studio.submit")}</button>}
          {status === "published" && <button className="btn" disabled={act.busy} onClick={() => act.run("unpublish")}>{t("studio.unpublish")}</button>}
          {status === "uploading" && <button className="btn" disabled={act.busy} onClick={() => act.run("abort")}>{t("studio.abortUpload")}</button>}
          <span className="spacer" />
          <button className="btn btn-danger" disabled={act.busy} onClick={() => act.run("delete")}>{t("studio.delete")}</button>
        </div>
        <div className="field" style={{ margin: 0 }}>
          <label htmlFor="poster-file">{t("studio.poster")}</label>
          <div className="row">
            {v.poster_url && <img src={v.poster_url} alt="" style={{ width: 120, borderRadius: 6 }} />}
            <input id="poster-file" type="file" accept="image/jpeg,image/png" className="input" style={{ flex: 1 }} aria-describedby="poster-hint"
              disabled={poster.busy} onChange={(e) => { const f = e.target.files?.[0]; if (f) void poster.run(f); }} />
          </div>
          <span id="poster-hint" className="field-hint">{t("studio.posterHint")}</span>
          {poster.error && <span className="field-error">{poster.error}</span>}
        </div>
      </section>
      <section className="card" aria-labelledby="meta-h">
        <h2 id="meta-h">{t("studio.metadata")}</h2>
        {save.error && <div className="alert alert-error" role="alert">{save.error}</div>}
        {status === "published" && <p className="small muted">{t("studio.publishedEditHint")}</p>}
        <MetadataForm key={`${v.id}-${pending?.submitted_at ?? ""}`} initial={editable} busy={save.busy} submitLabel={t("common.save")} onSubmit={(m) => save.run(m)} />
      </section>
      {(status === "published" || status === "unpublished") && <CaptionsEditor videoId={v.id} />}
      {history.data && history.data.length > 0 && (
        <section aria-labelledby="hist-h">
          <h2 id="hist-h">{t("studio.history")}</h2>
          <ol className="small" style={{ paddingLeft: 18 }}>
            {history.data.map((h, i) => (
              <li key={i}>
                {h.from_status ? `${t(`status.${h.from_status}`)} → ` : ""}<strong>{t(`status.${h.to_status}`)}</strong> · {new Date(h.created_at).toLocaleString()}
                {h.reason ? ` — ${h.reason}` : ""}
              </li>
            ))}
          </ol>
        </section>
      )}
    </div>
  );
}
