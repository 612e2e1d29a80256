import { useEffect, useRef, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { errorMessage } from "../../lib/errors";
import { useDocumentTitle } from "../../lib/hooks";
import { Progress } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import { MetadataForm, type VideoMeta } from "./MetadataForm";
import { uploadVideoFile } from "../../upload/videoUpload";
import { fingerprint, findPending, listPending } from "../../upload/resumeStore";
import type { PutPart } from "../../upload/multipart";

const fmtBytes = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(1)} MB`);

/** `put` is injectable for tests; the browser uses XHR (upload progress events). */
export default function UploadPage({ put }: { put?: PutPart }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const nav = useNavigate();
  const [params] = useSearchParams();
  const [videoId, setVideoId] = useState<string | null>(params.get("video"));
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const abort = useRef<AbortController | null>(null);
  useDocumentTitle(t("studio.uploadTitle"));
  useEffect(() => () => abort.current?.abort(), []);

  const resumeHint = videoId ? listPending().find((p) => p.resourceId === videoId) : null;
  const resumingFile = file ? findPending(fingerprint(file)) : null;

  async function go(meta: VideoMeta | null) {
    if (!file) {
      setError(t("auth.required"));
      return;
    }
    setError(null);
    setBusy(true);
    const ctl = new AbortController();
    abort.current = ctl;
    try {
      let id = videoId ?? resumingFile?.resourceId ?? null;
      if (!id) {
        if (!meta?.title || !meta.discipline) throw new Error("metadata required");
        // The upload form carries the price and the trailer choice: the instructor submits the
        // processed video for review with them (nothing goes to review by itself).
        const v = await call(
          api.client.POST("/api/v1/videos", {
            body: { title: meta.title, discipline: meta.discipline, description: meta.description ?? "", style: meta.style ?? null, level: meta.level ?? "all_levels", tags: meta.tags ?? [],
              language: meta.language ?? "en", price_cents: meta.price_cents ?? null, rental_price_cents: meta.rental_price_cents ?? null,
              rental_hours: meta.rental_hours ?? null, currency: meta.currency ?? "EUR", subscription_included: meta.subscription_included ?? false,
              trailer_mode: meta.trailer_mode ?? "auto", trailer_start_s: meta.trailer_start_s ?? null, trailer_end_s: meta.trailer_end_s ?? null },
          }),
        );
        id = v.id;
        setVideoId(id);
      }
      await uploadVideoFile({ api, videoId: id, file, signal: ctl.signal, put, onProgress: (done, total) => setProgress({ done, total }) });
      toast.push(t("studio.uploadDone"), "success");
      nav(`/studio/videos/${id}`);
    } catch (e) {
      if (e instanceof DOMException && e.name === "AbortError") setError(t("studio.cancelled"));
      else setError(t("studio.uploadFailed", { msg: errorMessage(t, e) }));
    } finally {
      setBusy(false);
      abort.current = null;
    }
  }

  const pct = progress ? (progress.done / Math.max(1, progress.total)) * 100 : 0;
  const fileInput = (
    <div className="field">
      <label htmlFor="video-file">{t("studio.file")}</label>
      <input id="video-file" type="file" accept="video/*,.mkv,.mov,.mp4" className="input" disabled={busy}
        aria-describedby="video-file-hint" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      <span id="video-file-hint" className="field-hint">{t("studio.fileHint")}</span>
    </div>
  );

  return (
    <div className="stack">
      <h1>{t("studio.uploadTitle")}</h1>
      {resumeHint && !file && (
        <div className="alert alert-warn" role="status">
          {t("studio.resumeFound", { name: resumeHint.fileName, pct: Math.round(((Object.keys(resumeHint.parts).length * resumeHint.partSize) / Math.max(1, resumeHint.size)) * 100) })}
        </div>
      )}
      {resumingFile && !busy && <div className="alert alert-ok" role="status">{t("studio.resuming")}</div>}
      {error && <div className="alert alert-error" role="alert">{error}</div>}
      {progress && (
        <div className="panel stack" aria-live="polite">
          <Progress value={pct} label={t("studio.progressLabel")} />
          <div className="row small">
            <span>{t("studio.uploading", { pct: Math.floor(pct) })}</span>
            <span className="muted">{t("studio.uploaded", { done: fmtBytes(progress.done), total: fmtBytes(progress.total) })}</span>
            <span className="spacer" />
            {busy && <button className="btn btn-sm" onClick={() => abort.current?.abort()}>{t("studio.cancel")}</button>}
          </div>
        </div>
      )}
      {videoId || resumingFile ? (
        <div className="panel">
          {fileInput}
          <button className="btn btn-primary" disabled={busy || !file} onClick={() => go(null)}>{t("studio.start")}</button>
        </div>
      ) : (
        <div className="panel">
          {fileInput}
          <MetadataForm initial={{}} busy={busy} submitLabel={t("studio.start")} onSubmit={(m) => go(m)} />
        </div>
      )}
    </div>
  );
}
