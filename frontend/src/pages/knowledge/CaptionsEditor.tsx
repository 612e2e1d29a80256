import { useState } from "react";
import { call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useAction, useLoad } from "../../lib/hooks";
import { LangTabs, type EditLang } from "./KnowledgePanel";


/** The instructor's captions of one video: the newest track per language (extracted or edited),
 * its WebVTT text to correct, saved as a new version and approved into the player. */
export function CaptionsEditor({ videoId }: { videoId: string }) {
  const { t } = useI18n();
  const { api } = useAuth();
  const [lang, setLang] = useState<EditLang>("it");
  const [text, setText] = useState<string | null>(null);
  const panel = useLoad(
    () => call(api.client.GET("/api/v1/knowledge/videos/{video_id}", { params: { path: { video_id: videoId } } })).catch(() => null),
    [api, videoId],
  );
  const track = panel.data?.captions.filter((c) => c.lang === lang).sort((a, b) => b.number - a.number)[0];
  const current = useLoad(
    async () => (track ? call(api.client.GET("/api/v1/knowledge/captions/{track_id}", { params: { path: { track_id: track.id } }, parseAs: "text" })) : ""),
    [api, track?.id],
  );
  const save = useAction(async () => {
    await call(api.client.POST("/api/v1/knowledge/videos/{video_id}/captions", { params: { path: { video_id: videoId } }, body: { lang, vtt: text ?? current.data ?? "", approve: true } }));
    setText(null);
    panel.reload();
  });
  // Another language's newest track, to translate from (memory first; the LLM only when keyed).
  const other = panel.data?.captions.filter((c) => c.lang !== lang).sort((a, b) => b.number - a.number)[0];
  const [note, setNote] = useState<string | null>(null);
  const translate = useAction(async () => {
    if (!other) return;
    const out = await call(api.client.POST("/api/v1/knowledge/captions/{track_id}/translate", { params: { path: { track_id: other.id } }, body: { target: lang } }));
    setNote(out.message ?? t("knowledge.captionsTranslated", { translated: out.translated, total: out.total }));
    setText(null);
    panel.reload();
  });
  if (!panel.data) return null;
  const value = text ?? (current.data as string | undefined) ?? "";
  return (
    <section className="card stack" aria-labelledby="cc-h">
      <h2 id="cc-h">{t("knowledge.captions")}</h2>
      <LangTabs lang={lang} onPick={(code) => { setLang(code); setText(null); setNote(null); }} version={track} />
      <label className="field">
        <span>WebVTT</span>
        <textarea className="input" rows={8} value={value} placeholder={"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n…"} onChange={(e) => setText(e.target.value)} />
      </label>
      {note && <p className="small alert" role="status">{note}</p>}
      {(save.error ?? translate.error) && <div className="alert alert-error" role="alert">{save.error ?? translate.error}</div>}
      <div className="row">
        <button className="btn btn-primary btn-sm" disabled={save.busy || !value.trim()} onClick={() => save.run()}>{t("knowledge.saveApprove")}</button>
        {!track && other && (
          <button className="btn btn-sm" disabled={translate.busy} onClick={() => translate.run()}>
            {t("knowledge.translateCaptions", { lang: other.lang.toUpperCase() })}
          </button>
        )}
      </div>
    </section>
  );
}
