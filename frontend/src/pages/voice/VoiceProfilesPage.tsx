import { useState } from "react";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad } from "../../lib/hooks";
import { ErrorState, Field, Progress, SkeletonLines, StatusBadge } from "../../components/ui";
import { Recorder } from "./Recorder";
import { ACTIVE, uploadSample, useJobEvents, type Profile } from "./voice";

/** The instructor's voices: consent, record or upload 1-5 minutes, the check, revoke. */
export default function VoiceProfilesPage() {
  const { t } = useI18n();
  const { api } = useAuth();
  useDocumentTitle(t("voice.profilesTitle"));
  const profiles = useLoad(() => call(api.client.GET("/api/v1/voice/profiles")), [api]);
  const consent = useLoad(() => call(api.client.GET("/api/v1/voice/consent")), [api]);
  const [name, setName] = useState("");
  const [agreed, setAgreed] = useState(false);
  const create = useAction(async () => {
    await call(api.client.POST("/api/v1/voice/profiles", { body: { name, consent: agreed } }));
    setName("");
    setAgreed(false);
    profiles.reload();
  });

  return (
    <div className="stack">
      <h1>{t("voice.profilesTitle")}</h1>
      <p className="muted">{t("voice.profilesIntro")}</p>
      <form
        className="card stack"
        aria-label={t("voice.newProfile")}
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2>{t("voice.newProfile")}</h2>
        <Field label={t("voice.name")} value={name} onChange={(e) => setName(e.target.value)} required maxLength={120} />
        <blockquote className="small">{consent.data?.text ?? "…"}</blockquote>
        <label className="row small">
          <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} />
          {t("voice.consentAgree")}
        </label>
        {create.error && <p className="field-error" role="alert">{create.error}</p>}
        <button className="btn btn-primary" disabled={!agreed || !name.trim() || create.busy}>{t("voice.create")}</button>
      </form>
      {profiles.error ? (
        <ErrorState message={profiles.error} onRetry={profiles.reload} />
      ) : !profiles.data ? (
        <SkeletonLines />
      ) : profiles.data.length === 0 ? (
        <p className="muted">{t("voice.noProfiles")}</p>
      ) : (
        profiles.data.map((p) => <ProfileCard key={p.id} profile={p} onChange={profiles.reload} />)
      )}
    </div>
  );
}

function ProfileCard({ profile, onChange }: { profile: Profile; onChange: () => void }) {
  const { t, fmtDuration } = useI18n();
  const { api } = useAuth();
  const [sent, setSent] = useState<number | null>(null);
  const live = useJobEvents(api, ACTIVE.has(profile.status) && profile.status !== "uploading" ? `/api/v1/voice/profiles/${profile.id}/events` : null, onChange);
  const path = { params: { path: { profile_id: profile.id } } };
  const add = useAction(async (take: Blob, filename: string) => {
    setSent(0);
    await uploadSample(api, profile.id, take, filename, setSent);
    setSent(null);
    onChange();
  });
  const check = useAction(async () => {
    await call(api.client.POST("/api/v1/voice/profiles/{profile_id}/check", path));
    onChange();
  });
  const revoke = useAction(async () => {
    if (!window.confirm(t("voice.revokeConfirm", { name: profile.name }))) return;
    await call(api.client.DELETE("/api/v1/voice/profiles/{profile_id}", path));
    onChange();
  });
  const editable = profile.status === "uploading" || profile.status === "failed";
  const status = live?.status ?? profile.status;

  return (
    <section className="card stack" aria-label={profile.name}>
      <div className="row">
        <h2>{profile.name}</h2>
        <StatusBadge status={status} />
        <span className="spacer" />
        <button className="btn btn-danger btn-sm" onClick={() => void revoke.run()} disabled={revoke.busy}>{t("voice.revoke")}</button>
      </div>
      {profile.consent_given_at && <p className="small muted">{t("voice.consentGiven", { date: new Date(profile.consent_given_at).toLocaleString() })}</p>}
      {live && ACTIVE.has(live.status) && <Progress value={live.percent} label={t(`voice.stage.${live.stage ?? "queued"}`)} />}
      {profile.reasons.length > 0 && (
        <ul className="field-error" aria-label={t("voice.reasons")}>
          {profile.reasons.map((r) => <li key={r}>{r}</li>)}
        </ul>
      )}
      {status === "ready" && (
        <p className="small">{t("voice.readySummary", { speech: fmtDuration(profile.speech_s ?? 0), low: Math.round(profile.f0_min_hz ?? 0), high: Math.round(profile.f0_max_hz ?? 0) })}</p>
      )}
      <ul className="small">
        {profile.samples.map((s) => <li key={s.id}>{s.filename} · {Math.round(s.size_bytes / 1024)} KiB {s.uploaded_at ? "" : `(${t("voice.uploading")})`}</li>)}
      </ul>
      {editable && (
        <>
          <Recorder onDone={(take) => void add.run(take, `take-${profile.samples.length + 1}.webm`)} />
          <label className="small">
            {t("voice.uploadFile")}
            <input type="file" accept="audio/*,video/webm" onChange={(e) => { const f = e.target.files?.[0]; if (f) void add.run(f, f.name); }} />
          </label>
          {sent != null && <Progress value={sent * 100} label={t("voice.uploading")} />}
          {add.error && <p className="field-error" role="alert">{add.error}</p>}
          {check.error && <p className="field-error" role="alert">{check.error}</p>}
          <p className="small muted">{t("voice.lengthHint")}</p>
          <button className="btn btn-primary" onClick={() => void check.run()} disabled={check.busy || profile.samples.length === 0}>{t("voice.check")}</button>
        </>
      )}
    </section>
  );
}
