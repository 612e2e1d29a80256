import { useRef, useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { call } from "../../api/client";
import { useI18n } from "../../i18n/i18n";
import { useAction, useDocumentTitle, useLoad, usePaged } from "../../lib/hooks";
import { ErrorState, Field, SelectField, SkeletonLines } from "../../components/ui";
import { useToast } from "../../components/Toasts";
import { Player, type PlayerHandle } from "../../player/Player";
import { JOINTS, jointLabel, r1, rangeError, TECHNIQUES, type Technique } from "./pose";
import { ReferenceRow } from "./ReferenceRow";

/** The instructor's references (cut from their published videos). */
export default function ReferencesPage() {
  const { t } = useI18n();
  const { api, user } = useAuth();
  useDocumentTitle(t("pose.references"));
  const refs = usePaged(
    (cursor) => call(api.client.GET("/api/v1/studio/references", { params: { query: { instructor_id: user!.id, limit: 20, cursor } } })),
    [api, user?.id],
  );
  return (
    <div className="stack">
      <div className="row">
        <h1 style={{ margin: 0 }}>{t("pose.references")}</h1>
        <span className="spacer" />
        <Link className="btn btn-primary" to="/studio/references/new">{t("pose.newReference")}</Link>
      </div>
      {refs.loading && <SkeletonLines lines={4} />}
      {refs.error && <ErrorState message={refs.error} onRetry={refs.reload} />}
      {!refs.loading && refs.items.length === 0 && <p className="muted">{t("pose.noReferences")}</p>}
      {refs.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr><th scope="col">{t("pose.name")}</th><th scope="col">{t("pose.technique")}</th><th scope="col">{t("studio.status")}</th><th scope="col">{t("pose.start")}</th><th scope="col">{t("pose.end")}</th><th scope="col">{t("studio.created")}</th><th scope="col">{t("web.refs.actions")}</th></tr></thead>
            <tbody>
              {refs.items.map((r) => (
                <ReferenceRow key={r.id} reference={r}
                  onChange={(next) => refs.setItems((xs) => xs.map((x) => (x.id === next.id ? next : x)))}
                  onDelete={(id) => refs.setItems((xs) => xs.filter((x) => x.id !== id))} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {refs.hasMore && <button className="btn" onClick={refs.loadMore}>{t("common.loadMore")}</button>}
    </div>
  );
}

/** Mark a time range on one of my published videos and name it. */
export function ReferenceMarkerPage() {
  const { t, fmtDuration } = useI18n();
  const { api } = useAuth();
  const toast = useToast();
  const nav = useNavigate();
  const [params, setParams] = useSearchParams();
  const videoId = params.get("video") ?? "";
  const player = useRef<PlayerHandle>(null);
  const [now, setNow] = useState(0);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [name, setName] = useState("");
  const [joints, setJoints] = useState<string[]>([]);
  const [technique, setTechnique] = useState<Technique>("general");
  const [touched, setTouched] = useState(false);
  useDocumentTitle(t("pose.newReference"));

  const published = useLoad(() => call(api.client.GET("/api/v1/videos/mine", { params: { query: { status: "published", limit: 100 } } })), [api]);
  const playback = useLoad(
    () => (videoId ? call(api.client.GET("/api/v1/videos/{video_id}/playback", { params: { path: { video_id: videoId } } })) : Promise.resolve(null)),
    [api, videoId],
  );
  const create = useAction((body: { video_id: string; name: string; t_start: number; t_end: number; joints: string[] | null; technique: Technique }) =>
    call(api.client.POST("/api/v1/studio/references", { body })),
  );

  const s = Number(start);
  const e = Number(end);
  const err = start !== "" && end !== "" ? rangeError(s, e, playback.data?.duration_s) : null;

  async function submit(ev: FormEvent) {
    ev.preventDefault();
    setTouched(true);
    if (!videoId || !name.trim() || start === "" || end === "" || err) return;
    const out = await create.run({ video_id: videoId, name: name.trim(), t_start: r1(s), t_end: r1(e), joints: joints.length ? joints : null, technique });
    if (out) {
      toast.push(t("pose.created"), "success");
      nav("/studio/references");
    }
  }

  return (
    <div className="stack">
      <h1>{t("pose.newReference")}</h1>
      {published.error && <ErrorState message={published.error} onRetry={published.reload} />}
      <SelectField label={t("pose.pickVideo")} value={videoId} onChange={(ev) => setParams(ev.target.value ? { video: ev.target.value } : {}, { replace: true })}>
        <option value="">—</option>
        {published.data?.items.map((v) => <option key={v.id} value={v.id}>{v.title}</option>)}
      </SelectField>
      {published.data && published.data.items.length === 0 && <p className="muted">{t("pose.noPublished")}</p>}
      {videoId && playback.error && <ErrorState message={playback.error} onRetry={playback.reload} />}
      {playback.data && (
        <>
          <p className="small muted">{t("pose.rangeHint")}</p>
          <Player ref={player} src={playback.data.url} poster={playback.data.poster_url} onTime={setNow}>
            <span className="small mono">{fmtDuration(now)}</span>
            <button type="button" className="btn btn-sm" onClick={() => setStart(String(r1(now)))}>⟦ {t("pose.markStart")}</button>
            <button type="button" className="btn btn-sm" onClick={() => setEnd(String(r1(now)))}>{t("pose.markEnd")} ⟧</button>
            <button type="button" className="btn btn-sm" disabled={start === ""} onClick={() => { player.current?.seek(s); void player.current?.play(); }}>▶ {t("pose.preview")}</button>
          </Player>
          <form className="panel" onSubmit={submit} noValidate>
            <Field label={t("pose.name")} placeholder={t("pose.namePlaceholder")} value={name} onChange={(ev) => setName(ev.target.value)} error={touched && !name.trim() ? t("auth.required") : null} maxLength={200} />
            <div className="row">
              <div style={{ flex: "1 1 140px" }}><Field label={t("pose.start")} type="number" step="0.1" min={0} value={start} onChange={(ev) => setStart(ev.target.value)} error={touched && start === "" ? t("auth.required") : null} /></div>
              <div style={{ flex: "1 1 140px" }}><Field label={t("pose.end")} type="number" step="0.1" min={0} value={end} onChange={(ev) => setEnd(ev.target.value)} error={err ? t(err) : touched && end === "" ? t("auth.required") : null} /></div>
            </div>
            {start !== "" && end !== "" && !err && <p className="small muted" role="status">{t("pose.selection", { start: fmtDuration(s), end: fmtDuration(e), len: r1(e - s) })}</p>}
            <SelectField label={t("pose.technique")} value={technique} onChange={(ev) => setTechnique(ev.target.value as Technique)}>
              {TECHNIQUES.map((k) => <option key={k} value={k}>{t(`pose.techniques.${k}`)}</option>)}
            </SelectField>
            <p className="field-hint small muted" style={{ marginTop: -8 }}>{t("pose.techniqueHint")}</p>
            <fieldset className="field">
              <legend className="label">{t("pose.joints")}</legend>
              <span className="field-hint">{t("pose.jointsHint")}</span>
              <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fill, minmax(150px, 1fr))", gap: 6 }}>
                {JOINTS.map((j) => (
                  <label key={j} className="checkbox">
                    <input type="checkbox" checked={joints.includes(j)} onChange={(ev) => setJoints(ev.target.checked ? [...joints, j] : joints.filter((x) => x !== j))} />
                    {jointLabel(t, j)}
                  </label>
                ))}
              </div>
            </fieldset>
            {create.error && <div className="alert alert-error" role="alert">{create.error}</div>}
            <button className="btn btn-primary" disabled={create.busy}>{t("pose.create")}</button>
          </form>
        </>
      )}
    </div>
  );
}
