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
  if (!panel.data) return null;
  const value = text ?? (current.data as string | undefined) ?? "";
  return (
    <section className="card stack" aria-labelledby="cc-h">
      <h2 id="cc-h">{t("knowledge.captions")}</h2>
      <LangTabs lang={lang} onPick={(code) => { setLang(code); setText(null); }} version={track} />
      <label className="field">
        <span>WebVTT</span>
        <textarea className="input" rows={8} value={value} placeholder={"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n…"} onChange={(e) => setText(e.target.value)} />
      </label>
      {save.error && <div className="alert alert-error" role="alert">{save.error}</div>}
      <div className="row">
        <button className="btn btn-primary btn-sm" disabled={save.busy || !value.trim()} onClick={() => save.run()}>{t("knowledge.saveApprove")}</button>
      </div>
    </section>
  );
}
