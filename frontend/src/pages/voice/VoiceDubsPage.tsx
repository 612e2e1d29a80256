import { useState } from "react";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { reasonLabel } from "../../lib/serverWords";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, Progress, SelectField, SkeletonLines, StatusBadge } from "../../components/ui";
import { ACTIVE, useJobEvents, type Dub } from "./voice";

interface Quality { similarity?: number | null; wer?: number | null; timing?: number | null; loudness_lufs?: number | null; flags?: string[] }
interface Segment { id: number; start: number; end: number; text?: string | null; source_text?: string; status: string; audio?: string | null; quality?: Quality | null }
interface Report { quality: Quality & { flagged?: number; segments?: number }; segments: Segment[] }

const SIMILARITY_MIN = 0.75;
const pct = (x: number | null | undefined) => (x == null ? "—" : `${Math.round(x * 100)}%`);

/** Dub a published video into it/en in one of your voices; review, fix and publish it. */
export default function VoiceDubsPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("voice.dubsTitle"));
  const dubs = useLoad(() => call(api.client.GET("/api/v1/voice/dubs")), [api]);
  const profiles = useLoad(() => call(api.client.GET("/api/v1/voice/profiles")), [api]);
  const videos = useLoad(() => call(api.client.GET("/api/v1/videos/mine", { params: { query: { limit: 100 } } })), [api]);
  const [videoId, setVideoId] = useState("");
  const [profileId, setProfileId] = useState("");
  const [language, setLanguage] = useState<"it" | "en">("it");
  const [script, setScript] = useState<Record<string, unknown> | null>(null);
  const [scriptError, setScriptError] = useState<string | null>(null);
  const request = useAction(async () => {
    await call(api.client.POST("/api/v1/voice/dubs", { body: { video_id: videoId, profile_id: profileId, language, script } }));
    dubs.reload();
  });
  const ready = (profiles.data ?? []).filter((p) => p.status === "ready");
  const published = (videos.data?.items ?? []).filter((v) => v.status === "published");

  async function readScript(file: File) {
    try {
      setScript(JSON.parse(await file.text()) as Record<string, unknown>);
      setScriptError(null);
    } catch {
      setScript(null);
      setScriptError(t("voice.scriptNotJson"));
    }
  }

  return (
    <div className="stack">
      <h1>{t("voice.dubsTitle")}</h1>
      <form className="card stack" aria-label={t("voice.newDub")} onSubmit={(e) => { e.preventDefault(); void request.run(); }}>
        <h2>{t("voice.newDub")}</h2>
        <SelectField label={t("voice.video")} value={videoId} onChange={(e) => setVideoId(e.target.value)} required>
          <option value="">—</option>
          {published.map((v) => <option key={v.id} value={v.id}>{v.title}</option>)}
        </SelectField>
        <SelectField label={t("voice.profile")} value={profileId} onChange={(e) => setProfileId(e.target.value)} required>
          <option value="">—</option>
          {ready.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
        </SelectField>
        <SelectField label={t("voice.language")} value={language} onChange={(e) => setLanguage(e.target.value as "it" | "en")}>
          <option value="it">Italiano</option>
          <option value="en">English</option>
        </SelectField>
        <label className="small">
          {t("voice.script")}
          <input type="file" accept="application/json,.json" onChange={(e) => { const f = e.target.files?.[0]; if (f) void readScript(f); }} />
        </label>
        <p className="small muted">{t("voice.scriptHint")}</p>
        {scriptError && <p className="field-error" role="alert">{scriptError}</p>}
        {request.error && <p className="field-error" role="alert">{request.error}</p>}
        <button className="btn btn-primary" disabled={!videoId || !profileId || request.busy}>{t("voice.requestDub")}</button>
      </form>
      {dubs.error ? (
        <ErrorState message={dubs.error} onRetry={dubs.reload} />
      ) : !dubs.data ? (
        <SkeletonLines />
      ) : dubs.data.length === 0 ? (
        <p className="muted">{t("voice.noDubs")}</p>
      ) : (
        dubs.data.map((d) => <DubCard key={d.id} dub={d} title={published.find((v) => v.id === d.video_id)?.title} onChange={dubs.reload} />)
      )}
    </div>
  );
}

export function DubCard({ dub, title, onChange }: { dub: Dub; title?: string; onChange: () => void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const live = useJobEvents(api, ACTIVE.has(dub.status) ? `/api/v1/voice/dubs/${dub.id}/events` : null, onChange);
  const path = { params: { path: { dub_id: dub.id } } };
  const publish = useAction(async (on: boolean) => {
    await call(api.client.POST("/api/v1/voice/dubs/{dub_id}/publish", { ...path, body: { publish: on } }));
    onChange();
  });
  const report = dub.report as Report | null;
  const status = live?.status ?? dub.status;
  const languageName = dub.language === "it" ? "Italiano" : "English";

  return (
    <section className="card stack" aria-label={`${title ?? dub.video_id} · ${languageName}`}>
      <div className="row">
        <h2>{title ?? dub.video_id} · {languageName}</h2>
        <StatusBadge status={status} />
        {dub.published && <span className="badge badge-ok">{t("voice.published")}</span>}
        <span className="spacer" />
        {status === "ready" && (
          <button className="btn btn-sm" onClick={() => void publish.run(!dub.published)} disabled={publish.busy}>
            {dub.published ? t("voice.unpublish") : t("voice.publish")}
          </button>
        )}
      </div>
      {live && ACTIVE.has(live.status) && <Progress value={live.percent} label={t(`voice.stage.${live.stage ?? "queued"}`)} />}
      {ACTIVE.has(status) && !live && <Progress value={dub.progress} label={t(`voice.stage.${dub.stage}`)} />}
      {status === "failed" && dub.failure_reason && <p className="field-error">{reasonLabel(t, dub.failure_reason)}</p>}
      {publish.error && <p className="field-error" role="alert">{publish.error}</p>}
      {report && status === "ready" && <QualityReport dubId={dub.id} report={report} onChange={onChange} />}
    </section>
  );
}

export function QualityChart({ segments }: { segments: Segment[] }) {
  const { t } = useI18n();
  const width = Math.max(120, segments.length * 28);
  const height = 80;
  const bar = width / Math.max(1, segments.length);
  const y = (v: number) => height - v * height;
  return (
    <svg role="img" aria-label={t("voice.chart")} viewBox={`0 0 ${width} ${height + 14}`} style={{ maxWidth: 480, width: "100%" }}>
      {segments.map((s, k) => {
        const sim = s.quality?.similarity ?? 0;
        const flagged = (s.quality?.flags ?? []).length > 0;
        return (
          <g key={s.id}>
            <rect x={k * bar + 2} y={y(sim)} width={bar / 2 - 2} height={height - y(sim)} fill={flagged ? "#c0392b" : "#2e86de"}>
              <title>{`#${s.id + 1} ${t("voice.similarity")} ${pct(sim)}`}</title>
            </rect>
            <rect x={k * bar + bar / 2} y={y(Math.min(1, s.quality?.wer ?? 0))} width={bar / 2 - 2} height={height - y(Math.min(1, s.quality?.wer ?? 0))} fill="#999">
              <title>{`#${s.id + 1} WER ${pct(s.quality?.wer)}`}</title>
            </rect>
            <text x={k * bar + bar / 2} y={height + 12} fontSize="9" textAnchor="middle">{s.id + 1}</text>
          </g>
        );
      })}
      <line x1={0} x2={width} y1={y(SIMILARITY_MIN)} y2={y(SIMILARITY_MIN)} stroke="#c0392b" strokeDasharray="3 3" />
    </svg>
  );
}

function QualityReport({ dubId, report, onChange }: { dubId: string; report: Report; onChange: () => void }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const q = report.quality;
  return (
    <div className="stack">
      <p className="small">
        {t("voice.overall", { similarity: pct(q.similarity), wer: pct(q.wer), lufs: q.loudness_lufs?.toFixed(1) ?? "—", flagged: q.flagged ?? 0, segments: q.segments ?? report.segments.length })}
      </p>
      <QualityChart segments={report.segments} />
      <p className="small muted">{t("voice.chartLegend")}</p>
      <table className="table">
        <caption className="sr-only">{t("voice.report")}</caption>
        <thead>
          <tr>
            <th>#</th><th>{t("voice.text")}</th><th>{t("voice.similarity")}</th><th>WER</th>
            <th>{t("voice.timing")}</th><th>{t("voice.flags")}</th><th />
          </tr>
        </thead>
        <tbody>
          {report.segments.map((s) => <SegmentRow key={s.id} api={api} dubId={dubId} segment={s} onChange={onChange} />)}
        </tbody>
      </table>
    </div>
  );
}

function SegmentRow({ api, dubId, segment, onChange }: { api: ReturnType<typeof useAuth>["api"]; dubId: string; segment: Segment; onChange: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(segment.text ?? "");
  const path = { params: { path: { dub_id: dubId, segment_id: segment.id } } };
  const play = useAction(async () => {
    const { url } = await call(api.client.GET("/api/v1/voice/dubs/{dub_id}/segments/{segment_id}/audio", path));
    await new Audio(url).play();
  });
  const redo = useAction(async () => {
    await call(api.client.POST("/api/v1/voice/dubs/{dub_id}/segments/{segment_id}/redo", { ...path, body: { text } }));
    setEditing(false);
    onChange();
  });
  const flags = segment.quality?.flags ?? [];
  return (
    <tr className={flags.length ? "row-flagged" : undefined}>
      <td>{segment.id + 1}</td>
      <td>
        {editing ? (
          <textarea aria-label={t("voice.editText")} value={text} onChange={(e) => setText(e.target.value)} rows={2} />
        ) : (
          segment.text ?? <em>{t("voice.untranslated")}</em>
        )}
        {redo.error && <p className="field-error" role="alert">{redo.error}</p>}
      </td>
      <td>{pct(segment.quality?.similarity)}</td>
      <td>{pct(segment.quality?.wer)}</td>
      <td>{segment.quality?.timing == null ? "—" : `${segment.quality.timing > 0 ? "+" : ""}${Math.round(segment.quality.timing * 100)}%`}</td>
      <td>{flags.map((f) => t(`voice.flag.${f.split(".").pop()}`)).join(", ")}</td>
      <td className="row">
        {segment.audio && <button className="btn btn-sm" onClick={() => void play.run()}>{t("voice.play")}</button>}
        {editing ? (
          <button className="btn btn-sm btn-primary" onClick={() => void redo.run()} disabled={redo.busy || !text.trim()}>{t("voice.resynthesize")}</button>
        ) : (
          <button className="btn btn-sm" onClick={() => setEditing(true)}>{t("voice.fix")}</button>
        )}
      </td>
    </tr>
  );
}
