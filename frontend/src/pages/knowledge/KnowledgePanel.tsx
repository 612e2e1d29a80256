import { call } from "../../api/client";
import type { Resp } from "@mamc/shared/api/types";
import { useAuth } from "../../auth/AuthContext";
import { useI18n } from "../../i18n/i18n";
import { useLoad } from "../../lib/hooks";

export type VideoKnowledge = Resp<"/api/v1/knowledge/videos/{video_id}", "get">;
export type KnowledgeItem = VideoKnowledge["chapters"][number];
type Version = KnowledgeItem["versions"][number];

/** The version to show in `lang`: approved first, newest first; else any language's. */
export function pickVersion(versions: Version[], lang: string): Version | undefined {
  const inLang = versions.filter((v) => v.lang === lang);
  const pool = inLang.length ? inLang : versions;
  return [...pool].sort((a, b) => Number(b.review_state === "approved") - Number(a.review_state === "approved") || b.number - a.number)[0];
}

/** "What this video teaches": approved chapters and techniques; a click seeks the player. */
export function KnowledgePanel({ videoId, onSeek }: { videoId: string; onSeek: (t: number) => void }) {
  const { t, lang, fmtDuration } = useI18n();
  const { api } = useAuth();
  const data = useLoad(
    () => call(api.client.GET("/api/v1/knowledge/videos/{video_id}", { params: { path: { video_id: videoId } } })).catch(() => null),
    [api, videoId],
  );
  const k = data.data;
  if (!k || (k.chapters.length === 0 && k.techniques.length === 0)) return null;
  const moment = (item: KnowledgeItem) => item.links.find((l) => l.video_id === videoId && l.start_s != null);
  return (
    <section className="panel stack" aria-labelledby="teaches-h">
      <h2 id="teaches-h" className="label">{t("knowledge.teaches")}</h2>
      {k.chapters.length > 0 && (
        <>
          <h3 className="small muted" style={{ margin: 0 }}>{t("knowledge.chapters")}</h3>
          <ol style={{ margin: 0, paddingLeft: 18 }}>
            {k.chapters.map((c) => {
              const at = moment(c);
              return (
                <li key={c.id}>
                  <button className="btn btn-ghost btn-sm" onClick={() => at?.start_s != null && onSeek(at.start_s)}>
                    {at?.start_s != null ? `${fmtDuration(at.start_s)} · ` : ""}
                    {pickVersion(c.versions, lang)?.title}
                  </button>
                </li>
              );
            })}
          </ol>
        </>
      )}
      {k.techniques.length > 0 && (
        <>
          <h3 className="small muted" style={{ margin: 0 }}>{t("knowledge.techniques")}</h3>
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {k.techniques.map((item) => {
              const at = moment(item);
              return (
                <li key={item.id}>
                  <button className="btn btn-ghost btn-sm" onClick={() => at?.start_s != null && onSeek(at.start_s)}>
                    {pickVersion(item.versions, lang)?.title}
                  </button>
                  {item.confidence != null && (
                    <span className="small muted"> {t("knowledge.confidence", { pct: Math.round(item.confidence * 100) })}</span>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

export type EditLang = "it" | "en";

/** The language tabs of the review and captions editors, with the version line under them. */
export function LangTabs({ lang, onPick, version }: {
  lang: EditLang;
  onPick: (lang: EditLang) => void;
  version?: { number: number; source: string; review_state: string };
}) {
  const { t } = useI18n();
  return (
    <>
      <div className="row" role="tablist" aria-label={t("knowledge.language")}>
        {(["it", "en"] as const).map((code) => (
          <button key={code} role="tab" aria-selected={lang === code} className={`btn btn-sm ${lang === code ? "btn-primary" : ""}`} onClick={() => onPick(code)}>
            {code.toUpperCase()}
          </button>
        ))}
      </div>
      {version && (
        <p className="small muted" style={{ margin: 0 }}>
          {t("knowledge.versionLine", { n: version.number, source: t(`knowledge.source.${version.source}`), state: t(`knowledge.state.${version.review_state}`) })}
        </p>
      )}
    </>
  );
}
